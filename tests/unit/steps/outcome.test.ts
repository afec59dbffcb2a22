/** RecordSucceeded / RecordFailed / RecordRejected: final status, lock released, outcome events. */
import 'aws-sdk-client-mock-jest';
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { recordOutcome } from '#lib/steps/outcome.js';
import { validateRequest } from '#lib/steps/validate.js';
import type { Leftover } from '#lib/types.js';
import {
  CONFLUENT_ACCOUNT,
  CUSTOMER_ACCOUNT,
  ENV,
  EXEC_ARN,
  REGION,
  SG_ID,
  SUBNET_A,
  SUBNET_B,
  SUBNET_C,
  VPC,
  VPC_CIDR,
  awsError,
  ebMock,
  ec2Mock,
  exampleRequest,
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

/** A record as it stands after the access point became READY (attempt 2; attempt 1 left an ENI record behind). */
async function provisioned(over: Record<string, unknown> = {}) {
  await seedRecord(h, {
    attempt: 2,
    gatewayId: GW,
    gatewayCreatedByUs: true,
    confluentAccount: CONFLUENT_ACCOUNT,
    securityGroupId: SG_ID,
    securityGroupCreatedByUs: true,
    accessPointId: AP,
    phase: 'PERMISSIONS_GRANTED',
    ...over,
  });
  await h.store.putEni({
    requestId: RID,
    attempt: 1,
    slot: 60,
    subnetId: SUBNET_A,
    zoneId: 'usw2-az1',
    eniId: 'eni-0ldattempt0000000',
    status: 'DELETED',
  });
  for (const slot of [0, 1, 2]) {
    await h.store.putEni({
      requestId: RID,
      attempt: 2,
      slot,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      eniId: eniIdOf(slot),
      status: 'PERMITTED',
    });
  }
  expect((await h.store.acquireLock(ENV, VPC, RID)).acquired).toBe(true);
}

describe('recordOutcome SUCCEEDED', () => {
  test('sets SUCCEEDED, releases the lock, publishes Phase Changed(ACCESS_POINT_READY) + Succeeded with the ids', async () => {
    await provisioned();
    const out = await recordOutcome(
      { outcome: 'SUCCEEDED', context: { requestId: RID, executionArn: EXEC_ARN } },
      h.deps,
    );
    expect(out).toEqual({
      requestId: RID,
      status: 'SUCCEEDED',
      gatewayId: GW,
      gatewayCreatedByUs: true,
      confluentAccount: CONFLUENT_ACCOUNT,
      securityGroupId: SG_ID,
      accessPointId: AP,
      eniIds: [eniIdOf(0), eniIdOf(1), eniIdOf(2)],
    });
    expect(await h.store.get(RID)).toMatchObject({ status: 'SUCCEEDED', phase: 'ACCESS_POINT_READY' });
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();

    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const evs = publishedEvents();
    expect(evs.map((e) => e.detailType)).toEqual(['PNI Provisioning Phase Changed', 'PNI Provisioning Succeeded']);
    expect(evs.every((e) => e.source === 'pni.provisioner' && e.bus === 'default')).toBe(true);
    expect(evs[0].detail).toMatchObject({
      version: '1',
      requestId: RID,
      phase: 'ACCESS_POINT_READY',
      executionArn: EXEC_ARN,
    });
    expect(evs[1].detail).toMatchObject({
      version: '1',
      requestId: RID,
      environmentId: ENV,
      vpcId: VPC,
      region: REGION,
      executionArn: EXEC_ARN,
      gatewayId: GW,
      gatewayCreatedByUs: true,
      confluentAccount: CONFLUENT_ACCOUNT,
      securityGroupId: SG_ID,
      accessPointId: AP,
      eniIds: [eniIdOf(0), eniIdOf(1), eniIdOf(2)],
    });
  });

  test('a second RecordSucceeded (Lambda retry) is harmless', async () => {
    await provisioned();
    await recordOutcome({ outcome: 'SUCCEEDED', context: { requestId: RID, executionArn: EXEC_ARN } }, h.deps);
    await expect(
      recordOutcome({ outcome: 'SUCCEEDED', context: { requestId: RID, executionArn: EXEC_ARN } }, h.deps),
    ).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('recordOutcome ROLLING_BACK (the claim before the nested rollback)', () => {
  test('marks the record ROLLING_BACK for the owning execution; a retry is harmless; nothing published', async () => {
    await provisioned({ status: 'PROVISIONING' });
    const claim = { outcome: 'ROLLING_BACK' as const, context: { requestId: RID, executionArn: EXEC_ARN } };
    await expect(recordOutcome(claim, h.deps)).resolves.toEqual({ claimed: true });
    await expect(recordOutcome(claim, h.deps)).resolves.toEqual({ claimed: true });
    expect(await h.store.get(RID)).toMatchObject({ status: 'ROLLING_BACK', executionArn: EXEC_ARN });
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  test('another execution cannot claim it, nor can anyone claim a finished request', async () => {
    await provisioned({ status: 'PROVISIONING' });
    const other = 'arn:aws:states:us-west-2:111122223333:execution:pni-provision:someone-else';
    await expect(
      recordOutcome({ outcome: 'ROLLING_BACK', context: { requestId: RID, executionArn: other } }, h.deps),
    ).rejects.toMatchObject({ name: 'RecordConflict' });
    await h.store.update(RID, { status: 'SUCCEEDED' });
    await expect(
      recordOutcome({ outcome: 'ROLLING_BACK', context: { requestId: RID, executionArn: EXEC_ARN } }, h.deps),
    ).rejects.toMatchObject({ name: 'RecordConflict' });
    expect((await h.store.get(RID))?.status).toBe('SUCCEEDED');
  });
});

describe('recordOutcome FAILED', () => {
  const plainCause =
    '[createEni] Ec2RequestFailed: InsufficientFreeAddressesInSubnet: creating ENI in subnet-0123456789abcdefa: no free addresses';
  const lambdaCause = JSON.stringify({
    errorType: 'Ec2RequestFailed',
    errorMessage: plainCause,
    trace: ['Ec2RequestFailed: ...', '    at createEni'],
  });

  test.each([
    ['a plain-text Cause', plainCause],
    ["Lambda's JSON Cause", lambdaCause],
  ])(
    'with a rollback result -> ROLLED_BACK, failedStep parsed from %s, Failed event, lock released',
    async (_what, cause) => {
      await provisioned({ status: 'ROLLED_BACK', accessPointId: undefined });
      const out = await recordOutcome(
        {
          outcome: 'FAILED',
          context: {
            requestId: RID,
            executionArn: EXEC_ARN,
            error: { Error: 'Ec2RequestFailed', Cause: cause },
            rollback: { outcome: 'ROLLED_BACK', leftovers: [] },
          },
        },
        h.deps,
      );
      expect(out).toEqual({ error: { Error: 'Ec2RequestFailed', Cause: expect.stringContaining(plainCause) } });
      expect((out as { error: { Cause: string } }).error.Cause).toContain('ROLLED_BACK');

      const rec = await h.store.get(RID);
      expect(rec).toMatchObject({
        status: 'ROLLED_BACK',
        failedStep: 'createEni',
        error: { name: 'Ec2RequestFailed', message: plainCause },
        leftovers: [],
      });
      expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();

      const evs = publishedEvents();
      expect(evs.map((e) => e.detailType)).toEqual(['PNI Provisioning Failed']);
      expect(evs[0].detail).toMatchObject({
        requestId: RID,
        environmentId: ENV,
        vpcId: VPC,
        executionArn: EXEC_ARN,
        failedStep: 'createEni',
        error: { name: 'Ec2RequestFailed', message: plainCause },
        rollback: { outcome: 'ROLLED_BACK', leftovers: [] },
      });
    },
  );

  test('a rollback that left resources -> ROLLBACK_FAILED with the leftovers in the record, the event and the Cause', async () => {
    await provisioned({ status: 'ROLLBACK_FAILED' });
    const leftovers: Leftover[] = [
      { type: 'networkInterface', id: eniIdOf(1), reason: 'ResourceInUse: ENI is attached' },
      { type: 'securityGroup', id: SG_ID, reason: 'ResourceInUse: DependencyViolation' },
    ];
    const out = await recordOutcome(
      {
        outcome: 'FAILED',
        context: {
          requestId: RID,
          executionArn: EXEC_ARN,
          error: { Error: 'AccessPointFailed', Cause: '[getAccessPointStatus] access point ap-ours1 is FAILED' },
          rollback: { outcome: 'ROLLBACK_FAILED', leftovers },
        },
      },
      h.deps,
    );
    expect((out as { error: { Cause: string } }).error.Cause).toContain(eniIdOf(1));
    expect(await h.store.get(RID)).toMatchObject({
      status: 'ROLLBACK_FAILED',
      failedStep: 'getAccessPointStatus',
      leftovers,
    });
    expect(publishedEvents()[0].detail.rollback).toEqual({ outcome: 'ROLLBACK_FAILED', leftovers });
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
  });

  test('with rollbackError (the rollback could not run) -> ROLLBACK_FAILED with the leftovers from the record', async () => {
    await provisioned({ status: 'ROLLING_BACK' });
    const out = await recordOutcome(
      {
        outcome: 'FAILED',
        context: {
          requestId: RID,
          executionArn: EXEC_ARN,
          error: { Error: 'GatewayFailed', Cause: '[getGatewayStatus] gateway gw-ours1 is FAILED' },
          rollbackError: { Error: 'States.Timeout', Cause: 'the teardown execution timed out' },
        },
      },
      h.deps,
    );
    expect((out as { error: { Error: string } }).error.Error).toBe('GatewayFailed');
    const rec = (await h.store.get(RID))!;
    expect(rec.status).toBe('ROLLBACK_FAILED');
    expect(rec.failedStep).toBe('getGatewayStatus');
    const reason = 'rollback did not finish: the teardown execution timed out';
    expect(rec.leftovers).toEqual([
      { type: 'accessPoint', id: AP, reason },
      { type: 'securityGroup', id: SG_ID, reason },
      { type: 'gateway', id: GW, reason },
      { type: 'networkInterface', id: eniIdOf(0), reason },
      { type: 'networkInterface', id: eniIdOf(1), reason },
      { type: 'networkInterface', id: eniIdOf(2), reason },
    ]);
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
    const [ev] = publishedEvents();
    expect(ev.detailType).toBe('PNI Provisioning Failed');
    expect(ev.detail.rollback).toEqual({ outcome: 'ROLLBACK_FAILED', leftovers: rec.leftovers });
  });

  test('with rollbackError, resources that are not ours (existing SG / gateway) are not listed', async () => {
    await provisioned({
      status: 'ROLLING_BACK',
      securityGroupCreatedByUs: false,
      gatewayCreatedByUs: false,
      accessPointId: undefined,
    });
    await recordOutcome(
      {
        outcome: 'FAILED',
        context: {
          requestId: RID,
          executionArn: EXEC_ARN,
          error: { Error: 'Ec2Throttled', Cause: '[grantPermissions] 3 of 51 ...' },
          rollbackError: { Error: 'States.TaskFailed' },
        },
      },
      h.deps,
    );
    const rec = (await h.store.get(RID))!;
    expect(rec.leftovers!.map((l) => l.type)).toEqual(['networkInterface', 'networkInterface', 'networkInterface']);
    expect(rec.leftovers![0].reason).toBe('rollback did not finish: States.TaskFailed');
  });
});

// ------------------------------------------------------------------ REJECTED (ValidateRequest failed)

function stubHealthyFacts() {
  ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC, CidrBlock: VPC_CIDR, OwnerId: CUSTOMER_ACCOUNT }] });
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      [SUBNET_A, 1],
      [SUBNET_B, 2],
      [SUBNET_C, 3],
    ].map(([id, i]) => ({
      SubnetId: id as string,
      VpcId: VPC,
      CidrBlock: `10.0.${i}.0/24`,
      AvailabilityZoneId: `usw2-az${i}`,
      AvailabilityZone: `us-west-2${'abc'[(i as number) - 1]}`,
      AvailableIpAddressCount: 251,
    })),
  });
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
}

