/**
 * Issue 4: crash safety, rollbacks that cannot finish, duplicates and concurrency, teardown on demand,
 * stopping mid-flight, validation failures. Every assertion reads the sandbox's own state.
 */
import { CreateNetworkInterfaceCommand, DeleteNetworkInterfacePermissionCommand, EC2Client } from '@aws-sdk/client-ec2';
import { StopExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { Harness, credentials, eventsFor, expectSandboxEmpty, sampleRequest } from './harness.js';
import { SEED } from '#sandbox/seed.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(async () => {
  await h.reset();
});

const env = SEED.confluent.environments[0];
const vpc = SEED.vpc.vpcId;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, tries = 2000): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('crash after the side effect', () => {
  test.each(['createGateway', 'createSecurityGroup', 'createEni', 'grantPermissions', 'createAccessPoint'])(
    '%s dies after its work and is retried: no duplicate',
    async (fn) => {
      await h.faults({
        service: 'lambda',
        action: fn,
        error: 'Lambda.ServiceException',
        afterSideEffect: true,
        onCall: fn === 'createEni' ? 7 : 1,
      });
      const done = await h.run('provision', sampleRequest({ requestId: `pni-crash-${fn}` }));
      expect({ status: done.status, cause: done.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
      const s = await h.state();
      expect(s.ec2.networkInterfaces).toHaveLength(51);
      expect(s.ec2.networkInterfacePermissions).toHaveLength(51);
      expect(s.ec2.securityGroups.filter((g) => g.GroupName !== 'default')).toHaveLength(1);
      expect(s.confluent.gateways).toHaveLength(1);
      expect(s.confluent.accessPoints).toHaveLength(1);
      const fired = (await (await fetch(`${h.sb.url}/_sandbox/faults`)).json()) as { rules: { fired: number }[] };
      expect(fired.rules[0].fired).toBe(1);
    },
  );

  test.each(['createGateway', 'createEni', 'createAccessPoint'])(
    '%s dies after its work with a permanent error: the rollback still removes what it made',
    async (fn) => {
      await h.faults({
        service: 'lambda',
        action: fn,
        error: 'HandlerCrashed',
        afterSideEffect: true,
        onCall: fn === 'createEni' ? 12 : 1,
      });
      const done = await h.run('provision', sampleRequest({ requestId: `pni-crash2-${fn}` }));
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('HandlerCrashed');
      expectSandboxEmpty(await h.state());
      expect(await h.record(`pni-crash2-${fn}`)).toMatchObject({ status: 'ROLLED_BACK' });
    },
  );

  test('teardown finds an ENI by its tag even when the record never saw it', async () => {
    const done = await h.run('provision', sampleRequest({ requestId: 'pni-orphan' }));
    expect(done.status).toBe('SUCCEEDED');
    const ec2 = new EC2Client({ endpoint: h.sb.url, region: SEED.region, credentials });
    await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: SEED.subnets[0].subnetId,
        // Like every ENI createEni makes: in the request's security group (ownership is checked before a delete).
        Groups: [(await h.record('pni-orphan'))?.securityGroupId],
        Description: 'orphan of a crashed createEni',
        TagSpecifications: [
          {
            ResourceType: 'network-interface',
            Tags: [
              { Key: 'pni:request-id', Value: 'pni-orphan' },
              { Key: 'pni:managed-by', Value: 'pni-provisioner' },
            ],
          },
        ],
      }),
    );
    ec2.destroy();
    expect((await h.state()).ec2.networkInterfaces).toHaveLength(52);
    const td = await h.run('teardown', { requestId: 'pni-orphan' });
    expect(td.status).toBe('SUCCEEDED');
    expectSandboxEmpty(await h.state());
    expect(await h.record('pni-orphan')).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
  });
});

