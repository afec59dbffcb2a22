/** CreateEni (ClientToken per slot, tags, record) and GrantPermissions (describe-before-create, paced, retried). */
import 'aws-sdk-client-mock-jest';
import {
  CreateNetworkInterfaceCommand,
  CreateNetworkInterfacePermissionCommand,
  DescribeNetworkInterfacePermissionsCommand,
  type NetworkInterfacePermission,
} from '@aws-sdk/client-ec2';
import { createEni, grantPermissions } from '#lib/steps/provision.js';
import type { CreateEniInput, EniResult } from '#lib/contracts.js';
import { planEnis } from '#lib/eniPlan.js';
import {
  CONFLUENT_ACCOUNT,
  EXEC_ARN,
  REGION,
  SG_ID,
  SUBNET_A,
  awsError,
  canonicalRequest,
  ec2CommandNames,
  ec2Mock,
  makeHarness,
  seedRecord,
  startDynamo,
  subnetFacts,
  throttled,
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
const eniIdOf = (slot: number) => `eni-${String(slot).padStart(17, '0')}`;

function eniInput(slot = 4, mode: 'auto' | 'sequential' = 'auto'): CreateEniInput {
  const req = canonicalRequest(mode === 'sequential' ? { ipAssignment: { mode: 'sequential', startOffset: 10 } } : {});
  const slots = planEnis(req, subnetFacts(), 1);
  return {
    requestId: RID,
    executionArn: EXEC_ARN,
    attempt: 1,
    region: REGION,
    securityGroupId: SG_ID,
    tags: { team: 'payments' },
    slot: slots[slot],
  };
}

/** CreateNetworkInterface that dedupes on ClientToken like EC2 does. */
function stubCreateEni() {
  const byToken = new Map<string, { NetworkInterfaceId: string; PrivateIpAddress: string }>();
  let n = 0;
  ec2Mock.on(CreateNetworkInterfaceCommand).callsFake((input: { ClientToken: string; PrivateIpAddress?: string }) => {
    if (!byToken.has(input.ClientToken)) {
      n++;
      byToken.set(input.ClientToken, {
        NetworkInterfaceId: eniIdOf(100 + n),
        PrivateIpAddress: input.PrivateIpAddress ?? `10.0.1.${100 + n}`,
      });
    }
    return { NetworkInterface: { ...byToken.get(input.ClientToken)!, Status: 'pending' } };
  });
  return byToken;
}

describe('createEni', () => {
  beforeEach(async () => {
    await seedRecord(h);
  });

  test('sends the slot ClientToken, our tags and no PrivateIpAddress in auto mode, and writes the ENI# record', async () => {
    stubCreateEni();
    const input = eniInput(4);
    const out = await createEni(input, h.deps);

    expect(ec2Mock).toHaveReceivedCommandTimes(CreateNetworkInterfaceCommand, 1);
    const sent = ec2Mock.commandCalls(CreateNetworkInterfaceCommand)[0].args[0].input;
    expect(sent).toMatchObject({
      SubnetId: SUBNET_A,
      Groups: [SG_ID],
      ClientToken: input.slot.clientToken,
      Description: input.slot.description,
    });
    expect(sent.PrivateIpAddress).toBeUndefined();
    expect(sent.TagSpecifications).toEqual([
      {
        ResourceType: 'network-interface',
        Tags: expect.arrayContaining([
          { Key: 'pni:request-id', Value: RID },
          { Key: 'Confluent', Value: 'true' },
          { Key: 'team', Value: 'payments' },
          { Key: 'pni:slot', Value: '4' },
          { Key: 'Name', Value: input.slot.name },
        ]),
      },
    ]);
    expect(h.ec2Regions).toEqual([REGION]);

    expect(out).toEqual({ slot: 4, eniId: eniIdOf(101), privateIp: '10.0.1.101', subnetId: SUBNET_A });
    const recs = await h.store.listEnis(RID);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      sk: 'ENI#004',
      slot: 4,
      attempt: 1,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      eniId: eniIdOf(101),
      ip: '10.0.1.101',
      status: 'CREATED',
    });
  });

  test('sequential mode sends the planned PrivateIpAddress', async () => {
    stubCreateEni();
    const input = eniInput(0, 'sequential');
    expect(input.slot.privateIp).toBe('10.0.1.10');
    const out = await createEni(input, h.deps);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateNetworkInterfaceCommand, {
      PrivateIpAddress: '10.0.1.10',
      ClientToken: input.slot.clientToken,
    });
    expect(out.privateIp).toBe('10.0.1.10');
  });

  test('the same slot invoked twice sends the same ClientToken both times; one ENI, one record', async () => {
    const created = stubCreateEni();
    const input = eniInput(7);
    const a = await createEni(input, h.deps);
    const b = await createEni(structuredClone(input), h.deps);
    const tokens = ec2Mock.commandCalls(CreateNetworkInterfaceCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens).toEqual([input.slot.clientToken, input.slot.clientToken]);
    expect(created.size).toBe(1);
    expect(b).toEqual(a);
    expect(await h.store.listEnis(RID)).toHaveLength(1);
  });

  test.each([
    ['InsufficientFreeAddressesInSubnet', 400, 'Ec2RequestFailed'],
    ['RequestLimitExceeded', 503, 'Ec2Throttled'],
    ['InvalidGroup.NotFound', 400, 'Ec2NotYetVisible'],
    ['InternalError', 500, 'Ec2Unavailable'],
  ])('%s (HTTP %i) -> %s (and no record written)', async (code, status, expected) => {
    ec2Mock.on(CreateNetworkInterfaceCommand).rejects(awsError(code, { status }));
    const err = await createEni(eniInput(0), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: expected });
    expect((err as Error).message).toContain(SUBNET_A);
    expect(await h.store.listEnis(RID)).toHaveLength(0);
  });

  test.each([
    ['ROLLING_BACK', EXEC_ARN],
    ['PROVISIONING', 'arn:aws:states:us-west-2:111122223333:execution:pni-provision:another'],
  ])('fenced: a record %s (owner %s) -> ProvisioningStopped before any EC2 call', async (status, owner) => {
    await h.store.update(RID, { status: status as 'ROLLING_BACK', executionArn: owner });
    stubCreateEni();
    await expect(createEni(eniInput(0), h.deps)).rejects.toMatchObject({ name: 'ProvisioningStopped' });
    expect(ec2CommandNames()).toEqual([]);
  });
});

