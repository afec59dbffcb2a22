/**
 * Named errors. Step Functions matches Retry/Catch on the Lambda error type, which is `error.name`,
 * so every class sets `name` explicitly (minifiers rename classes).
 * Transient vs permanent is decided here, once: `isTransientErrorName` and `TRANSIENT_ERROR_NAMES`
 * (the ASL retriers list exactly these names; a statemachine test checks it).
 */
export class PniError extends Error {
  readonly transient: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PniError';
  }
}

/** The request breaks a rule (schema or live fact). Nothing was created. */
export class RequestInvalid extends PniError {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
    this.name = 'RequestInvalid';
  }
}
/**
 * The request is valid but this deployment does not serve it: its Confluent environment or VPC is not on the
 * stack's allowlist (ALLOWED_ENVIRONMENT_IDS / ALLOWED_VPC_IDS). Nothing was created.
 */
export class RequestNotAllowed extends PniError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RequestNotAllowed';
  }
}
/** Another execution is working on this request id. */
export class RequestInProgress extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'RequestInProgress';
  }
}
/** The request id exists with different content, or its connection must be torn down first. */
export class RequestConflict extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'RequestConflict';
  }
}
/** Another request holds the (environment, VPC) lock. */
export class RequestLocked extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'RequestLocked';
  }
}
/** (day 2) The (environment, VPC) already has a live connection (SUCCEEDED or PROVISIONING) of another request. */
export class ConnectionExists extends PniError {
  constructor(
    readonly existingRequestId: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionExists';
  }
}
/** (day 2) A repair (or drift check) names a request that is not a live connection. */
export class ConnectionNotLive extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionNotLive';
  }
}
/** The record changed underneath a conditional write (optimistic concurrency). */
export class RecordConflict extends PniError {
  override readonly transient = true;
  constructor(message: string) {
    super(message);
    this.name = 'RecordConflict';
  }
}

/** EC2 throttled us (RequestLimitExceeded): retried with backoff and jitter by the ASL. */
export class Ec2Throttled extends PniError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2Throttled';
  }
}
/** EC2 answered 5xx or the connection failed. */
export class Ec2Unavailable extends PniError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2Unavailable';
  }
}
/** A just-created EC2 resource is not visible yet (eventual consistency). */
export class Ec2NotYetVisible extends PniError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2NotYetVisible';
  }
}
/** A permanent EC2 error (InsufficientFreeAddressesInSubnet, UnauthorizedOperation, ...). */
export class Ec2RequestFailed extends PniError {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'Ec2RequestFailed';
  }
}
/** A resource cannot be deleted yet (DependencyViolation, ENI in use): teardown retries, bounded. */
export class ResourceInUse extends PniError {
  override readonly transient = true;
  constructor(message: string) {
    super(message);
    this.name = 'ResourceInUse';
  }
}

/**
 * A resource the record says we created answered NotFound to its delete, but within the grace period after its
 * creation: that may be eventual consistency, not proof that it is gone. Teardown retries (bounded); what is still
 * unconfirmed at the end is a leftover by id.
 */
export class DeletionUnconfirmed extends PniError {
  override readonly transient = true;
  constructor(
    readonly ids: string[],
    message: string,
  ) {
    super(message);
    this.name = 'DeletionUnconfirmed';
  }
}

/** Confluent answered 429 or 5xx (after the client's own bounded retries), or the network failed. */
export class ConfluentTransientError extends PniError {
  override readonly transient = true;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConfluentTransientError';
  }
}
/** Confluent refused the request (400/401/402/403/409/422). */
export class ConfluentRequestFailed extends PniError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ConfluentRequestFailed';
  }
}

/**
 * Confluent answered 403: access denied, the API key lacks a role (e.g. NetworkAdmin on the environment) or was
 * revoked. Never taken as "gone": the object may well still exist. Permanent (a retry does not grant a role).
 */
export class ConfluentAccessDenied extends ConfluentRequestFailed {
  constructor(code: string | undefined, message: string) {
    super(403, code, message);
    this.name = 'ConfluentAccessDenied';
  }
}

export class GatewayFailed extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayFailed';
  }
}
export class AccessPointFailed extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'AccessPointFailed';
  }
}
/** DynamoDB, EventBridge or another AWS dependency throttled us or answered 5xx (after SDK retries). */
export class AwsServiceUnavailable extends PniError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsServiceUnavailable';
  }
}
/** A create step found that its execution no longer owns a provisioning request (a rollback or stop began). */
export class ProvisioningStopped extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningStopped';
  }
}
/** Configuration is missing or malformed: fails at cold start. */
export class ConfigError extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The stored Confluent API key is not {"key","secret"}: a fixed message, never a part of the secret. */
export class ConfluentSecretInvalid extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfluentSecretInvalid';
  }
}
/** A state record lacks what the step needs (e.g. a step after validation meets a record validation never claimed). */
export class RecordIncomplete extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'RecordIncomplete';
  }
}
/** An AWS or Confluent answer lacks a field it always carries (an id, an address): permanent, never retried. */
export class UnexpectedResponse extends PniError {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedResponse';
  }
}
/** `value`, or UnexpectedResponse naming `what` when an answer lacks it. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new UnexpectedResponse(`${what} is missing from the answer`);
  return value;
}

export const TRANSIENT_ERROR_NAMES = [
  'Ec2Throttled',
  'Ec2Unavailable',
  'ConfluentTransientError',
  'RecordConflict',
  'AwsServiceUnavailable',
] as const;
/** Retried on its own, short schedule: only right after a create. */
export const NOT_YET_VISIBLE_ERROR_NAMES = ['Ec2NotYetVisible'] as const;
/** Teardown only: a delete that must wait for something else to go first (bounded retries). */
export const IN_USE_ERROR_NAMES = ['ResourceInUse'] as const;
/** Teardown only: a NotFound within the grace period after creation, retried until it is confirmed (bounded). */
export const UNCONFIRMED_DELETION_ERROR_NAMES = ['DeletionUnconfirmed'] as const;

/** Names raised by the Lambda service itself; always retried (AWS "Handle Lambda service exceptions"). */
export const LAMBDA_SERVICE_ERROR_NAMES = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * A task that ran out of time: `Sandbox.Timedout` is what Step Functions reports when the Lambda function itself
 * timed out, `States.Timeout` when the Task's TimeoutSeconds passed. Every step is idempotent (ClientTokens,
 * find-before-create, describe-before-grant), so both are retried, bounded and with jitter; a timeout after the
 * side effect is then survived without a duplicate.
 */
export const TIMEOUT_ERROR_NAMES = ['Sandbox.Timedout', 'States.Timeout'] as const;

export function isTransientErrorName(name: string): boolean {
  return (
    [
      ...TRANSIENT_ERROR_NAMES,
      ...NOT_YET_VISIBLE_ERROR_NAMES,
      ...IN_USE_ERROR_NAMES,
      ...UNCONFIRMED_DELETION_ERROR_NAMES,
    ] as readonly string[]
  ).includes(name);
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
]);

/** Is this an AWS SDK error the SDK would call throttling or a server fault? */
export function isRetryableAwsError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as {
    name?: string;
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  if (e.name && THROTTLING_NAMES.has(e.name)) return true;
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError'].includes(e.code ?? e.name ?? ''))
    return true;
  // A connection dropped under the SDK (e.g. a reused keep-alive socket the server had just closed). The SDK may hand
  // it on as a plain Error ("AWS SDK error wrapper for TimeoutError: socket hang up"), so the text decides.
  return /socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|AWS SDK error wrapper for (TimeoutError|Error: (read|write) E)/.test(
    (err as Error).message ?? '',
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
