/** The Confluent emulator's API shapes: `Gateway` and `AccessPoint` as GET returns them (openapi/*.yaml). */
import { SEED } from '../seed.js';
import { type AccessPointRec, type GatewayRec, PREFIX } from './models.js';
import { type Json, PNI_ACCESS_POINT_KIND, PNI_GATEWAY_STATUS_KIND } from './validate.js';

export const API_VERSION = 'networking/v1';

const iso = (ms: number): string => new Date(ms).toISOString();

function envCrn(env: string): string {
  return `crn://confluent.cloud/organization=${SEED.confluent.organizationId}/environment=${env}`;
}
function gatewayCrn(env: string, id: string): string {
  return `${envCrn(env)}/gateway=${id}`;
}

export class ConfluentRenderer {
  constructor(private readonly baseUrl: () => string) {}

  /** Absolute URL of an API path, for Location / metadata.self / related / next links. */
  url(path: string): string {
    return `${this.baseUrl().replace(/\/+$/, '')}${path}`;
  }

  private envRef(env: string): Json {
    return { id: env, related: this.url(`/v2/environments/${env}`), resource_name: envCrn(env) };
  }

  gateway(g: GatewayRec, phase: string): Json {
    const metadata: Json = {
      self: this.url(`${PREFIX}/gateways/${g.id}`),
      resource_name: gatewayCrn(g.env, g.id),
      created_at: iso(g.createdAt),
      updated_at: iso(g.updatedAt),
    };
    if (g.deletedAt !== undefined) metadata.deleted_at = iso(g.deletedAt);
    const spec: Json = {};
    if (g.displayName !== undefined) spec.display_name = g.displayName;
    spec.environment = this.envRef(g.env);
    spec.config = { kind: g.config.kind, region: g.config.region, zones: [...g.config.zones] };
    const cloudGateway: Json = { kind: PNI_GATEWAY_STATUS_KIND };
    // Confluent's account is known once provisioning is over (not for a gateway that failed to provision).
    if (g.provisioned && g.override?.phase !== 'FAILED') cloudGateway.account = SEED.confluent.gatewayAccountId;
    const status: Json = { phase, cloud_gateway: cloudGateway };
    if (g.override && phase === g.override.phase) {
      status.error_code = g.override.code;
      status.error_message = g.override.message;
    }
    return { api_version: API_VERSION, kind: 'Gateway', id: g.id, metadata, spec, status };
  }

  accessPoint(a: AccessPointRec, phase: string): Json {
    const metadata: Json = {
      self: this.url(`${PREFIX}/access-points/${a.id}`),
      resource_name: `${gatewayCrn(a.env, a.gatewayId)}/access-point=${a.id}`,
      created_at: iso(a.createdAt),
      updated_at: iso(a.updatedAt),
    };
    if (a.deletedAt !== undefined) metadata.deleted_at = iso(a.deletedAt);
    const spec: Json = {};
    if (a.displayName !== undefined) spec.display_name = a.displayName;
    spec.config = {
      kind: PNI_ACCESS_POINT_KIND,
      network_interfaces: [...a.networkInterfaces],
      account: a.account,
      egress_routes: [...a.egressRoutes],
    };
    spec.environment = this.envRef(a.env);
    spec.gateway = {
      id: a.gatewayId,
      related: this.url(`${PREFIX}/gateways/${a.gatewayId}`),
      resource_name: gatewayCrn(a.env, a.gatewayId),
    };
    const status: Json = { phase };
    if (a.error && phase === a.phase) {
      status.error_code = a.error.code;
      status.error_message = a.error.message;
    }
    return { api_version: API_VERSION, kind: 'AccessPoint', id: a.id, metadata, spec, status };
  }
}
