/**
 * ValidateRequest: normalise the entry point's input, check the schema and every live fact before the first
 * change, resolve repeats of the same request id, take the (environment, VPC) lock, create the record and
 * emit "PNI Provisioning Started". Nothing is created in the customer's account or in Confluent here.
 */
import { ACTIVE_STATUSES, NOTHING_LEFT_STATUSES } from '../constants.js';
import {
  ConnectionExists,
  RequestConflict,
  RequestInProgress,
  RequestInvalid,
  RequestLocked,
  RequestNotAllowed,
  errorMessage,
} from '../errors.js';
import { events } from '../events.js';
import { FORBIDDEN_KEYS, MAX_REQUEST_DEPTH, parseRequest, requestHash, requestIdOf } from '../request/parse.js';
import { assessRequest, type Assessment } from '../request/assess.js';
import { planEnis } from '../eniPlan.js';
import type { Deps } from '../deps.js';
import { type RequestRecord, claimed } from '../state.js';
import type { CanonicalRequest, RequestSource } from '../types.js';
import type { ProvisionContext, ValidateInput } from '../contracts.js';
import { currentEniIds, eventBase, resultOf } from '../recordViews.js';

export async function validateRequest(ev: ValidateInput, deps: Deps): Promise<ProvisionContext> {
  const { requestId: knownId, norm } = requestIdOf(ev.input, ev.execution.name);

  let parsed: CanonicalRequest;
  try {
    parsed = parseRequest(norm.request, norm.requestIdHint);
  } catch (err) {
    if (err instanceof RequestInvalid)
      await recordRejection(deps, knownId, norm.source, ev.execution.arn, err, norm.request);
    throw err;
  }
  // Who may ask: the stack's allowlists (deploy parameters; empty = any), checked before anything is claimed.
  const { allowedEnvironmentIds, allowedVpcIds } = deps.config;
  const notAllowed =
    allowedEnvironmentIds.length && !allowedEnvironmentIds.includes(parsed.environmentId)
      ? new RequestNotAllowed(
          'environmentId',
          `environment ${parsed.environmentId} is not served by this deployment (allowed: ${allowedEnvironmentIds.join(', ')})`,
        )
      : allowedVpcIds.length && !allowedVpcIds.includes(parsed.vpcId)
        ? new RequestNotAllowed(
            'vpcId',
            `VPC ${parsed.vpcId} is not served by this deployment (allowed: ${allowedVpcIds.join(', ')})`,
          )
        : undefined;
  if (notAllowed) {
    await recordRejection(deps, knownId, norm.source, ev.execution.arn, notAllowed, norm.request);
    throw notAllowed;
  }
  const hash = requestHash(parsed);
  const { record, resumed } = await claimRecord(deps, parsed, hash, norm.source, ev.execution.arn);
  if ('alreadySucceeded' in record) return record.alreadySucceeded;

  // Live facts and rules (read-only): the one implementation `pni plan` runs too.
  let assessed: Assessment;
  try {
    assessed = await assessRequest(deps, parsed, { ownGatewayId: resumed ? record.rec.gatewayId : undefined });
  } catch (err) {
    if (err instanceof RequestInvalid || err instanceof ConnectionExists)
      await markRejected(deps, record.rec, ev.execution.arn, err);
    throw err;
  }
  const { request, customerAccount, vpcCidr, subnets, warnings } = assessed;

  const lock = await deps.store.acquireLock(request.environmentId, request.vpcId, request.requestId);
  if (!lock.acquired) {
    const err = new RequestLocked(
      `environment ${request.environmentId} and VPC ${request.vpcId} are being worked on by request ${lock.holder}; try again when it finishes`,
    );
    await markRejected(deps, record.rec, ev.execution.arn, err);
    throw err;
  }

  const attempt = record.rec.attempt;
  const slots = planEnis(request, subnets, attempt);
  const rec = await deps.store.update(
    request.requestId,
    {
      status: 'PROVISIONING',
      request,
      requestHash: hash,
      environmentId: request.environmentId,
      vpcId: request.vpcId,
      region: request.region,
      customerAccount,
      warnings,
      eniCount: slots.length,
    },
    { executionArn: ev.execution.arn },
  );

  await deps.publisher.publish(events.started({ ...eventBase(rec), attempt, source: norm.source, warnings }));

  return {
    requestId: request.requestId,
    attempt,
    executionArn: ev.execution.arn,
    source: norm.source,
    request,
    customerAccount,
    vpcCidr,
    subnets,
    zones: subnets.map((s) => s.zoneId),
    plan: { slots },
    limits: deps.config.limits,
    warnings,
    alreadySucceeded: false,
  };
}

type Claim = { record: { rec: RequestRecord } | { alreadySucceeded: ProvisionContext }; resumed: boolean };