describe('recordOutcome REJECTED', () => {
  /** ValidateRequest took the lock and wrote PROVISIONING, then EventBridge stayed unavailable: the ASL catches and records REJECTED. */
  async function validateFailsAfterLock(input: Record<string, unknown>, executionName: string) {
    stubHealthyFacts();
    ebMock.on(PutEventsCommand).rejects(awsError('InternalException', { status: 500 }));
    const arn = `arn:aws:states:us-west-2:111122223333:execution:pni-provision:${executionName}`;
    const err = await validateRequest({ input, execution: { arn, name: executionName } }, h.deps).catch(
      (e: Error) => e,
    );
    expect(err).toMatchObject({ name: 'AwsServiceUnavailable' });
    expect(await h.store.lockHolder(ENV, VPC)).toBeDefined();
    // EventBridge is back by the time RejectRequest runs (it announces the refusal: day 2).
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const out = await recordOutcome(
      {
        outcome: 'REJECTED',
        // The ASL passes the state input with the caught error added at $.error.
        context: {
          input: {
            ...input,
            error: { Error: 'AwsServiceUnavailable', Cause: `[validateRequest] ${(err as Error).message}` },
          },
          error: { Error: 'AwsServiceUnavailable', Cause: `[validateRequest] ${(err as Error).message}` },
          executionArn: arn,
          executionName,
        },
      },
      h.deps,
    );
    return { out, arn };
  }

  test('marks the record REJECTED and releases the lock', async () => {
    const { out } = await validateFailsAfterLock(exampleRequest(), 'exec-r1');
    expect(out).toEqual({ rejected: true });
    expect(await h.store.get(RID)).toMatchObject({ status: 'REJECTED', error: { name: 'AwsServiceUnavailable' } });
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
  });

  test('a request without requestId named after an execution name that is not a valid id: same record, lock released', async () => {
    const input = exampleRequest();
    delete input.requestId;
    // Step Functions allows '.' (and up to 80 characters) in execution names; the request id is derived from it.
    const { out } = await validateFailsAfterLock(input, 'payments.nightly.2026-03-01');
    expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
    expect(out).toEqual({ rejected: true });
  });

  test('a record owned by another execution is left alone', async () => {
    await seedRecord(h, {
      status: 'PROVISIONING',
      executionArn: 'arn:aws:states:us-west-2:111122223333:execution:pni-provision:owner',
    });
    await h.store.acquireLock(ENV, VPC, RID);
    const out = await recordOutcome(
      {
        outcome: 'REJECTED',
        context: {
          input: exampleRequest(),
          error: { Error: 'RequestInProgress', Cause: 'busy' },
          executionArn: EXEC_ARN,
          executionName: 'exec-1',
        },
      },
      h.deps,
    );
    expect(out).toEqual({ rejected: false });
    expect((await h.store.get(RID))?.status).toBe('PROVISIONING');
    expect(await h.store.lockHolder(ENV, VPC)).toBe(RID);
  });
});
