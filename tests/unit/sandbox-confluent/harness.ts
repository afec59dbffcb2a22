/**
 * Test harness for the Confluent emulator: a fake clock, an in-memory fake Ec2View, the test server,
 * and `api()`, which calls it with node's fetch and validates EVERY answer against the OpenAPI specs.
 */
import { ConfluentEmulator, type Ec2View } from '#sandbox/confluent/index.js';
import { startConfluentTestServer } from '#sandbox/confluent/testServer.js';
import { FaultRegistry } from '#sandbox/faults.js';
import { SEED } from '#sandbox/seed.js';
import type { Clock, Profile } from '#sandbox/types.js';
import { OpenApiValidators, type SpecName } from './openapi.js';

export const validators = new OpenApiValidators();

export class FakeClock implements Clock {
  t = Date.parse('2026-03-01T12:00:00.000Z');
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

interface FakeEni {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZoneId: string;
  ownerId: string;
  status: string;
  attachedBy?: string;
}
interface FakePermission {
  networkInterfacePermissionId: string;
  awsAccountId: string;
  permission: string;
  state: string;
}

export class FakeEc2 implements Ec2View {
  enis = new Map<string, FakeEni>(); // key region/eni
  perms = new Map<string, FakePermission[]>();
  calls: string[] = [];
  private permSeq = 0;

