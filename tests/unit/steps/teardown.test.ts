/** Teardown (and provision's rollback): begin, delete in the safe order, finish with an honest inventory. */
import 'aws-sdk-client-mock-jest';
import {
  DeleteNetworkInterfaceCommand,
  DeleteNetworkInterfacePermissionCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacePermissionsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type NetworkInterface,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  beginTeardown,
  deleteAccessPoint,
  deleteEnis,
  deleteGateway,
  deleteSecurityGroup,
  finishTeardown,
  getDeletionStatus,
  revokePermissions,
} from '#lib/steps/teardown.js';
import type { TeardownContext } from '#lib/contracts.js';
import type { RequestRecord } from '#lib/state.js';
import {
  CONFLUENT_ACCOUNT,
  ENV,
  EXEC_ARN,
  REGION,
  SG_ID,
  SUBNET_A,
  TEARDOWN_ARN,
  VPC,
  awsError,
  ebMock,
  ec2CommandNames,
  ec2Mock,
  eni,
  makeHarness,
  publishedEvents,
  seedRecord,
  startDynamo,
  type Dynamo,
  type Harness,
} from './deps.js';

let d: Dynamo;
let h: Harness;
beforeAll(async () => {
  d = await startDynamo();
});
afterAll(async () => {
  await d.close();
});
beforeEach(async () => {
  h = await makeHarness(d);
});

const RID = 'pni-payments-usw2';
const GW = 'gw-ours1';
const AP = 'ap-ours1';
const eniIdOf = (slot: number) => `eni-${String(slot).padStart(17, '0')}`;
const TAG = 'pni:request-id';
type Filters = { Name: string; Values: string[] }[];

/** A little EC2 account: ENIs (with tags), permissions and security groups, with per-id delete errors. */
class World {
  enis = new Map<string, NetworkInterface>();
  perms = new Map<string, { id: string; eniId: string }>();
  groups = new Map<string, SecurityGroup>();
  deleteErrors = new Map<string, Error>();

  addEni(id: string, opts: { tagged?: boolean; over?: Partial<NetworkInterface> } = {}) {
    this.enis.set(
      id,
      eni(id, {
        TagSet:
          opts.tagged === false
            ? []
            : [
                { Key: TAG, Value: RID },
                { Key: 'pni:managed-by', Value: 'pni-provisioner' },
              ],
        VpcId: VPC,
        Groups: [{ GroupId: SG_ID }],
        ...opts.over,
      }),
    );
  }
  addPerm(eniId: string) {
    const id = `eni-perm-${eniId.slice(4)}`;
    this.perms.set(id, { id, eniId });
    return id;
  }

