/** The forward steps of provisioning after validation. Each is idempotent and records ids the moment they exist. */
import { ENI_PERMISSION, PERMISSION_GRANT_CONCURRENCY, TAG_REQUEST_ID, TAG_SLOT } from '../constants.js';
import {
  AccessPointFailed,
  Ec2RequestFailed,
  GatewayFailed,
  ProvisioningStopped,
  RequestConflict,
  errorMessage,
  present,
} from '../errors.js';
import { events } from '../events.js';
import {
  applySecurityGroupRules,
  createNetworkInterface,
  createSecurityGroup as createEc2SecurityGroup,
  findSecurityGroupByName,
  grantAttachPermission,
  tagValue,
} from '../ec2ops.js';
import { gatewayAccount, isPniGateway } from '../confluent/index.js';
import type { Deps } from '../deps.js';
import type { RequestRecord } from '../state.js';
import type {
  AccessPointStatusInput,
  CreateAccessPointInput,
  CreateAccessPointOutput,
  CreateEniInput,
  CreateGatewayOutput,
  CreateSecurityGroupOutput,
  EniResult,
  GatewayStatusInput,
  GatewayStatusOutput,
  GrantPermissionsInput,
  GrantPermissionsOutput,
  PollOutput,
  ProvisionContext,
  RecordPhaseInput,
} from '../contracts.js';
import { mapLimit, withThrottleRetry } from '../concurrency.js';
import { createdDuringAttempt, names, resourceTags } from '../naming.js';
import { eventBase } from '../recordViews.js';

async function ownRecord(deps: Deps, requestId: string): Promise<RequestRecord> {
  const rec = await deps.store.get(requestId);
  if (!rec) throw new RequestConflict(`request ${requestId} has no state record`);
  return rec;
}

/**
 * The fence before every create: only the execution that owns a PROVISIONING record may create. Once a rollback
 * (or teardown) has started, a create still in flight from a failed Parallel branch or Map iteration is refused
 * instead of leaving a resource behind the rollback's back.
 */
async function fence(deps: Deps, requestId: string, executionArn: string): Promise<RequestRecord> {
  const rec = await ownRecord(deps, requestId);
  if (rec.status !== 'PROVISIONING' || rec.executionArn !== executionArn) {
    throw new ProvisioningStopped(
      `request ${requestId} is ${rec.status} (owned by ${rec.executionArn}); not creating anything more`,
    );
  }
  return rec;
}

// ------------------------------------------------------------------ gateway

export async function createGateway(ctx: ProvisionContext, deps: Deps): Promise<CreateGatewayOutput> {
  const req = ctx.request;
  if ('existingId' in req.gateway) {
    await deps.store.update(
      ctx.requestId,
      { gatewayId: req.gateway.existingId, gatewayCreatedByUs: false },
      { executionArn: ctx.executionArn },
    );
    return { gatewayId: req.gateway.existingId, createdByUs: false };
  }
  const rec = await fence(deps, ctx.requestId, ctx.executionArn);
  if (rec.gatewayId && rec.gatewayCreatedByUs) return { gatewayId: rec.gatewayId, createdByUs: true };
  const displayName = names.gateway(req);
  // Find-before-create: the API has no idempotency key, so a gateway of our name created during this attempt is ours.
  const found = (await deps.confluent.listGateways(req.environmentId, { displayName })).find(
    (g) => isPniGateway(g) && g.status?.phase !== 'DEPROVISIONING' && createdDuringAttempt(g.metadata?.created_at, rec),
  );
  const gw =
    found ??
    (await deps.confluent.createGateway({
      environmentId: req.environmentId,
      displayName,
      region: req.region,
      zones: ctx.zones,
    }));
  const gatewayId = present(gw.id, 'the gateway id');
  await deps.store.update(ctx.requestId, { gatewayId, gatewayCreatedByUs: true }, { executionArn: ctx.executionArn });
  return { gatewayId, createdByUs: true };
}

