/**
 * The in-process handlers' environment. The variable NAMES come from serverless.yml (provider.environment
 * and every function's environment), so the sandbox cannot drift from the deployed stack; the VALUES are
 * the sandbox's where it has its own (endpoint, seeded secret, log level, ...) and serverless.yml's
 * otherwise. `{ Ref: <DynamoDB table> }` becomes the sandbox's name for that table (seed.ts).
 */
import { SANDBOX_TABLE_NAMES } from './seed.js';
import type { ServerlessConfig } from './serverlessConfig.js';

export class HandlerEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerEnvError';
  }
}

/** The names serverless.yml gives the functions, with their (resolved) values, provider first. */
export function declaredEnvironment(config: ServerlessConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config.environment };
  for (const fn of Object.values(config.functions)) Object.assign(out, fn.environment);
  return out;
}

/** The sandbox's name for a table of serverless.yml's resources (by logical id). */
export function sandboxTableName(logicalId: string): string {
  const name = SANDBOX_TABLE_NAMES[logicalId];
  if (!name)
    throw new HandlerEnvError(`serverless.yml table ${logicalId} has no sandbox name (seed.ts SANDBOX_TABLE_NAMES)`);
  return name;
}

/**
 * serverless.yml's variables with the sandbox's values. `sandboxValues` may only name variables serverless.yml
 * declares (a stale name is an error, not a silently unused value).
 */
export function handlerEnvironment(
  config: ServerlessConfig,
  sandboxValues: Record<string, string>,
): Record<string, string> {
  const declared = declaredEnvironment(config);
  const stale = Object.keys(sandboxValues).filter((k) => !(k in declared));
  if (stale.length > 0) {
    throw new HandlerEnvError(`the sandbox sets ${stale.join(', ')}, which serverless.yml does not declare`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    if (sandboxValues[name] !== undefined) out[name] = sandboxValues[name];
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = String(value);
    } else {
      const ref = (value as { Ref?: unknown } | null)?.Ref;
      if (typeof ref === 'string' && ref in config.tables) out[name] = sandboxTableName(ref);
      else {
        throw new HandlerEnvError(
          `serverless.yml sets ${name} to ${JSON.stringify(value)}, which the sandbox cannot resolve: give it a sandbox value`,
        );
      }
    }
  }
  return out;
}
