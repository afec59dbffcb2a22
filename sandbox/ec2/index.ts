/**
 * The sandbox's EC2 emulator: the EC2 Query protocol (POST / with a form body, XML answers) for the actions
 * the PNI workflow uses, faithful enough for the real `@aws-sdk/client-ec2` v3 and the AWS CLI.
 * See sandbox/ec2/README.md, and "Where the EC2 sandbox guesses" there.
 *
 * This file is the router: fault rules, latency, token buckets, then the action's handler (actions.ts) on
 * the Region's state (backend.ts); answers and errors in the Query protocol's XML (xml.ts, errors.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FaultRegistry } from '../faults.js';
import { SEED } from '../seed.js';
import { systemClock, type Clock, type Profile, type SandboxRequest, type SandboxResponse } from '../types.js';
import { HANDLERS } from './actions.js';
import { Ec2Backend, type Ec2NetworkInterfaceInfo, type Ec2PermissionInfo, type Ec2Snapshot } from './backend.js';
import type { Ctx } from './context.js';
import { defaultMessage, Ec2Error, statusFor } from './errors.js';
import { DEFAULT_ENI_QUOTA } from './network-interfaces.js';
import { Params } from './params.js';
import type { SeedSubnet, SeedVpc } from './state.js';
import { TokenBuckets } from './throttle.js';
import { errorXml, successXml } from './xml.js';

export { EC2_ACTIONS } from './actions.js';
export { regionFromAuthorization } from './region.js';
export { DEFAULT_ENI_QUOTA } from './network-interfaces.js';
export type { Ec2NetworkInterfaceInfo, Ec2PermissionInfo, Ec2Snapshot } from './backend.js';

export interface Ec2EmulatorOptions {
  faults: FaultRegistry;
  profile: () => Profile;
  clock?: Clock;
  /** The Regional ENI quota (default 5000); CreateNetworkInterface answers NetworkInterfaceLimitExceeded beyond it. */
  eniQuota?: number;
}

/** The bucket an action's call draws from: unfiltered, unpaginated Describe{NetworkInterfaces,SecurityGroups} use the 50/10 one. */
function bucketKey(action: string, p: Params): string {
  if (action !== 'DescribeNetworkInterfaces' && action !== 'DescribeSecurityGroups') return action;
  const narrowed = ['Filter', 'MaxResults', 'NextToken', 'NetworkInterfaceId', 'GroupId', 'GroupName'].some((k) =>
    p.has(k),
  );
  return narrowed ? action : `${action}#unfiltered`;
}

export class Ec2Emulator {
  private readonly faults: FaultRegistry;
  private readonly profile: () => Profile;
  private readonly clock: Clock;
  private readonly eniQuota: number;
  private readonly backend: Ec2Backend;
  private buckets = new Map<string, TokenBuckets>();
  private answered = new Map<string, { calls: number; errors: Map<string, number> }>();

  constructor(opts: Ec2EmulatorOptions) {
    this.faults = opts.faults;
    this.profile = opts.profile;
    this.clock = opts.clock ?? systemClock;
    this.eniQuota = opts.eniQuota ?? DEFAULT_ENI_QUOTA;
    this.backend = new Ec2Backend(this.clock);
  }

  /** Back to the seed: only SEED.region is seeded; other Regions start empty. */
  reset(): void {
    this.backend.reset();
    this.buckets = new Map();
    this.answered = new Map();
  }

  /**
   * Read-only statistics since the last reset(): calls answered per action and the error codes among them,
   * e.g. { CreateNetworkInterfacePermission: { calls: 60, errors: { RequestLimitExceeded: 9 } } }.
   */
  stats(): Record<string, { calls: number; errors: Record<string, number> }> {
    const out: Record<string, { calls: number; errors: Record<string, number> }> = {};
    for (const [action, a] of this.answered) out[action] = { calls: a.calls, errors: Object.fromEntries(a.errors) };
    return out;
  }

