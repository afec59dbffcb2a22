/**
 * The Confluent emulator's HTTP side (moto's "urls"): the route table (collection × id × method → action),
 * HTTP Basic auth with the seeded key, the fault rules of the fault contract ("METHOD /template" or
 * "METHOD /concrete/path"), latency and the X-RateLimit-* headers.
 */
import type { FaultRegistry } from '../faults.js';
import { SEED } from '../seed.js';
import type { Clock, SandboxResponse } from '../types.js';
import { ApiError, failureBody, injectedError } from './errors.js';
import { PREFIX } from './models.js';
import type { ActionRequest, ConfluentResponses } from './responses.js';

export type Collection = 'gateways' | 'access-points';
export interface Route {
  collection: Collection;
  id?: string;
  /** "/networking/v1/gateways" or "/networking/v1/gateways/{id}" (what fault rules match). */
  template: string;
}

type Action = (responses: ConfluentResponses, req: ActionRequest) => SandboxResponse;

/** Every action, by "METHOD /template": add an endpoint here and its action in responses.ts. */
export const ACTIONS: Record<string, Action> = {
  [`GET ${PREFIX}/gateways`]: (r, q) => r.listGateways(q),
  [`POST ${PREFIX}/gateways`]: (r, q) => r.createGateway(q),
  [`GET ${PREFIX}/gateways/{id}`]: (r, q) => r.getGateway(q),
  [`PATCH ${PREFIX}/gateways/{id}`]: (r, q) => r.patchGateway(q),
  [`DELETE ${PREFIX}/gateways/{id}`]: (r, q) => r.deleteGateway(q),
  [`GET ${PREFIX}/access-points`]: (r, q) => r.listAccessPoints(q),
  [`POST ${PREFIX}/access-points`]: (r, q) => r.createAccessPoint(q),
  [`GET ${PREFIX}/access-points/{id}`]: (r, q) => r.getAccessPoint(q),
  [`PATCH ${PREFIX}/access-points/{id}`]: (r, q) => r.patchAccessPoint(q),
  [`DELETE ${PREFIX}/access-points/{id}`]: (r, q) => r.deleteAccessPoint(q),
};

/** The methods a template allows (the 405 answer's `Allow`). */
export function allowedMethods(template: string): string[] {
  return Object.keys(ACTIONS)
    .filter((k) => k.slice(k.indexOf(' ') + 1) === template)
    .map((k) => k.slice(0, k.indexOf(' ')));
}

export function matchRoute(path: string): Route | undefined {
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

/** HTTP Basic with the seeded Cloud API key. */
export function authenticated(header: string | undefined): boolean {
  if (!header) return false;
  const m = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  return decoded.slice(0, i) === SEED.confluent.apiKey && decoded.slice(i + 1) === SEED.confluent.apiSecret;
}

/** Fault rules match "METHOD /template" or "METHOD /concrete/path"; a matching rule throws its error. */
export function injectFault(faults: FaultRegistry, method: string, route: Route, path: string): void {
  const concrete = path.replace(/\/$/, '');
  let fault = faults.nextCallFault('confluent', `${method} ${route.template}`);
  if (concrete !== route.template) {
    const other = faults.nextCallFault('confluent', `${method} ${concrete}`);
    fault = fault ?? other;
  }
  if (!fault) return;
  const status = Number(fault.error);
  if (status === 429) throw new ApiError(429, undefined, undefined, '', undefined, { 'Retry-After': '1' });
  throw injectedError(status, fault.message);
}

export function errorResponse(e: ApiError): SandboxResponse {
  if (e.status === 429) return { status: 429, headers: { ...e.headers }, body: '' };
  return { status: e.status, headers: { 'Content-Type': 'application/json', ...e.headers }, body: failureBody(e) };
}

export function notFoundResponse(path: string): SandboxResponse {
  return {
    status: 404,
    headers: { 'Content-Type': 'application/json' },
    body: failureBody(new ApiError(404, undefined, 'Not Found', `No such resource: ${path}`)),
  };
}

export const RATE_LIMIT = 300;
export const RATE_WINDOW_MS = 60_000;

/** One fixed window of RATE_LIMIT requests per minute, reported in the X-RateLimit-* headers. */
export class RateLimitWindow {
  private windowStart = 0;
  private count = 0;

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.windowStart = 0;
    this.count = 0;
  }

  headers(limited: boolean): Record<string, string> {
    const now = this.clock.now();
    if (now - this.windowStart >= RATE_WINDOW_MS || now < this.windowStart) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count += 1;
    const reset = Math.max(1, Math.ceil((this.windowStart + RATE_WINDOW_MS - now) / 1000));
    return {
      'X-RateLimit-Limit': String(RATE_LIMIT),
      'X-RateLimit-Remaining': String(limited ? 0 : Math.max(0, RATE_LIMIT - this.count)),
      'X-RateLimit-Reset': String(reset),
    };
  }
}