// ------------------------------------------------------------------ permissions

async function seedEnis(count: number): Promise<EniResult[]> {
  const out: EniResult[] = [];
  for (let slot = 0; slot < count; slot++) {
    await h.store.putEni({
      requestId: RID,
      attempt: 1,
      slot,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      eniId: eniIdOf(slot),
      ip: `10.0.1.${10 + slot}`,
      status: 'CREATED',
    });
    out.push({ slot, eniId: eniIdOf(slot), privateIp: `10.0.1.${10 + slot}`, subnetId: SUBNET_A });
  }
  return out;
}

/**
 * EC2 permissions in memory. Every call is instrumented: `maxInFlight` is the most ENIs whose calls overlapped
 * (each call takes a few ms of real time, so concurrency shows).
 */
function stubPermissions(
  opts: { existing?: string[]; failCreate?: (eniId: string, n: number) => Error | undefined } = {},
) {
  const perms = new Map<string, NetworkInterfacePermission>();
  for (const e of opts.existing ?? []) {
    perms.set(e, {
      NetworkInterfacePermissionId: `eni-perm-old-${e}`,
      NetworkInterfaceId: e,
      AwsAccountId: CONFLUENT_ACCOUNT,
      Permission: 'INSTANCE-ATTACH',
      PermissionState: { State: 'granted' },
    });
  }
  const stats = { inFlight: new Set<string>(), maxInFlight: 0, createAttempts: new Map<string, number>() };
  const enter = (eniId: string) => {
    stats.inFlight.add(eniId);
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight.size);
  };
  const pause = () => new Promise((r) => setTimeout(r, 2));
  ec2Mock
    .on(DescribeNetworkInterfacePermissionsCommand)
    .callsFake(async (input: { Filters: { Name: string; Values: string[] }[] }) => {
      const eniId = input.Filters.find((f) => f.Name === 'network-interface-permission.network-interface-id')!
        .Values[0];
      enter(eniId);
      await pause();
      const p = perms.get(eniId);
      return { NetworkInterfacePermissions: p ? [p] : [] };
    });
  ec2Mock
    .on(CreateNetworkInterfacePermissionCommand)
    .callsFake(async (input: { NetworkInterfaceId: string; AwsAccountId: string; Permission: string }) => {
      const eniId = input.NetworkInterfaceId;
      const n = (stats.createAttempts.get(eniId) ?? 0) + 1;
      stats.createAttempts.set(eniId, n);
      await pause();
      try {
        const fail = opts.failCreate?.(eniId, n);
        if (fail) throw fail;
        const p: NetworkInterfacePermission = {
          NetworkInterfacePermissionId: `eni-perm-${eniId}`,
          NetworkInterfaceId: eniId,
          AwsAccountId: input.AwsAccountId,
          Permission: input.Permission as 'INSTANCE-ATTACH',
          PermissionState: { State: 'granted' },
        };
        perms.set(eniId, p);
        return { InterfacePermission: p };
      } finally {
        stats.inFlight.delete(eniId);
      }
    });
  return { perms, stats };
}

