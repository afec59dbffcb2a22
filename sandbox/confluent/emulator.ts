/**
 * The sandbox's Confluent Cloud networking API (networking/v1 PNI gateways and access points): the public
 * class that wires the parts together, split the way moto splits a service:
 *   routes.ts     HTTP: route table, auth, fault rules, rate-limit headers
 *   responses.ts  one method per action: request checks, then models, then render
 *   models.ts     state and lifecycle (lazy phases, ENI checks and attachments, quota, conflicts)
 *   render.ts     API shapes (Gateway, AccessPoint)
 *   paging.ts     list filters and pages
 *   validate.ts   request-body checks;  errors.ts  Failure bodies
 *
 * Wire shapes follow the SDK OpenAPI specs copied in ./openapi/. Every choice the emulator makes where
 * Confluent documents nothing is listed in ./README.md ("Where the Confluent sandbox guesses").
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultRegistry } from '../faults.js';
import { systemClock, type Clock, type Profile, type SandboxRequest, type SandboxResponse } from '../types.js';
import { ApiError, unauthenticated } from './errors.js';
import { ConfluentBackend, type Ec2View } from './models.js';
import { ConfluentRenderer } from './render.js';
import { ConfluentResponses } from './responses.js';
import {
  ACTIONS,
  RateLimitWindow,
  allowedMethods,
  authenticated,
  errorResponse,
  injectFault,
  matchRoute,
  notFoundResponse,
} from './routes.js';

export type { Ec2View } from './models.js';

export interface ConfluentEmulatorOptions {
  faults: FaultRegistry;
  profile: () => Profile;
  ec2: Ec2View;
  clock?: Clock;
  /** e.g. http://127.0.0.1:4566, for Location / metadata.self / next links. */
  baseUrl: () => string;
}

export class ConfluentEmulator {
  private readonly faults: FaultRegistry;
  private readonly profile: () => Profile;
  private readonly backend: ConfluentBackend;
  private readonly responses: ConfluentResponses;
  private readonly rateLimit: RateLimitWindow;

  constructor(opts: ConfluentEmulatorOptions) {
    this.faults = opts.faults;
    this.profile = opts.profile;
    const clock = opts.clock ?? systemClock;
    const render = new ConfluentRenderer(opts.baseUrl);
    this.backend = new ConfluentBackend({
      faults: opts.faults,
      profile: opts.profile,
      ec2: opts.ec2,
      clock,
      url: (path) => render.url(path),
    });
    this.responses = new ConfluentResponses(this.backend, render);
    this.rateLimit = new RateLimitWindow(clock);
  }

  /** Environments the seeded API key can use (the seed's, plus any added with POST /_sandbox/seed). */
  addEnvironment(env: string): void {
    this.backend.addEnvironment(env);
  }

  reset(): void {
    this.backend.reset();
    this.rateLimit.reset();
  }

  /** For GET /_sandbox/state: current objects exactly as GET would return them. */
  snapshot(): { gateways: unknown[]; accessPoints: unknown[] } {
    return this.responses.snapshot();
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
      res = errorResponse(e);
    }
    res.headers['X-Request-Id'] = requestId;
    if ((res.status >= 200 && res.status < 300) || res.status === 429)
      Object.assign(res.headers, this.rateLimit.headers(res.status === 429));
    return res;
  }

  /** Auth, route (404), method (405), fault rules, due phase transitions, then the action. */
  private dispatch(req: SandboxRequest): SandboxResponse {
    if (!authenticated(req.headers.authorization)) throw unauthenticated();
    const method = req.method.toUpperCase();
    const route = matchRoute(req.path);
    if (!route) return notFoundResponse(req.path);
    const action = ACTIONS[`${method} ${route.template}`];
    if (!action) {
      const allowed = allowedMethods(route.template);
      throw new ApiError(
        405,
        'method_not_allowed',
        'Method Not Allowed',
        `${method} is not allowed on ${route.template}`,
        undefined,
        { Allow: allowed.join(', ') },
      );
    }
    injectFault(this.faults, method, route, req.path);
    this.backend.advance();
    return action(this.responses, { id: route.id, query: req.query, body: req.body });
  }
}
