/**
 * In-process "Lambda": imports the real handler module and calls it with a fake Lambda context, the way
 * the Lambda runtime and Step Functions would see it (JSON in, JSON out, named errors, function timeout).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { FaultRegistry } from '../faults.js';
import type { ServerlessConfig } from '../serverlessConfig.js';
import type { Profile } from '../types.js';

export type LambdaInvoker = (functionKey: string, payload: unknown) => Promise<unknown>;

export interface LambdaRuntimeOptions {
  config: ServerlessConfig;
  accountId: string;
  region: string;
  profile: () => Profile;
  faults: FaultRegistry;
  /** Set on process.env before each invocation (the values are the same for every function). */
  env?: Record<string, string>;
}

/**
 * The error a Lambda task fails with, as Step Functions reports it: `name` is the function's errorType
 * (the thrown error's `name`), `message` is the Cause, a JSON string {errorType, errorMessage, trace} as AWS sends it.
 */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  constructor(errorType: string, errorMessage: string, trace: string[] = []) {
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
  }
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, res?: unknown) => void) => unknown;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function toFunctionError(e: unknown): LambdaFunctionError {
  if (e instanceof LambdaFunctionError) return e;
  if (e && typeof e === 'object') {
    const err = e as { name?: unknown; message?: unknown; stack?: unknown };
    const name = typeof err.name === 'string' && err.name ? err.name : 'Error';
    const message = typeof err.message === 'string' ? err.message : String(e);
    const trace = typeof err.stack === 'string' ? err.stack.split('\n') : [];
    return new LambdaFunctionError(name, message, trace);
  }
  return new LambdaFunctionError(typeof e, String(e));
}

function jsonRoundTrip(value: unknown, what: string): unknown {
  try {
    return JSON.parse(JSON.stringify(value === undefined ? null : value));
  } catch (e) {
    throw new LambdaFunctionError('Runtime.MarshalError', `Unable to marshal ${what}: ${(e as Error).message}`);
  }
}

export function createLambdaInvoker(opts: LambdaRuntimeOptions): LambdaInvoker {
  const modules = new Map<string, Promise<Handler>>();

  const load = (key: string): Promise<Handler> => {
    let p = modules.get(key);
    if (!p) {
      const fn = opts.config.functions[key];
      p = (async () => {
        let mod: Record<string, unknown>;
        try {
          mod = (await import(pathToFileURL(fn.handlerFile).href)) as Record<string, unknown>;
        } catch (e) {
          throw new LambdaFunctionError(
            'Runtime.ImportModuleError',
            `Error: Cannot load ${fn.handlerFile}: ${(e as Error)?.message ?? e}`,
          );
        }
        const h = mod[fn.exportName];
        if (typeof h !== 'function') {
          throw new LambdaFunctionError(
            'Runtime.HandlerNotFound',
            `${fn.handlerFile}.${fn.exportName} is undefined or not exported`,
          );
        }
        return h as Handler;
      })();
      p.catch(() => modules.delete(key)); // a fixed file can be retried
      modules.set(key, p);
    }
    return p;
  };

  return async function invoke(functionKey: string, payload: unknown): Promise<unknown> {
    const fn = opts.config.functions[functionKey];
    if (!fn) {
      throw new LambdaFunctionError('Lambda.ResourceNotFoundException', `Function not found: ${functionKey}`);
    }
    const overhead = opts.profile().lambdaOverheadMs;
    if (overhead > 0) await sleep(overhead);

    const fault = opts.faults.nextCallFault('lambda', functionKey);
    const injected = fault
      ? new LambdaFunctionError(String(fault.error), fault.message ?? 'injected fault')
      : undefined;
    if (injected && !fault!.afterSideEffect) throw injected;

    if (opts.env) for (const [k, v] of Object.entries(opts.env)) process.env[k] = v;
    const handler = await load(functionKey);
    const event = jsonRoundTrip(payload, 'the input payload');
    const requestId = randomUUID();
    const timeoutMs = fn.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = {
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${opts.region}:${opts.accountId}:function:${fn.name}`,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };

    const run = new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const callback = (err: unknown, res?: unknown) => {
        if (settled) return;
        settled = true;
        if (err !== null && err !== undefined) reject(err);
        else resolve(res);
      };
      try {
        const r = handler(event, context, callback);
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          (r as Promise<unknown>).then(
            (v) => callback(null, v),
            (e) => callback(e ?? new Error('rejected')),
          );
        } else if (handler.length < 3) {
          callback(null, r);
        }
      } catch (e) {
        callback(e ?? new Error('thrown'));
      }
    });
    run.catch(() => undefined); // a late failure after a timeout must not become an unhandled rejection

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaFunctionError(
              'Sandbox.Timedout',
              `${new Date().toISOString()} ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            ),
          ),
        Math.min(timeoutMs, 2_147_483_647),
      );
    });
    let result: unknown;
    try {
      result = await Promise.race([run, timeout]);
    } catch (e) {
      throw toFunctionError(e);
    } finally {
      clearTimeout(timer);
    }
    if (injected) throw injected; // afterSideEffect: the work happened, the caller sees a failure
    return jsonRoundTrip(result, 'the result');
  };
}
