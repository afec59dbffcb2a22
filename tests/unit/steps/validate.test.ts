/** ValidateRequest: schema + live facts before any change, repeats of a request id, the (environment, VPC) lock. */
import 'aws-sdk-client-mock-jest';
import { jest } from '@jest/globals';
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { validateRequest } from '#lib/steps/validate.js';
import { clientToken } from '#lib/eniPlan.js';
import {
  CUSTOMER_ACCOUNT,
  ENV,
  EXEC_ARN,
  EXEC_ARN_2,
  OTHER_VPC,
  REGION,
  SUBNET_A,
  SUBNET_B,
  SUBNET_C,
  VPC,
  VPC_CIDR,
  awsError,
  ebMock,
  ec2CommandNames,
  ec2Mock,
  exampleRequest,
  makeHarness,
  mutatingEc2Calls,
  publishedEvents,
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

const RID = 'pni-payments-usw2';
const exec = (arn = EXEC_ARN) => ({ arn, name: arn.split(':').pop()!, startTime: '2026-03-01T10:00:00.000Z' });

function subnet(id: string, zoneId: string, over: Partial<Subnet> = {}): Subnet {
  const i = { [SUBNET_A]: 1, [SUBNET_B]: 2, [SUBNET_C]: 3 }[id] ?? 9;
  return {
    SubnetId: id,
    VpcId: VPC,
    CidrBlock: `10.0.${i}.0/24`,
    AvailabilityZoneId: zoneId,
    AvailabilityZone: `us-west-2${'abcd'[i - 1] ?? 'z'}`,
    AvailableIpAddressCount: 251,
    ...over,
  };
}

/** The read-only facts of a healthy account; `subnets` replaces the three subnets. */
function stubFacts(
  opts: { subnets?: Subnet[]; vpcMissing?: boolean; securityGroups?: { GroupId: string; VpcId: string }[] } = {},
) {
  if (opts.vpcMissing)
    ec2Mock
      .on(DescribeVpcsCommand)
      .rejects(awsError('InvalidVpcID.NotFound', { message: `The vpc ID '${VPC}' does not exist` }));
  else
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: VPC, CidrBlock: VPC_CIDR, OwnerId: CUSTOMER_ACCOUNT }] });
  const subnets = opts.subnets ?? [
    subnet(SUBNET_A, 'usw2-az1'),
    subnet(SUBNET_B, 'usw2-az2'),
    subnet(SUBNET_C, 'usw2-az3'),
  ];
  ec2Mock
    .on(DescribeSubnetsCommand)
    .callsFake((input: { SubnetIds?: string[]; Filters?: { Name: string; Values: string[] }[] }) => {
      if (input.SubnetIds) {
        const missing = input.SubnetIds.find((id) => !subnets.some((s) => s.SubnetId === id));
        if (missing)
          throw awsError('InvalidSubnetID.NotFound', { message: `The subnet ID '${missing}' does not exist` });
        return { Subnets: subnets.filter((s) => input.SubnetIds!.includes(s.SubnetId!)) };
      }
      const ids = input.Filters?.find((f) => f.Name === 'subnet-id')?.Values ?? [];
      return { Subnets: subnets.filter((s) => ids.includes(s.SubnetId!)) };
    });
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  const groups = opts.securityGroups ?? [];
  ec2Mock.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds?: string[] }) => {
    const g = groups.filter((x) => input.GroupIds?.includes(x.GroupId));
    if (input.GroupIds && g.length === 0)
      throw awsError('InvalidGroup.NotFound', { message: 'The security group does not exist' });
    return { SecurityGroups: g };
  });
}

async function expectRejected(requestId: string, run: Promise<unknown>, field: string) {
  const err = await run.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err).toBeDefined();
  expect(err!.name).toBe('RequestInvalid');
  expect(err!.message).toContain(field);
  const rec = await h.store.get(requestId);
  expect(rec?.status).toBe('REJECTED');
  expect(rec?.error).toEqual({ name: 'RequestInvalid', message: err!.message });
  expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
  expect(mutatingEc2Calls()).toEqual([]);
  expect(h.confluent.callsOf('createGateway')).toHaveLength(0);
  expect(h.confluent.callsOf('createAccessPoint')).toHaveLength(0);
  expect(publishedEvents()).toEqual([]);
}

beforeEach(async () => {
  h = await makeHarness(d);
});