  install() {
    ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake((input: { Filters: Filters }) => {
      const tag = input.Filters.find((f) => f.Name === `tag:${TAG}`)?.Values;
      const ids = input.Filters.find((f) => f.Name === 'network-interface-id')?.Values;
      const all = [...this.enis.values()];
      const out = all.filter(
        (e) =>
          (!tag || e.TagSet?.some((t) => t.Key === TAG && tag.includes(t.Value!))) &&
          (!ids || ids.includes(e.NetworkInterfaceId!)),
      );
      return { NetworkInterfaces: structuredClone(out) };
    });
    ec2Mock.on(DescribeNetworkInterfacePermissionsCommand).callsFake((input: { Filters: Filters }) => {
      const ids =
        input.Filters.find((f) => f.Name === 'network-interface-permission.network-interface-id')?.Values ?? [];
      return {
        NetworkInterfacePermissions: [...this.perms.values()]
          .filter((p) => ids.includes(p.eniId))
          .map((p) => ({
            NetworkInterfacePermissionId: p.id,
            NetworkInterfaceId: p.eniId,
            AwsAccountId: CONFLUENT_ACCOUNT,
            Permission: 'INSTANCE-ATTACH' as const,
            PermissionState: { State: 'granted' as const },
          })),
      };
    });
    ec2Mock.on(DeleteNetworkInterfacePermissionCommand).callsFake((input: { NetworkInterfacePermissionId: string }) => {
      const id = input.NetworkInterfacePermissionId;
      if (this.deleteErrors.has(id)) throw this.deleteErrors.get(id);
      if (!this.perms.delete(id))
        throw awsError('InvalidPermissionID.NotFound', { message: `The permission ID '${id}' does not exist` });
      return { Return: true };
    });
    ec2Mock.on(DeleteNetworkInterfaceCommand).callsFake((input: { NetworkInterfaceId: string }) => {
      const id = input.NetworkInterfaceId;
      if (this.deleteErrors.has(id)) throw this.deleteErrors.get(id);
      if (!this.enis.delete(id))
        throw awsError('InvalidNetworkInterfaceID.NotFound', {
          message: `The networkInterface ID '${id}' does not exist`,
        });
      return {};
    });
    ec2Mock.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds?: string[]; Filters?: Filters }) => {
      if (input.GroupIds) {
        const g = input.GroupIds.map((id) => this.groups.get(id)).filter(Boolean);
        if (!g.length) throw awsError('InvalidGroup.NotFound', { message: 'The security group does not exist' });
        return { SecurityGroups: structuredClone(g) };
      }
      const name = input.Filters?.find((f) => f.Name === 'group-name')?.Values ?? [];
      return { SecurityGroups: [...this.groups.values()].filter((g) => name.includes(g.GroupName!)) };
    });
    ec2Mock.on(DeleteSecurityGroupCommand).callsFake((input: { GroupId: string }) => {
      if (this.deleteErrors.has(input.GroupId)) throw this.deleteErrors.get(input.GroupId);
      if (!this.groups.delete(input.GroupId))
        throw awsError('InvalidGroup.NotFound', { message: 'The security group does not exist' });
      return {};
    });
    return this;
  }
}

/** A SUCCEEDED request with 3 recorded ENIs (slots 0-2) holding permissions, our SG, gateway and access point. */
async function provisionedWorld(over: Partial<RequestRecord> = {}) {
  const rec = await seedRecord(h, {
    status: 'SUCCEEDED',
    gatewayId: GW,
    gatewayCreatedByUs: true,
    confluentAccount: CONFLUENT_ACCOUNT,
    securityGroupId: SG_ID,
    securityGroupCreatedByUs: true,
    accessPointId: AP,
    ...over,
  });
  const w = new World();
  for (const slot of [0, 1, 2]) {
    await h.store.putEni({
      requestId: RID,
      attempt: 1,
      slot,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      eniId: eniIdOf(slot),
      status: 'PERMITTED',
      permissionId: `eni-perm-${eniIdOf(slot).slice(4)}`,
    });
    w.addEni(eniIdOf(slot));
    w.addPerm(eniIdOf(slot));
  }
  w.groups.set(SG_ID, {
    GroupId: SG_ID,
    GroupName: `pni-${RID}`,
    VpcId: VPC,
    Tags: [
      { Key: TAG, Value: RID },
      { Key: 'pni:managed-by', Value: 'pni-provisioner' },
    ],
  });
  h.confluent.addGateway({ id: GW, displayName: 'payments-usw2' });
  h.confluent.addAccessPoint({ id: AP, gatewayId: GW, displayName: 'payments-usw2' });
  return { rec, w: w.install() };
}

function ctxOf(mode: 'teardown' | 'rollback' = 'teardown', errors: TeardownContext['errors'] = {}): TeardownContext {
  return {
    requestId: RID,
    mode,
    executionArn: TEARDOWN_ARN,
    noop: false,
    leftovers: [],
    environmentId: ENV,
    region: REGION,
    vpcId: VPC,
    limits: h.deps.config.limits,
    errors,
  };
}
const begin = (input: unknown, arn = TEARDOWN_ARN) =>
  beginTeardown({ input, execution: { arn, name: arn.split(':').pop()! } }, h.deps);

// ------------------------------------------------------------------ begin

