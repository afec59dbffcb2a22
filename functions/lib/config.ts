/**
 * Configuration, read once from the environment; a missing or malformed value fails the cold start.
 * The one place that knows the environment variables' names (ENV_VARS): serverless.yml and the sandbox set them.
 */
import { ConfigError } from './errors.js';
import {
  ACCESS_POINT_POLL_SECONDS,
  DEFAULT_ACCESS_POINT_DEADLINE_SECONDS,
  DEFAULT_DELETION_DEADLINE_SECONDS,
  DEFAULT_ENI_MAX_CONCURRENCY,
  DEFAULT_GATEWAY_DEADLINE_SECONDS,
  DELETION_POLL_SECONDS,
  GATEWAY_POLL_SECONDS,
} from './constants.js';
import type { Limits } from './types.js';

/** The environment variables the Lambdas read. */
export const ENV_VARS = {
  stateTable: 'STATE_TABLE',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  confluentApiUrl: 'CONFLUENT_API_URL',
  confluentSecretArn: 'CONFLUENT_SECRET_ARN',
  confluentMaxRetryDelayMs: 'CONFLUENT_MAX_RETRY_DELAY_MS',
  throttleBaseDelayMs: 'EC2_THROTTLE_BASE_DELAY_MS',
  gatewayDeadlineSeconds: 'GATEWAY_DEADLINE_SECONDS',
  accessPointDeadlineSeconds: 'ACCESS_POINT_DEADLINE_SECONDS',
  deletionDeadlineSeconds: 'DELETION_DEADLINE_SECONDS',
  eniMaxConcurrency: 'ENI_MAX_CONCURRENCY',
  /** The AWS SDK's own retry setting, read once here for the clients (clients.ts). */
  awsMaxAttempts: 'AWS_MAX_ATTEMPTS',
  /** Powertools' service name, for the logger. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

export interface Config {
  stateTable: string;
  eventBusName: string;
  eventSource: string;
  confluentApiUrl: string;
  /** Secrets Manager ARN of {"key","secret"}. */
  confluentSecretArn: string;
  confluentMaxRetryDelayMs: number;
  /** Base of the in-step backoff for EC2 throttling (full jitter, doubling). */
  throttleBaseDelayMs: number;
  limits: Limits;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v?.trim()) throw new ConfigError(`environment variable ${name} is required`);
  return v.trim();
}
function positiveInt(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`environment variable ${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const url = required(env, ENV_VARS.confluentApiUrl);
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`${ENV_VARS.confluentApiUrl} is not a URL: "${url}"`);
  }
  const polls = (deadlineVar: string, dflt: number, interval: number) =>
    Math.ceil(positiveInt(env, deadlineVar, dflt) / interval);
  return {
    stateTable: required(env, ENV_VARS.stateTable),
    eventBusName: env[ENV_VARS.eventBusName]?.trim() || 'default',
    eventSource: env[ENV_VARS.eventSource]?.trim() || 'pni.provisioner',
    confluentApiUrl: url.replace(/\/+$/, ''),
    confluentSecretArn: required(env, ENV_VARS.confluentSecretArn),
    confluentMaxRetryDelayMs: positiveInt(env, ENV_VARS.confluentMaxRetryDelayMs, 20000),
    throttleBaseDelayMs: positiveInt(env, ENV_VARS.throttleBaseDelayMs, 250),
    limits: {
      gatewayMaxPolls: polls(ENV_VARS.gatewayDeadlineSeconds, DEFAULT_GATEWAY_DEADLINE_SECONDS, GATEWAY_POLL_SECONDS),
      accessPointMaxPolls: polls(
        ENV_VARS.accessPointDeadlineSeconds,
        DEFAULT_ACCESS_POINT_DEADLINE_SECONDS,
        ACCESS_POINT_POLL_SECONDS,
      ),
      deletionMaxPolls: polls(
        ENV_VARS.deletionDeadlineSeconds,
        DEFAULT_DELETION_DEADLINE_SECONDS,
        DELETION_POLL_SECONDS,
      ),
      eniMaxConcurrency: positiveInt(env, ENV_VARS.eniMaxConcurrency, DEFAULT_ENI_MAX_CONCURRENCY),
    },
  };
}

let cached: Config | undefined;
/** The process-wide configuration (read on first use, then cached). */
export function config(): Config {
  cached ??= readConfig();
  return cached;
}

/** The AWS SDK clients' maxAttempts (AWS_MAX_ATTEMPTS, default 2): the state machine owns the long backoff. */
export function sdkMaxAttempts(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env[ENV_VARS.awsMaxAttempts] ?? 2) || 2;
}

/** The logger's service name (POWERTOOLS_SERVICE_NAME, default pni-provisioner). */
export function serviceName(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV_VARS.serviceName] ?? 'pni-provisioner';
}
