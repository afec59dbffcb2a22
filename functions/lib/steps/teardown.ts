/**
 * Teardown (and provision's rollback) in the safe order: access point gone (404) -> permissions revoked ->
 * ENIs deleted -> security group deleted -> gateway deleted (only if this request created it).
 * Every step is idempotent: NotFound is done. Resources are found by the record and by tag.
 */
import { RequestInProgress, RequestInvalid, ResourceInUse, present } from '../errors.js';
import { events } from '../events.js';
import {
  deleteNetworkInterface,
  deletePermission,
  deleteSecurityGroup as deleteEc2SecurityGroup,
  existingEnis,
  findRequestEnis,
  permissionsOn,
  findSecurityGroupByName,
  securityGroupExists,
  tagValue,
} from '../ec2ops.js';
import { EC2_DELETE_CONCURRENCY, NOTHING_LEFT_STATUSES, PROVISIONING_STATUSES, TAG_REQUEST_ID } from '../constants.js';
import { REQUEST_ID_PATTERN } from '../request/schema.js';
import type { Deps } from '../deps.js';
import { type ClaimedRecord, claimed } from '../state.js';
import type { Leftover } from '../types.js';
import type {
  BeginTeardownInput,
  DeletionPoll,
  DeletionStatusInput,
  FinishTeardownInput,
  FinishTeardownOutput,
  GatewayDeletion,
  TeardownContext,
  TeardownMode,
} from '../contracts.js';
import { mapLimit, withThrottleRetry } from '../concurrency.js';
import { createdDuringAttempt, names } from '../naming.js';
import { eventBase } from '../recordViews.js';
import { causeMessage } from '../stepErrors.js';
import { measure } from '../observability.js';

function parseTeardownInput(input: unknown): { requestId: string; mode: TeardownMode; startedBy?: string } {
  const i = (input ?? {}) as {
    requestId?: unknown;
    mode?: unknown;
    request?: { requestId?: unknown };
    AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID?: unknown;
  };
  const requestId =
    typeof i.requestId === 'string'
      ? i.requestId
      : typeof i.request?.requestId === 'string'
        ? i.request.requestId
        : undefined;
  if (!requestId)
    throw new RequestInvalid('requestId', 'is required (the id of the provisioning request to tear down)');
  const startedBy =
    typeof i.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID === 'string'
      ? i.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID
      : undefined;
  return { requestId, mode: i.mode === 'rollback' ? 'rollback' : 'teardown', startedBy };
}

export async function beginTeardown(ev: BeginTeardownInput, deps: Deps): Promise<TeardownContext> {
  const { requestId, mode, startedBy } = parseTeardownInput(ev.input);
  const rec = await deps.store.get(requestId);
  const noop = (reason: string): TeardownContext => ({
    requestId,
    mode,
    executionArn: ev.execution.arn,
    noop: true,
    outcome: 'NOOP',
    reason,
    leftovers: [],
    environmentId: rec?.environmentId ?? '',
    region: rec?.region ?? '',
    vpcId: rec?.vpcId ?? '',
    limits: deps.config.limits,
    errors: {},
  });
  if (!rec) {
    // Announced (day 2): whoever asked for it hears that nothing was done.
    const message = `no request with id ${requestId} is known: nothing to tear down`;
    if (REQUEST_ID_PATTERN.test(requestId))
      await deps.publisher.publish(
        events.requestNotFound({ requestId, executionArn: ev.execution.arn, action: 'teardown', message }),
      );
    return noop(message);
  }
  if (mode === 'teardown') {
    if (NOTHING_LEFT_STATUSES.includes(rec.status))
      return noop(`request ${requestId} is ${rec.status}: nothing to tear down`);
    if (
      rec.status === 'TEARING_DOWN' &&
      rec.teardownExecutionArn !== ev.execution.arn &&
      (!rec.teardownExecutionArn || (await deps.executionStatus(rec.teardownExecutionArn)) === 'RUNNING')
    ) {
      throw new RequestInProgress(`request ${requestId} is already being torn down by ${rec.teardownExecutionArn}`);
    }
    if (PROVISIONING_STATUSES.includes(rec.status)) {
      // Only a stopped, timed-out or failed-without-record execution leaves such a status behind: then tearing down is safe.
      const owner = rec.status === 'ROLLING_BACK' ? (rec.teardownExecutionArn ?? rec.executionArn) : rec.executionArn;
      const ownerStatus = await deps.executionStatus(owner);
      if (ownerStatus === 'RUNNING') {
        throw new RequestInProgress(
          `request ${requestId} is ${rec.status} (execution ${owner} is running); stop that execution or wait for it before tearing down`,
        );
      }
    }
    await deps.store.update(
      requestId,
      { status: 'TEARING_DOWN', teardownExecutionArn: ev.execution.arn },
      { version: rec.version },
    );
  } else {
    // Rollback mode belongs to the provisioning execution that owns the record, while it provisions.
    if (startedBy !== rec.executionArn || !PROVISIONING_STATUSES.includes(rec.status)) {
      throw new RequestInvalid(
        'mode',
        `"rollback" is reserved for the rollback of request ${requestId} by its own provisioning execution; start a teardown instead`,
      );
    }
    await deps.store.update(
      requestId,
      { status: 'ROLLING_BACK', teardownExecutionArn: ev.execution.arn },
      { status: [...PROVISIONING_STATUSES], executionArn: startedBy },
    );
  }
  const { environmentId, region, vpcId } = claimed(rec);
  return {
    requestId,
    mode,
    executionArn: ev.execution.arn,
    noop: false,
    leftovers: [],
    environmentId,
    region,
    vpcId,
    limits: deps.config.limits,
    errors: {},
  };
}

