/**
 * The sandbox's Confluent Cloud networking API (networking/v1 PNI gateways and access points).
 *
 * Wire shapes follow the SDK OpenAPI specs copied in ./openapi/. Phases are computed lazily from
 * timestamps on every call (no timers); every choice the emulator makes where Confluent documents
 * nothing is listed in ./README.md ("Where the Confluent sandbox guesses").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultRegistry } from '../faults.js';
import { SEED } from '../seed.js';
import { systemClock, type Clock, type Profile, type SandboxRequest, type SandboxResponse } from '../types.js';
import {
  ApiError,
  badParameter,
  badRequest,
  conflict,
  failureBody,
  forbidden,
  injectedError,
  invalid,
  notFound,
  quotaExceeded,
  unauthenticated,
} from './errors.js';
import {
  MAX_PNI_GATEWAYS_PER_ENVIRONMENT,
  PNI_ACCESS_POINT_KIND,
  PNI_GATEWAY_SPEC_KIND,
  PNI_GATEWAY_STATUS_KIND,
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

/** What the Confluent emulator needs from the EC2 emulator (implemented by sandbox/ec2). */
export interface Ec2View {
  getNetworkInterface(
    region: string,
    eniId: string,
  ):
    | {
        networkInterfaceId: string;
        subnetId: string;
        vpcId: string;
        availabilityZoneId: string;
        ownerId: string;
        status: string;
        attachedBy?: string;
      }
    | undefined;
  permissionsFor(
    region: string,
    eniId: string,
  ): {
    networkInterfacePermissionId: string;
    awsAccountId: string;
    permission: string;
    state: string;
  }[];
  attach(region: string, eniId: string, accountId: string): void;
  detach(region: string, eniId: string): void;
}

export interface ConfluentEmulatorOptions {
  faults: FaultRegistry;
  profile: () => Profile;
  ec2: Ec2View;
  clock?: Clock;
  /** e.g. http://127.0.0.1:4566, for Location / metadata.self / next links. */
  baseUrl: () => string;
}

type OverridePhase = 'FAILED' | 'EXPIRED' | 'ERROR' | 'DISCONNECTED' | 'DEGRADED';
interface PhaseError {
  phase: string;
  code: string;
  message: string;
}

interface GatewayRec {
  id: string;
  env: string;
  displayName?: string;
  config: PniGatewayConfig;
  seq: number;
  createdAt: number;
  updatedAt: number;
  provisionDueAt: number;
  provisioned: boolean;
  /** A terminal/abnormal phase (fault rule) that replaces CREATED/READY. */
  override?: PhaseError;
  deletedAt?: number;
  goneAt?: number;
}

interface AccessPointRec {
  id: string;
  env: string;
  gatewayId: string;
  displayName?: string;
  networkInterfaces: string[];
  account: string;
  egressRoutes: string[];
  seq: number;
  createdAt: number;
  updatedAt: number;
  provisionDueAt: number;
  /** PROVISIONING until provisionDueAt, then READY or an error phase. */
  phase: string;
  error?: { code: string; message: string };
  /** ENIs this access point has attached in the EC2 view (detached when it is gone). */
  attached: Set<string>;
  deletedAt?: number;
  goneAt?: number;
}

type Collection = 'gateways' | 'access-points';
interface Route {
  collection: Collection;
  id?: string;
  template: string;
}

const API_VERSION = 'networking/v1';
const PREFIX = '/networking/v1';
const RATE_LIMIT = 300;
const RATE_WINDOW_MS = 60_000;

const GATEWAY_LIST_PARAMS = [
  'environment',
  'page_size',
  'page_token',
  'gateway_type',
  'id',
  'spec.display_name',
  'status.phase',
  'spec.config.region',
];
const ACCESS_POINT_LIST_PARAMS = ['environment', 'page_size', 'page_token', 'spec.display_name', 'spec.gateway', 'id'];

const OVERRIDE_TEXT: Record<'gateway' | 'accessPoint', Record<OverridePhase, string>> = {
  gateway: {
    FAILED: 'gateway provisioning failed',
    EXPIRED: 'gateway has timed out waiting for connections and can only be deleted',
    ERROR: 'gateway is in an error state',
    DISCONNECTED: 'gateway has been disconnected',
    DEGRADED: 'gateway is experiencing reduced performance or partial failure',
  },
  accessPoint: {
    FAILED: 'access point provisioning failed',
    EXPIRED: 'access point has expired',
    ERROR: 'invalid customer input during access point creation',
    DISCONNECTED: 'access point has been disconnected in the cloud provider',
    DEGRADED: 'access point is experiencing reduced performance or partial failure',
  },
};