describe('a rollback or teardown that cannot finish', () => {
  test('DeleteSecurityGroup keeps answering DependencyViolation: ROLLBACK_FAILED with the exact leftover; a later teardown finishes', async () => {
    await h.faults([
      { service: 'confluent', resource: 'accessPoint', phase: 'ERROR', when: 'PROVISIONING' },
      {
        service: 'ec2',
        action: 'DeleteSecurityGroup',
        error: 'DependencyViolation',
        message: 'resource sg has a dependent object',
        times: -1,
      },
    ]);
    const done = await h.run('provision', sampleRequest({ requestId: 'pni-stuck-sg' }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('AccessPointFailed');
    let s = await h.state();
    const sg = s.ec2.securityGroups.find((g) => g.GroupName === 'pni-pni-stuck-sg');
    expect(sg).toBeDefined();
    expect(s.ec2.networkInterfaces).toEqual([]);
    expect(s.confluent.accessPoints).toEqual([]);
    expect(s.confluent.gateways).toEqual([]);
    const rec = await h.record('pni-stuck-sg');
    expect(rec).toMatchObject({ status: 'ROLLBACK_FAILED', failedStep: 'getAccessPointStatus' });
    expect(rec!.leftovers).toEqual([
      { type: 'securityGroup', id: sg.GroupId, reason: expect.stringMatching(/DependencyViolation|ResourceInUse/) },
    ]);
    const failed = eventsFor(s, 'pni-stuck-sg').find((e) => e.type === 'PNI Provisioning Failed');
    expect(failed!.detail.rollback).toEqual({ outcome: 'ROLLBACK_FAILED', leftovers: rec!.leftovers });
    expect(await h.lockHolder(env, vpc)).toBeUndefined();

    // The rollback retried, with a bound: several delete attempts, then it stopped.
    const rules = (
      (await (await fetch(`${h.sb.url}/_sandbox/faults`)).json()) as { rules: { action?: string; fired: number }[] }
    ).rules;
    const fired = rules.find((r) => r.action === 'DeleteSecurityGroup')!.fired;
    expect(fired).toBeGreaterThan(1);
    expect(fired).toBeLessThanOrEqual(12);

    await fetch(`${h.sb.url}/_sandbox/faults`, { method: 'DELETE' });
    const td = await h.run('teardown', { requestId: 'pni-stuck-sg' });
    expect(td.status).toBe('SUCCEEDED');
    s = await h.state();
    expectSandboxEmpty(s);
    expect(await h.record('pni-stuck-sg')).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
    expect(eventsFor(s, 'pni-stuck-sg').map((e) => e.type)).toContain('PNI Teardown Succeeded');
  });

  test('ENIs that stay in use: teardown retries with a bound, ends TEARDOWN_FAILED listing them; a later teardown finishes', async () => {
    expect((await h.run('provision', sampleRequest({ requestId: 'pni-inuse' }))).status).toBe('SUCCEEDED');
    await h.faults({
      service: 'ec2',
      action: 'DeleteNetworkInterface',
      error: 'InvalidNetworkInterface.InUse',
      message: 'The network interface is currently in use.',
      times: -1,
    });

    const td = await h.run('teardown', { requestId: 'pni-inuse' });
    expect(td.status).toBe('FAILED');
    expect(td.error).toBe('TeardownFailed');
    let s = await h.state();
    expect(s.confluent.accessPoints).toEqual([]);
    expect(s.ec2.networkInterfacePermissions).toEqual([]);
    expect(s.ec2.networkInterfaces).toHaveLength(51);
    const rec = await h.record('pni-inuse');
    expect(rec!.status).toBe('TEARDOWN_FAILED');
    const left = rec!.leftovers as { type: string; id: string; reason: string }[];
    expect(
      left
        .filter((l) => l.type === 'networkInterface')
        .map((l) => l.id)
        .sort(),
    ).toEqual(s.ec2.networkInterfaces.map((e) => e.NetworkInterfaceId).sort());
    for (const l of left.filter((x) => x.type === 'networkInterface')) expect(l.reason).toMatch(/in use|InUse/i);
    const sg = s.ec2.securityGroups.find((g) => g.GroupName === 'pni-pni-inuse');
    expect(left.find((l) => l.type === 'securityGroup')).toMatchObject({
      id: sg.GroupId,
      reason: expect.stringMatching(/DependencyViolation|dependent|in use/i),
    });
    const ev = eventsFor(s, 'pni-inuse').find((e) => e.type === 'PNI Teardown Failed');
    expect(ev!.detail.leftovers).toEqual(rec!.leftovers);
    const rules = ((await (await fetch(`${h.sb.url}/_sandbox/faults`)).json()) as { rules: { fired: number }[] }).rules;
    expect(rules[0].fired).toBeGreaterThanOrEqual(51 * 2); // retried ...
    expect(rules[0].fired).toBeLessThanOrEqual(51 * 10); // ... with a bound

    await fetch(`${h.sb.url}/_sandbox/faults`, { method: 'DELETE' });
    const again = await h.run('teardown', { requestId: 'pni-inuse' });
    expect(again.status).toBe('SUCCEEDED');
    s = await h.state();
    expectSandboxEmpty(s);
    expect(await h.record('pni-inuse')).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
  });

  test('a permission revoke while Confluent still holds the ENI is refused by EC2 (why the access point goes first)', async () => {
    expect((await h.run('provision', sampleRequest({ requestId: 'pni-order' }))).status).toBe('SUCCEEDED');
    const s = await h.state();
    const eni = s.ec2.networkInterfaces[0];
    expect(eni.Attachment?.InstanceOwnerId).toBe(SEED.confluent.gatewayAccountId);
    const perm = s.ec2.networkInterfacePermissions.find((p) => p.NetworkInterfaceId === eni.NetworkInterfaceId);
    const ec2 = new EC2Client({ endpoint: h.sb.url, region: SEED.region, credentials, maxAttempts: 1 });
    await expect(
      ec2.send(
        new DeleteNetworkInterfacePermissionCommand({
          NetworkInterfacePermissionId: perm.NetworkInterfacePermissionId,
        }),
      ),
    ).rejects.toMatchObject({ name: 'OperationNotPermitted' });
    ec2.destroy();
  });
});

describe('duplicates and concurrency', () => {
  // The access point takes 1.5 s to become READY, so executions started together surely overlap.
  const slowAccessPoint = () => h.sb.setProfile('fast', { accessPointProvisionMs: 1500 });
  afterEach(() => {
    h.sb.setProfile('fast');
  });
  test('the same EventBridge event delivered twice at once: one connection, one clear refusal', async () => {
    slowAccessPoint();
    const eventId = await h.putEvent('PNI Provisioning Requested', sampleRequest({ requestId: 'pni-dup-event' }));
    h.sb.eventBridge.redeliver(eventId);
    const arns = await h.executionsForEvent(eventId, 'provision', 2);
    const results = await Promise.all(arns.map((a) => h.wait(a)));
    expect(results.map((r) => r.status).sort()).toEqual(['FAILED', 'SUCCEEDED']);
    expect(results.find((r) => r.status === 'FAILED')!.error).toBe('RequestInProgress');
    const s = await h.state();
    expect(s.ec2.networkInterfaces).toHaveLength(51);
    expect(s.confluent.gateways).toHaveLength(1);
    expect(s.confluent.accessPoints).toHaveLength(1);
    expect(await h.record('pni-dup-event')).toMatchObject({ status: 'SUCCEEDED' });
    expect(await h.lockHolder(env, vpc)).toBeUndefined();
  });

  test('the same event delivered again later, and the same request repeated after success: the stored result, nothing new', async () => {
    const eventId = await h.putEvent('PNI Provisioning Requested', sampleRequest({ requestId: 'pni-dup-later' }));
    const [first] = await h.executionsForEvent(eventId);
    const one = await h.wait(first);
    expect(one.status).toBe('SUCCEEDED');
    h.sb.eventBridge.redeliver(eventId);
    const arns = await h.executionsForEvent(eventId, 'provision', 2);
    const two = await h.wait(arns.find((a) => a !== first)!);
    expect(two.status).toBe('SUCCEEDED');
    expect(JSON.parse(two.output!)).toEqual(JSON.parse(one.output!));
    const three = await h.run('provision', sampleRequest({ requestId: 'pni-dup-later' }));
    expect(JSON.parse(three.output!)).toEqual(JSON.parse(one.output!));
    const s = await h.state();
    expect(s.ec2.networkInterfaces).toHaveLength(51);
    expect(s.confluent.gateways).toHaveLength(1);
    expect(eventsFor(s, 'pni-dup-later').filter((e) => e.type === 'PNI Provisioning Succeeded')).toHaveLength(1);
  });

  test('the same request id started twice at once (two console executions): one runs, one is refused', async () => {
    slowAccessPoint();
    const [a, b] = await Promise.all([
      h.start('provision', sampleRequest({ requestId: 'pni-twice' }), 'pni-twice-1'),
      h.start('provision', sampleRequest({ requestId: 'pni-twice' }), 'pni-twice-2'),
    ]);
    const [ra, rb] = await Promise.all([h.wait(a), h.wait(b)]);
    expect([ra.status, rb.status].sort()).toEqual(['FAILED', 'SUCCEEDED']);
    expect([ra, rb].find((r) => r.status === 'FAILED')!.error).toBe('RequestInProgress');
    expect((await h.state()).ec2.networkInterfaces).toHaveLength(51);
  });

  test('the same request id with different content after success is refused, and nothing changes', async () => {
    expect((await h.run('provision', sampleRequest({ requestId: 'pni-conflict' }))).status).toBe('SUCCEEDED');
    const r = await h.run('provision', sampleRequest({ requestId: 'pni-conflict', tags: { team: 'other' } }));
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('RequestConflict');
    expect(await h.record('pni-conflict')).toMatchObject({ status: 'SUCCEEDED' });
    expect((await h.state()).ec2.networkInterfaces).toHaveLength(51);
  });

  test('two different requests for the same environment and VPC at once: exactly one connection', async () => {
    slowAccessPoint();
    const [a, b] = await Promise.all([
      h.start('provision', sampleRequest({ requestId: 'pni-lock-a' })),
      h.start('provision', sampleRequest({ requestId: 'pni-lock-b' })),
    ]);
    const [ra, rb] = await Promise.all([h.wait(a), h.wait(b)]);
    expect([ra.status, rb.status].sort()).toEqual(['FAILED', 'SUCCEEDED']);
    const loser = ra.status === 'FAILED' ? 'pni-lock-a' : 'pni-lock-b';
    const winner = loser === 'pni-lock-a' ? 'pni-lock-b' : 'pni-lock-a';
    // Refused by the lock, or (day 2) because the winner's connection is already PROVISIONING: either way named.
    const refusal = [ra, rb].find((r) => r.status === 'FAILED')!.error;
    expect(['RequestLocked', 'ConnectionExists']).toContain(refusal);
    expect(await h.record(loser)).toMatchObject({ status: 'REJECTED', error: { name: refusal } });
    const s = await h.state();
    expect(s.ec2.networkInterfaces).toHaveLength(51);
    expect(s.confluent.gateways).toHaveLength(1);
    expect(await h.lockHolder(env, vpc)).toBeUndefined();
    // (day 2) While the winner's connection is live the pair stays taken (ConnectionExists naming it); once it is torn
    // down, the refused one can run.
    const refused = await h.run('provision', sampleRequest({ requestId: loser }));
    expect({ error: refused.error, names: refused.cause?.includes(winner) }).toEqual({
      error: 'ConnectionExists',
      names: true,
    });
    expect((await h.run('teardown', { requestId: winner })).status).toBe('SUCCEEDED');
    const retry = await h.run(
      'provision',
      sampleRequest({ requestId: loser, subnetIds: SEED.subnets.slice(0, 3).map((x) => x.subnetId) }),
    );
    expect(retry.status).toBe('SUCCEEDED');
  });
});

/**
 * (day 2) A second VPC with three subnets in usw2-az1..3: one live connection per (environment, VPC) means a request
 * that reuses another's gateway connects another VPC.
 */
const VPC2 = {
  vpcId: 'vpc-0b1b2b3b4b5b6b7b8',
  cidr: '10.40.0.0/16',
  subnets: [
    { subnetId: 'subnet-01a01a01a01a01a01', cidr: '10.40.1.0/24', zoneName: 'us-west-2a' },
    { subnetId: 'subnet-02b02b02b02b02b02', cidr: '10.40.2.0/24', zoneName: 'us-west-2b' },
    { subnetId: 'subnet-03c03c03c03c03c03', cidr: '10.40.3.0/24', zoneName: 'us-west-2c' },
  ],
};
async function seedSecondVpc(): Promise<{ vpcId: string; subnetIds: string[] }> {
  const r = await fetch(`${h.sb.url}/_sandbox/seed`, {
    method: 'POST',
    body: JSON.stringify({ vpcs: [VPC2] }),
    headers: { 'content-type': 'application/json' },
  });
  if (r.status !== 200) throw new Error(`seed refused: ${await r.text()}`);
  return { vpcId: VPC2.vpcId, subnetIds: VPC2.subnets.map((x) => x.subnetId) };
}

/** expectSandboxEmpty, with the second VPC's default security group. */
function expectNothingLeft(state: Awaited<ReturnType<Harness['state']>>): void {
  expectSandboxEmpty({
    ...state,
    ec2: { ...state.ec2, securityGroups: state.ec2.securityGroups.filter((g) => g.VpcId !== VPC2.vpcId) },
  });
}

describe('teardown on demand', () => {
  test('PNI Teardown Requested removes everything in the safe order; TORN_DOWN; event emitted', async () => {
    expect((await h.run('provision', sampleRequest({ requestId: 'pni-td' }))).status).toBe('SUCCEEDED');
    const eventId = await h.putEvent('PNI Teardown Requested', { requestId: 'pni-td' });
    const [arn] = await h.executionsForEvent(eventId, 'teardown');
    const done = await h.wait(arn);
    expect(done.status).toBe('SUCCEEDED');
    const s = await h.state();
    expectSandboxEmpty(s);
    expect(await h.record('pni-td')).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
    expect(eventsFor(s, 'pni-td').at(-1)).toMatchObject({
      type: 'PNI Teardown Succeeded',
      detail: { requestId: 'pni-td', mode: 'teardown' },
    });
    // Order: the access point was confirmed gone (404) before any permission was revoked.
    const history =
      (await h.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }))).events ?? [];
    const entered = history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name);
    const revokeAt = entered.indexOf('RevokePermissions');
    expect(entered.slice(0, revokeAt)).toContain('DeleteAccessPoint');
    const goneChecks = history.filter(
      (e) =>
        e.stateExitedEventDetails?.name === 'DeleteAccessPoint' ||
        e.stateExitedEventDetails?.name === 'CheckAccessPointGone',
    );
    expect(JSON.parse(goneChecks.at(-1)!.stateExitedEventDetails!.output!).accessPointDeletion.gone).toBe(true);
    expect(entered.indexOf('DeleteEnis')).toBeGreaterThan(revokeAt);
    expect(entered.indexOf('DeleteSecurityGroup')).toBeGreaterThan(entered.indexOf('DeleteEnis'));
    expect(entered.indexOf('DeleteGateway')).toBeGreaterThan(entered.indexOf('DeleteSecurityGroup'));
  });

  test('a reused gateway is never deleted; the one this request created is', async () => {
    const a = await h.run('provision', sampleRequest({ requestId: 'pni-owner' }));
    const gatewayId = JSON.parse(a.output!).gatewayId;
    const b = await h.run(
      'provision',
      sampleRequest({
        requestId: 'pni-reuser',
        ...(await seedSecondVpc()),
        gateway: { existingId: gatewayId },
        enisPerSubnet: 17,
      }),
    );
    expect(b.status).toBe('SUCCEEDED');
    expect(JSON.parse(b.output!)).toMatchObject({ gatewayId, gatewayCreatedByUs: false });
    expect((await h.run('teardown', { requestId: 'pni-reuser' })).status).toBe('SUCCEEDED');
    let s = await h.state();
    expect(s.confluent.gateways.map((g) => g.id)).toEqual([gatewayId]);
    expect(s.ec2.networkInterfaces).toHaveLength(51); // pni-owner's are untouched
    expect(s.confluent.accessPoints).toHaveLength(1);
    expect((await h.run('teardown', { requestId: 'pni-owner' })).status).toBe('SUCCEEDED');
    s = await h.state();
    expectNothingLeft(s);
  });

  test('tearing down the gateway owner while another request still uses its gateway: the gateway is kept and listed; a re-run finishes', async () => {
    const a = await h.run('provision', sampleRequest({ requestId: 'pni-owner2' }));
    const gatewayId = JSON.parse(a.output!).gatewayId;
    expect(
      (
        await h.run(
          'provision',
          sampleRequest({ requestId: 'pni-reuser2', ...(await seedSecondVpc()), gateway: { existingId: gatewayId } }),
        )
      ).status,
    ).toBe('SUCCEEDED');
    const first = await h.run('teardown', { requestId: 'pni-owner2' });
    expect(first.status).toBe('FAILED');
    expect((await h.record('pni-owner2'))!.leftovers).toEqual([
      { type: 'gateway', id: gatewayId, reason: expect.stringMatching(/still serves access point/) },
    ]);
    expect((await h.state()).ec2.networkInterfaces).toHaveLength(51); // the reuser's
    expect((await h.run('teardown', { requestId: 'pni-reuser2' })).status).toBe('SUCCEEDED');
    expect((await h.run('teardown', { requestId: 'pni-owner2' })).status).toBe('SUCCEEDED');
    expectNothingLeft(await h.state());
  });

  test('teardown of an unknown or already torn-down request is a clear no-op', async () => {
    const unknown = await h.run('teardown', { requestId: 'pni-never-existed' });
    expect(unknown.status).toBe('SUCCEEDED');
    expect(JSON.parse(unknown.output!)).toMatchObject({
      outcome: 'NOOP',
      reason: expect.stringMatching(/no request with id pni-never-existed/),
    });
    expect((await h.run('provision', sampleRequest({ requestId: 'pni-twice-td' }))).status).toBe('SUCCEEDED');
    expect((await h.run('teardown', { requestId: 'pni-twice-td' })).status).toBe('SUCCEEDED');
    const again = await h.run('teardown', { requestId: 'pni-twice-td' });
    expect(JSON.parse(again.output!)).toMatchObject({ outcome: 'NOOP', reason: expect.stringMatching(/TORN_DOWN/) });
  });

  test('teardown while the provisioning still runs is refused', async () => {
    await h.sb.setProfile('fast', { accessPointProvisionMs: 60_000 });
    const arn = await h.start('provision', sampleRequest({ requestId: 'pni-busy' }));
    await waitFor('the access point', async () => (await h.state()).confluent.accessPoints.length > 0);
    const td = await h.run('teardown', { requestId: 'pni-busy' });
    expect(td.status).toBe('FAILED');
    expect(td.error).toBe('RequestInProgress');
    await h.sfn.send(new StopExecutionCommand({ executionArn: arn }));
    h.sb.setProfile('fast');
  });
});

