/**
 * (day 2) Repair of a live connection back to its desired state (the record), under the (environment, VPC) lock:
 * BeginRepair (lock) -> RepairConnection (security group rules, replaced ENIs, permissions, access point PATCH) ->
 * [wait for the access point READY] -> FinishRepair (re-check, record, unlock, event). What cannot be repaired
 * (a deleted security group, access point or gateway; an ENI moved to another group) is reported, not guessed at.
 */
import { createHash } from 'node:crypto';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { MAX_CLIENT_TOKEN_LENGTH, PERMISSION_GRANT_CONCURRENCY, REPAIR_LOCK_PREFIX, TAG_SLOT } from '../constants.js';
import {
  checkConnection,
  isForeignGrant,
  isWantedGrant,
  ruleKey,
  toIpPermission,
  type DesiredState,
  type SgRule,
} from '../connection.js';
import { ConnectionNotLive, ProvisioningStopped, RequestInvalid, RequestLocked, errorMessage } from '../errors.js';
import { events } from '../events.js';
import { createNetworkInterface, deletePermission, grantAttachPermission, mapEc2Error } from '../ec2ops.js';
import { slotNames } from '../eniPlan.js';
import { REQUEST_ID_PATTERN } from '../request/schema.js';
import type { Deps } from '../deps.js';
import type { Difference, Limits } from '../types.js';
import { mapLimit, withThrottleRetry } from '../concurrency.js';
import { resourceTags } from '../naming.js';
import { eventBase } from '../recordViews.js';
import { causeMessage } from '../stepErrors.js';
import { logger } from '../observability.js';

export interface RepairContext {
  requestId: string;
  executionArn: string;
  noop: boolean;
  reason?: string;
  environmentId: string;
  accessPointId: string;
  lockHolder: string;
  limits: Limits;
}

function requestIdOfInput(input: unknown): string {
  const i = (input ?? {}) as { requestId?: unknown; request?: { requestId?: unknown } };
  const id = typeof i.requestId === 'string' ? i.requestId : i.request?.requestId;
  if (typeof id !== 'string' || !REQUEST_ID_PATTERN.test(id))
    throw new RequestInvalid('requestId', 'is required: the id of the connection to repair');
  return id;
}

export async function beginRepair(
  ev: { input: unknown; execution: { arn: string } },
  deps: Deps,
): Promise<RepairContext> {
  const requestId = requestIdOfInput(ev.input);
  const lockHolder = `${REPAIR_LOCK_PREFIX}${requestId}`;
  const base = { requestId, executionArn: ev.execution.arn, lockHolder, limits: deps.config.limits };
  const rec = await deps.store.get(requestId);
  if (!rec) {
    const message = `no request with id ${requestId} is known: nothing to repair`;
    await deps.publisher.publish(
      events.requestNotFound({ requestId, executionArn: ev.execution.arn, action: 'repair', message }),
    );
    return { ...base, noop: true, reason: message, environmentId: '', accessPointId: '' };
  }
  // A refusal is announced (PNI Repair Failed with the error), then fails the execution with that error.
  const refuse = async (err: ConnectionNotLive | RequestLocked): Promise<never> => {
    await deps.publisher.publish(
      events.repairFailed({
        ...eventBase(rec, ev.execution.arn),
        error: { name: err.name, message: err.message },
        repaired: [],
        differences: [],
      }),
    );
    throw err;
  };
  if (rec.status !== 'SUCCEEDED' || !rec.environmentId || !rec.vpcId || !rec.accessPointId)
    return refuse(
      new ConnectionNotLive(`request ${requestId} is ${rec.status}: only a SUCCEEDED connection can be repaired`),
    );
  const lock = await deps.store.acquireLock(rec.environmentId, rec.vpcId, lockHolder);
  if (!lock.acquired)
    return refuse(
      new RequestLocked(
        `environment ${rec.environmentId} and VPC ${rec.vpcId} are being worked on by ${lock.holder}; try the repair again when it finishes`,
      ),
    );
  return { ...base, noop: false, environmentId: rec.environmentId, accessPointId: rec.accessPointId };
}