describe('beginTeardown', () => {
  test('an unknown request id -> noop', async () => {
    const ctx = await begin({ requestId: 'nobody' });
    expect(ctx).toMatchObject({ requestId: 'nobody', noop: true, outcome: 'NOOP', mode: 'teardown' });
    expect(await h.store.get('nobody')).toBeUndefined();
  });

  test('TORN_DOWN -> noop, record untouched', async () => {
    const rec = await seedRecord(h, { status: 'TORN_DOWN' });
    const ctx = await begin({ requestId: RID });
    expect(ctx).toMatchObject({ noop: true, outcome: 'NOOP' });
    expect((await h.store.get(RID))?.version).toBe(rec.version);
  });

  test('PROVISIONING by a running execution -> RequestInProgress', async () => {
    await seedRecord(h, { status: 'PROVISIONING' });
    h.executions.set(EXEC_ARN, 'RUNNING');
    await expect(begin({ requestId: RID })).rejects.toMatchObject({ name: 'RequestInProgress' });
    expect((await h.store.get(RID))?.status).toBe('PROVISIONING');
  });

  test('PROVISIONING left behind by a stopped execution -> TEARING_DOWN', async () => {
    await seedRecord(h, { status: 'PROVISIONING' });
    h.executions.set(EXEC_ARN, 'ABORTED');
    await expect(begin({ requestId: RID })).resolves.toMatchObject({ noop: false });
    expect((await h.store.get(RID))?.status).toBe('TEARING_DOWN');
  });

  test('SUCCEEDED -> TEARING_DOWN with the teardown execution recorded; the context carries what later states need', async () => {
    await seedRecord(h, { status: 'SUCCEEDED' });
    const ctx = await begin({ requestId: RID });
    expect(ctx).toMatchObject({
      requestId: RID,
      mode: 'teardown',
      noop: false,
      executionArn: TEARDOWN_ARN,
      environmentId: ENV,
      region: REGION,
      vpcId: VPC,
      errors: {},
      leftovers: [],
    });
    expect(await h.store.get(RID)).toMatchObject({
      status: 'TEARING_DOWN',
      teardownExecutionArn: TEARDOWN_ARN,
      executionArn: EXEC_ARN,
    });
  });

  test('TEARING_DOWN by another running teardown -> RequestInProgress', async () => {
    await seedRecord(h, {
      status: 'TEARING_DOWN',
      teardownExecutionArn: 'arn:aws:states:us-west-2:111122223333:execution:pni-teardown:other',
    });
    h.executions.set('arn:aws:states:us-west-2:111122223333:execution:pni-teardown:other', 'RUNNING');
    await expect(begin({ requestId: RID })).rejects.toMatchObject({ name: 'RequestInProgress' });
  });

  test('rollback mode after the provisioning execution claimed the rollback -> runs, ROLLING_BACK', async () => {
    await seedRecord(h, { status: 'ROLLING_BACK' });
    h.executions.set(EXEC_ARN, 'RUNNING');
    // The provision ASL's Rollback state passes exactly this input, after ClaimRollback.
    const ctx = await begin({ requestId: RID, mode: 'rollback', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: EXEC_ARN });
    expect(ctx).toMatchObject({ mode: 'rollback', noop: false });
    expect(await h.store.get(RID)).toMatchObject({ status: 'ROLLING_BACK', teardownExecutionArn: TEARDOWN_ARN });
  });

  test('rollback mode naming the running provisioning without its claim is refused and changes nothing (issue 8)', async () => {
    await seedRecord(h, { status: 'PROVISIONING' });
    h.executions.set(EXEC_ARN, 'RUNNING');
    const before = await h.store.get(RID);
    await expect(
      begin({ requestId: RID, mode: 'rollback', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: EXEC_ARN }),
    ).rejects.toMatchObject({ name: 'RequestInvalid', message: expect.stringMatching(/no rollback claimed/) });
    expect(await h.store.get(RID)).toEqual(before);
  });

  test('mode "rollback" from anyone but the provisioning execution must not take over a SUCCEEDED request', async () => {
    // A console StartExecution of the teardown machine with {"mode":"rollback"}: rollback mode publishes no event and
    // releases no lock, so it must not be a silent way to tear down a live connection.
    await seedRecord(h, { status: 'SUCCEEDED' });
    await expect(begin({ requestId: RID, mode: 'rollback' })).rejects.toBeInstanceOf(Error);
    expect((await h.store.get(RID))?.status).toBe('SUCCEEDED');
  });

  test('mode "rollback" from anyone but the provisioning execution must not bypass the running-execution guard', async () => {
    await seedRecord(h, { status: 'PROVISIONING' });
    h.executions.set(EXEC_ARN, 'RUNNING');
    await expect(begin({ requestId: RID, mode: 'rollback' })).rejects.toMatchObject({
      name: 'RequestInvalid',
      message: expect.stringMatching(/^mode: "rollback" is reserved/),
    });
    expect((await h.store.get(RID))?.status).toBe('PROVISIONING');
  });

  test('no requestId -> RequestInvalid', async () => {
    await expect(begin({})).rejects.toMatchObject({ name: 'RequestInvalid' });
  });
});