describe('grantPermissions', () => {
  test('grants INSTANCE-ATTACH on every ENI, reusing an existing grant (describe-before-create), records the permission ids', async () => {
    const enis = await seedEnis(6);
    const { stats } = stubPermissions({ existing: [eniIdOf(2)] });
    const out = await grantPermissions({ requestId: RID, region: REGION, account: CONFLUENT_ACCOUNT, enis }, h.deps);
    expect(out).toEqual({ granted: 6, created: 5 });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateNetworkInterfacePermissionCommand, 5);
    expect(ec2Mock).not.toHaveReceivedCommandWith(CreateNetworkInterfacePermissionCommand, {
      NetworkInterfaceId: eniIdOf(2),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateNetworkInterfacePermissionCommand, {
      NetworkInterfaceId: eniIdOf(0),
      Permission: 'INSTANCE-ATTACH',
      AwsAccountId: CONFLUENT_ACCOUNT,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacePermissionsCommand, {
      Filters: [
        { Name: 'network-interface-permission.network-interface-id', Values: [eniIdOf(2)] },
        { Name: 'network-interface-permission.aws-account-id', Values: [CONFLUENT_ACCOUNT] },
      ],
    });
    expect(stats.createAttempts.has(eniIdOf(2))).toBe(false);
    const recs = await h.store.listEnis(RID);
    expect(recs.every((r) => r.status === 'PERMITTED')).toBe(true);
    expect(recs[2].permissionId).toBe(`eni-perm-old-${eniIdOf(2)}`);
    expect(recs[0].permissionId).toBe(`eni-perm-${eniIdOf(0)}`);
  });

  test('never more than 5 ENIs in flight over 51 ENIs', async () => {
    const enis = await seedEnis(51);
    const { stats } = stubPermissions();
    const out = await grantPermissions({ requestId: RID, region: REGION, account: CONFLUENT_ACCOUNT, enis }, h.deps);
    expect(out).toEqual({ granted: 51, created: 51 });
    expect(stats.maxInFlight).toBe(5);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateNetworkInterfacePermissionCommand, 51);
  });

  test('throttling is absorbed by the in-step retry (with a backoff sleep)', async () => {
    const enis = await seedEnis(10);
    const { stats } = stubPermissions({
      failCreate: (eniId, n) => ([eniIdOf(1), eniIdOf(6)].includes(eniId) && n <= 2 ? throttled() : undefined),
    });
    const out = await grantPermissions({ requestId: RID, region: REGION, account: CONFLUENT_ACCOUNT, enis }, h.deps);
    expect(out.granted).toBe(10);
    expect(stats.createAttempts.get(eniIdOf(1))).toBe(3);
    expect(stats.createAttempts.get(eniIdOf(6))).toBe(3);
    expect(h.sleeps).toHaveLength(4);
    expect((await h.store.listEnis(RID)).every((r) => r.status === 'PERMITTED')).toBe(true);
  });

  test('throttling that outlasts the in-step retries is handed to the ASL as Ec2Throttled', async () => {
    const enis = await seedEnis(3);
    stubPermissions({ failCreate: (eniId) => (eniId === eniIdOf(0) ? throttled() : undefined) });
    const err = await grantPermissions(
      { requestId: RID, region: REGION, account: CONFLUENT_ACCOUNT, enis },
      h.deps,
    ).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'Ec2Throttled' });
    expect((err as Error).message).toMatch(/^1 of 3 /);
    expect(h.sleeps).toHaveLength(3);
  });

  test('a permanent error is reported with the count of failures, after the others were granted', async () => {
    const enis = await seedEnis(8);
    stubPermissions({
      failCreate: (eniId) =>
        [eniIdOf(3), eniIdOf(5)].includes(eniId)
          ? awsError('UnauthorizedOperation', {
              status: 403,
              message: 'You are not authorized to perform this operation.',
            })
          : undefined,
    });
    const err = await grantPermissions(
      { requestId: RID, region: REGION, account: CONFLUENT_ACCOUNT, enis },
      h.deps,
    ).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'Ec2RequestFailed' });
    expect((err as Error).message).toContain('2 of 8 INSTANCE-ATTACH grants failed');
    expect((err as Error).message).toContain('UnauthorizedOperation');
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateNetworkInterfacePermissionCommand, 8);
    const recs = await h.store.listEnis(RID);
    expect(recs.filter((r) => r.status === 'PERMITTED').map((r) => r.slot)).toEqual([0, 1, 2, 4, 6, 7]);
  });

  test.each(['', '12345678901', '1234567890123', 'abcdefghijkl', undefined])(
    'account %p is refused before any EC2 call',
    async (account) => {
      const enis = await seedEnis(2);
      stubPermissions();
      const err = await grantPermissions(
        { requestId: RID, region: REGION, account: account as string, enis },
        h.deps,
      ).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'GatewayFailed' });
      expect(ec2CommandNames()).toEqual([]);
    },
  );
});