/** The record of the request being torn down: BeginTeardown let only a claimed one through. */
async function record(deps: Deps, requestId: string): Promise<ClaimedRecord> {
  const rec = await deps.store.get(requestId);
  if (!rec) throw new RequestInvalid('requestId', `no request with id ${requestId} is known`);
  return claimed(rec);
}

// ------------------------------------------------------------------ access point

/** Our access point: the recorded id, else one of our name created during this attempt (a crash before the record). */
async function findAccessPointId(deps: Deps, rec: ClaimedRecord): Promise<string | undefined> {
  if (rec.accessPointId) return rec.accessPointId;
  if (!rec.gatewayId) return undefined;
  const found = (
    await deps.confluent.listAccessPoints(rec.environmentId, {
      gatewayId: rec.gatewayId,
      displayName: names.accessPoint(rec.request),
    })
  ).find((ap) => createdDuringAttempt(ap.metadata?.created_at, rec));
  return found?.id;
}

export async function deleteAccessPoint(ctx: TeardownContext, deps: Deps): Promise<DeletionPoll> {
  const rec = await record(deps, ctx.requestId);
  const id = await findAccessPointId(deps, rec);
  if (!id) return { gone: true, attempt: 0 };
  const r = await deps.confluent.deleteAccessPoint(rec.environmentId, id);
  return { gone: r === 'gone', id, attempt: 0 };
}

export async function getDeletionStatus(input: DeletionStatusInput, deps: Deps): Promise<DeletionPoll> {
  const obj =
    input.kind === 'accessPoint'
      ? await deps.confluent.getAccessPoint(input.environmentId, input.id)
      : await deps.confluent.getGateway(input.environmentId, input.id);
  return { gone: !obj, id: input.id, attempt: input.attempt + 1 };
}

// ------------------------------------------------------------------ ENIs and permissions

const eniIdOf = (e: { NetworkInterfaceId?: string }): string => present(e.NetworkInterfaceId, 'a network interface id');

/** Our ENI ids: the record's (not yet known deleted) plus everything tagged with the request id. */
async function ourEniIds(deps: Deps, rec: ClaimedRecord): Promise<string[]> {
  const recorded = (await deps.store.listEnis(rec.requestId)).flatMap((e) =>
    e.eniId && e.status !== 'DELETED' ? [e.eniId] : [],
  );
  const tagged = (await findRequestEnis(deps.ec2(rec.region), rec.requestId)).map(eniIdOf);
  return [...new Set([...recorded, ...tagged])];
}

