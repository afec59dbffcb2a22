/**
 * From whatever an entry point delivered to one CanonicalRequest (or a RequestInvalid that names
 * the field and the rule in plain words).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { RequestInvalid } from '../errors.js';
import { MAX_REQUEST_ID_LENGTH } from '../constants.js';
import { cidrContains, isValidCidr } from '../cidr.js';
import type { CanonicalRequest, FieldError, RequestSource } from '../types.js';
import { provisioningRequestSchema, REQUEST_ID_PATTERN } from './schema.js';

type Obj = Record<string, unknown>;
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ["securityGroup", "egressRules", 0, "cidr"] -> "securityGroup.egressRules[0].cidr"; [] -> "request". */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || 'request';
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  literal: 'a fixed value',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : 'a number out of range';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Keys that name JavaScript's own machinery: never a field of the request, at any depth (tags included). */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
/** The request is at most a few levels deep; anything deeper is refused before it is walked any further. */
export const MAX_REQUEST_DEPTH = 8;

/**
 * Hostile shapes, refused before the schema sees them, naming the field: a forbidden key anywhere, a number that is
 * not a safe integer-sized finite value (1e308, 2^60, Infinity), nesting deeper than MAX_REQUEST_DEPTH.
 * Iterative, so no input can exhaust the stack.
 */
export function checkShape(raw: unknown): void {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: raw, path: [] }];
  while (stack.length) {
    const item = stack.pop();
    if (!item) break;
    const { value, path } = item;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
        throw new RequestInvalid(formatFieldPath(path), 'is a number out of range');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= MAX_REQUEST_DEPTH)
      throw new RequestInvalid(formatFieldPath(path), `is nested too deeply (at most ${MAX_REQUEST_DEPTH} levels)`);
    const entries: [PropertyKey, unknown][] = Array.isArray(value)
      ? value.map((v, i): [PropertyKey, unknown] => [i, v])
      : Object.keys(value).map((k): [PropertyKey, unknown] => [k, (value as Obj)[k]]);
    for (const [key] of entries) {
      if (typeof key === 'string' && FORBIDDEN_KEYS.includes(key))
        throw new RequestInvalid(formatFieldPath([...path, key]), 'is not allowed (a reserved name)');
    }
    // Depth first, in field order: the first offending field is the one named.
    for (const [key, v] of entries.reverse()) stack.push({ value: v, path: [...path, key] });
  }
}