/** A fresh ClientToken for the ENI that replaces slot `slot` in this repair (replays within the repair execution). */
function repairToken(d: DesiredState, slot: number, executionArn: string): string {
  const hash = createHash('sha256').update(`${d.requestId}|${d.attempt}|${slot}|repair|${executionArn}`).digest('hex');
  return `pni-${hash.slice(0, 40)}`.slice(0, MAX_CLIENT_TOKEN_LENGTH);
}

async function changeRule(ec2: EC2Client, groupId: string, rule: SgRule, change: 'authorize' | 'revoke') {
  const IpPermissions = [toIpPermission(rule)];
  const input = { GroupId: groupId, IpPermissions };
  try {
    if (change === 'authorize' && rule.direction === 'ingress')
      await ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
    else if (change === 'authorize') await ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
    else if (rule.direction === 'ingress') await ec2.send(new RevokeSecurityGroupIngressCommand(input));
    else await ec2.send(new RevokeSecurityGroupEgressCommand(input));
  } catch (err) {
    const code = (err as { name?: string }).name ?? '';
    if (change === 'authorize' && code === 'InvalidPermission.Duplicate') return;
    if (change === 'revoke' && code === 'InvalidPermission.NotFound') return;
    throw mapEc2Error(err, `${change === 'authorize' ? 'restoring' : 'removing'} ${ruleKey(rule)} on ${groupId}`);
  }
}

export interface RepairOutcome {
  patched: boolean;
  repaired: string[];
  unrepaired: string[];
}