  addEni(
    eniId: string,
    az: string,
    opts: { region?: string; permission?: boolean | Partial<FakePermission>; ownerId?: string } = {},
  ): void {
    const region = opts.region ?? SEED.region;
    this.enis.set(`${region}/${eniId}`, {
      networkInterfaceId: eniId,
      subnetId: `subnet-${az}`,
      vpcId: SEED.vpc.vpcId,
      availabilityZoneId: az,
      ownerId: opts.ownerId ?? SEED.accountId,
      status: 'available',
    });
    const p = opts.permission ?? true;
    if (p) {
      this.perms.set(`${region}/${eniId}`, [
        {
          networkInterfacePermissionId: `eni-perm-${++this.permSeq}`,
          awsAccountId: SEED.confluent.gatewayAccountId,
          permission: 'INSTANCE-ATTACH',
          state: 'GRANTED',
          ...(typeof p === 'object' ? p : {}),
        },
      ]);
    }
  }
  getNetworkInterface(region: string, eniId: string): FakeEni | undefined {
    const e = this.enis.get(`${region}/${eniId}`);
    return e ? { ...e } : undefined;
  }
  permissionsFor(region: string, eniId: string): FakePermission[] {
    return (this.perms.get(`${region}/${eniId}`) ?? []).map((p) => ({ ...p }));
  }
  attach(region: string, eniId: string, accountId: string): void {
    this.calls.push(`attach ${eniId} ${accountId}`);
    const e = this.enis.get(`${region}/${eniId}`);
    if (e) {
      e.status = 'in-use';
      e.attachedBy = accountId;
    }
  }
  detach(region: string, eniId: string): void {
    this.calls.push(`detach ${eniId}`);
    const e = this.enis.get(`${region}/${eniId}`);
    if (e) {
      e.status = 'available';
      delete e.attachedBy;
    }
  }
  attached(): string[] {
    return [...this.enis.values()]
      .filter((e) => e.attachedBy)
      .map((e) => e.networkInterfaceId)
      .sort();
  }
}

export const FAST: Profile = {
  name: 'fast',
  timeFactor: 0.001,
  ec2TokenBuckets: false,
  ec2LatencyMs: 0,
  confluentLatencyMs: 0,
  lambdaOverheadMs: 0,
  gatewayProvisionMs: 1_000,
  accessPointProvisionMs: 2_000,
  deprovisionMs: 500,
};

export const ENV: string = SEED.confluent.environments[0];
export const ENV2: string = SEED.confluent.environments[1];
export const ZONES = ['usw2-az1', 'usw2-az2', 'usw2-az3'];
export const AUTH = `Basic ${Buffer.from(`${SEED.confluent.apiKey}:${SEED.confluent.apiSecret}`).toString('base64')}`;

export function eniId(n: number, salt = 0): string {
  return `eni-${(salt * 1000 + n).toString(16).padStart(17, '0')}`;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface CallOptions {
  query?: Record<string, string | string[]>;
  body?: unknown;
  rawBody?: string;
  /** null: no Authorization header. */
  auth?: string | null;
}

function template(path: string): { spec: SpecName; template: string } | undefined {
  const m = /^\/networking\/v1\/(gateways|access-points)(\/[^/]+)?$/.exec(path);
  if (!m) return undefined;
  return {
    spec: m[1] === 'gateways' ? 'gateway' : 'accessPoint',
    template: `/networking/v1/${m[1]}${m[2] ? '/{id}' : ''}`,
  };
}

const COMPONENT: Record<string, string> = {
  'gateway /networking/v1/gateways/{id}': 'networking.v1.Gateway',
  'gateway /networking/v1/gateways': 'networking.v1.GatewayList',
  'accessPoint /networking/v1/access-points/{id}': 'networking.v1.AccessPoint',
  'accessPoint /networking/v1/access-points': 'networking.v1.AccessPointList',
};

/** Validates one answer against the specs; throws with the ajv errors when it does not conform. */
export function checkResponse(method: string, path: string, res: ApiResponse): void {
  const where = `${method} ${path} -> ${res.status}`;
  if (!res.headers.get('x-request-id')) throw new Error(`${where}: no X-Request-Id`);
  const rateLimited = (res.status >= 200 && res.status < 300) || res.status === 429;
  for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
    const v = res.headers.get(h);
    if (rateLimited && !(v && /^\d+$/.test(v))) throw new Error(`${where}: ${h} missing or not an integer`);
    if (!rateLimited && v !== null) throw new Error(`${where}: unexpected ${h}`);
  }
  if (res.status === 204 || res.status === 429) {
    if (res.text !== '') throw new Error(`${where}: expected no body`);
    if (res.status === 429 && res.headers.get('retry-after') === null) throw new Error(`${where}: no Retry-After`);
    return;
  }
  const t = template(path);
  const errors: string[] = [];
  if (res.status >= 400) {
    const spec = t?.spec ?? 'gateway';
    errors.push(...validators.component(spec, 'Failure')(res.body));
    if (t && validators.documents(spec, t.template, method, res.status)) {
      errors.push(...(validators.operation(spec, t.template, method, res.status)?.(res.body) ?? []));
    }
  } else {
    if (!t) throw new Error(`${where}: success on an unknown path`);
    const op = validators.operation(t.spec, t.template, method, res.status);
    if (!op) throw new Error(`${where}: status not documented by the spec`);
    errors.push(...op(res.body));
    const key = `${t.spec} ${t.template}${method === 'POST' ? '/{id}' : ''}`;
    errors.push(...validators.component(t.spec, COMPONENT[key])(res.body));
  }
  if (errors.length)
    throw new Error(`${where}: body does not match the OpenAPI schema:\n${errors.join('\n')}\n${res.text}`);
}

export interface Harness {
  clock: FakeClock;
  faults: FaultRegistry;
  ec2: FakeEc2;
  emulator: ConfluentEmulator;
  profile: Profile;
  url: string;
  api(method: string, pathOrUrl: string, opts?: CallOptions): Promise<ApiResponse>;
  close(): Promise<void>;
  /** Creates a gateway and moves the clock until it is CREATED; returns its id. */
  createdGateway(env?: string, name?: string): Promise<string>;
  /** Adds 51 ENIs (17 per zone) with INSTANCE-ATTACH granted to Confluent; returns their ids. */
  addEnis(salt?: number, count?: number): string[];
  apBody(gatewayId: string, enis: string[], extra?: Record<string, unknown>, env?: string): unknown;
}

export async function startHarness(profileOverrides: Partial<Profile> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const faults = new FaultRegistry();
  const ec2 = new FakeEc2();
  const profile: Profile = { ...FAST, ...profileOverrides };
  let url = '';
  const emulator = new ConfluentEmulator({ faults, profile: () => profile, ec2, clock, baseUrl: () => url });
  const server = await startConfluentTestServer(emulator);
  url = server.url;

  const api = async (method: string, pathOrUrl: string, opts: CallOptions = {}): Promise<ApiResponse> => {
    const u = new URL(pathOrUrl, url);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one);
    }
    const headers: Record<string, string> = {};
    const auth = opts.auth === undefined ? AUTH : opts.auth;
    if (auth !== null) headers.Authorization = auth;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(u, { method, headers, body });
    const text = await r.text();
    const res: ApiResponse = { status: r.status, headers: r.headers, text, body: text ? JSON.parse(text) : undefined };
    checkResponse(method, u.pathname, res);
    return res;
  };

  const h: Harness = {
    clock,
    faults,
    ec2,
    emulator,
    profile,
    url,
    api,
    close: server.close,
    async createdGateway(env: string = ENV, name = 'gw') {
      const r = await api('POST', '/networking/v1/gateways', { body: gatewayBody(env, name) });
      if (r.status !== 202) throw new Error(`gateway create: ${r.status} ${r.text}`);
      clock.advance(profile.gatewayProvisionMs);
      return r.body.id as string;
    },
    addEnis(salt = 0, count = 51) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = eniId(i, salt);
        ec2.addEni(id, ZONES[i % 3]);
        ids.push(id);
      }
      return ids;
    },
    apBody(gatewayId, enis, extra = {}, env = ENV) {
      return {
        spec: {
          display_name: 'ap',
          environment: { id: env },
          gateway: { id: gatewayId },
          config: { kind: 'AwsPrivateNetworkInterface', network_interfaces: enis, account: SEED.accountId, ...extra },
        },
      };
    },
  };
  return h;
}

export function gatewayBody(env: string = ENV, name = 'gw', config: Record<string, unknown> = {}): unknown {
  return {
    spec: {
      display_name: name,
      environment: { id: env },
      config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: SEED.region, zones: ZONES, ...config },
    },
  };
}
