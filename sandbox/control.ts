/**
 * The sandbox's control API under /_sandbox/ (README "The sandbox"): state, reset, the fault contract,
 * profiles, extra seed and simulated ENI attachment. One table of routes, so a new route (e.g. the web
 * console under /_sandbox/ui/) is one more entry: `controlRoutes.push({ method, path, handle })`, or
 * `sandbox.control.add(...)` on a running sandbox.
 */
import { FaultRuleInvalid } from './faults.js';
import { PROFILES, isProfileName } from './profiles.js';
import { SANDBOX_STATE_TABLE, SEED } from './seed.js';
import type { Sandbox } from './server.js';
import type { Profile, SandboxRequest, SandboxResponse } from './types.js';

export const CONTROL_PREFIX = '/_sandbox/';

export interface ControlRoute {
  /** An HTTP method, or '*' for any (the route answers unsupported methods itself). */
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | '*';
  /** Exact path ("/_sandbox/state"), or a prefix ending in "/*" ("/_sandbox/ui/*"). Trailing slashes are ignored. */
  path: string;
  handle: (req: SandboxRequest, sandbox: Sandbox) => SandboxResponse | Promise<SandboxResponse>;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body, null, 2),
});

/** The request's JSON body ({} when empty); a SyntaxError when it is not JSON. */
export function bodyJson(req: SandboxRequest): unknown {
  const text = req.body.toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}

function addFaults(req: SandboxRequest, sb: Sandbox): SandboxResponse {
  try {
    return json(200, { rules: sb.faults.add(bodyJson(req)) });
  } catch (err) {
    if (err instanceof FaultRuleInvalid || err instanceof SyntaxError)
      return json(400, { message: (err as Error).message });
    throw err;
  }
}

/** { "name": "fast"|"realistic", ...any numeric/boolean Profile field to override (e.g. "gatewayProvisionMs") } */
function setProfile(req: SandboxRequest, sb: Sandbox): SandboxResponse {
  const b = bodyJson(req) as Record<string, unknown>;
  const name = b.name ?? sb.profile.name;
  if (!isProfileName(name)) return json(400, { message: 'name: must be "fast" or "realistic"' });
  const overrides: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    if (k === 'name') continue;
    const base = (PROFILES.fast as unknown as Record<string, unknown>)[k];
    if (base === undefined)
      return json(400, { message: `${k}: not a profile setting (${Object.keys(PROFILES.fast).join(', ')})` });
    if (typeof v !== typeof base || (typeof v === 'number' && v < 0))
      return json(400, { message: `${k}: must be a ${typeof base}${typeof base === 'number' ? ' >= 0' : ''}` });
    overrides[k] = v;
  }
  return json(200, sb.setProfile(name, overrides as Partial<Profile>));
}

interface SeedBody {
  region?: string;
  vpcs?: {
    vpcId: string;
    cidr: string;
    name?: string;
    subnets?: { subnetId: string; cidr: string; zoneName: string; name?: string }[];
  }[];
  confluentEnvironments?: string[];
}

/** Add to the seed: { "vpcs": [{ vpcId, cidr, name?, subnets: [{ subnetId, cidr, zoneName, name? }] }], "confluentEnvironments": ["env-..."] } */
function addSeed(req: SandboxRequest, sb: Sandbox): SandboxResponse {
  const b = bodyJson(req) as SeedBody;
  try {
    for (const v of b.vpcs ?? []) {
      sb.ec2.addVpc(
        b.region ?? SEED.region,
        { vpcId: v.vpcId, cidr: v.cidr, name: v.name ?? v.vpcId },
        (v.subnets ?? []).map((x) => ({ ...x, name: x.name ?? x.subnetId })),
      );
    }
    for (const e of b.confluentEnvironments ?? []) sb.confluent.addEnvironment(e);
  } catch (err) {
    return json(400, { message: (err as Error).message });
  }
  return json(200, {
    vpcs: (b.vpcs ?? []).map((v) => v.vpcId),
    confluentEnvironments: b.confluentEnvironments ?? [],
  });
}