describe('validateRequest: a valid request', () => {
  test('creates the record VALIDATING -> PROVISIONING, takes the lock, publishes Started and returns the 51-slot plan', async () => {
    stubFacts();
    const createSpy = jest.spyOn(h.store, 'create');
    const ctx = await validateRequest({ input: exampleRequest(), execution: exec() }, h.deps);

    expect(createSpy).toHaveBeenCalledTimes(1);
    expect(createSpy.mock.calls[0][0]).toMatchObject({
      requestId: RID,
      status: 'VALIDATING',
      attempt: 1,
      executionArn: EXEC_ARN,
    });

    const rec = await h.store.get(RID);
    expect(rec).toMatchObject({
      status: 'PROVISIONING',
      attempt: 1,
      executionArn: EXEC_ARN,
      environmentId: ENV,
      vpcId: VPC,
      region: REGION,
      customerAccount: CUSTOMER_ACCOUNT,
      eniCount: 51,
      source: 'console',
      version: 2,
    });
    expect(rec?.request?.securityGroup).toEqual({
      ingressCidrs: [VPC_CIDR],
      egressRules: [{ cidr: '10.10.1.0/24', ports: [5432] }],
    });
    expect(await h.store.lockHolder(ENV, VPC)).toBe(RID);

    expect(ctx.alreadySucceeded).toBe(false);
    expect(ctx.attempt).toBe(1);
    expect(ctx.customerAccount).toBe(CUSTOMER_ACCOUNT);
    expect(ctx.vpcCidr).toBe(VPC_CIDR);
    expect(ctx.zones).toEqual(['usw2-az1', 'usw2-az2', 'usw2-az3']);
    expect(ctx.plan.slots).toHaveLength(51);
    expect(ctx.plan.slots[0]).toMatchObject({
      slot: 0,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      clientToken: clientToken(RID, 1, 0),
    });
    expect(ctx.plan.slots[50]).toMatchObject({ slot: 50, subnetId: SUBNET_C, zoneId: 'usw2-az3' });
    expect(new Set(ctx.plan.slots.map((s) => s.clientToken)).size).toBe(51);

    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const [ev] = publishedEvents();
    expect(ev.detailType).toBe('PNI Provisioning Started');
    expect(ev.source).toBe('pni.provisioner');
    expect(ev.detail).toMatchObject({
      version: '1',
      requestId: RID,
      environmentId: ENV,
      vpcId: VPC,
      region: REGION,
      executionArn: EXEC_ARN,
      attempt: 1,
      source: 'console',
      warnings: [],
      eniCount: 51,
    });
    expect(ev.resources).toEqual([EXEC_ARN]);
    expect(mutatingEc2Calls()).toEqual([]);
    expect(h.confluent.callsOf('createGateway')).toHaveLength(0);
  });

  test('a retry of ValidateRequest by the same execution resumes (same attempt and plan, lock kept)', async () => {
    stubFacts();
    const first = await validateRequest({ input: exampleRequest(), execution: exec() }, h.deps);
    const second = await validateRequest({ input: exampleRequest(), execution: exec() }, h.deps);
    expect(second.alreadySucceeded).toBe(false);
    expect(second.attempt).toBe(1);
    expect(second.plan.slots.map((s) => s.clientToken)).toEqual(first.plan.slots.map((s) => s.clientToken));
    const rec = await h.store.get(RID);
    expect(rec).toMatchObject({ status: 'PROVISIONING', attempt: 1, executionArn: EXEC_ARN });
    expect(await h.store.lockHolder(ENV, VPC)).toBe(RID);
  });
});