// ------------------------------------------------------------------ access point

describe('deleteAccessPoint / getDeletionStatus', () => {
  test('no access point (none recorded, none of our name) -> gone, no delete', async () => {
    await seedRecord(h, { status: 'TEARING_DOWN', gatewayId: GW, gatewayCreatedByUs: true });
    h.confluent.addAccessPoint({ gatewayId: GW, displayName: 'someone-else' });
    expect(await deleteAccessPoint(ctxOf(), h.deps)).toEqual({ gone: true, attempt: 0 });
    expect(h.confluent.callsOf('deleteAccessPoint')).toHaveLength(0);
  });

  test('the recorded access point is deleted; then polled until gone', async () => {
    await seedRecord(h, { status: 'TEARING_DOWN', gatewayId: GW, gatewayCreatedByUs: true, accessPointId: AP });
    h.confluent.addAccessPoint({ id: AP, gatewayId: GW });
    expect(await deleteAccessPoint(ctxOf(), h.deps)).toEqual({ gone: false, id: AP, attempt: 0 });
    expect(h.confluent.callsOf('deleteAccessPoint')[0].args).toEqual([ENV, AP]);
    expect(await getDeletionStatus({ kind: 'accessPoint', environmentId: ENV, id: AP, attempt: 0 }, h.deps)).toEqual({
      gone: false,
      id: AP,
      attempt: 1,
    });
    h.confluent.accessPoints.delete(AP);
    expect(await getDeletionStatus({ kind: 'accessPoint', environmentId: ENV, id: AP, attempt: 1 }, h.deps)).toEqual({
      gone: true,
      id: AP,
      attempt: 2,
    });
  });

  test('an unrecorded access point of our name created during the attempt (crash before the record) is found and deleted', async () => {
    await seedRecord(h, { status: 'ROLLING_BACK', gatewayId: GW, gatewayCreatedByUs: true });
    h.clock.advance(1000);
    const orphan = h.confluent.addAccessPoint({ gatewayId: GW, displayName: 'payments-usw2', phase: 'PROVISIONING' });
    expect(await deleteAccessPoint(ctxOf('rollback'), h.deps)).toMatchObject({ gone: false, id: orphan.id });
  });
});

// ------------------------------------------------------------------ permissions and ENIs

describe('revokePermissions', () => {
  test('finds ENIs by record AND by tag, revokes every permission, NotFound counts as done', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.addEni(eniIdOf(9)); // tagged, never recorded (crash before putEni)
    const p9 = w.addPerm(eniIdOf(9));
    w.perms.delete(`eni-perm-${eniIdOf(1).slice(4)}`); // already revoked
    const out = await revokePermissions(ctxOf(), h.deps);
    expect(out).toEqual({ revoked: 3 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: `tag:${TAG}`, Values: [RID] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteNetworkInterfacePermissionCommand, {
      NetworkInterfacePermissionId: p9,
    });
    expect(w.perms.size).toBe(0);
  });

  test('a permission that cannot be revoked yet -> ResourceInUse after the others were revoked', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    const stuck = `eni-perm-${eniIdOf(0).slice(4)}`;
    w.deleteErrors.set(stuck, awsError('InvalidPermission.IncorrectState', { message: 'the ENI is attached' }));
    const err = await revokePermissions(ctxOf(), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ResourceInUse' });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteNetworkInterfacePermissionCommand, 3);
    expect([...w.perms.keys()]).toEqual([stuck]);
  });
});

