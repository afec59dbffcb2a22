/**
 * The Confluent emulator's actions (moto's "responses"): each one reads and validates its request (query,
 * body: types first → 400, then values → 422), asks the models for the state change and renders the answer.
 */
import type { SandboxResponse } from '../types.js';
import { badParameter, badRequest, invalid } from './errors.js';
import { type ConfluentBackend, PREFIX } from './models.js';
import { ACCESS_POINT_LIST_PARAMS, GATEWAY_LIST_PARAMS, checkListParams, filterValues, listBody } from './paging.js';
import type { ConfluentRenderer } from './render.js';
import {
  environmentIdOf,
  optionalString,
  optionalStringArray,
  parseJsonBody,
  requireObject,
  requireString,
  validateAccessPointKind,
  validateAccount,
  validateEgressRoutes,
  validateGatewayConfig,
  validateNetworkInterfaces,
  type Json,
  type PniGatewayConfig,
} from './validate.js';

export interface ActionRequest {
  id?: string;
  query: URLSearchParams;
  body: Buffer;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
const NO_CONTENT = (): SandboxResponse => ({ status: 204, headers: {}, body: '' });

export class ConfluentResponses {
  constructor(
    private readonly backend: ConfluentBackend,
    private readonly render: ConfluentRenderer,
  ) {}

  /** For GET /_sandbox/state: current objects exactly as GET would return them. */
  snapshot(): { gateways: unknown[]; accessPoints: unknown[] } {
    this.backend.advance();
    return {
      gateways: this.backend.sortedGateways().map((g) => this.render.gateway(g, this.backend.gatewayPhase(g))),
      accessPoints: this.backend
        .sortedAccessPoints()
        .map((a) => this.render.accessPoint(a, this.backend.accessPointPhase(a))),
    };
  }

  private gatewayJson(id: string, env: string): Json {
    const g = this.backend.findGateway(id, env);
    return this.render.gateway(g, this.backend.gatewayPhase(g));
  }

  private accessPointJson(id: string, env: string): Json {
    const a = this.backend.findAccessPoint(id, env);
    return this.render.accessPoint(a, this.backend.accessPointPhase(a));
  }

  /** The `environment` query parameter (required), checked against the API key. */
  private environmentParam(query: URLSearchParams): string {
    const env = query.get('environment');
    if (!env) {
      throw badParameter(
        'missing_required_parameter',
        'Missing Required Parameter',
        "The query parameter 'environment' is required",
        'environment',
      );
    }
    this.backend.checkEnvironment(env);
    return env;
  }

  // ----------------------------------------------------------------------------------------------
  // Gateways

  listGateways({ query }: ActionRequest): SandboxResponse {
    checkListParams(query, GATEWAY_LIST_PARAMS, 'gateway');
    const env = this.environmentParam(query);
    const types = filterValues(query, 'gateway_type');
    const ids = filterValues(query, 'id');
    const names = filterValues(query, 'spec.display_name');
    const regions = filterValues(query, 'spec.config.region');
    // Terraform and the CLI send lowercase phases and "active" for READY (reference section 2.6).
    const phases = filterValues(query, 'status.phase')?.map((p) =>
      p.toUpperCase() === 'ACTIVE' ? 'READY' : p.toUpperCase(),
    );
    const items = this.backend
      .sortedGateways()
      .filter(
        (g) =>
          g.env === env &&
          (!types || types.some((t) => t.toLowerCase() === g.config.kind.replace(/GatewaySpec$/, '').toLowerCase())) &&
          (!ids || ids.includes(g.id)) &&
          (!names || (g.displayName !== undefined && names.includes(g.displayName))) &&
          (!regions || regions.includes(g.config.region)) &&
          (!phases || phases.includes(this.backend.gatewayPhase(g))),
      )
      .map((g) => this.render.gateway(g, this.backend.gatewayPhase(g)));
    const url = (p: string) => this.render.url(p);
    return json(200, listBody('GatewayList', url, `${PREFIX}/gateways`, query, items, 100));
  }

  getGateway({ id, query }: ActionRequest): SandboxResponse {
    const env = this.environmentParam(query);
    return json(200, this.gatewayJson(String(id), env));
  }

  createGateway({ body }: ActionRequest): SandboxResponse {
    const root = requireObject(parseJsonBody(body), '');
    const spec = requireObject(root.spec, '/spec');
    const env = environmentIdOf(spec);
    const displayName = optionalString(spec.display_name, '/spec/display_name');
    if (spec.config === undefined) throw badRequest("The property '/spec/config' is required", '/spec/config');
    this.backend.checkEnvironment(env);
    const config = validateGatewayConfig(spec.config);
    const g = this.backend.createGateway(env, displayName, config);
    const self = this.render.url(`${PREFIX}/gateways/${g.id}`);
    return json(202, this.render.gateway(g, this.backend.gatewayPhase(g)), { Location: self });
  }

  patchGateway({ id, body }: ActionRequest): SandboxResponse {
    const root = requireObject(parseJsonBody(body), '');
    const spec = requireObject(root.spec, '/spec');
    const env = environmentIdOf(spec);
    const displayName = optionalString(spec.display_name, '/spec/display_name');
    this.backend.checkEnvironment(env);
    const g = this.backend.patchGateway(
      String(id),
      env,
      displayName,
      (current) => spec.config !== undefined && !sameGatewayConfig(spec.config, current),
    );
    return json(200, this.render.gateway(g, this.backend.gatewayPhase(g)));
  }