describe('validateRequest: live rule failures are rejected before any change', () => {
  test('VPC missing', async () => {
    stubFacts({ vpcMissing: true });
    await expectRejected(RID, validateRequest({ input: exampleRequest(), execution: exec() }, h.deps), 'vpcId');
  });

  test('subnet missing', async () => {
    stubFacts({ subnets: [subnet(SUBNET_A, 'usw2-az1'), subnet(SUBNET_C, 'usw2-az3')] });
    await expectRejected(RID, validateRequest({ input: exampleRequest(), execution: exec() }, h.deps), 'subnetIds[1]');
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: 'subnet-id', Values: [SUBNET_A, SUBNET_B, SUBNET_C] }],
    });
  });

  test('two subnets in the same AZ id', async () => {
    stubFacts({ subnets: [subnet(SUBNET_A, 'usw2-az1'), subnet(SUBNET_B, 'usw2-az2'), subnet(SUBNET_C, 'usw2-az1')] });
    await expectRejected(RID, validateRequest({ input: exampleRequest(), execution: exec() }, h.deps), 'subnetIds[2]');
  });

  test('not enough free IPs', async () => {
    stubFacts({
      subnets: [
        subnet(SUBNET_A, 'usw2-az1'),
        subnet(SUBNET_B, 'usw2-az2', { AvailableIpAddressCount: 10 }),
        subnet(SUBNET_C, 'usw2-az3'),
      ],
    });
    await expectRejected(RID, validateRequest({ input: exampleRequest(), execution: exec() }, h.deps), 'subnetIds[1]');
  });

  test('gateway quota reached (2 PNI gateways in the environment)', async () => {
    stubFacts();
    h.confluent.addGateway({ displayName: 'a' });
    h.confluent.addGateway({ displayName: 'b', phase: 'PROVISIONING' });
    await expectRejected(RID, validateRequest({ input: exampleRequest(), execution: exec() }, h.deps), 'gateway');
    expect(h.confluent.callsOf('listGateways')).toHaveLength(1);
  });

  test('an existing security group in another VPC', async () => {
    stubFacts({ securityGroups: [{ GroupId: 'sg-0aaaaaaaaaaaaaaa1', VpcId: OTHER_VPC }] });
    await expectRejected(
      RID,
      validateRequest(
        { input: exampleRequest({ securityGroup: { existingId: 'sg-0aaaaaaaaaaaaaaa1' } }), execution: exec() },
        h.deps,
      ),
      'securityGroup.existingId',
    );
  });

  test('schema-invalid input: RequestInvalid and a REJECTED record, no AWS or Confluent call', async () => {
    stubFacts();
    await expectRejected(
      'bad-1',
      validateRequest(
        { input: exampleRequest({ requestId: 'bad-1', subnetIds: [SUBNET_A, SUBNET_B] }), execution: exec() },
        h.deps,
      ),
      'subnetIds',
    );
    expect(ec2CommandNames()).toEqual([]);
    expect(h.confluent.calls).toEqual([]);
    expect((await h.store.get('bad-1'))?.rawRequest).toMatchObject({ requestId: 'bad-1' });
  });

  test.each([
    ['null', null, 'request'],
    ['a list', [1, 2], 'request'],
    ['huge numbers', { requestId: 'bad-2', enisPerSubnet: 1e308, x: 2 ** 60, y: [1e300] }, 'enisPerSubnet'],
    [
      '__proto__ and constructor keys',
      JSON.parse('{"requestId":"bad-3","__proto__":{"a":1},"constructor":2}'),
      '__proto__',
    ],
    [
      'deep nesting',
      { requestId: 'bad-4', tags: JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) },
      'tags[0][0][0][0][0][0][0]',
    ],
  ])(
    'hostile shape (%s): RequestInvalid naming the field, a REJECTED record the store accepts, nothing called',
    async (_what, input, field) => {
      stubFacts();
      const requestId = (input as { requestId?: string } | null)?.requestId ?? exec().name;
      await expectRejected(requestId, validateRequest({ input, execution: exec() }, h.deps), field);
      expect(ec2CommandNames()).toEqual([]);
      expect(h.confluent.calls).toEqual([]);
      const raw = JSON.stringify((await h.store.get(requestId))?.rawRequest ?? null);
      expect(raw).not.toContain('__proto__');
      expect(raw).not.toContain('constructor');
    },
  );
});