  private count(action: string, code?: string): void {
    let a = this.answered.get(action);
    if (!a) {
      a = { calls: 0, errors: new Map() };
      this.answered.set(action, a);
    }
    a.calls++;
    if (code) a.errors.set(code, (a.errors.get(code) ?? 0) + 1);
  }

  /** Add a VPC with its default security group and subnets (POST /_sandbox/seed). Only the seeded Region has AZs. */
  addVpc(region: string, vpc: SeedVpc, subnets: readonly SeedSubnet[], ownerId: string = SEED.accountId): void {
    this.backend.addVpc(region, vpc, subnets, ownerId);
  }

  /** One EC2 Query call. `region` comes from the SigV4 credential scope. */
  async handle(req: SandboxRequest, region: string): Promise<SandboxResponse> {
    const requestId = randomUUID();
    const form = new URLSearchParams(req.query);
    if (req.body.length) for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) form.append(k, v);
    const p = new Params(form);
    const action = p.action ?? '';
    try {
      const fault = this.faults.nextCallFault('ec2', action);
      const latency = this.profile().ec2ActionLatencyMs?.[action] ?? this.profile().ec2LatencyMs;
      if (latency > 0) await new Promise((res) => setTimeout(res, latency));
      if (fault) {
        const code = String(fault.error);
        throw new Ec2Error(code, fault.message ?? defaultMessage(code));
      }
      if (!action) throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
      const handler = HANDLERS[action];
      if (!handler) throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
      const now = this.clock.now();
      if (this.profile().ec2TokenBuckets) {
        let b = this.buckets.get(region);
        if (!b) {
          b = new TokenBuckets();
          this.buckets.set(region, b);
        }
        // Buckets refill on the sandbox's scaled clock: the state machine's waits and retry intervals are scaled by
        // the profile's timeFactor, so the account's refill rate must be too, or throttling is timeFactor-times harsher.
        const virtualNow = now / Math.max(this.profile().timeFactor, 1e-6);
        if (!b.take(bucketKey(action, p), virtualNow))
          throw new Ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
      }
      const ctx: Ctx = {
        p,
        r: this.backend.region(region),
        action,
        now,
        nextSeq: () => this.backend.nextSeq(),
        eniQuota: this.eniQuota,
        notFoundWindowMs: (a) => this.faults.notFoundWindowMs(a),
      };
      const out = handler(ctx);
      const body = successXml(action, requestId, out);
      this.count(action);
      return { status: 200, headers: this.headers(requestId), body };
    } catch (err) {
      // A bug in the emulator still answers in EC2's error shape, so clients report it legibly.
      const e =
        err instanceof Ec2Error
          ? err
          : new Ec2Error(
              'InternalError',
              `An internal error has occurred (sandbox: ${err instanceof Error ? err.message : String(err)})`,
            );
      this.count(action || '(none)', e.code);
      return {
        status: statusFor(e.code),
        headers: this.headers(requestId),
        body: errorXml(e.code, e.message, requestId),
      };
    }
  }

  private headers(requestId: string): Record<string, string> {
    return { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, server: 'AmazonEC2' };
  }

  /** Every resource of every Region, in the shape the AWS CLI prints (SDK v3 output members). */
  snapshot(): Ec2Snapshot {
    return this.backend.snapshot();
  }

  getNetworkInterface(region: string, eniId: string): Ec2NetworkInterfaceInfo | undefined {
    return this.backend.getNetworkInterface(region, eniId);
  }

  permissionsFor(region: string, eniId: string): Ec2PermissionInfo[] {
    return this.backend.permissionsFor(region, eniId);
  }

  /** Simulates Confluent attaching the ENI to one of its instances (status in-use, attachment owned by `accountId`). */
  attach(region: string, eniId: string, accountId: string): void {
    this.backend.attach(region, eniId, accountId);
  }

  detach(region: string, eniId: string): void {
    this.backend.detach(region, eniId);
  }
}