function throwIfInUse(results: PromiseSettledResult<unknown>[], what: string): void {
  const rejected = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as Error);
  if (!rejected.length) return;
  const inUse = rejected.filter((e) => e instanceof ResourceInUse);
  if (inUse.length === rejected.length)
    throw new ResourceInUse(`${inUse.length} ${what} still in use; first: ${inUse[0].message}`);
  throw rejected.find((e) => !(e instanceof ResourceInUse)) ?? rejected[0];
}

export async function revokePermissions(ctx: TeardownContext, deps: Deps): Promise<{ revoked: number }> {
  const rec = await record(deps, ctx.requestId);
  const ec2 = deps.ec2(rec.region);
  const eniIds = (await existingEnis(ec2, await ourEniIds(deps, rec))).map(eniIdOf);
  const perms = await permissionsOn(ec2, eniIds);
  const backoff = { baseDelayMs: deps.config.throttleBaseDelayMs, sleep: deps.sleep };
  const results = await mapLimit(perms, EC2_DELETE_CONCURRENCY, (p) =>
    withThrottleRetry(() => deletePermission(ec2, p.permissionId), backoff),
  );
  throwIfInUse(results, 'ENI permissions are');
  return { revoked: results.filter((r) => r.status === 'fulfilled' && r.value === 'deleted').length };
}

export async function deleteEnis(ctx: TeardownContext, deps: Deps): Promise<{ deleted: number }> {
  const rec = await record(deps, ctx.requestId);
  const ec2 = deps.ec2(rec.region);
  const ids = await ourEniIds(deps, rec);
  const backoff = { baseDelayMs: deps.config.throttleBaseDelayMs, sleep: deps.sleep };
  const results = await mapLimit(ids, EC2_DELETE_CONCURRENCY, (id) =>
    withThrottleRetry(() => deleteNetworkInterface(ec2, id), backoff),
  );
  const enis = await deps.store.listEnis(rec.requestId);
  await Promise.all(
    enis
      .filter((e) => e.eniId && results[ids.indexOf(e.eniId)]?.status === 'fulfilled')
      .map((e) => deps.store.updateEni(rec.requestId, e.slot, { status: 'DELETED' })),
  );
  throwIfInUse(results, 'ENIs are');
  return { deleted: results.filter((r) => r.status === 'fulfilled' && r.value === 'deleted').length };
}

// ------------------------------------------------------------------ security group

async function ourSecurityGroupId(deps: Deps, rec: ClaimedRecord): Promise<string | undefined> {
  if (rec.securityGroupId) return rec.securityGroupCreatedByUs ? rec.securityGroupId : undefined;
  if ('existingId' in rec.request.securityGroup) return undefined;
  const g = await findSecurityGroupByName(deps.ec2(rec.region), rec.vpcId, names.securityGroup(rec.requestId));
  return g && tagValue(g.Tags, TAG_REQUEST_ID) === rec.requestId ? g.GroupId : undefined;
}

export async function deleteSecurityGroup(ctx: TeardownContext, deps: Deps): Promise<{ deleted: boolean }> {
  const rec = await record(deps, ctx.requestId);
  const id = await ourSecurityGroupId(deps, rec);
  if (!id) return { deleted: false };
  return { deleted: (await deleteEc2SecurityGroup(deps.ec2(rec.region), id)) === 'deleted' };
}

// ------------------------------------------------------------------ gateway

async function ourGatewayId(deps: Deps, rec: ClaimedRecord): Promise<string | undefined> {
  if (rec.gatewayId) return rec.gatewayCreatedByUs ? rec.gatewayId : undefined;
  if ('existingId' in rec.request.gateway) return undefined;
  const found = (
    await deps.confluent.listGateways(rec.environmentId, { displayName: names.gateway(rec.request) })
  ).find((g) => createdDuringAttempt(g.metadata?.created_at, rec));
  return found?.id;
}

