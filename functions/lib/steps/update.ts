/**
 * The in-place update workflow's steps (statemachine/update.asl.json): ValidateUpdate -> UpdateAccessPointRoutes
 * (+ wait until READY) -> UpdateSecurityGroupIngress -> RecordUpdate. The input is
 * `{ requestId, request, source? }`: the connection's full desired request (THE request contract).
 *
 * Extension (day 2: ENI count changes, `pni update`, EventBridge "PNI Update Requested"): the plan (diff.ts) gets
 * a new kind of change and the machine a new branch between the routes and the ingress; the input stays the same.
 */
import { PNI_INGRESS_PORTS } from '../constants.js';
import { RequestConflict, RequestInProgress, RequestInvalid, RequestLocked, errorMessage } from '../errors.js';
import { events } from '../events.js';
import { changeIngress, describeVpc } from '../ec2ops.js';
import { withDefaults } from '../request/live.js';
import { parseRequest, requestHash } from '../request/parse.js';
import type { Deps } from '../deps.js';
import type { UpdateRecord } from '../state.js';
import type {
  RecordUpdateInput,
  RecordUpdateOutput,
  UpdateAccessPointOutput,
  UpdateContext,
  UpdateInput,
  UpdateSecurityGroupOutput,
  ValidateUpdateInput,
} from '../contracts.js';
import { eventBase } from '../recordViews.js';
import { causeMessage, stepOf } from '../stepErrors.js';
import { immutableChanges, planUpdate } from '../update/diff.js';

function inputOf(raw: unknown): UpdateInput {
  const i = (raw ?? {}) as Partial<UpdateInput>;
  if (typeof i.requestId !== 'string' || i.requestId === '')
    throw new RequestInvalid('requestId', 'is required (the connection to update)');
  if (typeof i.request !== 'object' || i.request === null)
    throw new RequestInvalid('request', 'is required (the full desired request)');
  return { requestId: i.requestId, request: i.request, source: i.source };
}

/** The same schema as provisioning; only the routes and the ingress may differ from the connection as it is. */
export async function validateUpdate(ev: ValidateUpdateInput, deps: Deps): Promise<UpdateContext> {
  const { requestId, request } = inputOf(ev.input);
  const parsed = parseRequest({ ...(request as Record<string, unknown>), requestId }, requestId);
  const rec = await deps.store.get(requestId);
  if (!rec?.request) throw new RequestInvalid('requestId', `no connection ${requestId} is known`);
  if (rec.status !== 'SUCCEEDED')
    throw new RequestConflict(`connection ${requestId} is ${rec.status}: only a SUCCEEDED connection can be updated`);
  const running = rec.lastUpdate;
  if (
    running?.status === 'RUNNING' &&
    running.executionArn !== ev.execution.arn &&
    (await deps.executionStatus(running.executionArn)) === 'RUNNING'
  )
    throw new RequestInProgress(`connection ${requestId} is being updated by ${running.executionArn}`);
  const [changed] = immutableChanges(rec.request, parsed);
  if (changed) throw new RequestInvalid(changed, 'cannot change in place; create a new connection');
  const vpc = await describeVpc(deps.ec2(parsed.region), parsed.vpcId);
  if (!vpc) throw new RequestInvalid('vpcId', `VPC ${parsed.vpcId} was not found in region ${parsed.region}`);
  const next = withDefaults(parsed, vpc.cidr);
  const plan = planUpdate(rec.request, next);
  if ((plan.ingress.add.length || plan.ingress.remove.length) && !rec.securityGroupCreatedByUs)
    throw new RequestInvalid(
      'securityGroup.ingressCidrs',
      'the connection uses an existing security group: its rules are not ours to change',
    );
  if (!rec.accessPointId || !rec.securityGroupId || !rec.environmentId || !rec.vpcId)
    throw new RequestConflict(`connection ${requestId} has no access point or security group on record`);

  const lock = await deps.store.acquireLock(rec.environmentId, rec.vpcId, requestId);
  if (!lock.acquired)
    throw new RequestLocked(
      `environment ${rec.environmentId} and VPC ${rec.vpcId} are being worked on by request ${lock.holder}; try again when it finishes`,
    );
  const lastUpdate: UpdateRecord = {
    executionArn: ev.execution.arn,
    status: 'RUNNING',
    startedAt: deps.now().toISOString(),
  };
  await deps.store.update(requestId, { lastUpdate }, { version: rec.version, status: ['SUCCEEDED'] });
  return {
    requestId,
    executionArn: ev.execution.arn,
    environmentId: rec.environmentId,
    region: rec.region ?? parsed.region,
    accessPointId: rec.accessPointId,
    securityGroupId: rec.securityGroupId,
    request: next,
    plan,
    limits: deps.config.limits,
  };
}