describe('deleteEnis', () => {
  test('deletes recorded and tagged ENIs; NotFound = done; in-use -> ResourceInUse after processing the others', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.addEni(eniIdOf(9)); // tagged only
    w.enis.delete(eniIdOf(1)); // already gone
    w.deleteErrors.set(
      eniIdOf(2),
      awsError('InvalidNetworkInterface.InUse', { message: `The interface ${eniIdOf(2)} is currently in use.` }),
    );
    const err = await deleteEnis(ctxOf(), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ResourceInUse' });
    expect((err as Error).message).toContain(eniIdOf(2));
    const deleted = ec2Mock
      .commandCalls(DeleteNetworkInterfaceCommand)
      .map((c) => c.args[0].input.NetworkInterfaceId)
      .sort();
    // eniIdOf(1) is not shown by EC2 and was permitted (EC2 showed it to us after its creation): confirmed gone, no call.
    expect(deleted).toEqual([eniIdOf(0), eniIdOf(2), eniIdOf(9)]);
    expect([...w.enis.keys()]).toEqual([eniIdOf(2)]);
    const recs = await h.store.listEnis(RID);
    expect(recs.map((r) => [r.slot, r.status])).toEqual([
      [0, 'DELETED'],
      [1, 'DELETED'],
      [2, 'PERMITTED'],
    ]);
  });

  test('deletion is confirmed, not assumed: NotFound within the grace period after creation -> DeletionUnconfirmed, the record keeps the ENI (issue 8)', async () => {
    const { w } = await provisionedWorld({ status: 'ROLLING_BACK' });
    await h.store.updateEni(RID, 1, { status: 'CREATED', permissionId: undefined });
    w.enis.delete(eniIdOf(1)); // not visible (yet): never permitted, created just now
    const err = await deleteEnis(ctxOf('rollback'), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'DeletionUnconfirmed', ids: [eniIdOf(1)] });
    expect((await h.store.listEnis(RID)).map((r) => [r.slot, r.status])).toEqual([
      [0, 'DELETED'],
      [1, 'CREATED'],
      [2, 'DELETED'],
    ]);
    // FinishTeardown names it, by id.
    const out = await finishTeardown(ctxOf('rollback', { enis: { Error: 'DeletionUnconfirmed', Cause: 'x' } }), h.deps);
    expect(out.leftovers.filter((l) => l.type === 'networkInterface')).toEqual([
      {
        type: 'networkInterface',
        id: eniIdOf(1),
        reason: expect.stringMatching(/may still exist: EC2 answers NotFound/),
      },
    ]);
    // Once the grace period has passed, the same NotFound counts as gone.
    h.clock.advance(h.deps.config.deletionGraceMs);
    await expect(deleteEnis(ctxOf('rollback'), h.deps)).resolves.toEqual({ deleted: 0 });
    expect((await h.store.listEnis(RID)).map((r) => r.status)).toEqual(['DELETED', 'DELETED', 'DELETED']);
  });

  test('the security group: NotFound within the grace period after our create -> DeletionUnconfirmed, then a leftover', async () => {
    const { w } = await provisionedWorld({
      status: 'ROLLING_BACK',
      securityGroupCreatedAt: new Date(h.clock.t).toISOString(),
    });
    w.groups.clear();
    await expect(deleteSecurityGroup(ctxOf('rollback'), h.deps)).rejects.toMatchObject({
      name: 'DeletionUnconfirmed',
      ids: [SG_ID],
    });
    const out = await finishTeardown(ctxOf('rollback'), h.deps);
    expect(out.leftovers.find((l) => l.type === 'securityGroup')).toMatchObject({
      id: SG_ID,
      reason: /may still exist/,
    });
    h.clock.advance(h.deps.config.deletionGraceMs);
    await expect(deleteSecurityGroup(ctxOf('rollback'), h.deps)).resolves.toEqual({ deleted: false });
  });

  test('ownership before every delete: an ENI carrying our tag in another VPC, subnet or security group, or without our managed-by tag, is reported, not deleted (issue 8)', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    const foreign = {
      'eni-0000000000000000a': { VpcId: 'vpc-0f9e8d7c6b5a49382' },
      'eni-0000000000000000b': { SubnetId: 'subnet-0f6f6f6f6f6f6f6f6' },
      'eni-0000000000000000c': { Groups: [{ GroupId: 'sg-0fffffffffffffff0' }] },
      'eni-0000000000000000d': { TagSet: [{ Key: TAG, Value: RID }] },
    };
    for (const [id, over] of Object.entries(foreign)) w.addEni(id, { over });
    await deleteEnis(ctxOf(), h.deps);
    expect([...w.enis.keys()].sort()).toEqual(Object.keys(foreign).sort());
    const out = await finishTeardown(ctxOf(), h.deps);
    expect(out.leftovers.filter((l) => l.type === 'networkInterface')).toEqual([]);
    expect(out.notOwned?.map((n) => n.id).sort()).toEqual(Object.keys(foreign).sort());
    expect(out.notOwned?.find((n) => n.id === 'eni-0000000000000000a')?.reason).toMatch(/not in the request's VPC/);
    expect((await h.store.get(RID))?.notOwned).toEqual(out.notOwned);
  });

  test('all gone -> deleted count, no error', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.enis.delete(eniIdOf(0));
    await expect(deleteEnis(ctxOf(), h.deps)).resolves.toEqual({ deleted: 2 });
  });

  test('a permanent error wins over in-use', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.deleteErrors.set(eniIdOf(0), awsError('InvalidNetworkInterface.InUse'));
    w.deleteErrors.set(eniIdOf(1), awsError('UnauthorizedOperation', { status: 403 }));
    await expect(deleteEnis(ctxOf(), h.deps)).rejects.toMatchObject({ name: 'Ec2RequestFailed' });
  });
});