export async function deleteGateway(ctx: TeardownContext, deps: Deps): Promise<GatewayDeletion> {
  const rec = await record(deps, ctx.requestId);
  const id = await ourGatewayId(deps, rec);
  if (!id) return { gone: true, attempt: 0 };
  const others = (await deps.confluent.listAccessPoints(rec.environmentId, { gatewayId: id })).filter(
    (ap) => ap.status?.phase !== 'DEPROVISIONING',
  );
  if (others.length) {
    // Another request attached its access point to our gateway (gateway.existingId): keep the gateway.
    return {
      gone: true,
      attempt: 0,
      skipped: `gateway ${id} still serves access point(s) ${others.map((a) => a.id).join(', ')}`,
    };
  }
  const r = await deps.confluent.deleteGateway(rec.environmentId, id);
  return { gone: r === 'gone', id, attempt: 0 };
}

// ------------------------------------------------------------------ finish

/** Inventory what is really left (record + tags), write the final status, release the lock, emit the teardown event. */
export async function finishTeardown(ctx: FinishTeardownInput, deps: Deps): Promise<FinishTeardownOutput> {
  const rec = await record(deps, ctx.requestId);
  const ec2 = deps.ec2(rec.region);
  const why = (key: string, fallback: string) => {
    const e = ctx.errors?.[key];
    return e ? `${e.Error ?? 'Error'}: ${causeMessage(e.Cause)}` : fallback;
  };
  const leftovers: Leftover[] = [];

  const apId = await findAccessPointId(deps, rec);
  if (apId) {
    const ap = await deps.confluent.getAccessPoint(rec.environmentId, apId);
    if (ap)
      leftovers.push({
        type: 'accessPoint',
        id: apId,
        reason: why('accessPoint', `still exists (phase ${ap.status?.phase ?? 'unknown'})`),
      });
  }
  const enis = await existingEnis(ec2, await ourEniIds(deps, rec));
  if (enis.length) {
    const perms = await permissionsOn(ec2, enis.map(eniIdOf));
    const permError = ctx.errors?.permissions
      ? ` (revokePermissions ended with ${ctx.errors.permissions.Error ?? 'an error'})`
      : '';
    for (const p of perms)
      leftovers.push({
        type: 'networkInterfacePermission',
        id: p.permissionId,
        reason: `still granted on ${p.eniId} to ${p.account}${permError}`,
      });
    const stepError = ctx.errors?.enis ? ` (deleteEnis ended with ${ctx.errors.enis.Error ?? 'an error'})` : '';
    for (const e of enis) {
      const state = e.Attachment?.InstanceOwnerId
        ? `attached by account ${e.Attachment.InstanceOwnerId}`
        : `still exists (status ${e.Status})`;
      leftovers.push({ type: 'networkInterface', id: eniIdOf(e), reason: `${state}${stepError}` });
    }
  }
  const sgId = await ourSecurityGroupId(deps, rec);
  if (sgId && (await securityGroupExists(ec2, sgId)))
    leftovers.push({ type: 'securityGroup', id: sgId, reason: why('securityGroup', 'still exists') });
  const gwId = await ourGatewayId(deps, rec);
  if (gwId) {
    // A gateway we created but another request's access point still uses is left, and said so: run this
    // teardown again once that request is torn down, and the gateway goes too.
    const gw = await deps.confluent.getGateway(rec.environmentId, gwId);
    if (gw)
      leftovers.push({
        type: 'gateway',
        id: gwId,
        reason: ctx.gatewayDeletion?.skipped ?? why('gateway', `still exists (phase ${gw.status?.phase ?? 'unknown'})`),
      });
  }

  const outcome =
    ctx.mode === 'rollback'
      ? leftovers.length
        ? 'ROLLBACK_FAILED'
        : 'ROLLED_BACK'
      : leftovers.length
        ? 'TEARDOWN_FAILED'
        : 'TORN_DOWN';
  measure.leftovers(leftovers.length);
  const updated = await deps.store.update(rec.requestId, {
    status: outcome,
    leftovers,
    ...(outcome === 'TORN_DOWN' ? { phase: undefined } : {}),
  });
  if (ctx.mode === 'teardown') {
    await deps.store.releaseLock(rec.environmentId, rec.vpcId, updated.requestId);
    const base = { ...eventBase(updated, ctx.executionArn), mode: 'teardown' as const };
    await deps.publisher.publish(
      leftovers.length ? events.teardownFailed({ ...base, leftovers }) : events.teardownSucceeded(base),
    );
  }
  return { requestId: rec.requestId, mode: ctx.mode, outcome, leftovers };
}
