/** Small pieces the steps share: names, tags, record views. */
import { MANAGED_BY_VALUE, TAG_CONFLUENT, TAG_CONFLUENT_VALUE, TAG_MANAGED_BY, TAG_REQUEST_ID } from '../constants.js';
import type { EventBase } from '../events.js';
import type { RequestRecord } from '../state.js';
import type { CanonicalRequest } from '../types.js';

/** Deterministic names: find-before-create keys for the security group, gateway and access point. */
export const names = {
  securityGroup: (requestId: string) => `pni-${requestId}`,
  gateway: (req: CanonicalRequest) =>
    ('displayName' in req.gateway && req.gateway.displayName) || `pni-${req.requestId}`,
  accessPoint: (req: CanonicalRequest) => req.accessPointName ?? `pni-${req.requestId}`,
};

/** The tags on everything we create: ours win over the user's. */
export function resourceTags(
  requestId: string,
  userTags: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...userTags,
    ...extra,
    [TAG_REQUEST_ID]: requestId,
    [TAG_CONFLUENT]: TAG_CONFLUENT_VALUE,
    [TAG_MANAGED_BY]: MANAGED_BY_VALUE,
  };
}

/** The event fields every detail carries, from the record. */
export function eventBase(rec: RequestRecord, executionArn?: string): EventBase {
  return {
    requestId: rec.requestId,
    environmentId: rec.environmentId ?? rec.request?.environmentId ?? 'unknown',
    vpcId: rec.vpcId ?? rec.request?.vpcId ?? 'unknown',
    region: rec.region ?? rec.request?.region ?? 'unknown',
    executionArn: executionArn ?? rec.executionArn,
    gatewayId: rec.gatewayId,
    confluentAccount: rec.confluentAccount,
    securityGroupId: rec.securityGroupId,
    accessPointId: rec.accessPointId,
    eniCount: rec.eniCount,
  };
}

/** Was this Confluent object created during the record's current attempt (so it can only be ours)? */
export function createdDuringAttempt(createdAt: string | undefined, rec: RequestRecord): boolean {
  return !!createdAt && Date.parse(createdAt) >= Date.parse(rec.attemptStartedAt) - 1000;
}

/**
 * Absorb short EC2 throttling inside a step (full-jitter doubling backoff from `baseDelayMs`), and hand longer
 * storms to the state machine's retrier. Steps that make dozens of calls (permissions, deletes) use it: EC2's
 * mutating buckets hold 50 tokens and refill at 5 per second, shared with the whole account.
 */
export async function withThrottleRetry<T>(
  fn: () => Promise<T>,
  opts: { baseDelayMs: number; sleep: (ms: number) => Promise<void>; attempts?: number },
): Promise<T> {
  const attempts = opts.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as Error).name !== 'Ec2Throttled' || attempt >= attempts) throw err;
      await opts.sleep(Math.random() * opts.baseDelayMs * 2 ** attempt);
    }
  }
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i], i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The message of a Step Functions error Cause: either plain text (local) or Lambda's JSON {errorType, errorMessage}. */
export function causeMessage(cause: unknown): string {
  if (typeof cause !== 'string') return cause === undefined ? '' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; Error?: string; Cause?: string; cause?: string };
    if (parsed && typeof parsed === 'object') {
      if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
      if (typeof parsed.Cause === 'string') return causeMessage(parsed.Cause);
      if (typeof parsed.cause === 'string') return causeMessage(parsed.cause);
    }
  } catch {
    /* plain text */
  }
  return cause;
}

/** "[createEni] InsufficientFreeAddressesInSubnet: ..." -> "createEni". */
export function stepOf(message: string): string | undefined {
  return /^\[([A-Za-z0-9]+)\]/.exec(message)?.[1];
}
