/** RecordSucceeded / RecordFailed: the final status, the lock released, the outcome event. */
import { events, type ProvisioningRejectedDetail } from '../events.js';
import { ENVIRONMENT_ID_PATTERN, REGION_PATTERN, VPC_ID_PATTERN } from '../request/schema.js';
import type { Deps } from '../deps.js';
import type { FieldError, Leftover } from '../types.js';
import type { FailureContext, OutcomeInput, OutcomeOutput, ProvisionResult, RejectionContext } from '../contracts.js';
import { claimed, type RequestRecord } from '../state.js';
import { requestIdOf, requestIssues } from '../request/parse.js';
import { causeMessage, stepOf, withoutStepPrefix } from '../stepErrors.js';
import { currentEniIds, eventBase, resultOf } from '../recordViews.js';
import { present } from '../errors.js';
import { measure } from '../observability.js';

export async function recordOutcome(input: OutcomeInput, deps: Deps): Promise<OutcomeOutput> {
  switch (input.outcome) {
    case 'SUCCEEDED':
      return recordSucceeded(input.context, deps);
    case 'ROLLING_BACK':
      return claimRollback(input.context, deps);
    case 'FAILED':
      return recordFailed(input.context, deps);
    case 'REJECTED':
      return recordRejected(input.context, deps);
  }
}

/**
 * ClaimRollback: before the provisioning starts its nested teardown, it marks the record ROLLING_BACK as the
 * execution that owns it. Teardown in rollback mode requires this claim, so a hand-started "rollback" of a running
 * provisioning is refused. Idempotent (a retry finds the claim made); creates still in flight see the status and stop.
 */
async function claimRollback(ctx: { requestId: string; executionArn: string }, deps: Deps): Promise<{ claimed: true }> {
  await deps.store.update(
    ctx.requestId,
    { status: 'ROLLING_BACK' },
    { executionArn: ctx.executionArn, status: ['VALIDATING', 'PROVISIONING', 'ROLLING_BACK'] },
  );
  return { claimed: true };
}

/**
 * ValidateRequest failed: nothing was created. If this execution owns the record and it is still validating or
 * provisioning (e.g. a dependency stayed unavailable), mark it REJECTED with the error and release the lock.
 * A record owned by another execution (RequestInProgress, RequestConflict) is left alone.
 */
async function recordRejected(ctx: RejectionContext, deps: Deps): Promise<{ rejected: boolean }> {
  let requestId: string;
  let norm: ReturnType<typeof requestIdOf>['norm'];
  try {
    ({ requestId, norm } = requestIdOf(withoutCaughtError(ctx.input), ctx.executionName));
  } catch {
    return { rejected: false };
  }
  const rejected = await markRecordRejected(ctx, deps, requestId);
  // Refusals are announced (day 2), except a duplicate delivery of a request that is being worked on: that request
  // goes on, and its own events tell its outcome.
  const name = ctx.error?.Error ?? 'UnknownError';
  if (name !== 'RequestInProgress') {
    const rec = await deps.store.get(requestId);
    await deps.publisher.publish(events.provisioningRejected(rejectionDetail(ctx, requestId, norm, rec)));
  }
  return rejected;
}

/** The execution's input as it came: RejectRequest sees it with the Catch's `error` (ResultPath $.error) added. */
function withoutCaughtError(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const { error: _caught, ...original } = input as Record<string, unknown>;
  return original;
}

async function markRecordRejected(
  ctx: RejectionContext,
  deps: Deps,
  requestId: string,
): Promise<{ rejected: boolean }> {
  const rec = await deps.store.get(requestId);
  if (!rec || rec.executionArn !== ctx.executionArn) return { rejected: false };
  if (rec.environmentId && rec.vpcId) await deps.store.releaseLock(rec.environmentId, rec.vpcId, requestId);
  if (rec.status !== 'VALIDATING' && rec.status !== 'PROVISIONING') return { rejected: rec.status === 'REJECTED' };
  const name = ctx.error?.Error ?? 'UnknownError';
  await deps.store.update(
    requestId,
    { status: 'REJECTED', error: { name, message: causeMessage(ctx.error?.Cause) || name } },
    { executionArn: ctx.executionArn },
  );
  return { rejected: true };
}

/** The field each refusal is about, when it is not a RequestInvalid (which names its own). */
const REFUSAL_FIELDS: Record<string, string> = {
  ConnectionExists: 'vpcId',
  RequestLocked: 'vpcId',
  RequestConflict: 'requestId',
};

