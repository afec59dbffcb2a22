/**
 * The thin-handler wrapper: middy + the Powertools logger, tracer and metrics around a plain step function; errors
 * leave with their explicit name (what Step Functions matches) and a `[functionKey]` prefix that tells which step
 * failed. Metrics a step recorded are published (EMF) when the invocation ends, whether it succeeded or not.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './observability.js';
import { AwsServiceUnavailable, PniError, isRetryableAwsError } from './errors.js';
import { withStepPrefix } from './stepErrors.js';

export function namedError(functionKey: string, err: unknown): Error {
  let e: Error;
  if (err instanceof PniError) e = err;
  else if (isRetryableAwsError(err))
    e = new AwsServiceUnavailable(err instanceof Error ? err.message : String(err), { cause: err });
  else if (err instanceof Error) e = err;
  else e = new Error(String(err));
  if (!e.name || e.name === 'Error') e.name = 'UnexpectedError';
  e.message = withStepPrefix(functionKey, e.message);
  return e;
}

/** Publishes what the step recorded; nothing (not even Powertools' "no metrics" warning) when it recorded nothing. */
function publishRecordedMetrics<I, O>(): MiddlewareObj<I, O, Error, Context> {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}

export function makeHandler<I, O>(functionKey: string, step: (input: I) => Promise<O>) {
  return middy<I, O, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(publishRecordedMetrics<I, O>())
    .handler(async (input: I) => {
      try {
        return await step(input);
      } catch (err) {
        const e = namedError(functionKey, err);
        logger.error('step failed', { step: functionKey, errorName: e.name, errorMessage: e.message });
        throw e;
      }
    });
}