export async function getGatewayStatus(input: GatewayStatusInput, deps: Deps): Promise<GatewayStatusOutput> {
  const gw = await deps.confluent.getGateway(input.environmentId, input.gatewayId);
  if (!gw) throw new GatewayFailed(`gateway ${input.gatewayId} no longer exists`);
  const phase = String(gw.status?.phase ?? 'UNKNOWN');
  const detail = [gw.status?.error_code, gw.status?.error_message].filter(Boolean).join(': ');
  switch (phase) {
    case 'PROVISIONING':
      return { attempt: input.attempt + 1, ready: false, phase };
    case 'CREATED':
    case 'READY': {
      const account = gatewayAccount(gw);
      if (!account) return { attempt: input.attempt + 1, ready: false, phase };
      await deps.store.update(input.requestId, { confluentAccount: account });
      return { attempt: input.attempt + 1, ready: true, phase, account };
    }
    case 'EXPIRED':
      throw new GatewayFailed(
        `gateway ${input.gatewayId} is EXPIRED (it timed out waiting for connections and can only be deleted)${detail ? `: ${detail}` : ''}`,
      );
    default:
      throw new GatewayFailed(`gateway ${input.gatewayId} is ${phase}${detail ? `: ${detail}` : ''}`);
  }
}

// ------------------------------------------------------------------ security group

export async function createSecurityGroup(ctx: ProvisionContext, deps: Deps): Promise<CreateSecurityGroupOutput> {
  const req = ctx.request;
  if ('existingId' in req.securityGroup) {
    await deps.store.update(
      ctx.requestId,
      { securityGroupId: req.securityGroup.existingId, securityGroupCreatedByUs: false },
      { executionArn: ctx.executionArn },
    );
    return { groupId: req.securityGroup.existingId, createdByUs: false };
  }
  const rec = await fence(deps, ctx.requestId, ctx.executionArn);
  const ec2 = deps.ec2(req.region);
  const name = names.securityGroup(ctx.requestId);
  // The id recorded by an earlier invocation wins: right after CreateSecurityGroup, EC2 may not list the group yet.
  const existing =
    rec.securityGroupId && rec.securityGroupCreatedByUs
      ? undefined
      : await findSecurityGroupByName(ec2, req.vpcId, name);
  let groupId: string;
  if (rec.securityGroupId && rec.securityGroupCreatedByUs) {
    groupId = rec.securityGroupId;
  } else if (existing) {
    if (tagValue(existing.Tags, TAG_REQUEST_ID) !== ctx.requestId) {
      throw new Ec2RequestFailed(
        'InvalidGroup.Duplicate',
        `a security group named ${name} already exists in ${req.vpcId} and was not created by request ${ctx.requestId}`,
      );
    }
    groupId = present(existing.GroupId, `the id of security group ${name}`);
  } else {
    groupId = await createEc2SecurityGroup(ec2, {
      vpcId: req.vpcId,
      name,
      description: `Confluent PNI ENIs of request ${ctx.requestId} (managed by pni-provisioner)`,
      tags: resourceTags(ctx.requestId, req.tags, { Name: name }),
    });
  }
  await deps.store.update(
    ctx.requestId,
    {
      securityGroupId: groupId,
      securityGroupCreatedByUs: true,
      securityGroupCreatedAt: rec.securityGroupCreatedAt ?? deps.now().toISOString(),
    },
    { executionArn: ctx.executionArn },
  );
  const sg = req.securityGroup;
  await applySecurityGroupRules(ec2, groupId, {
    ingressCidrs: sg.ingressCidrs ?? [ctx.vpcCidr],
    egressRules: sg.egressRules,
  });
  return { groupId, createdByUs: true };
}

// ------------------------------------------------------------------ ENIs

export async function createEni(input: CreateEniInput, deps: Deps): Promise<EniResult> {
  const s = input.slot;
  await fence(deps, input.requestId, input.executionArn);
  const { eniId, privateIp } = await createNetworkInterface(deps.ec2(input.region), {
    subnetId: s.subnetId,
    securityGroupId: input.securityGroupId,
    clientToken: s.clientToken,
    description: s.description,
    privateIp: s.privateIp,
    tags: resourceTags(input.requestId, input.tags, { Name: s.name, [TAG_SLOT]: String(s.slot) }),
  });
  await deps.store.putEni({
    requestId: input.requestId,
    attempt: input.attempt,
    slot: s.slot,
    subnetId: s.subnetId,
    zoneId: s.zoneId,
    ip: privateIp,
    eniId,
    status: 'CREATED',
  });
  return { slot: s.slot, eniId, privateIp, subnetId: s.subnetId };
}

