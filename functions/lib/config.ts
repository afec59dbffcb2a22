/**
 * Configuration, read once from the environment; a missing or malformed value fails the cold start.
 * The one place that knows the environment variables' names (ENV_VARS): serverless.yml and the sandbox set them.
 */
import { ConfigError } from './errors.js';
import {
  ACCESS_POINT_POLL_SECONDS,
  DEFAULT_ACCESS_POINT_DEADLINE_SECONDS,
  DEFAULT_CATALOG_ANSWER_DEADLINE_SECONDS,
  DEFAULT_DELETION_DEADLINE_SECONDS,
  DEFAULT_DELETION_GRACE_SECONDS,
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
  /** "true" allows a Confluent base URL on another https host than api.confluent.cloud. */
  confluentApiUrlOverride: 'CONFLUENT_API_URL_OVERRIDE',
  confluentSecretArn: 'CONFLUENT_SECRET_ARN',
  confluentMaxRetryDelayMs: 'CONFLUENT_MAX_RETRY_DELAY_MS',
  /** How long the Confluent secret is cached, seconds (0 = read on every use; default 300). */
  confluentSecretMaxAgeSeconds: 'CONFLUENT_SECRET_MAX_AGE_SECONDS',
  throttleBaseDelayMs: 'EC2_THROTTLE_BASE_DELAY_MS',
  gatewayDeadlineSeconds: 'GATEWAY_DEADLINE_SECONDS',
  accessPointDeadlineSeconds: 'ACCESS_POINT_DEADLINE_SECONDS',
  deletionDeadlineSeconds: 'DELETION_DEADLINE_SECONDS',
  /** NotFound on deleting an ENI / security group we created proves nothing for this long after its creation. */
  deletionGraceSeconds: 'DELETION_GRACE_SECONDS',
  /** Comma-separated allowlists (deploy parameters); empty = any. */
  allowedEnvironmentIds: 'ALLOWED_ENVIRONMENT_IDS',
  allowedVpcIds: 'ALLOWED_VPC_IDS',
  /** How fast the state machine's clock runs: 1 on AWS; the sandbox sets its profile's time factor. */
  clockScale: 'CLOCK_SCALE',
  eniMaxConcurrency: 'ENI_MAX_CONCURRENCY',
  /** The AWS SDK's own retry setting, read once here for the clients (clients.ts). */
  awsMaxAttempts: 'AWS_MAX_ATTEMPTS',
  /** Powertools' service name, for the logger, metrics and tracer. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools Metrics' namespace (serverless.yml custom.metricsNamespace). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** The deployed stage: the metrics' stage dimension. */
  stage: 'PNI_STAGE',
  // Service Catalog (issue 9): the workflows serviceCatalogResource starts, and when a Create must be answered.
  provisionStateMachineArn: 'PROVISION_STATE_MACHINE_ARN',
  teardownStateMachineArn: 'TEARDOWN_STATE_MACHINE_ARN',
  updateStateMachineArn: 'UPDATE_STATE_MACHINE_ARN',
  catalogAnswerDeadlineSeconds: 'CATALOG_ANSWER_DEADLINE_SECONDS',
} as const;

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
  /** Confluent environments and VPCs this deployment serves; empty = any (ValidateRequest enforces them). */
  allowedEnvironmentIds: string[];
  allowedVpcIds: string[];
  /**
   * A NotFound on the delete of an ENI or security group we created counts as "deleted" only this long (ms, on the
   * scaled clock) after its creation: DELETION_GRACE_SECONDS x CLOCK_SCALE.
   */
  deletionGraceMs: number;
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

/** The state machines the Service Catalog function starts (only that function has them). */
export function readWorkflowArns(env: NodeJS.ProcessEnv = process.env): {
  provision: string;
  teardown: string;
  update: string;
} {
  return {
    provision: required(env, ENV_VARS.provisionStateMachineArn),
    teardown: required(env, ENV_VARS.teardownStateMachineArn),
    update: required(env, ENV_VARS.updateStateMachineArn),
  };
}

