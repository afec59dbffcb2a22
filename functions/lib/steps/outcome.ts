/** RecordSucceeded / RecordFailed: the final status, the lock released, the outcome event. */
import { events } from '../events.js';
import type { Deps } from '../deps.js';
import type { Leftover } from '../types.js';
import type { FailureContext, OutcomeInput, OutcomeOutput, ProvisionResult, RejectionContext } from '../contracts.js';
import { claimed } from '../state.js';
import { requestIdOf } from '../request/parse.js';
import { causeMessage, stepOf } from '../stepErrors.js';
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
  try {
    requestId = requestIdOf(ctx.input, ctx.executionName).requestId;
  } catch {
    return { rejected: false };
  }
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
