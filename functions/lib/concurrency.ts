/** Concurrency helpers of the steps that make many calls: bounded parallelism and in-step throttling backoff. */
import { measure } from './observability.js';

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
      measure.retried();
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