export async function repairConnection(ctx: RepairContext, deps: Deps): Promise<RepairOutcome> {
  const rec = await deps.store.get(ctx.requestId);
  if (rec?.status !== 'SUCCEEDED')
    throw new ProvisioningStopped(`request ${ctx.requestId} is no longer SUCCEEDED; not repairing it`);
  const { desired: d, observed: o } = await checkConnection(deps, rec);
  const ec2 = deps.ec2(d.region);
  const backoff = { baseDelayMs: deps.config.throttleBaseDelayMs, sleep: deps.sleep };
  const repaired: string[] = [];
  const unrepaired: string[] = [];

  // 1. Security group rules, exactly (only on a group we created; a deleted group cannot be restored in place).
  if (!o.securityGroup) unrepaired.push(`security group ${d.securityGroupId} is gone: tear down and provision again`);
  else if (d.securityGroupManaged) {
    const want = new Map(d.rules.map((r) => [ruleKey(r), r]));
    const have = new Map(o.securityGroup.rules.map((r) => [ruleKey(r), r]));
    for (const [k, r] of have)
      if (!want.has(k)) {
        await withThrottleRetry(() => changeRule(ec2, d.securityGroupId, r, 'revoke'), backoff);
        repaired.push(`removed ${k}`);
      }
    for (const [k, r] of want)
      if (!have.has(k)) {
        await withThrottleRetry(() => changeRule(ec2, d.securityGroupId, r, 'authorize'), backoff);
        repaired.push(`restored ${k}`);
      }
  }

  // 2. ENIs: a deleted ENI is replaced in its slot (same subnet, group, name; fresh ClientToken).
  const existing = new Map(o.enis.map((e) => [e.eniId, e]));
  const replaced = new Map<string, string>();
  const fresh: string[] = [];
  for (const e of d.enis) {
    const seen = existing.get(e.eniId);
    if (seen) {
      if (seen.subnetId !== e.subnetId || seen.groups.length !== 1 || seen.groups[0] !== d.securityGroupId)
        unrepaired.push(
          `ENI ${e.eniId} is in ${seen.subnetId} with ${seen.groups.join(', ') || 'no group'}: fix by hand`,
        );
      continue;
    }
    if (!o.securityGroup) continue;
    const current = await deps.store.get(ctx.requestId);
    if (current?.status !== 'SUCCEEDED')
      throw new ProvisioningStopped(`request ${ctx.requestId} is ${current?.status}; not creating anything more`);
    const names = slotNames(d.requestId, d.request.enisPerSubnet, e.slot);
    const created = await withThrottleRetry(
      () =>
        createNetworkInterface(ec2, {
          subnetId: e.subnetId,
          securityGroupId: d.securityGroupId,
          clientToken: repairToken(d, e.slot, ctx.executionArn),
          description: names.description,
          privateIp: d.request.ipAssignment.mode === 'sequential' ? e.ip : undefined,
          tags: resourceTags(d.requestId, d.request.tags, { Name: names.name, [TAG_SLOT]: String(e.slot) }),
        }),
      backoff,
    );
    await deps.store.putEni({
      requestId: d.requestId,
      attempt: d.attempt,
      slot: e.slot,
      subnetId: e.subnetId,
      zoneId: e.zoneId,
      ip: created.privateIp,
      eniId: created.eniId,
      status: 'CREATED',
    });
    replaced.set(e.eniId, created.eniId);
    fresh.push(created.eniId);
    repaired.push(`replaced ENI ${e.eniId} (slot ${e.slot}) with ${created.eniId}`);
  }

  // 3. Permissions: INSTANCE-ATTACH for the gateway's account on every ENI, none for anyone else.
  const slotOf = new Map(d.enis.map((e) => [replaced.get(e.eniId) ?? e.eniId, e.slot]));
  const needGrant = [
    ...d.enis
      .filter((e) => existing.has(e.eniId))
      .filter((e) => !o.permissions.some((p) => p.eniId === e.eniId && isWantedGrant(p, d.confluentAccount)))
      .map((e) => e.eniId),
    ...fresh,
  ];
  const grants = await mapLimit(needGrant, PERMISSION_GRANT_CONCURRENCY, async (eniId) => {
    const p = await withThrottleRetry(() => grantAttachPermission(ec2, eniId, d.confluentAccount), backoff);
    const slot = slotOf.get(eniId);
    if (slot !== undefined)
      await deps.store.updateEni(d.requestId, slot, { permissionId: p.permissionId, status: 'PERMITTED' });
    return eniId;
  });
  const foreign = o.permissions.filter((p) => isForeignGrant(p, d.confluentAccount));
  const revokes = await mapLimit(foreign, PERMISSION_GRANT_CONCURRENCY, (p) =>
    withThrottleRetry(() => deletePermission(ec2, p.permissionId), backoff),
  );
  for (const r of grants)
    if (r.status === 'fulfilled' && !fresh.includes(r.value))
      repaired.push(`granted INSTANCE-ATTACH on ${r.value} to ${d.confluentAccount}`);
  foreign.forEach((p, i) => {
    const r = revokes[i];
    if (r?.status === 'fulfilled') repaired.push(`revoked ${p.permission} on ${p.eniId} for ${p.account}`);
  });
  const failed = [...grants, ...revokes].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  for (const f of failed) unrepaired.push(`permission change failed: ${errorMessage(f.reason)}`);

  // 4. The access point: the same ENIs (replacements in their slots) and the same routes.
  let patched = false;
  if (!o.accessPoint) unrepaired.push(`access point ${d.accessPointId} is gone: tear down and provision again`);
  else {
    const wanted = d.enis.map((e) => replaced.get(e.eniId) ?? e.eniId);
    const listed = o.accessPoint.networkInterfaces;
    const sameEnis = wanted.length === listed.length && wanted.every((id) => listed.includes(id));
    const sameRoutes = [...d.egressRoutes].sort().join(',') === [...o.accessPoint.egressRoutes].sort().join(',');
    if (!sameEnis || !sameRoutes) {
      await deps.confluent.updateAccessPoint(d.environmentId, d.accessPointId, {
        networkInterfaces: wanted,
        egressRoutes: d.egressRoutes,
      });
      patched = true;
      repaired.push(
        `access point ${d.accessPointId}: ${[!sameEnis ? 'network interfaces' : '', !sameRoutes ? 'egress routes' : ''].filter(Boolean).join(' and ')} re-applied`,
      );
    } else if (o.accessPoint.phase !== 'READY')
      unrepaired.push(`access point ${d.accessPointId} is ${o.accessPoint.phase}: Confluent must fix it`);
  }
  if (!o.gateway) unrepaired.push(`gateway ${d.gatewayId} is gone: tear down and provision again`);
  else if (o.gateway.phase !== 'READY') unrepaired.push(`gateway ${d.gatewayId} is ${o.gateway.phase}`);
  return { patched, repaired, unrepaired };
}

