/** Configuration, read once from the environment; a missing or malformed value fails the cold start. */
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

export interface Config {
  stateTable: string;
  eventBusName: string;
  eventSource: string;
  confluentApiUrl: string;
  /** Secrets Manager ARN of {"key","secret"}. */
  confluentSecretArn: string;
  confluentMaxRetryDelayMs: number;
  /** How long the Confluent secret is cached (seconds; 0 = read on every use). */
  confluentSecretMaxAgeSeconds: number;
  /** Base of the in-step backoff for EC2 throttling (full jitter, doubling). */
  throttleBaseDelayMs: number;
  limits: Limits;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v || !v.trim()) throw new ConfigError(`environment variable ${name} is required`);
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

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`environment variable ${name} must be an integer >= 0, got "${raw}"`);
  return n;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const url = required(env, 'CONFLUENT_API_URL');
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`CONFLUENT_API_URL is not a URL: "${url}"`);
  }
  const polls = (deadlineVar: string, dflt: number, interval: number) =>
    Math.ceil(positiveInt(env, deadlineVar, dflt) / interval);
  return {
    stateTable: required(env, 'STATE_TABLE'),
    eventBusName: env.EVENT_BUS_NAME?.trim() || 'default',
    eventSource: env.EVENT_SOURCE?.trim() || 'pni.provisioner',
    confluentApiUrl: url.replace(/\/+$/, ''),
    confluentSecretArn: required(env, 'CONFLUENT_SECRET_ARN'),
    confluentMaxRetryDelayMs: positiveInt(env, 'CONFLUENT_MAX_RETRY_DELAY_MS', 20000),
    confluentSecretMaxAgeSeconds: nonNegativeInt(env, 'CONFLUENT_SECRET_MAX_AGE_SECONDS', 300),
    throttleBaseDelayMs: positiveInt(env, 'EC2_THROTTLE_BASE_DELAY_MS', 250),
    limits: {
      gatewayMaxPolls: polls('GATEWAY_DEADLINE_SECONDS', DEFAULT_GATEWAY_DEADLINE_SECONDS, GATEWAY_POLL_SECONDS),
      accessPointMaxPolls: polls(
        'ACCESS_POINT_DEADLINE_SECONDS',
        DEFAULT_ACCESS_POINT_DEADLINE_SECONDS,
        ACCESS_POINT_POLL_SECONDS,
      ),
      deletionMaxPolls: polls('DELETION_DEADLINE_SECONDS', DEFAULT_DELETION_DEADLINE_SECONDS, DELETION_POLL_SECONDS),
      eniMaxConcurrency: positiveInt(env, 'ENI_MAX_CONCURRENCY', DEFAULT_ENI_MAX_CONCURRENCY),
    },
  };
}

let cached: Config | undefined;
/** The process-wide configuration (read on first use, then cached). */
export function config(): Config {
  cached ??= readConfig();
  return cached;
}