export class ConfluentEmulator {
  private readonly faults: FaultRegistry;
  private readonly profile: () => Profile;
  private readonly ec2: Ec2View;
  private readonly clock: Clock;
  private readonly baseUrl: () => string;
  private gateways = new Map<string, GatewayRec>();
  private accessPoints = new Map<string, AccessPointRec>();
  private usedIds = new Set<string>();
  private seq = 0;
  private rateWindowStart = 0;
  private rateCount = 0;

  constructor(opts: ConfluentEmulatorOptions) {
    this.faults = opts.faults;
    this.profile = opts.profile;
    this.ec2 = opts.ec2;
    this.clock = opts.clock ?? systemClock;
    this.baseUrl = opts.baseUrl;
  }

  /** Environments the seeded API key can use (the seed's, plus any added with POST /_sandbox/seed). */
  private environments = new Set<string>(SEED.confluent.environments);

  addEnvironment(env: string): void {
    if (!/^env-[a-z0-9]+$/.test(env)) throw new Error(`seed: environment id ${env} must look like env-abc123`);
    this.environments.add(env);
  }

  reset(): void {
    this.environments = new Set<string>(SEED.confluent.environments);
    this.gateways.clear();
    this.accessPoints.clear();
    this.usedIds.clear();
    this.seq = 0;
    this.rateWindowStart = 0;
    this.rateCount = 0;
  }

  /** For GET /_sandbox/state: current objects exactly as GET would return them. */
  snapshot(): { gateways: unknown[]; accessPoints: unknown[] } {
    this.advance();
    return {
      gateways: this.sortedGateways().map((g) => this.renderGateway(g)),
      accessPoints: this.sortedAccessPoints().map((a) => this.renderAccessPoint(a)),
    };
  }