// ------------------------------------------------------------------ security group

describe('deleteSecurityGroup', () => {
  test('deletes our group', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    expect(await deleteSecurityGroup(ctxOf(), h.deps)).toEqual({ deleted: true });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSecurityGroupCommand, { GroupId: SG_ID });
    expect(w.groups.size).toBe(0);
  });

  test('DependencyViolation -> ResourceInUse', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.deleteErrors.set(SG_ID, awsError('DependencyViolation', { message: `resource ${SG_ID} has a dependent object` }));
    await expect(deleteSecurityGroup(ctxOf(), h.deps)).rejects.toMatchObject({ name: 'ResourceInUse' });
  });

  test('already gone -> deleted false, no error', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.groups.clear();
    await expect(deleteSecurityGroup(ctxOf(), h.deps)).resolves.toEqual({ deleted: false });
  });

  test('a group not created by us -> no EC2 call', async () => {
    await provisionedWorld({ status: 'TEARING_DOWN', securityGroupCreatedByUs: false });
    ec2Mock.resetHistory();
    expect(await deleteSecurityGroup(ctxOf(), h.deps)).toEqual({ deleted: false });
    expect(ec2CommandNames()).toEqual([]);
  });

  test('an existingId request with no id recorded -> no EC2 call', async () => {
    await seedRecord(h, { status: 'ROLLING_BACK' }, { securityGroup: { existingId: 'sg-0aaaaaaaaaaaaaaa1' } });
    new World().install();
    expect(await deleteSecurityGroup(ctxOf('rollback'), h.deps)).toEqual({ deleted: false });
    expect(ec2CommandNames()).toEqual([]);
  });
});

// ------------------------------------------------------------------ gateway

