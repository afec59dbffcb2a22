/**
 * (day 2) Refusals are announced, one live connection per (environment, VPC), and `plan` (the plan machine: the same
 * assessment as ValidateRequest, read-only). Assertions read the sandbox's own state and events.
 */
import { SEED } from '#sandbox/seed.js';
import { Harness, eventsFor, sampleRequest, type SandboxState } from './harness.js';
import { provisioned, runDay2, schemaErrors } from './day2-helpers.js';

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

const [A, B, C] = SEED.subnets;
const ENV = SEED.confluent.environments[0];

/** The parts of the sandbox a plan must not change. */
function footprint(s: SandboxState) {
  return {
    enis: s.ec2.networkInterfaces.length,
    perms: s.ec2.networkInterfacePermissions.length,
    groups: s.ec2.securityGroups.map((g) => g.GroupId).sort(),
    gateways: s.confluent.gateways.map((g) => g.id).sort(),
    accessPoints: s.confluent.accessPoints.map((a) => a.id).sort(),
    events: s.events.filter((e) => e.Source === 'pni.provisioner').length,
  };
}

describe('one live connection per (environment, VPC)', () => {
  test('a second request for a pair with a SUCCEEDED connection is refused with ConnectionExists naming it, and announced', async () => {
    await provisioned(h, sampleRequest({ requestId: 'pni-it-first' }));
    const before = footprint(await h.state());
    const done = await h.run('provision', sampleRequest({ requestId: 'pni-it-second' }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('ConnectionExists');
    expect(done.cause).toContain('request pni-it-first (SUCCEEDED)');
    const state = await h.state();
    // nothing was built: a second gateway and 51 more ENIs are exactly what this rule prevents
    expect({ ...footprint(state), events: 0 }).toEqual({ ...before, events: 0 });
    expect(await h.record('pni-it-second')).toMatchObject({ status: 'REJECTED', error: { name: 'ConnectionExists' } });
    expect(await h.lockHolder(ENV, SEED.vpc.vpcId)).toBeUndefined();
    const events = eventsFor(state, 'pni-it-second');
    expect(events.map((e) => e.type)).toEqual(['PNI Provisioning Rejected']);
    expect(schemaErrors(state)).toEqual([]);
    expect(events[0].detail).toMatchObject({
      version: '1',
      requestId: 'pni-it-second',
      environmentId: ENV,
      vpcId: SEED.vpc.vpcId,
      error: { name: 'ConnectionExists' },
      errors: [{ field: 'vpcId', message: expect.stringContaining('pni-it-first') }],
      existingRequestId: 'pni-it-first',
    });
  }, 60_000);

  test('the same pair in another environment, and the same request id again, are not refused', async () => {
    await provisioned(h, sampleRequest({ requestId: 'pni-it-first' }));
    const again = await h.run('provision', sampleRequest({ requestId: 'pni-it-first' }));
    expect(again.status).toBe('SUCCEEDED'); // the stored result, as before
    await provisioned(h, sampleRequest({ requestId: 'pni-it-env2', environmentId: SEED.confluent.environments[1] }));
  }, 60_000);

  test('after a teardown the pair is free again', async () => {
    await provisioned(h, sampleRequest({ requestId: 'pni-it-first' }));
    expect((await h.run('teardown', { requestId: 'pni-it-first' })).status).toBe('SUCCEEDED');
    await provisioned(h, sampleRequest({ requestId: 'pni-it-second' }));
  }, 60_000);
});

describe('refusals are announced', () => {
  test('a schema-invalid event: PNI Provisioning Rejected with the named error and every violated field', async () => {
    const eventId = await h.putEvent(
      'PNI Provisioning Requested',
      sampleRequest({ requestId: 'pni-it-bad', enisPerSubnet: 5, egressRoutes: ['10.100.1.0/24'], colour: 'red' }),
    );
    const [arn] = await h.executionsForEvent(eventId);
    const done = await h.wait(arn);
    expect(done.error).toBe('RequestInvalid');
    const events = eventsFor(await h.state(), 'pni-it-bad');
    expect(events.map((e) => e.type)).toEqual(['PNI Provisioning Rejected']);
    const d = events[0].detail;
    expect(d).toMatchObject({ requestId: 'pni-it-bad', environmentId: ENV, error: { name: 'RequestInvalid' } });
    expect(d.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'colour',
      'egressRoutes[0]',
      'enisPerSubnet',
    ]);
    expect(await h.record('pni-it-bad')).toMatchObject({ status: 'REJECTED' });
    expect(schemaErrors(await h.state())).toEqual([]);
  });

  test('a live-check violation names its field', async () => {
    await h.run(
      'provision',
      sampleRequest({ requestId: 'pni-it-az', subnetIds: [A.subnetId, B.subnetId, SEED.subnets[4].subnetId] }),
    );
    const [ev] = eventsFor(await h.state(), 'pni-it-az');
    expect(ev.type).toBe('PNI Provisioning Rejected');
    expect(ev.detail.errors).toEqual([
      { field: 'subnetIds[2]', message: expect.stringContaining('availability zone') },
    ]);
  });

  test('a teardown of an unknown request: PNI Request Not Found, nothing else', async () => {
    const done = await h.run('teardown', { requestId: 'pni-it-ghost' });
    expect(done.status).toBe('SUCCEEDED');
    const events = eventsFor(await h.state(), 'pni-it-ghost');
    expect(events).toEqual([
      {
        type: 'PNI Request Not Found',
        detail: expect.objectContaining({
          version: '1',
          action: 'teardown',
          message: expect.stringContaining('nothing to tear down'),
        }),
      },
    ]);
  });
});

describe('plan (read-only)', () => {
  test('a good request: 51 slots with subnet, AZ ID and (sequential) IP, the group and its rules, gateway, permissions, access point; the sandbox is unchanged', async () => {
    const before = await h.state();
    const run = await runDay2(
      h,
      'plan',
      sampleRequest({
        requestId: 'pni-it-plan',
        ipAssignment: { mode: 'sequential', startOffset: 10 },
        egressRoutes: ['10.30.0.0/16'],
        securityGroup: { egressRules: [{ cidr: '10.30.1.0/24', ports: [5432] }] },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    const p = run.result;
    expect(p).toMatchObject({
      ok: true,
      requestId: 'pni-it-plan',
      customerAccount: SEED.accountId,
      gateway: { action: 'create', displayName: 'pni-pni-it-plan', zones: ['usw2-az1', 'usw2-az2', 'usw2-az3'] },
      securityGroup: {
        action: 'create',
        name: 'pni-pni-it-plan',
        rules: [
          `ingress tcp 443 from ${SEED.vpc.cidr}`,
          `ingress tcp 9092 from ${SEED.vpc.cidr}`,
          'egress tcp 5432 to 10.30.1.0/24',
        ],
      },
      permissions: { count: 51, permission: 'INSTANCE-ATTACH' },
      accessPoint: {
        displayName: 'pni-pni-it-plan',
        account: SEED.accountId,
        egressRoutes: ['10.30.0.0/16'],
        networkInterfaces: 51,
      },
    });
    expect(p.enis).toHaveLength(51);
    expect(p.enis[0]).toEqual({
      slot: 0,
      subnetId: A.subnetId,
      zoneId: 'usw2-az1',
      privateIp: '10.0.1.10',
      name: 'pni-pni-it-plan-sub-0-eni-1',
    });
    expect(p.enis[50]).toMatchObject({ subnetId: C.subnetId, zoneId: 'usw2-az3', privateIp: '10.0.3.26' });
    const after = await h.state();
    expect(footprint(after)).toEqual(footprint(before));
    expect(await h.record('pni-it-plan')).toBeUndefined();
    expect(await h.lockHolder(ENV, SEED.vpc.vpcId)).toBeUndefined();
  });

  const bad: [string, Record<string, unknown>, string, string][] = [
    ['schema', { enisPerSubnet: 5 }, 'enisPerSubnet', 'must be at least 17'],
    ['unknown field', { subnetId: 'x' }, 'subnetId', 'is not a known field'],
    ['forbidden route', { egressRoutes: ['10.100.0.0/24'] }, 'egressRoutes[0]', 'forbidden range'],
    ['VPC not found', { vpcId: 'vpc-0123456789abcdef0' }, 'vpcId', 'was not found'],
    [
      'subnet not found',
      { subnetIds: [A.subnetId, B.subnetId, 'subnet-0123456789abcdef0'] },
      'subnetIds[2]',
      'was not found',
    ],
    [
      'subnet in another VPC',
      { subnetIds: [A.subnetId, B.subnetId, SEED.otherSubnets[0].subnetId] },
      'subnetIds[2]',
      'is in vpc-',
    ],
    [
      'two subnets in one AZ',
      { subnetIds: [A.subnetId, B.subnetId, SEED.subnets[4].subnetId] },
      'subnetIds[2]',
      'availability zone',
    ],
    ['too few free addresses', { subnetIds: [A.subnetId, B.subnetId, SEED.subnets[3].subnetId] }, 'subnetIds[2]', ''],
    [
      'security group not found',
      { securityGroup: { existingId: 'sg-0123456789abcdef0' } },
      'securityGroup.existingId',
      'was not found',
    ],
    ['gateway not found', { gateway: { existingId: 'gw-nope' } }, 'gateway.existingId', 'was not found'],
  ];
  test.each(bad)('a bad request (%s): the field and the rule, nothing changed', async (_kind, over, field, words) => {
    const before = footprint(await h.state());
    const run = await runDay2(h, 'plan', sampleRequest({ requestId: 'pni-it-plan-bad', ...over }));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ ok: false, field, message: expect.stringContaining(words) });
    expect(footprint(await h.state())).toEqual(before);
    expect(await h.record('pni-it-plan-bad')).toBeUndefined();
  });

  test('a pair that already has a connection: ConnectionExists naming it', async () => {
    await provisioned(h, sampleRequest({ requestId: 'pni-it-first' }));
    const run = await runDay2(h, 'plan', sampleRequest({ requestId: 'pni-it-plan-2' }));
    expect(run.result).toMatchObject({
      ok: false,
      error: 'ConnectionExists',
      field: 'vpcId',
      existingRequestId: 'pni-it-first',
    });
  }, 60_000);
});