  /** Any request whose path starts with /networking/v1/. */
  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const requestId = randomUUID();
    const latency =
      this.profile().confluentMethodLatencyMs?.[req.method.toUpperCase()] ?? this.profile().confluentLatencyMs;
    if (latency > 0) await sleep(latency);
    let res: SandboxResponse;
    try {
      res = this.dispatch(req);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      res = this.errorResponse(e);
    }
    res.headers['X-Request-Id'] = requestId;
    if ((res.status >= 200 && res.status < 300) || res.status === 429)
      Object.assign(res.headers, this.rateLimitHeaders(res.status === 429));
    return res;
  }

  // ----------------------------------------------------------------------------------------------
  // Dispatch

  private dispatch(req: SandboxRequest): SandboxResponse {
    if (!this.authenticated(req.headers.authorization)) throw unauthenticated();
    const method = req.method.toUpperCase();
    const route = this.route(req.path);
    if (!route) {
      return {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
        body: failureBody(new ApiError(404, undefined, 'Not Found', `No such resource: ${req.path}`)),
      };
    }
    const allowed = route.id === undefined ? ['GET', 'POST'] : ['GET', 'PATCH', 'DELETE'];
    if (!allowed.includes(method)) {
      throw new ApiError(
        405,
        'method_not_allowed',
        'Method Not Allowed',
        `${method} is not allowed on ${route.template}`,
        undefined,
        { Allow: allowed.join(', ') },
      );
    }
    this.injectFault(method, route, req.path);
    this.advance();
    const gw = route.collection === 'gateways';
    if (route.id === undefined) {
      if (method === 'GET') return gw ? this.listGateways(req.query) : this.listAccessPoints(req.query);
      return gw ? this.createGateway(req.body) : this.createAccessPoint(req.body);
    }
    if (method === 'GET') return gw ? this.getGateway(route.id, req.query) : this.getAccessPoint(route.id, req.query);
    if (method === 'PATCH')
      return gw ? this.patchGateway(route.id, req.body) : this.patchAccessPoint(route.id, req.body);
    return gw ? this.deleteGateway(route.id, req.query) : this.deleteAccessPoint(route.id, req.query);
  }

  private authenticated(header: string | undefined): boolean {
    if (!header) return false;
    const m = /^Basic\s+(\S+)\s*$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return false;
    return decoded.slice(0, i) === SEED.confluent.apiKey && decoded.slice(i + 1) === SEED.confluent.apiSecret;
  }

  private route(path: string): Route | undefined {
    const m = /^\/networking\/v1\/(gateways|access-points)(?:\/([^/]+))?\/?$/.exec(path);
    if (!m) return undefined;
    const collection = m[1] as Collection;
    let id: string | undefined;
    try {
      id = m[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
    } catch {
      id = m[2];
    }
    return { collection, id, template: `${PREFIX}/${collection}${id !== undefined ? '/{id}' : ''}` };
  }

  /** Fault rules match "METHOD /template" or "METHOD /concrete/path". */
  private injectFault(method: string, route: Route, path: string): void {
    const concrete = path.replace(/\/$/, '');
    let fault = this.faults.nextCallFault('confluent', `${method} ${route.template}`);
    if (concrete !== route.template) {
      const other = this.faults.nextCallFault('confluent', `${method} ${concrete}`);
      fault = fault ?? other;
    }
    if (!fault) return;
    const status = Number(fault.error);
    if (status === 429) throw new ApiError(429, undefined, undefined, '', undefined, { 'Retry-After': '1' });
    throw injectedError(status, fault.message);
  }

  private errorResponse(e: ApiError): SandboxResponse {
    if (e.status === 429) return { status: 429, headers: { ...e.headers }, body: '' };
    return { status: e.status, headers: { 'Content-Type': 'application/json', ...e.headers }, body: failureBody(e) };
  }

  private rateLimitHeaders(limited: boolean): Record<string, string> {
    const now = this.clock.now();
    if (now - this.rateWindowStart >= RATE_WINDOW_MS || now < this.rateWindowStart) {
      this.rateWindowStart = now;
      this.rateCount = 0;
    }
    this.rateCount += 1;
    const reset = Math.max(1, Math.ceil((this.rateWindowStart + RATE_WINDOW_MS - now) / 1000));
    return {
      'X-RateLimit-Limit': String(RATE_LIMIT),
      'X-RateLimit-Remaining': String(limited ? 0 : Math.max(0, RATE_LIMIT - this.rateCount)),
      'X-RateLimit-Reset': String(reset),
    };
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
    return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
  }

  // ----------------------------------------------------------------------------------------------
  // Environments, ids, URLs

  private checkEnvironment(env: string): void {
    if (!this.environments.has(env)) {
      throw forbidden(`The API key is not authorized to access environment '${env}', or it does not exist`);
    }
  }

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
    this.checkEnvironment(env);
    return env;
  }

  private newId(prefix: 'gw' | 'ap'): string {
    for (;;) {
      const bytes = randomBytes(6);
      const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
      let s = '';
      for (const b of bytes) s += chars[b % chars.length];
      const id = `${prefix}-${s}`;
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  private url(path: string): string {
    return `${this.baseUrl().replace(/\/+$/, '')}${path}`;
  }
  private envCrn(env: string): string {
    return `crn://confluent.cloud/organization=${SEED.confluent.organizationId}/environment=${env}`;
  }
  private gatewayCrn(env: string, id: string): string {
    return `${this.envCrn(env)}/gateway=${id}`;
  }
  private envRef(env: string): Json {
    return { id: env, related: this.url(`/v2/environments/${env}`), resource_name: this.envCrn(env) };
  }
  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  // ----------------------------------------------------------------------------------------------
  // Lazy phases

  /** Applies every transition due by now, in time order, then the "when READY" fault rules. */
  private advance(): void {
    const now = this.clock.now();
    type Ev = { at: number; order: number; run: () => void };
    const events: Ev[] = [];
    for (const g of this.gateways.values()) {
      if (g.deletedAt === undefined && !g.provisioned && g.provisionDueAt <= now) {
        events.push({ at: g.provisionDueAt, order: 0, run: () => this.finishGatewayProvisioning(g) });
      }
      if (g.goneAt !== undefined && g.goneAt <= now)
        events.push({
          at: g.goneAt,
          order: 3,
          run: () => {
            this.gateways.delete(g.id);
          },
        });
    }
    for (const a of this.accessPoints.values()) {
      if (a.deletedAt === undefined && a.phase === 'PROVISIONING' && a.provisionDueAt <= now) {
        events.push({ at: a.provisionDueAt, order: 1, run: () => this.finishAccessPointProvisioning(a) });
      }
      if (a.goneAt !== undefined && a.goneAt <= now)
        events.push({ at: a.goneAt, order: 2, run: () => this.removeAccessPoint(a) });
    }
    events.sort((x, y) => x.at - y.at || x.order - y.order);
    for (const e of events) e.run();

    for (const a of this.sortedAccessPoints()) {
      if (a.deletedAt === undefined && a.phase === 'READY') {
        const phase = this.faults.takePhaseOverride('accessPoint', 'READY');
        if (phase) this.setAccessPointOverride(a, phase);
      }
    }
    for (const g of this.sortedGateways()) {
      if (this.gatewayPhase(g) === 'READY') {
        const phase = this.faults.takePhaseOverride('gateway', 'READY');
        if (phase) g.override = this.overrideError('gateway', phase);
      }
    }
  }

  private overrideError(resource: 'gateway' | 'accessPoint', phase: OverridePhase): PhaseError {
    const prefix = resource === 'gateway' ? 'GATEWAY' : 'ACCESS_POINT';
    return {
      phase,
      code: `${prefix}_${phase}`,
      message: `${OVERRIDE_TEXT[resource][phase]} (injected by a sandbox fault rule)`,
    };
  }

  private setAccessPointOverride(a: AccessPointRec, phase: OverridePhase): void {
    const e = this.overrideError('accessPoint', phase);
    a.phase = e.phase;
    a.error = { code: e.code, message: e.message };
  }

  private finishGatewayProvisioning(g: GatewayRec): void {
    g.provisioned = true;
    const phase = this.faults.takePhaseOverride('gateway', 'PROVISIONING');
    if (phase) g.override = this.overrideError('gateway', phase);
  }

  private finishAccessPointProvisioning(a: AccessPointRec): void {
    const phase = this.faults.takePhaseOverride('accessPoint', 'PROVISIONING');
    if (phase) {
      this.setAccessPointOverride(a, phase);
      return;
    }
    const g = this.gateways.get(a.gatewayId);
    const gPhase = g ? this.gatewayPhase(g) : 'DELETED';
    if (!g || (gPhase !== 'CREATED' && gPhase !== 'READY')) {
      a.phase = 'FAILED';
      a.error = {
        code: 'GATEWAY_NOT_AVAILABLE',
        message: `gateway ${a.gatewayId} is ${gPhase}; the access point cannot be provisioned`,
      };
      return;
    }
    const problems = this.eniProblems(a, g);
    if (problems.length > 0) {
      const [first] = problems;
      a.phase = 'ERROR';
      a.error = {
        code: first.code,
        message:
          first.message +
          (problems.length > 1 ? ` (and ${problems.length - 1} more network interface problem(s))` : ''),
      };
      return;
    }
    a.phase = 'READY';
    a.error = undefined;
    for (const eni of a.networkInterfaces) {
      if (!a.attached.has(eni)) {
        this.ec2.attach(g.config.region, eni, SEED.confluent.gatewayAccountId);
        a.attached.add(eni);
      }
    }
  }

  /** The checks Confluent makes when it attaches its VMs to the customer's ENIs. */
  private eniProblems(a: AccessPointRec, g: GatewayRec): { code: string; message: string }[] {
    const out: { code: string; message: string }[] = [];
    const region = g.config.region;
    const account = SEED.confluent.gatewayAccountId;
    for (const eniId of a.networkInterfaces) {
      const eni = this.ec2.getNetworkInterface(region, eniId);
      if (!eni) {
        out.push({
          code: 'NETWORK_INTERFACE_NOT_FOUND',
          message: `network interface ${eniId} was not found in region ${region}`,
        });
        continue;
      }
      if (eni.ownerId !== a.account) {
        out.push({
          code: 'NETWORK_INTERFACE_ACCOUNT_MISMATCH',
          message: `network interface ${eniId} is owned by account ${eni.ownerId}, not by account ${a.account}`,
        });
        continue;
      }
      if (!g.config.zones.includes(eni.availabilityZoneId)) {
        out.push({
          code: 'NETWORK_INTERFACE_ZONE_MISMATCH',
          message: `network interface ${eniId} is in availability zone ${eni.availabilityZoneId}, which is not one of the gateway's zones (${g.config.zones.join(', ')})`,
        });
        continue;
      }
      const granted = this.ec2
        .permissionsFor(region, eniId)
        .some(
          (p) =>
            p.permission.toUpperCase() === 'INSTANCE-ATTACH' &&
            p.awsAccountId === account &&
            p.state.toLowerCase() === 'granted',
        );
      if (!granted) {
        out.push({
          code: 'NETWORK_INTERFACE_PERMISSION_MISSING',
          message: `network interface ${eniId} does not grant the INSTANCE-ATTACH permission to account ${account}`,
        });
      }
    }
    return out;
  }

  private removeAccessPoint(a: AccessPointRec): void {
    const g = this.gateways.get(a.gatewayId);
    const region = g?.config.region ?? SEED.region;
    for (const eni of a.attached) this.ec2.detach(region, eni);
    a.attached.clear();
    this.accessPoints.delete(a.id);
  }

  private gatewayPhase(g: GatewayRec): string {
    if (g.deletedAt !== undefined) return 'DEPROVISIONING';
    if (!g.provisioned) return 'PROVISIONING';
    if (g.override) return g.override.phase;
    for (const a of this.accessPoints.values()) {
      if (a.gatewayId === g.id && a.deletedAt === undefined && a.phase === 'READY') return 'READY';
    }
    return 'CREATED';
  }

  private accessPointPhase(a: AccessPointRec): string {
    return a.deletedAt !== undefined ? 'DEPROVISIONING' : a.phase;
  }

  // ----------------------------------------------------------------------------------------------
  // Rendering

  private renderGateway(g: GatewayRec): Json {
    const phase = this.gatewayPhase(g);
    const metadata: Json = {
      self: this.url(`${PREFIX}/gateways/${g.id}`),
      resource_name: this.gatewayCrn(g.env, g.id),
      created_at: this.iso(g.createdAt),
      updated_at: this.iso(g.updatedAt),
    };
    if (g.deletedAt !== undefined) metadata.deleted_at = this.iso(g.deletedAt);
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

  private renderAccessPoint(a: AccessPointRec): Json {
    const phase = this.accessPointPhase(a);
    const metadata: Json = {
      self: this.url(`${PREFIX}/access-points/${a.id}`),
      resource_name: `${this.gatewayCrn(a.env, a.gatewayId)}/access-point=${a.id}`,
      created_at: this.iso(a.createdAt),
      updated_at: this.iso(a.updatedAt),
    };
    if (a.deletedAt !== undefined) metadata.deleted_at = this.iso(a.deletedAt);
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
      resource_name: this.gatewayCrn(a.env, a.gatewayId),
    };
    const status: Json = { phase };
    if (a.error && phase === a.phase) {
      status.error_code = a.error.code;
      status.error_message = a.error.message;
    }
    return { api_version: API_VERSION, kind: 'AccessPoint', id: a.id, metadata, spec, status };
  }

  private sortedGateways(): GatewayRec[] {
    return [...this.gateways.values()].sort((x, y) => x.createdAt - y.createdAt || x.seq - y.seq);
  }

  private sortedAccessPoints(): AccessPointRec[] {
    return [...this.accessPoints.values()].sort((x, y) => x.createdAt - y.createdAt || x.seq - y.seq);
  }

  // ----------------------------------------------------------------------------------------------
  // Lists

  /** Values of a filter: repeated parameters (explode) and comma-separated values both work. */
  private filterValues(query: URLSearchParams, name: string): string[] | undefined {
    const raw = query.getAll(name);
    if (raw.length === 0) return undefined;
    return raw
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }

  private checkListParams(query: URLSearchParams, allowed: string[], resource: string): void {
    for (const key of query.keys()) {
      if (!allowed.includes(key)) {
        throw badParameter(
          'invalid_filter',
          'Invalid Filter',
          `The '${resource}' resource can't be filtered by '${key}'`,
          key,
        );
      }
    }
  }

  private pageParams(query: URLSearchParams, defaultSize: number): { size: number; offset: number } {
    let size = defaultSize;
    const rawSize = query.get('page_size');
    if (rawSize !== null) {
      if (!/^\d+$/.test(rawSize) || Number(rawSize) < 1 || Number(rawSize) > 100) {
        throw badParameter(
          'invalid_page_size',
          'Invalid Page Size',
          'page_size must be an integer between 1 and 100',
          'page_size',
        );
      }
      size = Number(rawSize);
    }
    let offset = 0;
    const token = query.get('page_token');
    if (token !== null && token !== '') {
      const decoded = token.length <= 255 ? Buffer.from(token, 'base64url').toString('utf8') : '';
      const m = /^o=(\d+)$/.exec(decoded);
      if (!m)
        throw badParameter(
          'invalid_page_token',
          'Invalid Page Token',
          'page_token is invalid or expired',
          'page_token',
        );
      offset = Number(m[1]);
    }
    return { size, offset };
  }

  private listResponse(
    kind: 'GatewayList' | 'AccessPointList',
    path: string,
    query: URLSearchParams,
    items: Json[],
    defaultSize: number,
  ): SandboxResponse {
    const { size, offset } = this.pageParams(query, defaultSize);
    const page = items.slice(offset, offset + size);
    const linkParams = new URLSearchParams();
    for (const [k, v] of query) if (k !== 'page_token') linkParams.append(k, v);
    const link = (params: URLSearchParams): string => this.url(`${path}?${params.toString()}`);
    const metadata: Json = { first: link(linkParams), total_size: items.length };
    if (offset + size < items.length) {
      const next = new URLSearchParams(linkParams);
      next.set('page_token', Buffer.from(`o=${offset + size}`, 'utf8').toString('base64url'));
      metadata.next = link(next);
    }
    return this.json(200, { api_version: API_VERSION, kind, metadata, data: page });
  }

  private listGateways(query: URLSearchParams): SandboxResponse {
    this.checkListParams(query, GATEWAY_LIST_PARAMS, 'gateway');
    const env = this.environmentParam(query);
    const types = this.filterValues(query, 'gateway_type');
    const ids = this.filterValues(query, 'id');
    const names = this.filterValues(query, 'spec.display_name');
    const regions = this.filterValues(query, 'spec.config.region');
    // Terraform and the CLI send lowercase phases and "active" for READY (reference section 2.6).
    const phases = this.filterValues(query, 'status.phase')?.map((p) =>
      p.toUpperCase() === 'ACTIVE' ? 'READY' : p.toUpperCase(),
    );
    const items = this.sortedGateways()
      .filter(
        (g) =>
          g.env === env &&
          (!types || types.some((t) => t.toLowerCase() === g.config.kind.replace(/GatewaySpec$/, '').toLowerCase())) &&
          (!ids || ids.includes(g.id)) &&
          (!names || (g.displayName !== undefined && names.includes(g.displayName))) &&
          (!regions || regions.includes(g.config.region)) &&
          (!phases || phases.includes(this.gatewayPhase(g))),
      )
      .map((g) => this.renderGateway(g));
    return this.listResponse('GatewayList', `${PREFIX}/gateways`, query, items, 100);
  }

  private listAccessPoints(query: URLSearchParams): SandboxResponse {
    this.checkListParams(query, ACCESS_POINT_LIST_PARAMS, 'access point');
    const env = this.environmentParam(query);
    const ids = this.filterValues(query, 'id');
    const names = this.filterValues(query, 'spec.display_name');
    const gateways = this.filterValues(query, 'spec.gateway');
    const items = this.sortedAccessPoints()
      .filter(
        (a) =>
          a.env === env &&
          (!ids || ids.includes(a.id)) &&
          (!names || (a.displayName !== undefined && names.includes(a.displayName))) &&
          (!gateways || gateways.includes(a.gatewayId)),
      )
      .map((a) => this.renderAccessPoint(a));
    return this.listResponse('AccessPointList', `${PREFIX}/access-points`, query, items, 10);
  }

  // ----------------------------------------------------------------------------------------------
  // Gateways

  private findGateway(id: string, env: string): GatewayRec {
    const g = this.gateways.get(id);
    if (!g || g.env !== env) throw notFound('gateway', id);
    return g;
  }

  private getGateway(id: string, query: URLSearchParams): SandboxResponse {
    const env = this.environmentParam(query);
    return this.json(200, this.renderGateway(this.findGateway(id, env)));
  }

  private createGateway(body: Buffer): SandboxResponse {
    const root = requireObject(parseJsonBody(body), '');
    const spec = requireObject(root.spec, '/spec');
    const env = environmentIdOf(spec);
    const displayName = optionalString(spec.display_name, '/spec/display_name');
    if (spec.config === undefined) throw badRequest("The property '/spec/config' is required", '/spec/config');
    this.checkEnvironment(env);
    const config = validateGatewayConfig(spec.config);
    const existing = [...this.gateways.values()].filter(
      (g) => g.env === env && g.config.kind === PNI_GATEWAY_SPEC_KIND,
    );
    if (existing.length >= MAX_PNI_GATEWAYS_PER_ENVIRONMENT) {
      throw quotaExceeded(
        `The request would exceed the quota: gateways_per_region_per_environment (at most ${MAX_PNI_GATEWAYS_PER_ENVIRONMENT} Private Network Interface gateways per environment; ${env} has ${existing.map((g) => g.id).join(', ')})`,
      );
    }
    const now = this.clock.now();
    const g: GatewayRec = {
      id: this.newId('gw'),
      env,
      displayName,
      config,
      seq: this.tick(),
      createdAt: now,
      updatedAt: now,
      provisionDueAt: now + this.profile().gatewayProvisionMs,
      provisioned: false,
    };
    this.gateways.set(g.id, g);
    const self = this.url(`${PREFIX}/gateways/${g.id}`);
    return this.json(202, this.renderGateway(g), { Location: self });
  }

  /** Creation counter: objects created in the same millisecond keep their creation order. */
  private tick(): number {
    this.seq += 1;
    return this.seq;
  }

  private patchGateway(id: string, body: Buffer): SandboxResponse {
    const root = requireObject(parseJsonBody(body), '');
    const spec = requireObject(root.spec, '/spec');
    const env = environmentIdOf(spec);
    const displayName = optionalString(spec.display_name, '/spec/display_name');
    this.checkEnvironment(env);
    const g = this.findGateway(id, env);
    if (g.deletedAt !== undefined)
      throw conflict('resource_being_deleted', 'Conflict', `gateway ${id} is being deleted`);
    if (spec.config !== undefined && !sameGatewayConfig(spec.config, g.config)) {
      throw invalid('spec.config is immutable; only display_name can be updated', '/spec/config');
    }
    if (displayName !== undefined && displayName !== g.displayName) {
      g.displayName = displayName;
      g.updatedAt = this.clock.now();
    }
    return this.json(200, this.renderGateway(g));
  }

  private deleteGateway(id: string, query: URLSearchParams): SandboxResponse {
    const env = this.environmentParam(query);
    const g = this.findGateway(id, env);
    if (g.deletedAt === undefined) {
      const aps = this.sortedAccessPoints().filter((a) => a.gatewayId === g.id);
      if (aps.length > 0) {
        throw conflict(
          'resource_in_use',
          'Conflict',
          `gateway ${id} still has access point(s) ${aps.map((a) => a.id).join(', ')}; delete them first and wait until they are gone`,
          this.url(`${PREFIX}/access-points/${aps[0].id}`),
        );
      }
      const now = this.clock.now();
      g.deletedAt = now;
      g.updatedAt = now;
      g.goneAt = now + this.profile().deprovisionMs;
    }
    return { status: 204, headers: {}, body: '' };
  }

  // ----------------------------------------------------------------------------------------------
  // Access points

  private findAccessPoint(id: string, env: string): AccessPointRec {
    const a = this.accessPoints.get(id);
    if (!a || a.env !== env) throw notFound('access point', id);
    return a;
  }

  private getAccessPoint(id: string, query: URLSearchParams): SandboxResponse {
    const env = this.environmentParam(query);
    return this.json(200, this.renderAccessPoint(this.findAccessPoint(id, env)));
  }

  /** 409 when an ENI already belongs to another access point that still exists. */
  private checkEniReuse(enis: string[], self?: string): void {
    const wanted = new Set(enis);
    for (const a of this.sortedAccessPoints()) {
      if (a.id === self) continue;
      const shared = a.networkInterfaces.find((e) => wanted.has(e));
      if (shared) {
        throw conflict(
          'resource_already_exists',
          'Resource Already exists',
          `network interface ${shared} is already used by access point ${a.id}; an ENI can belong to only one access point`,
          this.url(`${PREFIX}/access-points/${a.id}`),
          '/spec/config/network_interfaces',
        );
      }
    }
  }

  private createAccessPoint(body: Buffer): SandboxResponse {
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
    this.checkEnvironment(env);
    const networkInterfaces = validateNetworkInterfaces(config.network_interfaces);
    const account = validateAccount(config.account);
    const egressRoutes = validateEgressRoutes(config.egress_routes);

    const g = this.gateways.get(gatewayId);
    if (!g || g.env !== env)
      throw invalid(`gateway ${gatewayId} was not found in environment ${env}`, '/spec/gateway/id');
    const gPhase = this.gatewayPhase(g);
    if (gPhase === 'PROVISIONING') {
      throw conflict(
        'gateway_not_ready',
        'Conflict',
        `gateway ${gatewayId} is still PROVISIONING; create the access point once it is CREATED`,
        this.url(`${PREFIX}/gateways/${gatewayId}`),
        '/spec/gateway/id',
      );
    }
    if (gPhase !== 'CREATED' && gPhase !== 'READY') {
      throw invalid(
        `gateway ${gatewayId} is ${gPhase}; an access point can only be added to a CREATED or READY gateway`,
        '/spec/gateway/id',
      );
    }
    this.checkEniReuse(networkInterfaces);

    const now = this.clock.now();
    const a: AccessPointRec = {
      id: this.newId('ap'),
      env,
      gatewayId,
      displayName,
      networkInterfaces,
      account,
      egressRoutes,
      seq: this.tick(),
      createdAt: now,
      updatedAt: now,
      provisionDueAt: now + this.profile().accessPointProvisionMs,
      phase: 'PROVISIONING',
      attached: new Set(),
    };
    this.accessPoints.set(a.id, a);
    return this.json(202, this.renderAccessPoint(a), { Location: this.url(`${PREFIX}/access-points/${a.id}`) });
  }

  private patchAccessPoint(id: string, body: Buffer): SandboxResponse {
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
    this.checkEnvironment(env);
    const a = this.findAccessPoint(id, env);
    if (a.deletedAt !== undefined)
      throw conflict('resource_being_deleted', 'Conflict', `access point ${id} is being deleted`);
    if (gatewayRef && gatewayRef.id !== a.gatewayId) throw invalid('spec.gateway is immutable', '/spec/gateway');
    let enis: string[] | undefined;
    let routes: string[] | undefined;
    if (config) {
      if (config.account !== undefined && config.account !== a.account)
        throw invalid('spec.config.account is immutable', '/spec/config/account');
      if (config.network_interfaces !== undefined) enis = validateNetworkInterfaces(config.network_interfaces);
      if (config.egress_routes !== undefined) routes = validateEgressRoutes(config.egress_routes);
      if (enis) this.checkEniReuse(enis, a.id);
    }
    const now = this.clock.now();
    let changed = false;
    if (displayName !== undefined && displayName !== a.displayName) {
      a.displayName = displayName;
      changed = true;
    }
    if (routes && JSON.stringify(routes) !== JSON.stringify(a.egressRoutes)) {
      a.egressRoutes = routes;
      changed = true;
    }
    if (enis) {
      const before = new Set(a.networkInterfaces);
      const same = enis.length === before.size && enis.every((e) => before.has(e));
      a.networkInterfaces = enis;
      changed = true;
      if (!same) {
        // New ENIs: Confluent re-verifies and re-attaches; removed ENIs are released at once.
        const g = this.gateways.get(a.gatewayId);
        const keep = new Set(enis);
        for (const e of [...a.attached]) {
          if (!keep.has(e)) {
            this.ec2.detach(g?.config.region ?? SEED.region, e);
            a.attached.delete(e);
          }
        }
        a.phase = 'PROVISIONING';
        a.error = undefined;
        a.provisionDueAt = now + this.profile().accessPointProvisionMs;
      }
    }
    if (changed) a.updatedAt = now;
    return this.json(200, this.renderAccessPoint(a));
  }

  private deleteAccessPoint(id: string, query: URLSearchParams): SandboxResponse {
    const env = this.environmentParam(query);
    const a = this.findAccessPoint(id, env);
    if (a.deletedAt === undefined) {
      const now = this.clock.now();
      a.deletedAt = now;
      a.updatedAt = now;
      a.goneAt = now + this.profile().deprovisionMs;
    }
    return { status: 204, headers: {}, body: '' };
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