/** Create the record, or decide what a repeat of this request id means (docs/architecture.md section 5). */
async function claimRecord(
  deps: Deps,
  req: CanonicalRequest,
  hash: string,
  source: RequestSource,
  executionArn: string,
): Promise<Claim> {
  const now = deps.now().toISOString();
  const existing = await deps.store.get(req.requestId);
  if (!existing) {
    const rec = await deps.store.create({
      requestId: req.requestId,
      status: 'VALIDATING',
      source,
      requestHash: hash,
      request: req,
      executionArn,
      attempt: 1,
      attemptStartedAt: now,
      environmentId: req.environmentId,
      vpcId: req.vpcId,
      region: req.region,
    });
    return { record: { rec }, resumed: false };
  }
  if (
    existing.executionArn === executionArn &&
    (existing.status === 'VALIDATING' || existing.status === 'PROVISIONING')
  ) {
    return { record: { rec: existing }, resumed: true }; // this execution's ValidateRequest is being retried
  }
  if (ACTIVE_STATUSES.includes(existing.status)) {
    throw new RequestInProgress(
      `request ${req.requestId} is already being worked on (status ${existing.status}, execution ${existing.executionArn})`,
    );
  }
  const sameContent = existing.requestHash === hash;
  if (existing.status === 'SUCCEEDED') {
    if (!sameContent)
      throw new RequestConflict(
        `request ${req.requestId} already has a connection with different content; tear it down first or use a new requestId`,
      );
    return { record: { alreadySucceeded: await storedResult(deps, existing, executionArn) }, resumed: false };
  }
  if (!NOTHING_LEFT_STATUSES.includes(existing.status)) {
    throw new RequestConflict(
      `request ${req.requestId} left resources behind (status ${existing.status}); run the teardown for ${req.requestId} first`,
    );
  }
  // ROLLED_BACK, REJECTED or TORN_DOWN: nothing of it exists, so a fresh attempt starts.
  const rec = await deps.store.update(
    req.requestId,
    {
      status: 'VALIDATING',
      source,
      requestHash: hash,
      request: req,
      executionArn,
      attempt: existing.attempt + 1,
      attemptStartedAt: now,
      environmentId: req.environmentId,
      vpcId: req.vpcId,
      region: req.region,
      phase: undefined,
      error: undefined,
      failedStep: undefined,
      leftovers: undefined,
      gatewayId: undefined,
      gatewayCreatedByUs: undefined,
      confluentAccount: undefined,
      securityGroupId: undefined,
      securityGroupCreatedByUs: undefined,
      securityGroupCreatedAt: undefined,
      securityGroupDeletedAt: undefined,
      accessPointId: undefined,
      warnings: undefined,
      teardownExecutionArn: undefined,
    },
    { version: existing.version },
  );
  return { record: { rec }, resumed: false };
}

async function storedResult(deps: Deps, rec: RequestRecord, executionArn: string): Promise<ProvisionContext> {
  const enis = await deps.store.listEnis(rec.requestId);
  const result = resultOf(rec, currentEniIds(rec, enis));
  return {
    requestId: rec.requestId,
    attempt: rec.attempt,
    executionArn,
    source: rec.source,
    request: claimed(rec).request,
    customerAccount: rec.customerAccount ?? '',
    vpcCidr: '',
    subnets: [],
    zones: [],
    plan: { slots: [] },
    limits: deps.config.limits,
    warnings: rec.warnings ?? [],
    alreadySucceeded: true,
    result,
  };
}

/** A schema-invalid request is recorded as REJECTED unless that would overwrite a live record. */
async function recordRejection(
  deps: Deps,
  requestId: string,
  source: RequestSource,
  executionArn: string,
  err: RequestInvalid | RequestNotAllowed,
  raw: unknown,
) {
  const error = { name: err.name, message: err.message };
  const existing = await deps.store.get(requestId);
  const now = deps.now().toISOString();
  try {
    if (!existing) {
      await deps.store.create({
        requestId,
        status: 'REJECTED',
        source,
        executionArn,
        attempt: 1,
        attemptStartedAt: now,
        error,
        rawRequest: safeRaw(raw),
      });
    } else if (NOTHING_LEFT_STATUSES.includes(existing.status)) {
      await deps.store.update(
        requestId,
        { status: 'REJECTED', executionArn, error, attempt: existing.attempt + 1, attemptStartedAt: now },
        { version: existing.version },
      );
    }
  } catch (e) {
    // A lost race only means another execution owns the record; the rejection itself still stands.
    if ((e as Error).name !== 'RecordConflict') throw e;
  }
}

/** Longest raw request kept on a REJECTED record (as JSON text). */
const MAX_RAW_REQUEST_CHARS = 20000;

/**
 * The raw request as the record may hold it, whatever its shape: a copy with every key and value DynamoDB accepts
 * (forbidden keys dropped, numbers outside the safe range and non-finite ones as text, at most MAX_REQUEST_DEPTH deep),
 * or nothing when it is too large. Never throws: a rejection is recorded even for the most hostile input.
 */
export function safeRaw(raw: unknown): unknown {
  const copy = (v: unknown, depth: number): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? v : String(v);
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
    if (typeof v !== 'object' || depth >= MAX_REQUEST_DEPTH) return undefined;
    if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.includes(k) || k === '') continue;
      const x = copy((v as Record<string, unknown>)[k], depth + 1);
      if (x !== undefined) out[k] = x;
    }
    return out;
  };
  try {
    const safe = copy(raw, 0);
    const text = JSON.stringify(safe);
    return text !== undefined && text.length <= MAX_RAW_REQUEST_CHARS ? safe : undefined;
  } catch {
    return undefined;
  }
}

async function markRejected(deps: Deps, rec: RequestRecord, executionArn: string, err: Error) {
  await deps.store.update(
    rec.requestId,
    { status: 'REJECTED', error: { name: err.name, message: errorMessage(err) } },
    { executionArn },
  );
}