/** Seconds after a Create arrived at which it is answered even if the access point is not READY yet. */
export function readCatalogAnswerDeadlineSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInt(env, ENV_VARS.catalogAnswerDeadlineSeconds, DEFAULT_CATALOG_ANSWER_DEADLINE_SECONDS);
}

/** CLOCK_SCALE: how fast the state machine's clock runs (1 on AWS; the sandbox sets its profile's time factor). */
function clockScale(env: NodeJS.ProcessEnv): number {
  const raw = env[ENV_VARS.clockScale];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    throw new ConfigError(`environment variable ${ENV_VARS.clockScale} must be a number in (0, 1], got "${raw}"`);
  return n;
}

/** "a, b,,c" -> ["a", "b", "c"]; unset or blank -> []. */
function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`environment variable ${name} must be an integer >= 0, got "${raw}"`);
  return n;
}

/** The Confluent Cloud API: the only base URL accepted on AWS unless CONFLUENT_API_URL_OVERRIDE=true. */
export const CONFLUENT_CLOUD_API_URL = 'https://api.confluent.cloud';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The Confluent base URL is pinned: it receives the API key and decides which AWS account gets INSTANCE-ATTACH on
 * the customer's ENIs. Accepted: https://api.confluent.cloud; any other https host only with
 * CONFLUENT_API_URL_OVERRIDE=true; plain http only on a loopback host (the sandbox). Never credentials, a query or a
 * fragment in the URL.
 */
export function confluentApiUrl(raw: string, override: string | undefined): string {
  const name = ENV_VARS.confluentApiUrl;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (u.username || u.password || u.search || u.hash)
    throw new ConfigError(`${name} must not carry credentials, a query or a fragment`);
  const base = `${u.protocol}//${u.host}${u.pathname}`.replace(/\/+$/, '');
  if (base === CONFLUENT_CLOUD_API_URL) return base;
  if (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname)) return base; // the local sandbox
  if (u.protocol === 'https:' && override?.trim().toLowerCase() === 'true') return base;
  throw new ConfigError(
    `${name} must be ${CONFLUENT_CLOUD_API_URL} (got ${u.protocol}//${u.host}); another https host needs ${ENV_VARS.confluentApiUrlOverride}=true, plain http is accepted only on a loopback host (the sandbox)`,
  );
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const url = confluentApiUrl(required(env, ENV_VARS.confluentApiUrl), env[ENV_VARS.confluentApiUrlOverride]);
  const polls = (deadlineVar: string, dflt: number, interval: number) =>
    Math.ceil(positiveInt(env, deadlineVar, dflt) / interval);
  return {
    stateTable: required(env, ENV_VARS.stateTable),
    eventBusName: env[ENV_VARS.eventBusName]?.trim() || 'default',
    eventSource: env[ENV_VARS.eventSource]?.trim() || 'pni.provisioner',
    confluentApiUrl: url,
    confluentSecretArn: required(env, ENV_VARS.confluentSecretArn),
    confluentMaxRetryDelayMs: positiveInt(env, ENV_VARS.confluentMaxRetryDelayMs, 20000),
    confluentSecretMaxAgeSeconds: nonNegativeInt(env, ENV_VARS.confluentSecretMaxAgeSeconds, 300),
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
    allowedEnvironmentIds: list(env, ENV_VARS.allowedEnvironmentIds),
    allowedVpcIds: list(env, ENV_VARS.allowedVpcIds),
    deletionGraceMs: Math.round(
      nonNegativeInt(env, ENV_VARS.deletionGraceSeconds, DEFAULT_DELETION_GRACE_SECONDS) * 1000 * clockScale(env),
    ),
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

/** Metrics' namespace and stage dimension (POWERTOOLS_METRICS_NAMESPACE, PNI_STAGE; defaults for local runs). */
export function metricsConfig(env: NodeJS.ProcessEnv = process.env): { namespace: string; stage: string } {
  return { namespace: env[ENV_VARS.metricsNamespace] || 'PniProvisioner', stage: env[ENV_VARS.stage] || 'local' };
}