// ------------------------------------------------------------------ phases

export async function recordPhase(input: RecordPhaseInput, deps: Deps): Promise<void> {
  const d = input.details ?? {};
  await fence(deps, input.requestId, input.executionArn);
  const rec = await deps.store.update(
    input.requestId,
    {
      phase: input.phase,
      ...(d.confluentAccount ? { confluentAccount: d.confluentAccount } : {}),
    },
    { executionArn: input.executionArn, status: ['PROVISIONING'] },
  );
  await deps.publisher.publish(events.phaseChanged({ ...eventBase(rec), phase: input.phase }));
}

// ------------------------------------------------------------------ permissions

/** INSTANCE-ATTACH for the gateway's account on every ENI, at most PERMISSION_GRANT_CONCURRENCY in flight. */
export async function grantPermissions(input: GrantPermissionsInput, deps: Deps): Promise<GrantPermissionsOutput> {
  if (!/^\d{12}$/.test(input.account ?? ''))
    throw new GatewayFailed(`the gateway reported no valid Confluent AWS account (got "${input.account}")`);
  const ec2 = deps.ec2(input.region);
  const backoff = { baseDelayMs: deps.config.throttleBaseDelayMs, sleep: deps.sleep };
  const results = await mapLimit(input.enis, PERMISSION_GRANT_CONCURRENCY, async (eni) => {
    const p = await withThrottleRetry(() => grantAttachPermission(ec2, eni.eniId, input.account), backoff);
    await deps.store.updateEni(input.requestId, eni.slot, { permissionId: p.permissionId, status: 'PERMITTED' });
    return p;
  });
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    // Report the most actionable error: a permanent one wins over throttling (which the state machine retries).
    const permanent = failed.map((f) => f.reason as Error).find((e) => !(e as { transient?: boolean }).transient);
    const e = permanent ?? (failed[0].reason as Error);
    e.message = `${failed.length} of ${input.enis.length} ${ENI_PERMISSION} grants failed; ${permanent ? 'a permanent one' : 'first'}: ${errorMessage(e)}`;
    throw e;
  }
  const created = results.filter((r) => r.status === 'fulfilled' && r.value.created).length;
  return { granted: input.enis.length, created };
}

// ------------------------------------------------------------------ access point

export async function createAccessPoint(ctx: CreateAccessPointInput, deps: Deps): Promise<CreateAccessPointOutput> {
  const req = ctx.request;
  const rec = await fence(deps, ctx.requestId, ctx.executionArn);
  if (rec.accessPointId) return { accessPointId: rec.accessPointId };
  const gatewayId = ctx.resources.gateway.gatewayId;
  const displayName = names.accessPoint(req);
  const found = (await deps.confluent.listAccessPoints(req.environmentId, { gatewayId, displayName })).find(
    (ap) => ap.status?.phase !== 'DEPROVISIONING' && createdDuringAttempt(ap.metadata?.created_at, rec),
  );
  const eniIds = [...ctx.resources.enis].sort((a, b) => a.slot - b.slot).map((e) => e.eniId);
  const ap =
    found ??
    (await deps.confluent.createAccessPoint({
      environmentId: req.environmentId,
      gatewayId,
      displayName,
      networkInterfaces: eniIds,
      account: ctx.customerAccount,
      egressRoutes: req.egressRoutes,
    }));
  const accessPointId = present(ap.id, 'the access point id');
  await deps.store.update(ctx.requestId, { accessPointId }, { executionArn: ctx.executionArn });
  return { accessPointId };
}

export async function getAccessPointStatus(input: AccessPointStatusInput, deps: Deps): Promise<PollOutput> {
  const ap = await deps.confluent.getAccessPoint(input.environmentId, input.accessPointId);
  if (!ap) throw new AccessPointFailed(`access point ${input.accessPointId} no longer exists`);
  const phase = String(ap.status?.phase ?? 'UNKNOWN');
  if (phase === 'READY') return { attempt: input.attempt + 1, ready: true, phase };
  if (phase === 'PROVISIONING') return { attempt: input.attempt + 1, ready: false, phase };
  const detail = [ap.status?.error_code, ap.status?.error_message].filter(Boolean).join(': ');
  throw new AccessPointFailed(`access point ${input.accessPointId} is ${phase}${detail ? `: ${detail}` : ''}`);
}