/** PATCH the access point's egress_routes (Confluent replaces the list whole); nothing when they did not change. */
export async function updateAccessPoint(ctx: UpdateContext, deps: Deps): Promise<UpdateAccessPointOutput> {
  if (!ctx.plan.routes.changed) return { patched: false };
  await deps.confluent.updateAccessPoint(ctx.environmentId, ctx.accessPointId, { egressRoutes: ctx.plan.routes.to });
  return { patched: true };
}

/** Authorize / revoke exactly the difference (both PNI ports per CIDR). */
export async function updateSecurityGroup(ctx: UpdateContext, deps: Deps): Promise<UpdateSecurityGroupOutput> {
  const { add, remove } = ctx.plan.ingress;
  if (!add.length && !remove.length) return { authorized: 0, revoked: 0 };
  return changeIngress(deps.ec2(ctx.region), ctx.securityGroupId, add, remove);
}

const cidrsOf = (rules: { cidr: string; port: number }[]) =>
  [...new Set(rules.map((r) => r.cidr))].filter((c) =>
    PNI_INGRESS_PORTS.every((p) => rules.some((r) => r.cidr === c && r.port === p)),
  );

/**
 * The update's end: SUCCEEDED stores the new desired request; FAILED keeps the previous one. Both record
 * `lastUpdate` (what the Service Catalog answer reads), release the lock this execution took and emit the event.
 */
export async function recordUpdate(input: RecordUpdateInput, deps: Deps): Promise<RecordUpdateOutput> {
  const now = deps.now().toISOString();
  if (input.outcome === 'SUCCEEDED') {
    const ctx = input.context;
    const rec = await deps.store.get(ctx.requestId);
    const lastUpdate: UpdateRecord = {
      executionArn: ctx.executionArn,
      status: 'SUCCEEDED',
      startedAt: rec?.lastUpdate?.startedAt ?? now,
      finishedAt: now,
    };
    const updated = await deps.store.update(
      ctx.requestId,
      { request: ctx.request, requestHash: requestHash(ctx.request), lastUpdate },
      { status: ['SUCCEEDED'] },
    );
    await deps.store.releaseLock(ctx.environmentId, updated.vpcId ?? ctx.request.vpcId, ctx.requestId);
    await deps.publisher.publish(
      events.updateSucceeded({
        ...eventBase(updated, ctx.executionArn),
        changes: {
          egressRoutes: { from: ctx.plan.routes.from, to: ctx.plan.routes.to },
          ingressCidrs: { added: cidrsOf(ctx.plan.ingress.add), removed: cidrsOf(ctx.plan.ingress.remove) },
        },
      }),
    );
    return { requestId: ctx.requestId, status: 'SUCCEEDED' };
  }

  const { executionArn, error } = input.context;
  const name = error?.Error ?? 'UnknownError';
  const message = causeMessage(error?.Cause) || name;
  const failedStep = stepOf(message) ?? name;
  let requestId: string | undefined;
  try {
    requestId = inputOf(input.context.input).requestId;
  } catch (err) {
    return { error: { Error: name, Cause: `${message} (${errorMessage(err)})` } };
  }
  const rec = await deps.store.get(requestId);
  if (rec) {
    const ours = rec.lastUpdate?.executionArn === executionArn && rec.lastUpdate.status === 'RUNNING';
    const lastUpdate: UpdateRecord = {
      executionArn,
      status: 'FAILED',
      startedAt: ours && rec.lastUpdate ? rec.lastUpdate.startedAt : now,
      finishedAt: now,
      error: { name, message },
      failedStep,
    };
    const updated = await deps.store.update(requestId, { lastUpdate });
    if (ours && updated.environmentId && updated.vpcId)
      await deps.store.releaseLock(updated.environmentId, updated.vpcId, requestId);
    await deps.publisher.publish(
      events.updateFailed({ ...eventBase(updated, executionArn), error: { name, message }, failedStep }),
    );
  }
  return { error: { Error: name, Cause: message } };
}
