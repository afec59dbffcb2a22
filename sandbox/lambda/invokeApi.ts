/**
 * Lambda's Invoke API for every function of serverless.yml, on the sandbox's one port:
 *   POST /2015-03-31/functions/{name}/invocations
 * `{name}` is the deployed function name (`pni-provisioner-dev-serviceCatalogResource`), its ARN, or the
 * serverless.yml key. The function runs in-process with the same runtime Step Functions' Lambda tasks use
 * (sandbox/stepfunctions/lambda.ts), so `aws lambda invoke --endpoint-url ...` and the SDK's InvokeCommand work.
 *   X-Amz-Invocation-Type: RequestResponse (default) -> 200 + the result; a function error -> 200 +
 *     X-Amz-Function-Error: Unhandled + {errorType, errorMessage, trace} (as Lambda answers).
 *   X-Amz-Invocation-Type: Event -> 202 at once, the function runs in the background (how CloudFormation
 *     invokes custom resources); DryRun -> 204.
 */
import { randomUUID } from 'node:crypto';
import type { LambdaInvoker } from '../stepfunctions/lambda.js';
import type { ServerlessConfig } from '../serverlessConfig.js';
import type { SandboxRequest, SandboxResponse } from '../types.js';

export const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface LambdaInvokeApiOptions {
  config: ServerlessConfig;
  invoke: LambdaInvoker;
}

export class LambdaInvokeApi {
  private readonly inFlight = new Set<Promise<unknown>>();
  constructor(private readonly opts: LambdaInvokeApiOptions) {}

  matches(req: SandboxRequest): boolean {
    return req.method === 'POST' && LAMBDA_INVOKE_PATH.test(req.path);
  }

  /** The serverless.yml key of a function name, ARN (with or without a qualifier) or key. */
  functionKey(nameOrArn: string): string | undefined {
    const name = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)(:[^:]+)?$/.exec(nameOrArn)?.[1] ?? nameOrArn;
    for (const [key, fn] of Object.entries(this.opts.config.functions))
      if (fn.name === name || key === name) return key;
    return undefined;
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const requestId = randomUUID();
    const headers = (extra: Record<string, string> = {}) => ({
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': '$LATEST',
      ...extra,
    });
    const raw = decodeURIComponent(LAMBDA_INVOKE_PATH.exec(req.path)?.[1] ?? '');
    const key = this.functionKey(raw);
    if (!key) {
      return {
        status: 404,
        headers: headers({ 'x-amzn-errortype': 'ResourceNotFoundException' }),
        body: JSON.stringify({
          Type: 'User',
          message: `Function not found: arn:aws:lambda:us-west-2:111122223333:function:${raw}`,
        }),
      };
    }
    let payload: unknown = {};
    const text = req.body.toString('utf8').trim();
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        return {
          status: 400,
          headers: headers({ 'x-amzn-errortype': 'InvalidRequestContentException' }),
          body: JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }),
        };
      }
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'DryRun') return { status: 204, headers: headers(), body: '' };
    if (type === 'Event') {
      const run = this.opts.invoke(key, payload).catch(() => undefined);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
      return { status: 202, headers: headers(), body: '' };
    }
    try {
      const result = await this.opts.invoke(key, payload);
      return { status: 200, headers: headers(), body: JSON.stringify(result ?? null) };
    } catch (err) {
      const e = err as { errorType?: string; errorMessage?: string; name?: string; message?: string };
      const errorType = e.errorType ?? e.name ?? 'Error';
      const errorMessage = e.errorMessage ?? e.message ?? String(err);
      return {
        status: 200,
        headers: headers({ 'x-amz-function-error': 'Unhandled' }),
        body: JSON.stringify({ errorType, errorMessage, trace: [] }),
      };
    }
  }

  /** Background (Event) invocations still running (tests wait for them; reset forgets them). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