export interface FinishRepairInput extends RepairContext {
  repair?: RepairOutcome;
  error?: { Error?: string; Cause?: string };
  /** Set by the ReleaseRepairLock state: FinishRepair itself failed for good (its Catch). */
  finishError?: { Error?: string; Cause?: string };
}
export interface RepairSummary {
  requestId: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  repaired: string[];
  unrepaired: string[];
  differences: Difference[];
  error?: { name: string; message: string };
}

function namedError(e: { Error?: string; Cause?: string } | undefined): { name: string; message: string } | undefined {
  return e ? { name: e.Error ?? 'UnknownError', message: causeMessage(e.Cause) || (e.Error ?? '') } : undefined;
}

/**
 * Re-check, record the check and the repair, release the lock, announce the outcome. With `finishError` (the
 * ReleaseRepairLock state, after FinishRepair failed for good) nothing is re-checked: the failure is recorded if the
 * record can be written, and the lock is released whatever happens to that write, so a failed repair never leaves the
 * (environment, VPC) pair locked.
 */
export async function finishRepair(ctx: FinishRepairInput, deps: Deps): Promise<RepairSummary> {
  const abandoned = namedError(ctx.finishError);
  const error = abandoned ?? namedError(ctx.error);
  const repaired = ctx.repair?.repaired ?? [];
  const unrepaired = ctx.repair?.unrepaired ?? [];
  const rec = await deps.store.get(ctx.requestId);
  if (!rec) throw new ConnectionNotLive(`request ${ctx.requestId} has no record`);
  let differences: Difference[] = [];
  if (rec.status === 'SUCCEEDED' && !abandoned) differences = (await checkConnection(deps, rec)).differences;
  const outcome = !error && differences.length === 0 ? 'SUCCEEDED' : 'FAILED';
  const now = deps.now().toISOString();
  const record = async () =>
    rec.status === 'SUCCEEDED'
      ? await deps.store.update(
          ctx.requestId,
          {
            lastRepair: {
              at: now,
              outcome,
              repaired,
              unrepaired,
              ...(error ? { error } : {}),
              executionArn: ctx.executionArn,
            },
            ...(abandoned
              ? {}
              : {
                  lastDriftCheck: {
                    checkedAt: now,
                    inSync: differences.length === 0,
                    differenceCount: differences.length,
                    differences: differences.slice(0, 100),
                    executionArn: ctx.executionArn,
                  },
                }),
          },
          { status: ['SUCCEEDED'] },
        )
      : rec;
  let updated = rec;
  try {
    updated = await record();
  } catch (err) {
    if (!abandoned) throw err;
    logger.error('repair: the failure could not be recorded; releasing the lock anyway', {
      requestId: ctx.requestId,
      error: errorMessage(err),
    });
  }
  if (updated.environmentId && updated.vpcId)
    await deps.store.releaseLock(updated.environmentId, updated.vpcId, ctx.lockHolder);
  const base = eventBase(updated, ctx.executionArn);
  await deps.publisher.publish(
    outcome === 'SUCCEEDED'
      ? events.repairSucceeded({ ...base, repaired })
      : events.repairFailed({ ...base, ...(error ? { error } : {}), repaired, differences }),
  );
  return { requestId: ctx.requestId, outcome, repaired, unrepaired, differences, ...(error ? { error } : {}) };
}
