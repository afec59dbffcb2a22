/**
 * Teardown (and provision's rollback) in the safe order: access point gone (404) -> permissions revoked ->
 * ENIs deleted -> security group deleted -> gateway deleted (only if this request created it).
 * Every step is idempotent: NotFound is done. Resources are found by the record and by tag.
 */
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import {
  DeletionUnconfirmed,
  RequestInProgress,
  RequestInvalid,
  ResourceInUse,
  errorMessage,
  present,
} from '../errors.js';
import { events } from '../events.js';
import {
  deleteNetworkInterface,
  deletePermission,
  deleteSecurityGroup as deleteEc2SecurityGroup,
  describeSecurityGroupFull,
  existingEnis,
  findRequestEnis,
  permissionsOn,
  findSecurityGroupByName,
  securityGroupExists,
  tagValue,
} from '../ec2ops.js';
import {
  EC2_DELETE_CONCURRENCY,
  MANAGED_BY_VALUE,
  NOTHING_LEFT_STATUSES,
  PROVISIONING_STATUSES,
  TAG_MANAGED_BY,
  TAG_REQUEST_ID,
} from '../constants.js';
import { REQUEST_ID_PATTERN } from '../request/schema.js';
import type { Deps } from '../deps.js';
import { type ClaimedRecord, type EniRecord, claimed } from '../state.js';
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
    // Rollback mode is claimed, not asserted: the provisioning execution that owns the record marks it ROLLING_BACK
    // (ClaimRollback) before it starts this machine. Without that claim (e.g. a hand-started "rollback" naming a
    // running provisioning) nothing is changed.
    if (rec.status !== 'ROLLING_BACK' || startedBy !== rec.executionArn) {
      throw new RequestInvalid(
        'mode',
        `"rollback" is reserved for the rollback its own provisioning execution has claimed; request ${requestId} is ${rec.status}${rec.status === 'ROLLING_BACK' ? ` (claimed by ${rec.executionArn})` : ' with no rollback claimed'}: nothing was changed. To remove the connection, start a teardown once provisioning has ended`,
      );
    }
    await deps.store.update(
      requestId,
      { teardownExecutionArn: ev.execution.arn },
      { status: ['ROLLING_BACK'], executionArn: startedBy },
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

/**
 * Ownership before every delete: an ENI is ours only when it carries our tags (request id and managed-by) and sits in
 * the request's VPC, in one of its subnets, in its security group. Anything else found by our tag is reported
 * (`notOwned`), never deleted. Undefined = ours.
 */
export function eniNotOursBecause(e: NetworkInterface, rec: ClaimedRecord): string | undefined {
  if (tagValue(e.TagSet, TAG_REQUEST_ID) !== rec.requestId) return `its ${TAG_REQUEST_ID} tag is not ${rec.requestId}`;
  if (tagValue(e.TagSet, TAG_MANAGED_BY) !== MANAGED_BY_VALUE)
    return `it has no ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE} tag`;
  if (e.VpcId !== rec.vpcId) return `it is in ${e.VpcId}, not in the request's VPC ${rec.vpcId}`;
  if (!rec.request.subnetIds.includes(e.SubnetId ?? ''))
    return `it is in subnet ${e.SubnetId}, not in the request's subnets`;
  if (rec.securityGroupId && !(e.Groups ?? []).some((g) => g.GroupId === rec.securityGroupId))
    return `it is not in the request's security group ${rec.securityGroupId}`;
  return undefined;
}
const isOurs = (rec: ClaimedRecord) => (e: NetworkInterface) => eniNotOursBecause(e, rec) === undefined;

/**
 * Our ENI ids: the record's (our own creates, not yet known deleted) plus those found by our tag that pass the
 * ownership check; the others found by tag come back as `notOwned`.
 */
async function ourEnis(deps: Deps, rec: ClaimedRecord): Promise<{ ids: string[]; notOwned: Leftover[] }> {
  const recorded = (await deps.store.listEnis(rec.requestId)).flatMap((e) =>
    e.eniId && e.status !== 'DELETED' ? [e.eniId] : [],
  );
  const tagged: string[] = [];
  const notOwned: Leftover[] = [];
  for (const e of await findRequestEnis(deps.ec2(rec.region), rec.requestId)) {
    const why = eniNotOursBecause(e, rec);
    if (why === undefined) tagged.push(eniIdOf(e));
    else notOwned.push({ type: 'networkInterface', id: eniIdOf(e), reason: `not deleted: carries our tag but ${why}` });
  }
  const foreign = new Set(notOwned.map((n) => n.id));
  return { ids: [...new Set([...recorded.filter((id) => !foreign.has(id)), ...tagged])], notOwned };
}
async function ourEniIds(deps: Deps, rec: ClaimedRecord): Promise<string[]> {
  return (await ourEnis(deps, rec)).ids;
}

/**
 * Deletion is confirmed, not assumed. A resource we created that EC2 does not show (NotFound) counts as gone only when
 * that answer is stable: EC2 showed it to us after its creation (an ENI we granted a permission on), or the grace
 * period since its creation has passed. Until then it may simply not be visible yet (eventual consistency).
 */
function withinGrace(createdAt: string | undefined, deps: Deps): boolean {
  if (!createdAt) return false;
  return deps.now().getTime() - Date.parse(createdAt) < deps.config.deletionGraceMs;
}
function eniNotFoundIsUnconfirmed(e: EniRecord, deps: Deps): boolean {
  return e.status !== 'PERMITTED' && e.status !== 'REVOKED' && withinGrace(e.createdAt ?? e.updatedAt, deps);
}
const unconfirmedReason = (deps: Deps) =>
  `may still exist: EC2 answers NotFound, but it was created less than the deletion grace period (${Math.round(
    deps.config.deletionGraceMs / 1000,
  )} s on this clock) ago, when a NotFound is no proof (eventual consistency); run the teardown again later`;

/** Recorded ENIs (not DELETED) that EC2 does not show but that may still exist. */
async function unconfirmedEnis(deps: Deps, rec: ClaimedRecord, visible: Set<string>): Promise<EniRecord[]> {
  return (await deps.store.listEnis(rec.requestId)).filter(
    (e) => e.eniId && e.status !== 'DELETED' && !visible.has(e.eniId) && eniNotFoundIsUnconfirmed(e, deps),
  );
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
  const eniIds = (await existingEnis(ec2, await ourEniIds(deps, rec))).filter(isOurs(rec)).map(eniIdOf);
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
  // What EC2 shows now: a NotFound on deleting one of these is a real "gone" (we just saw it). Never what is not ours.
  const shown = await existingEnis(ec2, ids);
  const visible = new Set(shown.map(eniIdOf));
  const toDelete = shown.filter(isOurs(rec)).map(eniIdOf);
  const backoff = { baseDelayMs: deps.config.throttleBaseDelayMs, sleep: deps.sleep };
  const results = await mapLimit(toDelete, EC2_DELETE_CONCURRENCY, (id) =>
    withThrottleRetry(() => deleteNetworkInterface(ec2, id), backoff),
  );
  const deletedIds = new Set(toDelete.filter((_, i) => results[i]?.status === 'fulfilled'));
  const enis = (await deps.store.listEnis(rec.requestId)).filter((e) => e.eniId && e.status !== 'DELETED');
  const unconfirmed = enis.filter((e) => e.eniId && !visible.has(e.eniId) && eniNotFoundIsUnconfirmed(e, deps));
  const unconfirmedIds = new Set(unconfirmed.flatMap((e) => (e.eniId ? [e.eniId] : [])));
  await Promise.all(
    enis
      .filter((e) => e.eniId && (deletedIds.has(e.eniId) || (!visible.has(e.eniId) && !unconfirmedIds.has(e.eniId))))
      .map((e) => deps.store.updateEni(rec.requestId, e.slot, { status: 'DELETED' })),
  );
  throwIfInUse(results, 'ENIs are');
  if (unconfirmedIds.size) {
    const list = [...unconfirmedIds];
    throw new DeletionUnconfirmed(
      list,
      `${list.length} ENI(s) not confirmed deleted (NotFound within the grace period after creation): ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', ...' : ''}`,
    );
  }
  return { deleted: results.filter((r) => r.status === 'fulfilled' && r.value === 'deleted').length };
}

// ------------------------------------------------------------------ security group

/**
 * Our security group: the recorded one we created, else one of our deterministic name in the request's VPC. Deleted
 * only when it carries our tags and sits in the request's VPC; otherwise it is reported (`notOwned`), not deleted.
 */
async function ourSecurityGroup(deps: Deps, rec: ClaimedRecord): Promise<{ id?: string; notOwned?: Leftover }> {
  const ec2 = deps.ec2(rec.region);
  let id: string | undefined;
  if (rec.securityGroupId) {
    if (!rec.securityGroupCreatedByUs) return {};
    id = rec.securityGroupId;
  } else {
    if ('existingId' in rec.request.securityGroup) return {};
    id = (await findSecurityGroupByName(ec2, rec.vpcId, names.securityGroup(rec.requestId)))?.GroupId;
    if (!id) return {};
  }
  const g = await describeSecurityGroupFull(ec2, id);
  if (!g) return { id }; // not shown: the NotFound rules decide
  const why =
    tagValue(g.Tags, TAG_REQUEST_ID) !== rec.requestId
      ? `its ${TAG_REQUEST_ID} tag is not ${rec.requestId}`
      : tagValue(g.Tags, TAG_MANAGED_BY) !== MANAGED_BY_VALUE
        ? `it has no ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE} tag`
        : g.VpcId !== rec.vpcId
          ? `it is in ${g.VpcId}, not in the request's VPC ${rec.vpcId}`
          : undefined;
  return why ? { notOwned: { type: 'securityGroup', id, reason: `not deleted: ${why}` } } : { id };
}

function sgNotFoundIsUnconfirmed(rec: ClaimedRecord, id: string, deps: Deps): boolean {
  return (
    !rec.securityGroupDeletedAt &&
    rec.securityGroupId === id &&
    rec.securityGroupCreatedByUs === true &&
    withinGrace(rec.securityGroupCreatedAt, deps)
  );
}

export async function deleteSecurityGroup(ctx: TeardownContext, deps: Deps): Promise<{ deleted: boolean }> {
  const rec = await record(deps, ctx.requestId);
  const { id } = await ourSecurityGroup(deps, rec);
  if (!id) return { deleted: false };
  const r = await deleteEc2SecurityGroup(deps.ec2(rec.region), id);
  if (r === 'deleted') await deps.store.update(rec.requestId, { securityGroupDeletedAt: deps.now().toISOString() });
  if (r === 'gone' && sgNotFoundIsUnconfirmed(rec, id, deps))
    throw new DeletionUnconfirmed(
      [id],
      `security group ${id} not confirmed deleted (NotFound within the grace period after creation)`,
    );
  return { deleted: r === 'deleted' };
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

  // A Confluent answer that is neither the object nor 404 (403 access denied, an outage) proves nothing: the object
  // may still exist, so it is a leftover, with the reason. With nothing recorded, a failed list throws: the
  // inventory cannot be complete, so it does not pretend.
  const unchecked = (err: unknown) =>
    `may still exist: it could not be checked (${err instanceof Error ? err.name : 'Error'}: ${errorMessage(err)})`;
  const apId = await findAccessPointId(deps, rec);
  if (apId) {
    try {
      const ap = await deps.confluent.getAccessPoint(rec.environmentId, apId);
      if (ap)
        leftovers.push({
          type: 'accessPoint',
          id: apId,
          reason: why('accessPoint', `still exists (phase ${ap.status?.phase ?? 'unknown'})`),
        });
    } catch (err) {
      leftovers.push({
        type: 'accessPoint',
        id: apId,
        reason: `${why('accessPoint', 'not deleted')}; ${unchecked(err)}`,
      });
    }
  }
  const { ids, notOwned } = await ourEnis(deps, rec);
  const enis = (await existingEnis(ec2, ids)).filter(isOurs(rec));
  const stepError = ctx.errors?.enis ? ` (deleteEnis ended with ${ctx.errors.enis.Error ?? 'an error'})` : '';
  // ENIs EC2 does not show but whose NotFound is not yet proof: leftovers by id, never silently gone.
  for (const e of await unconfirmedEnis(deps, rec, new Set(enis.map(eniIdOf)))) {
    leftovers.push({ type: 'networkInterface', id: e.eniId ?? '', reason: `${unconfirmedReason(deps)}${stepError}` });
  }
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
    for (const e of enis) {
      const state = e.Attachment?.InstanceOwnerId
        ? `attached by account ${e.Attachment.InstanceOwnerId}`
        : `still exists (status ${e.Status})`;
      leftovers.push({ type: 'networkInterface', id: eniIdOf(e), reason: `${state}${stepError}` });
    }
  }
  const sg = await ourSecurityGroup(deps, rec);
  if (sg.notOwned) notOwned.push(sg.notOwned);
  if (sg.id && (await securityGroupExists(ec2, sg.id)))
    leftovers.push({ type: 'securityGroup', id: sg.id, reason: why('securityGroup', 'still exists') });
  else if (sg.id && sgNotFoundIsUnconfirmed(rec, sg.id, deps))
    leftovers.push({ type: 'securityGroup', id: sg.id, reason: unconfirmedReason(deps) });
  const gwId = await ourGatewayId(deps, rec);
  if (gwId) {
    // A gateway we created but another request's access point still uses is left, and said so: run this
    // teardown again once that request is torn down, and the gateway goes too.
    try {
      const gw = await deps.confluent.getGateway(rec.environmentId, gwId);
      if (gw)
        leftovers.push({
          type: 'gateway',
          id: gwId,
          reason:
            ctx.gatewayDeletion?.skipped ?? why('gateway', `still exists (phase ${gw.status?.phase ?? 'unknown'})`),
        });
    } catch (err) {
      leftovers.push({ type: 'gateway', id: gwId, reason: `${why('gateway', 'not deleted')}; ${unchecked(err)}` });
    }
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
    notOwned: notOwned.length ? notOwned : undefined,
    ...(outcome === 'TORN_DOWN' ? { phase: undefined } : {}),
  });
  if (ctx.mode === 'teardown') {
    await deps.store.releaseLock(rec.environmentId, rec.vpcId, updated.requestId);
    const base = {
      ...eventBase(updated, ctx.executionArn),
      mode: 'teardown' as const,
      ...(notOwned.length ? { notOwned } : {}),
    };
    await deps.publisher.publish(
      leftovers.length ? events.teardownFailed({ ...base, leftovers }) : events.teardownSucceeded(base),
    );
  }
  return { requestId: rec.requestId, mode: ctx.mode, outcome, leftovers, ...(notOwned.length ? { notOwned } : {}) };
}