  deleteGateway({ id, query }: ActionRequest): SandboxResponse {
    const env = this.environmentParam(query);
    this.backend.deleteGateway(String(id), env);
    return NO_CONTENT();
  }

  // ----------------------------------------------------------------------------------------------
  // Access points

  listAccessPoints({ query }: ActionRequest): SandboxResponse {
    checkListParams(query, ACCESS_POINT_LIST_PARAMS, 'access point');
    const env = this.environmentParam(query);
    const ids = filterValues(query, 'id');
    const names = filterValues(query, 'spec.display_name');
    const gateways = filterValues(query, 'spec.gateway');
    const items = this.backend
      .sortedAccessPoints()
      .filter(
        (a) =>
          a.env === env &&
          (!ids || ids.includes(a.id)) &&
          (!names || (a.displayName !== undefined && names.includes(a.displayName))) &&
          (!gateways || gateways.includes(a.gatewayId)),
      )
      .map((a) => this.render.accessPoint(a, this.backend.accessPointPhase(a)));
    const url = (p: string) => this.render.url(p);
    return json(200, listBody('AccessPointList', url, `${PREFIX}/access-points`, query, items, 10));
  }

  getAccessPoint({ id, query }: ActionRequest): SandboxResponse {
    const env = this.environmentParam(query);
    return json(200, this.accessPointJson(String(id), env));
  }

  createAccessPoint({ body }: ActionRequest): SandboxResponse {
    const root = requireObject(parseJsonBody(body), '');
    const spec = requireObject(root.spec, '/spec');
    const env = environmentIdOf(spec);
    const displayName = optionalString(spec.display_name, '/spec/display_name');
    const gatewayRef = requireObject(spec.gateway, '/spec/gateway');
    const gatewayId = requireString(gatewayRef.id, '/spec/gateway/id');
    const config = requireObject(spec.config, '/spec/config');
    validateAccessPointKind(config);
    // Types first (400), then values (422).
    optionalStringArray(config.network_interfaces, '/spec/config/network_interfaces');
    optionalString(config.account, '/spec/config/account');
    optionalStringArray(config.egress_routes, '/spec/config/egress_routes');
    this.backend.checkEnvironment(env);
    const networkInterfaces = validateNetworkInterfaces(config.network_interfaces);
    const account = validateAccount(config.account);
    const egressRoutes = validateEgressRoutes(config.egress_routes);
    const a = this.backend.createAccessPoint({ env, displayName, gatewayId, networkInterfaces, account, egressRoutes });
    return json(202, this.render.accessPoint(a, this.backend.accessPointPhase(a)), {
      Location: this.render.url(`${PREFIX}/access-points/${a.id}`),
    });
  }

  patchAccessPoint({ id, body }: ActionRequest): SandboxResponse {
    const root = requireObject(parseJsonBody(body), '');
    const spec = requireObject(root.spec, '/spec');
    const env = environmentIdOf(spec);
    const displayName = optionalString(spec.display_name, '/spec/display_name');
    let config: Json | undefined;
    if (spec.config !== undefined) {
      config = requireObject(spec.config, '/spec/config');
      validateAccessPointKind(config);
      optionalStringArray(config.network_interfaces, '/spec/config/network_interfaces');
      optionalString(config.account, '/spec/config/account');
      optionalStringArray(config.egress_routes, '/spec/config/egress_routes');
    }
    const gatewayRef = spec.gateway === undefined ? undefined : requireObject(spec.gateway, '/spec/gateway');
    this.backend.checkEnvironment(env);
    const a = this.backend.patchableAccessPoint(String(id), env);
    if (gatewayRef && gatewayRef.id !== a.gatewayId) throw invalid('spec.gateway is immutable', '/spec/gateway');
    let networkInterfaces: string[] | undefined;
    let egressRoutes: string[] | undefined;
    if (config) {
      if (config.account !== undefined && config.account !== a.account)
        throw invalid('spec.config.account is immutable', '/spec/config/account');
      if (config.network_interfaces !== undefined)
        networkInterfaces = validateNetworkInterfaces(config.network_interfaces);
      if (config.egress_routes !== undefined) egressRoutes = validateEgressRoutes(config.egress_routes);
    }
    this.backend.patchAccessPoint(a, { displayName, egressRoutes, networkInterfaces });
    return json(200, this.render.accessPoint(a, this.backend.accessPointPhase(a)));
  }

  deleteAccessPoint({ id, query }: ActionRequest): SandboxResponse {
    const env = this.environmentParam(query);
    this.backend.deleteAccessPoint(String(id), env);
    return NO_CONTENT();
  }
}

/** Whether a PATCH body's spec.config is the gateway's current config (key order and zone order aside). */
function sameGatewayConfig(raw: unknown, current: PniGatewayConfig): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const c = raw as Record<string, unknown>;
  const keys = Object.keys(c).filter((k) => c[k] !== undefined);
  return (
    keys.every((k) => ['kind', 'region', 'zones'].includes(k)) &&
    c.kind === current.kind &&
    c.region === current.region &&
    Array.isArray(c.zones) &&
    c.zones.length === current.zones.length &&
    current.zones.every((z) => (c.zones as unknown[]).includes(z))
  );
}