/** Simulate Confluent attaching (or releasing) an ENI: { networkInterfaceId, accountId?, region? }. */
function attachment(attach: boolean) {
  return (req: SandboxRequest, sb: Sandbox): SandboxResponse => {
    const b = bodyJson(req) as { networkInterfaceId?: string; accountId?: string; region?: string };
    const region = b.region ?? SEED.region;
    if (!b.networkInterfaceId || !sb.ec2.getNetworkInterface(region, b.networkInterfaceId)) {
      return json(404, {
        message: `networkInterfaceId: no ENI ${b.networkInterfaceId ?? '(missing)'} in ${region}`,
      });
    }
    if (attach) sb.ec2.attach(region, b.networkInterfaceId, b.accountId ?? SEED.confluent.gatewayAccountId);
    else sb.ec2.detach(region, b.networkInterfaceId);
    return json(200, sb.ec2.getNetworkInterface(region, b.networkInterfaceId));
  };
}

/** The routes every sandbox starts with. */
export const controlRoutes: ControlRoute[] = [
  { method: 'GET', path: '/_sandbox/health', handle: (_req, sb) => json(200, { ok: true, profile: sb.profile.name }) },
  { method: 'GET', path: '/_sandbox/state', handle: (_req, sb) => json(200, sb.state()) },
  {
    method: 'GET',
    path: '/_sandbox/records',
    handle: async (_req, sb) => json(200, { table: SANDBOX_STATE_TABLE, items: await sb.records() }),
  },
  {
    method: 'POST',
    path: '/_sandbox/reset',
    handle: async (_req, sb) => {
      await sb.reset();
      return json(200, { reset: true });
    },
  },
  { method: 'GET', path: '/_sandbox/faults', handle: (_req, sb) => json(200, { rules: sb.faults.list() }) },
  {
    method: 'DELETE',
    path: '/_sandbox/faults',
    handle: (_req, sb) => {
      sb.faults.clear();
      return json(200, { rules: [] });
    },
  },
  { method: 'POST', path: '/_sandbox/faults', handle: addFaults },
  { method: 'GET', path: '/_sandbox/profile', handle: (_req, sb) => json(200, sb.profile) },
  { method: 'POST', path: '/_sandbox/profile', handle: setProfile },
  { method: 'POST', path: '/_sandbox/seed', handle: addSeed },
  { method: 'POST', path: '/_sandbox/ec2/attach', handle: attachment(true) },
  { method: 'POST', path: '/_sandbox/ec2/detach', handle: attachment(false) },
  // The console (sandbox/ui/): its own module answers every method and path under /_sandbox/ui.
  { method: '*', path: '/_sandbox/ui/*', handle: (req, sb) => sb.ui.handle(req) },
];

/** Dispatches /_sandbox/... requests through a table of routes (exact paths first, then the longest prefix). */
export class ControlApi {
  private readonly routes: ControlRoute[];

  constructor(
    private readonly sandbox: Sandbox,
    routes: readonly ControlRoute[] = controlRoutes,
  ) {
    this.routes = [...routes];
  }

  /** Adds a route (it wins over an existing route with the same method and path). */
  add(route: ControlRoute): void {
    this.routes.unshift(route);
  }

  handle(req: SandboxRequest): SandboxResponse | Promise<SandboxResponse> {
    const method = req.method.toUpperCase();
    const path = req.path.replace(/\/+$/, '');
    const route = this.match(method, path);
    if (!route) return json(404, { message: `unknown control route ${req.method} ${path}` });
    return route.handle(req, this.sandbox);
  }

  private match(method: string, path: string): ControlRoute | undefined {
    const candidates = this.routes.filter((r) => r.method === method || r.method === '*');
    const exact = candidates.find((r) => r.path.replace(/\/+$/, '') === path);
    if (exact) return exact;
    let best: ControlRoute | undefined;
    for (const r of candidates) {
      if (!r.path.endsWith('/*')) continue;
      const prefix = r.path.slice(0, -1);
      if ((path.startsWith(prefix) || `${path}/` === prefix) && (!best || r.path.length > best.path.length)) best = r;
    }
    return best;
  }
}