describe('validateRequest: repeats of a request id', () => {
  async function provisionedOnce() {
    stubFacts();
    await validateRequest({ input: exampleRequest(), execution: exec() }, h.deps);
    return h.store.get(RID);
  }

  test('same content after SUCCEEDED returns alreadySucceeded with the stored result, and changes nothing', async () => {
    const rec = (await provisionedOnce())!;
    await h.store.putEni({
      requestId: RID,
      attempt: 1,
      slot: 0,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      eniId: 'eni-0000000000000000a',
      status: 'PERMITTED',
    });
    await h.store.putEni({
      requestId: RID,
      attempt: 1,
      slot: 1,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      eniId: 'eni-0000000000000000b',
      status: 'PERMITTED',
    });
    await h.store.update(
      RID,
      {
        status: 'SUCCEEDED',
        gatewayId: 'gw-abc',
        gatewayCreatedByUs: true,
        confluentAccount: '999988887777',
        securityGroupId: 'sg-0123456789abcdef1',
        securityGroupCreatedByUs: true,
        accessPointId: 'ap-abc',
      },
      { version: rec.version },
    );
    await h.store.releaseLock(ENV, VPC, RID);
    ec2Mock.resetHistory();
    ebMock.resetHistory();
    const before = (await h.store.get(RID))!;

    const ctx = await validateRequest({ input: exampleRequest(), execution: exec(EXEC_ARN_2) }, h.deps);
    expect(ctx.alreadySucceeded).toBe(true);
    expect(ctx.result).toEqual({
      requestId: RID,
      status: 'SUCCEEDED',
      gatewayId: 'gw-abc',
      gatewayCreatedByUs: true,
      confluentAccount: '999988887777',
      securityGroupId: 'sg-0123456789abcdef1',
      accessPointId: 'ap-abc',
      eniIds: ['eni-0000000000000000a', 'eni-0000000000000000b'],
    });
    expect(await h.store.get(RID)).toEqual(before);
    expect(ec2CommandNames()).toEqual([]);
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
  });

  test('same id while PROVISIONING by another execution -> RequestInProgress', async () => {
    await provisionedOnce();
    await expect(
      validateRequest({ input: exampleRequest(), execution: exec(EXEC_ARN_2) }, h.deps),
    ).rejects.toMatchObject({ name: 'RequestInProgress' });
    expect(await h.store.get(RID)).toMatchObject({ status: 'PROVISIONING', executionArn: EXEC_ARN });
  });

  test('same id with different content while SUCCEEDED -> RequestConflict', async () => {
    const rec = (await provisionedOnce())!;
    await h.store.update(RID, { status: 'SUCCEEDED' }, { version: rec.version });
    await h.store.releaseLock(ENV, VPC, RID);
    await expect(
      validateRequest({ input: exampleRequest({ tags: { team: 'other' } }), execution: exec(EXEC_ARN_2) }, h.deps),
    ).rejects.toMatchObject({ name: 'RequestConflict' });
    expect((await h.store.get(RID))?.status).toBe('SUCCEEDED');
  });

  test('after ROLLED_BACK a fresh attempt starts (attempt 2, new client tokens)', async () => {
    stubFacts();
    const first = await validateRequest({ input: exampleRequest(), execution: exec() }, h.deps);
    const rec = (await h.store.get(RID))!;
    await h.store.update(
      RID,
      { status: 'ROLLED_BACK', gatewayId: 'gw-old', gatewayCreatedByUs: true, error: { name: 'X', message: 'y' } },
      { version: rec.version },
    );
    await h.store.releaseLock(ENV, VPC, RID);

    const second = await validateRequest({ input: exampleRequest(), execution: exec(EXEC_ARN_2) }, h.deps);
    expect(second.attempt).toBe(2);
    expect(second.alreadySucceeded).toBe(false);
    const oldTokens = new Set(first.plan.slots.map((s) => s.clientToken));
    expect(second.plan.slots.every((s) => !oldTokens.has(s.clientToken))).toBe(true);
    expect(second.plan.slots[0].clientToken).toBe(clientToken(RID, 2, 0));
    const now = (await h.store.get(RID))!;
    expect(now).toMatchObject({ status: 'PROVISIONING', attempt: 2, executionArn: EXEC_ARN_2 });
    expect(now.gatewayId).toBeUndefined();
    expect(now.error).toBeUndefined();
    expect(await h.store.lockHolder(ENV, VPC)).toBe(RID);
  });

  test('a second request id for the same (environment, VPC) while the first provisions -> ConnectionExists naming it (day 2)', async () => {
    await provisionedOnce();
    ec2Mock.resetHistory();
    const err = await validateRequest(
      { input: exampleRequest({ requestId: 'pni-other' }), execution: exec(EXEC_ARN_2) },
      h.deps,
    ).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ConnectionExists', existingRequestId: RID });
    expect((err as Error).message).toContain(`request ${RID} (PROVISIONING)`);
    expect(await h.store.lockHolder(ENV, VPC)).toBe(RID);
    expect((await h.store.get('pni-other'))?.status).toBe('REJECTED');
    expect(mutatingEc2Calls()).toEqual([]);
    expect(h.confluent.callsOf('createGateway')).toHaveLength(0);
  });

  test('a second request id for the same (environment, VPC) while the lock is held (no live connection yet) -> RequestLocked', async () => {
    stubFacts();
    await h.store.acquireLock(ENV, VPC, 'pni-holder');
    const err = await validateRequest(
      { input: exampleRequest({ requestId: 'pni-other' }), execution: exec(EXEC_ARN_2) },
      h.deps,
    ).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'RequestLocked' });
    expect((err as Error).message).toContain('pni-holder');
    expect(await h.store.lockHolder(ENV, VPC)).toBe('pni-holder');
    expect((await h.store.get('pni-other'))?.status).toBe('REJECTED');
    expect(mutatingEc2Calls()).toEqual([]);
  });
});
