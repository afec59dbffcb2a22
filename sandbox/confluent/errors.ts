/**
 * Error answers of the Confluent networking API emulator, in the spec's `Failure` shape
 * (`{"errors":[{id, status, code, title, detail, source}]}`; see openapi/*.yaml `components.responses`).
 */
import { randomUUID } from 'node:crypto';

export interface ErrorSource {
  pointer?: string;
  parameter?: string;
}

/** The `WWW-Authenticate` value the spec shows on 401 answers. */
export const WWW_AUTHENTICATE = 'Basic error="invalid_key", error_description="The API Key is invalid"';

/** Thrown by handlers and validators; rendered by `failureResponse`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly title: string | undefined,
    readonly detail: string,
    readonly source?: ErrorSource,
    readonly headers: Record<string, string> = {},
    /** Render exactly `{id, status, detail, source:{}}` (the 404 shape of the Terraform fixtures). */
    readonly bare = false,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** A JSON body whose types or required fields do not match the schema. */
export function badRequest(detail: string, pointer?: string): ApiError {
  return new ApiError(400, 'bad_request', 'Bad Request', detail, pointer !== undefined ? { pointer } : undefined);
}

/** A query parameter problem. */
export function badParameter(code: string, title: string, detail: string, parameter: string): ApiError {
  return new ApiError(400, code, title, detail, { parameter });
}

/** A well-typed body whose values break a rule (spec example: 422 `invalid_configuration`). */
export function invalid(detail: string, pointer?: string): ApiError {
  return new ApiError(
    422,
    'invalid_configuration',
    'Validation Failed',
    detail,
    pointer !== undefined ? { pointer } : undefined,
  );
}

export function unauthenticated(): ApiError {
  return new ApiError(
    401,
    'user_unauthenticated',
    'Authentication Required',
    'Valid authentication credentials must be provided',
    undefined,
    { 'WWW-Authenticate': WWW_AUTHENTICATE },
  );
}

export function forbidden(detail: string): ApiError {
  return new ApiError(403, 'user_unauthorized', 'User Access Unauthorized', detail);
}

export function notFound(what: 'gateway' | 'access point', id: string): ApiError {
  return new ApiError(404, undefined, undefined, `${what} ${id} not found`, undefined, {}, true);
}

export function conflict(code: string, title: string, detail: string, location?: string, pointer?: string): ApiError {
  return new ApiError(
    409,
    code,
    title,
    detail,
    pointer !== undefined ? { pointer } : undefined,
    location ? { Location: location } : {},
  );
}

export function quotaExceeded(detail: string): ApiError {
  return new ApiError(402, 'quota_exceeded', 'Gateways Per Region Per Environment Quota Exceeded', detail);
}

/** The body and extra headers for a fault-injected status (docs/architecture.md section 9). */
export function injectedError(status: number, message: string | undefined): ApiError {
  const d = (fallback: string): string => message ?? fallback;
  switch (status) {
    case 400:
      return new ApiError(400, 'bad_request', 'Bad Request', d('The request could not be processed'));
    case 401:
      return new ApiError(
        401,
        'user_unauthenticated',
        'Authentication Required',
        d('Valid authentication credentials must be provided'),
        undefined,
        { 'WWW-Authenticate': WWW_AUTHENTICATE },
      );
    case 402:
      return quotaExceeded(d('The request would exceed the quota: gateways_per_region_per_environment'));
    case 403:
      return forbidden(d('The API key is not allowed to access this resource'));
    case 404:
      return new ApiError(404, undefined, 'Not Found', d('Not Found'));
    case 409:
      return new ApiError(409, 'resource_already_exists', 'Resource Already exists', d('The resource already exists'));
    case 422:
      return invalid(d('The request is invalid'));
    case 500:
      return new ApiError(500, 'internal_server_error', 'Internal Server Error', d('Oops, something went wrong!'));
    case 502:
      return new ApiError(502, 'bad_gateway', 'Bad Gateway', d('Bad Gateway'));
    case 503:
      return new ApiError(
        503,
        'service_unavailable',
        'Service Unavailable',
        d('The service is temporarily unavailable'),
      );
    case 504:
      return new ApiError(504, 'gateway_timeout', 'Gateway Timeout', d('Gateway Timeout'));
    default:
      return new ApiError(status, 'error', `HTTP ${status}`, d(`HTTP ${status}`));
  }
}

export function failureBody(e: ApiError): string {
  if (e.bare)
    return JSON.stringify({ errors: [{ id: randomUUID(), status: String(e.status), detail: e.detail, source: {} }] });
  const err: Record<string, unknown> = { id: randomUUID(), status: String(e.status) };
  if (e.code !== undefined) err.code = e.code;
  if (e.title !== undefined) err.title = e.title;
  err.detail = e.detail;
  if (e.source) err.source = e.source;
  return JSON.stringify({ errors: [err] });
}