/** Plain-words messages for the checks that do not carry their own (type errors, mostly). */
const plainErrors: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      return `must be ${TYPE_WORDS[iss.expected] ?? iss.expected} (got ${describeValue(iss.input)})`;
    case 'too_small':
      return iss.origin === 'array'
        ? `must have at least ${iss.minimum} items`
        : iss.origin === 'string'
          ? `must be at least ${iss.minimum} characters`
          : `must be at least ${iss.minimum}`;
    case 'too_big':
      if (iss.maximum === Number.MAX_SAFE_INTEGER) return 'is a number out of range';
      return iss.origin === 'array'
        ? `must have at most ${iss.maximum} items`
        : iss.origin === 'string'
          ? `must be at most ${iss.maximum} characters`
          : `must be at most ${iss.maximum}`;
    case 'invalid_value':
      return `must be ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_format':
      return 'has an invalid format';
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return 'is invalid';
  }
};

function toRequestInvalid(issue: z.core.$ZodIssue): RequestInvalid {
  if (issue.code === 'unrecognized_keys') {
    const [first, ...rest] = issue.keys;
    const also = rest.length ? ` (nor are ${rest.map((k) => JSON.stringify(k)).join(', ')})` : '';
    return new RequestInvalid(formatFieldPath([...issue.path, first]), `is not a known field${also}`);
  }
  return new RequestInvalid(formatFieldPath(issue.path), issue.message);
}

/**
 * A request id from an entry point's hint (execution name, 'evt-<event id>', 'sc-<hash>'):
 * used as it is when it fits REQUEST_ID_PATTERN; otherwise made to fit (other characters become
 * '-') and, when anything had to change, suffixed with a hash of the hint so that two different
 * hints never end up as the same id.
 */
export function requestIdFromHint(hint: string): string {
  if (REQUEST_ID_PATTERN.test(hint)) return hint;
  const hash = createHash('sha256').update(hint).digest('hex').slice(0, 16);
  const cleaned = hint.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  const head = cleaned.slice(0, MAX_REQUEST_ID_LENGTH - hash.length - 1);
  return head ? `${head}-${hash}` : `req-${hash}`;
}

/**
 * Validate the request against THE schema and apply its defaults. A zod failure becomes
 * RequestInvalid naming the field path ("subnetIds[1]", "securityGroup.egressRules[0].cidr") and
 * the rule in plain words (the first failure, in field order). `requestId` is filled from
 * `requestIdFallback` (made to fit the id format) when the request has none.
 */
export function parseRequest(raw: unknown, requestIdFallback: string): CanonicalRequest {
  if (!isObj(raw)) throw new RequestInvalid('request', `must be a JSON object (got ${describeValue(raw)})`);
  checkShape(raw);
  const input = raw.requestId === undefined ? { ...raw, requestId: requestIdFromHint(requestIdFallback) } : raw;
  const result = provisioningRequestSchema.safeParse(input, { error: plainErrors });
  if (!result.success) throw toRequestInvalid(result.error.issues[0]);
  const { requestId, ...rest } = result.data;
  return { requestId: requestId as string, ...rest };
}

/**
 * (day 2) Every schema violation of a raw request as { field, message } (parseRequest stops at the first); empty when
 * the request passes the schema. For the "PNI Provisioning Rejected" event.
 */
export function requestIssues(raw: unknown, requestIdFallback: string): FieldError[] {
  if (!isObj(raw)) return [{ field: 'request', message: `must be a JSON object (got ${describeValue(raw)})` }];
  const input = raw.requestId === undefined ? { ...raw, requestId: requestIdFromHint(requestIdFallback) } : raw;
  const result = provisioningRequestSchema.safeParse(input, { error: plainErrors });
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const e = toRequestInvalid(issue);
    return { field: e.field, message: e.rule };
  });
}

function hashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** "12" -> 12 (CloudFormation sends every scalar as a string); anything else unchanged. */
function coerceInt(v: unknown): unknown {
  return typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v.trim()) : v;
}

/** CloudFormation ResourceProperties -> request: drop ServiceToken, coerce the numeric fields. */
function requestFromCfnProperties(props: unknown): Obj {
  if (!isObj(props)) return {};
  const { ServiceToken: _serviceToken, ...req } = props;
  if ('enisPerSubnet' in req) req.enisPerSubnet = coerceInt(req.enisPerSubnet);
  if (isObj(req.ipAssignment) && 'startOffset' in req.ipAssignment) {
    req.ipAssignment = { ...req.ipAssignment, startOffset: coerceInt(req.ipAssignment.startOffset) };
  }
  if (isObj(req.securityGroup) && Array.isArray(req.securityGroup.egressRules)) {
    req.securityGroup = {
      ...req.securityGroup,
      egressRules: req.securityGroup.egressRules.map((rule: unknown) =>
        isObj(rule) && Array.isArray(rule.ports) ? { ...rule, ports: rule.ports.map(coerceInt) } : rule,
      ),
    };
  }
  return req;
}

/**
 * Every entry point's input becomes { source, requestIdHint, request, eventId? }:
 * - console/CLI: the request object itself (source 'console'; hint = the execution name);
 * - EventBridge, from the rule's input transformer: { source: 'eventbridge', eventId, request: <detail> }
 *   (hint = 'evt-' + eventId; a requestId in the request wins). A raw EventBridge event (a rule
 *   without the transformer: { id, 'detail-type', detail, ... }) is accepted the same way;
 * - Service Catalog: { source: 'servicecatalog', cfn: <CloudFormation custom-resource event> }
 *   (hint = 'sc-' + 16 hex of sha256(StackId|LogicalResourceId), stable across Create/Update/Delete;
 *   request = cfn.ResourceProperties minus ServiceToken, with the numeric strings CloudFormation
 *   sends coerced for enisPerSubnet, ipAssignment.startOffset and securityGroup.egressRules[].ports).
 * Pure: nothing is validated here (parseRequest does that).
 */
export function normalizeInput(
  input: unknown,
  executionName: string,
): { source: RequestSource; requestIdHint: string; eventId?: string; request: unknown } {
  if (isObj(input)) {
    if (input.source === 'eventbridge' && 'request' in input) {
      const eventId = typeof input.eventId === 'string' && input.eventId !== '' ? input.eventId : undefined;
      return eventId
        ? { source: 'eventbridge', requestIdHint: `evt-${eventId}`, eventId, request: input.request }
        : { source: 'eventbridge', requestIdHint: executionName, request: input.request };
    }
    if (typeof input['detail-type'] === 'string' && 'detail' in input && typeof input.id === 'string') {
      return { source: 'eventbridge', requestIdHint: `evt-${input.id}`, eventId: input.id, request: input.detail };
    }
    if (input.source === 'servicecatalog' && 'cfn' in input) {
      const cfn = isObj(input.cfn) ? input.cfn : {};
      const { StackId, LogicalResourceId } = cfn;
      const requestIdHint =
        typeof StackId === 'string' && typeof LogicalResourceId === 'string'
          ? serviceCatalogRequestId(StackId, LogicalResourceId)
          : executionName;
      return { source: 'servicecatalog', requestIdHint, request: requestFromCfnProperties(cfn.ResourceProperties) };
    }
  }
  return { source: 'console', requestIdHint: executionName, request: input };
}

/**
 * The request id of a Service Catalog (CloudFormation custom resource) connection: 'sc-' + 16 hex of
 * sha256(StackId|LogicalResourceId). Stable across Create, Update, Delete and retried deliveries.
 */
export function serviceCatalogRequestId(stackId: string, logicalResourceId: string): string {
  return `sc-${hashHex(`${stackId}|${logicalResourceId}`).slice(0, 16)}`;
}

/** JSON with object keys sorted at every level (undefined members dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isObj(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Stable sha256 (hex) of the canonical request: key order does not matter, list order does. */
export function requestHash(req: CanonicalRequest): string {
  return hashHex(canonicalJson(req));
}

/**
 * Egress routes that no security group egress rule points into: allowed, but connectors cannot
 * reach them while the created security group blocks egress. None when an existing security group
 * is used (its rules are the owner's business).
 */
export function egressWarnings(req: CanonicalRequest): string[] {
  const sg = req.securityGroup;
  if ('existingId' in sg) return [];
  return req.egressRoutes
    .filter(
      (route) =>
        isValidCidr(route) && !sg.egressRules.some((rule) => isValidCidr(rule.cidr) && cidrContains(route, rule.cidr)),
    )
    .map(
      (route) =>
        `egress route ${route} has no security group egress rule: fully managed connectors cannot reach it while the security group blocks egress`,
    );
}

/** The request id an input stands for, even when the rest of it is invalid (the id given, else the entry point's). */
export function requestIdOf(
  input: unknown,
  executionName: string,
): { requestId: string; norm: ReturnType<typeof normalizeInput> } {
  const norm = normalizeInput(input, executionName);
  const rawId = (norm.request as { requestId?: unknown } | null)?.requestId;
  return {
    requestId:
      typeof rawId === 'string' && REQUEST_ID_PATTERN.test(rawId) ? rawId : requestIdFromHint(norm.requestIdHint),
    norm,
  };
}