describe('deleteGateway', () => {
  test('deletes the gateway we created once our access point is gone', async () => {
    await provisionedWorld({ status: 'TEARING_DOWN' });
    h.confluent.accessPoints.delete(AP);
    expect(await deleteGateway(ctxOf(), h.deps)).toEqual({ gone: false, id: GW, attempt: 0 });
    expect(h.confluent.callsOf('deleteGateway')[0].args).toEqual([ENV, GW]);
  });

  test('a gateway we did not create is never deleted', async () => {
    await provisionedWorld({ status: 'TEARING_DOWN', gatewayCreatedByUs: false });
    h.confluent.accessPoints.delete(AP);
    expect(await deleteGateway(ctxOf(), h.deps)).toEqual({ gone: true, attempt: 0 });
    expect(h.confluent.callsOf('deleteGateway')).toHaveLength(0);
  });

  test('kept when another access point uses it', async () => {
    await provisionedWorld({ status: 'TEARING_DOWN' });
    h.confluent.accessPoints.delete(AP);
    h.confluent.addAccessPoint({ id: 'ap-theirs', gatewayId: GW, displayName: 'other-request' });
    const out = await deleteGateway(ctxOf(), h.deps);
    expect(out).toMatchObject({ gone: true, skipped: expect.stringContaining('ap-theirs') });
    expect(h.confluent.callsOf('deleteGateway')).toHaveLength(0);
  });

  test('our own access point still DEPROVISIONING does not keep the gateway', async () => {
    await provisionedWorld({ status: 'TEARING_DOWN' });
    await h.confluent.deleteAccessPoint(ENV, AP);
    expect(await deleteGateway(ctxOf(), h.deps)).toMatchObject({ id: GW });
    expect(h.confluent.callsOf('deleteGateway')).toHaveLength(1);
  });
});

// ------------------------------------------------------------------ finish