test('StopExecution during the ENI Map, then teardown: nothing is left', async () => {
  // Each CreateNetworkInterface takes 200 ms, so the Map is still running when the first ENIs exist.
  h.sb.setProfile('fast', { ec2ActionLatencyMs: { CreateNetworkInterface: 200 } });
  const arn = await h.start('provision', sampleRequest({ requestId: 'pni-stopped' }));
  await waitFor('some ENIs', async () => {
    const n = (await h.state()).ec2.networkInterfaces.length;
    return n >= 1 && n < 51;
  });
  await h.sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Operator', cause: 'stopped mid-flight' }));
  expect((await h.wait(arn)).status).toBe('ABORTED');
  h.sb.setProfile('fast');
  expect(await h.record('pni-stopped')).toMatchObject({ status: 'PROVISIONING' });
  const td = await h.run('teardown', { requestId: 'pni-stopped' });
  expect(td.status).toBe('SUCCEEDED');
  expectSandboxEmpty(await h.state());
  expect(await h.record('pni-stopped')).toMatchObject({ status: 'TORN_DOWN' });
  expect(await h.lockHolder(env, vpc)).toBeUndefined();
});

describe('validation: rules and live checks fail before the first change', () => {
  test.each([
    [
      'two subnets in the same AZ',
      { subnetIds: [SEED.subnets[0].subnetId, SEED.subnets[1].subnetId, SEED.subnets[4].subnetId] },
      'RequestInvalid',
      /subnetIds.*(AZ|zone)/i,
    ],
    [
      'a subnet of another VPC',
      { subnetIds: [SEED.subnets[0].subnetId, SEED.subnets[1].subnetId, SEED.otherSubnets[0].subnetId] },
      'RequestInvalid',
      /subnetIds\[2\]/,
    ],
    [
      'too few free IPs',
      { subnetIds: [SEED.subnets[0].subnetId, SEED.subnets[1].subnetId, SEED.subnets[3].subnetId] },
      'RequestInvalid',
      /subnetIds\[2\].*free/i,
    ],
    ['a forbidden egress route', { egressRoutes: ['10.100.0.0/16'] }, 'RequestInvalid', /egressRoutes\[0\]/],
    ['an unknown VPC', { vpcId: 'vpc-0123456789abcdef0' }, 'RequestInvalid', /vpcId/],
    ['a malformed environment id', { environmentId: 'prod' }, 'RequestInvalid', /environmentId/],
  ])('%s -> %s, REJECTED, nothing created', async (_n, overrides, error, message) => {
    const requestId = `pni-bad-${Math.random().toString(36).slice(2, 8)}`;
    const done = await h.run('provision', sampleRequest({ requestId, ...overrides }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe(error);
    expect(done.cause).toMatch(message);
    expectSandboxEmpty(await h.state());
    expect(await h.record(requestId)).toMatchObject({ status: 'REJECTED', error: { name: error } });
    expect(await h.lockHolder(env, vpc)).toBeUndefined();
  });

  test('a live check that cannot be made (DescribeSubnets denied) fails the execution, REJECTED, nothing created', async () => {
    await h.faults({ service: 'ec2', action: 'DescribeSubnets', error: 'UnauthorizedOperation', times: -1 });
    const done = await h.run('provision', sampleRequest({ requestId: 'pni-denied' }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Ec2RequestFailed');
    expect(done.cause).toMatch(/UnauthorizedOperation/);
    expectSandboxEmpty(await h.state());
    expect(await h.record('pni-denied')).toMatchObject({ status: 'REJECTED' });
  });

  test('a third gateway in the environment is refused up front, naming the quota', async () => {
    expect((await h.run('provision', sampleRequest({ requestId: 'pni-q1' }))).status).toBe('SUCCEEDED');
    expect((await h.run('teardown', { requestId: 'pni-q1' })).status).toBe('SUCCEEDED');
    // Two gateways made by hand in the environment.
    for (const n of [1, 2]) {
      const r = await fetch(`${h.sb.url}/networking/v1/gateways`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SEED.confluent.apiKey}:${SEED.confluent.apiSecret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          spec: {
            display_name: `manual-${n}`,
            environment: { id: env },
            config: {
              kind: 'AwsPrivateNetworkInterfaceGatewaySpec',
              region: SEED.region,
              zones: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
            },
          },
        }),
      });
      expect(r.status).toBe(202);
    }
    const done = await h.run('provision', sampleRequest({ requestId: 'pni-q3' }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('RequestInvalid');
    expect(done.cause).toMatch(/already has 2 PNI gateways/);
    const s = await h.state();
    expect(s.confluent.gateways).toHaveLength(2);
    expect(s.ec2.networkInterfaces).toEqual([]);
  });
});