function rejectionDetail(
  ctx: RejectionContext,
  requestId: string,
  norm: ReturnType<typeof requestIdOf>['norm'],
  rec: RequestRecord | undefined,
): ProvisioningRejectedDetail {
  const name = ctx.error?.Error ?? 'UnknownError';
  const message = withoutStepPrefix(causeMessage(ctx.error?.Cause) || name);
  let errors: FieldError[] = [];
  if (name === 'RequestInvalid' || name === 'RequestNotAllowed') {
    // Schema issues name every field; a refusal of a valid request names its field in the message (`field: ...`).
    errors = name === 'RequestInvalid' ? requestIssues(norm.request, norm.requestIdHint) : [];
    if (!errors.length) {
      const m = /^(\S+): (.*)$/s.exec(message);
      errors = [m ? { field: m[1], message: m[2] } : { field: 'request', message }];
    }
  } else errors = [{ field: REFUSAL_FIELDS[name] ?? 'request', message }];
  const raw = (typeof norm.request === 'object' && norm.request !== null ? norm.request : {}) as Record<
    string,
    unknown
  >;
  const pick = (recValue: string | undefined, rawValue: unknown, pattern: RegExp) =>
    recValue ?? (typeof rawValue === 'string' && pattern.test(rawValue) ? rawValue : undefined);
  const existing = name === 'ConnectionExists' ? /: request ([A-Za-z0-9_-]+) \(/.exec(message)?.[1] : undefined;
  return {
    requestId,
    executionArn: ctx.executionArn,
    environmentId: pick(rec?.environmentId, raw.environmentId, ENVIRONMENT_ID_PATTERN),
    vpcId: pick(rec?.vpcId, raw.vpcId, VPC_ID_PATTERN),
    region: pick(rec?.region, raw.region, REGION_PATTERN),
    error: { name, message },
    errors,
    existingRequestId: existing,
  };
}

async function recordSucceeded(ctx: { requestId: string; executionArn: string }, deps: Deps): Promise<ProvisionResult> {
  const rec = await deps.store.update(
    ctx.requestId,
    { status: 'SUCCEEDED', phase: 'ACCESS_POINT_READY', error: undefined },
    { executionArn: ctx.executionArn, status: ['PROVISIONING', 'SUCCEEDED'] },
  );
  const { environmentId, vpcId } = claimed(rec);
  await deps.store.releaseLock(environmentId, vpcId, rec.requestId);
  const eniIds = currentEniIds(rec, await deps.store.listEnis(rec.requestId));
  measure.provisioned(deps.now().getTime() - Date.parse(rec.attemptStartedAt), eniIds.length);
  const base = eventBase(rec);
  const recorded = (field: string) => `the record's ${field} of succeeded request ${rec.requestId}`;
  await deps.publisher.publish(
    events.phaseChanged({ ...base, phase: 'ACCESS_POINT_READY' }),
    events.succeeded({
      ...base,
      gatewayId: present(rec.gatewayId, recorded('gatewayId')),
      gatewayCreatedByUs: rec.gatewayCreatedByUs ?? false,
      confluentAccount: present(rec.confluentAccount, recorded('confluentAccount')),
      securityGroupId: present(rec.securityGroupId, recorded('securityGroupId')),
      accessPointId: present(rec.accessPointId, recorded('accessPointId')),
      eniIds,
    }),
  );
  return resultOf(rec, eniIds);
}

async function recordFailed(ctx: FailureContext, deps: Deps): Promise<{ error: { Error: string; Cause: string } }> {
  const name = ctx.error?.Error ?? 'UnknownError';
  const message = causeMessage(ctx.error?.Cause) || name;
  const failedStep = stepOf(message) ?? name;
  let outcome: 'ROLLED_BACK' | 'ROLLBACK_FAILED';
  let leftovers: Leftover[];
  if (ctx.rollback?.outcome) {
    outcome = ctx.rollback.outcome;
    leftovers = ctx.rollback.leftovers ?? [];
  } else {
    // The rollback itself could not run to its end: say so, with what the record still knows.
    outcome = 'ROLLBACK_FAILED';
    const current = await deps.store.get(ctx.requestId);
    const reason = `rollback did not finish: ${causeMessage(ctx.rollbackError?.Cause) || ctx.rollbackError?.Error || 'unknown'}`;
    leftovers = current?.leftovers?.length
      ? current.leftovers
      : [
          ...(current?.accessPointId ? [{ type: 'accessPoint' as const, id: current.accessPointId, reason }] : []),
          ...(current?.securityGroupId && current.securityGroupCreatedByUs
            ? [{ type: 'securityGroup' as const, id: current.securityGroupId, reason }]
            : []),
          ...(current?.gatewayId && current.gatewayCreatedByUs
            ? [{ type: 'gateway' as const, id: current.gatewayId, reason }]
            : []),
          ...(await deps.store.listEnis(ctx.requestId)).flatMap((e) =>
            e.eniId && e.status !== 'DELETED' && e.attempt === current?.attempt
              ? [{ type: 'networkInterface' as const, id: e.eniId, reason }]
              : [],
          ),
        ];
    measure.leftovers(leftovers.length); // (a rollback that finished recorded its own in finishTeardown)
  }
  const rec = await deps.store.update(
    ctx.requestId,
    { status: outcome, error: { name, message }, failedStep, leftovers },
    { executionArn: ctx.executionArn },
  );
  const { environmentId, vpcId } = claimed(rec);
  await deps.store.releaseLock(environmentId, vpcId, rec.requestId);
  await deps.publisher.publish(
    events.failed({ ...eventBase(rec), error: { name, message }, failedStep, rollback: { outcome, leftovers } }),
  );
  const summary =
    outcome === 'ROLLED_BACK'
      ? 'everything created was removed'
      : `${leftovers.length} resource(s) left behind: ${leftovers.map((l) => l.id).join(', ')}`;
  return { error: { Error: name, Cause: `${message} (rollback: ${outcome}, ${summary})` } };
}