describe('finishTeardown', () => {
  test('teardown mode, everything gone -> TORN_DOWN, Teardown Succeeded published, lock released', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN', teardownExecutionArn: TEARDOWN_ARN });
    w.enis.clear();
    w.perms.clear();
    w.groups.clear();
    h.confluent.accessPoints.clear();
    h.confluent.gateways.clear();
    await h.store.acquireLock(ENV, VPC, RID);
    const out = await finishTeardown(ctxOf(), h.deps);
    expect(out).toEqual({ requestId: RID, mode: 'teardown', outcome: 'TORN_DOWN', leftovers: [] });
    expect(await h.store.get(RID)).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const [ev] = publishedEvents();
    expect(ev.detailType).toBe('PNI Teardown Succeeded');
    expect(ev.detail).toMatchObject({
      requestId: RID,
      mode: 'teardown',
      executionArn: TEARDOWN_ARN,
      environmentId: ENV,
      vpcId: VPC,
      region: REGION,
    });
  });

  test('teardown mode with leftovers -> TEARDOWN_FAILED; each leftover has its reason (from errors when present); Teardown Failed published', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN', teardownExecutionArn: TEARDOWN_ARN });
    h.confluent.accessPoints.clear();
    w.perms.clear();
    w.enis.delete(eniIdOf(0));
    w.enis.delete(eniIdOf(1));
    w.addEni(eniIdOf(2), { over: { Status: 'in-use', Attachment: { InstanceOwnerId: CONFLUENT_ACCOUNT } } });
    const errors = {
      enis: {
        Error: 'ResourceInUse',
        Cause: JSON.stringify({
          errorType: 'ResourceInUse',
          errorMessage: `[deleteEnis] 1 ENIs are still in use; first: ENI ${eniIdOf(2)} is attached`,
        }),
      },
      securityGroup: {
        Error: 'ResourceInUse',
        Cause: `[deleteSecurityGroup] security group ${SG_ID}: DependencyViolation`,
      },
    };
    const out = await finishTeardown(
      { ...ctxOf('teardown', errors), gatewayDeletion: { gone: false, id: GW, attempt: 3 } },
      h.deps,
    );
    expect(out.outcome).toBe('TEARDOWN_FAILED');
    expect(out.leftovers).toEqual([
      {
        type: 'networkInterface',
        id: eniIdOf(2),
        reason: `attached by account ${CONFLUENT_ACCOUNT} (deleteEnis ended with ResourceInUse)`,
      },
      {
        type: 'securityGroup',
        id: SG_ID,
        reason: `ResourceInUse: [deleteSecurityGroup] security group ${SG_ID}: DependencyViolation`,
      },
      { type: 'gateway', id: GW, reason: 'still exists (phase CREATED)' },
    ]);
    expect(await h.store.get(RID)).toMatchObject({ status: 'TEARDOWN_FAILED', leftovers: out.leftovers });
    const [ev] = publishedEvents();
    expect(ev.detailType).toBe('PNI Teardown Failed');
    expect(ev.detail).toMatchObject({ requestId: RID, mode: 'teardown', leftovers: out.leftovers });
  });

  test('leftover reasons without an error: attached ENI, remaining permission, access point phase', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.groups.clear();
    h.confluent.gateways.clear();
    w.enis.delete(eniIdOf(1));
    w.enis.delete(eniIdOf(2));
    w.perms.delete(`eni-perm-${eniIdOf(1).slice(4)}`);
    w.perms.delete(`eni-perm-${eniIdOf(2).slice(4)}`);
    w.addEni(eniIdOf(0), { over: { Status: 'in-use', Attachment: { InstanceOwnerId: CONFLUENT_ACCOUNT } } });
    const out = await finishTeardown(ctxOf(), h.deps);
    expect(out.leftovers).toEqual([
      { type: 'accessPoint', id: AP, reason: 'still exists (phase READY)' },
      {
        type: 'networkInterfacePermission',
        id: `eni-perm-${eniIdOf(0).slice(4)}`,
        reason: `still granted on ${eniIdOf(0)} to ${CONFLUENT_ACCOUNT}`,
      },
      { type: 'networkInterface', id: eniIdOf(0), reason: `attached by account ${CONFLUENT_ACCOUNT}` },
    ]);
  });

  test('a gateway we created but another access point still uses is listed as left, with the reason (a re-run finishes later)', async () => {
    const { w } = await provisionedWorld({ status: 'TEARING_DOWN' });
    w.enis.clear();
    w.perms.clear();
    w.groups.clear();
    h.confluent.accessPoints.delete(AP);
    const skipped = `gateway ${GW} still serves access point(s) ap-theirs`;
    const out = await finishTeardown({ ...ctxOf(), gatewayDeletion: { gone: true, attempt: 0, skipped } }, h.deps);
    expect(out).toMatchObject({
      outcome: 'TEARDOWN_FAILED',
      leftovers: [{ type: 'gateway', id: GW, reason: skipped }],
    });
  });

  test('rollback mode, everything gone -> ROLLED_BACK, nothing published, lock kept for RecordFailed', async () => {
    const { w } = await provisionedWorld({ status: 'ROLLING_BACK', teardownExecutionArn: TEARDOWN_ARN });
    w.enis.clear();
    w.perms.clear();
    w.groups.clear();
    h.confluent.accessPoints.clear();
    h.confluent.gateways.clear();
    await h.store.acquireLock(ENV, VPC, RID);
    const out = await finishTeardown(ctxOf('rollback'), h.deps);
    expect(out).toEqual({ requestId: RID, mode: 'rollback', outcome: 'ROLLED_BACK', leftovers: [] });
    expect((await h.store.get(RID))?.status).toBe('ROLLED_BACK');
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(await h.store.lockHolder(ENV, VPC)).toBe(RID);
  });

  test('rollback mode with leftovers -> ROLLBACK_FAILED, nothing published', async () => {
    const { w } = await provisionedWorld({ status: 'ROLLING_BACK', teardownExecutionArn: TEARDOWN_ARN });
    w.perms.clear();
    w.groups.clear();
    h.confluent.accessPoints.clear();
    h.confluent.gateways.clear();
    w.enis.delete(eniIdOf(0));
    w.enis.delete(eniIdOf(1));
    const out = await finishTeardown(ctxOf('rollback', { enis: { Error: 'ResourceInUse', Cause: 'in use' } }), h.deps);
    expect(out).toEqual({
      requestId: RID,
      mode: 'rollback',
      outcome: 'ROLLBACK_FAILED',
      leftovers: [
        {
          type: 'networkInterface',
          id: eniIdOf(2),
          reason: 'still exists (status available) (deleteEnis ended with ResourceInUse)',
        },
      ],
    });
    expect(await h.store.get(RID)).toMatchObject({ status: 'ROLLBACK_FAILED', leftovers: out.leftovers });
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
