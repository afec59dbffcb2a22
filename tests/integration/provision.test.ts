/**
 * The real provisioning workflow on the sandbox: asserts what exists in the sandbox afterwards,
 * not the workflow's own story.
 */
import { Harness, eventsFor, leftoversOf, sampleRequest } from './harness.js';
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

test('a PNI Provisioning Requested event builds the whole connection', async () => {
  const eventId = await h.putEvent('PNI Provisioning Requested', sampleRequest({ requestId: 'pni-it-happy' }));
  const [arn] = await h.executionsForEvent(eventId);
  const done = await h.wait(arn);
  expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({
    status: 'SUCCEEDED',
    error: undefined,
    cause: undefined,
  });
  const output = JSON.parse(done.output!);

  const state = await h.state();
  const gatewayAccount = SEED.confluent.gatewayAccountId;
  // 51 ENIs, 17 in each of the three subnets, tagged, in our security group.
  const enis = state.ec2.networkInterfaces;
  expect(enis).toHaveLength(51);
  for (const subnet of SEED.subnets.slice(0, 3))
    expect(enis.filter((e) => e.SubnetId === subnet.subnetId)).toHaveLength(17);
  const sg = state.ec2.securityGroups.find((g) => g.GroupId === output.securityGroupId);
  expect(sg).toBeDefined();
  for (const e of enis) {
    expect(e.Groups.map((g: { GroupId: string }) => g.GroupId)).toEqual([sg.GroupId]);
    expect(e.TagSet).toEqual(
      expect.arrayContaining([
        { Key: 'pni:request-id', Value: 'pni-it-happy' },
        { Key: 'Confluent', Value: 'true' },
        { Key: 'team', Value: 'payments' },
      ]),
    );
  }
  // One INSTANCE-ATTACH permission per ENI, for the gateway's account (never one from the request).
  const perms = state.ec2.networkInterfacePermissions;
  expect(perms).toHaveLength(51);
  expect(new Set(perms.map((p) => p.NetworkInterfaceId))).toEqual(new Set(enis.map((e) => e.NetworkInterfaceId)));
  for (const p of perms) expect(p).toMatchObject({ AwsAccountId: gatewayAccount, Permission: 'INSTANCE-ATTACH' });
  // Security group: ingress 443 and 9092 from the VPC CIDR, no egress at all.
  const ingress = sg.IpPermissions.map(
    (p: any) => `${p.IpProtocol}:${p.FromPort}-${p.ToPort}:${p.IpRanges.map((r: any) => r.CidrIp).join(',')}`,
  ).sort();
  expect(ingress).toEqual([`tcp:443-443:${SEED.vpc.cidr}`, `tcp:9092-9092:${SEED.vpc.cidr}`]);
  expect(sg.IpPermissionsEgress).toEqual([]);
  // A READY access point listing exactly those ENIs, for the customer's account, on our gateway.
  expect(state.confluent.accessPoints).toHaveLength(1);
  const ap = state.confluent.accessPoints[0];
  expect(ap.status.phase).toBe('READY');
  expect(ap.id).toBe(output.accessPointId);
  expect(new Set(ap.spec.config.network_interfaces)).toEqual(new Set(enis.map((e) => e.NetworkInterfaceId)));
  expect(ap.spec.config.account).toBe(SEED.accountId);
  expect(ap.spec.gateway.id).toBe(output.gatewayId);
  const gw = state.confluent.gateways.find((g) => g.id === output.gatewayId);
  expect(gw.spec.config.zones).toEqual(['usw2-az1', 'usw2-az2', 'usw2-az3']);
  expect(gw.status.cloud_gateway.account).toBe(gatewayAccount);
  expect(gw.status.phase).toBe('READY');

  // The record and the lock.
  const rec = await h.record('pni-it-happy');
  expect(rec).toMatchObject({
    status: 'SUCCEEDED',
    gatewayId: output.gatewayId,
    gatewayCreatedByUs: true,
    accessPointId: ap.id,
    securityGroupId: sg.GroupId,
    confluentAccount: gatewayAccount,
    source: 'eventbridge',
  });
  const eniRecs = await h.eniRecords('pni-it-happy');
  expect(eniRecs).toHaveLength(51);
  expect(eniRecs.every((e) => e.status === 'PERMITTED' && e.permissionId && e.eniId)).toBe(true);
  expect(await h.lockHolder(SEED.confluent.environments[0], SEED.vpc.vpcId)).toBeUndefined();

  // The events, in order.
  const ev = eventsFor(state, 'pni-it-happy');
  expect(ev.map((e) => e.type)).toEqual([
    'PNI Provisioning Started',
    ...ev.filter((e) => e.type === 'PNI Provisioning Phase Changed').map(() => 'PNI Provisioning Phase Changed'),
    'PNI Provisioning Succeeded',
  ]);
  expect(
    ev
      .filter((e) => e.type === 'PNI Provisioning Phase Changed')
      .map((e) => e.detail.phase)
      .sort(),
  ).toEqual(['ACCESS_POINT_READY', 'ENIS_CREATED', 'GATEWAY_READY', 'PERMISSIONS_GRANTED']);
  expect(ev.at(-1)!.detail).toMatchObject({
    requestId: 'pni-it-happy',
    executionArn: arn,
    accessPointId: ap.id,
    eniIds: expect.any(Array),
  });
});

test('InsufficientFreeAddressesInSubnet on the 30th ENI rolls everything back', async () => {
  await h.faults({
    service: 'ec2',
    action: 'CreateNetworkInterface',
    error: 'InsufficientFreeAddressesInSubnet',
    onCall: 30,
  });
  const done = await h.run('provision', sampleRequest({ requestId: 'pni-it-rollback' }));
  expect(done.status).toBe('FAILED');
  expect(done.error).toBe('Ec2RequestFailed');
  expect(done.cause).toMatch(/InsufficientFreeAddressesInSubnet/);
  expect(done.cause).toMatch(/ROLLED_BACK/);

  const state = await h.state();
  // The sandbox is empty again: no ENI, permission, access point or gateway; only the seeded default groups.
  expect(state.ec2.networkInterfaces).toEqual([]);
  expect(state.ec2.networkInterfacePermissions).toEqual([]);
  expect(state.ec2.securityGroups.map((g) => g.GroupName)).toEqual(['default', 'default']);
  expect(state.confluent.accessPoints).toEqual([]);
  expect(state.confluent.gateways).toEqual([]);
  for (const s of state.ec2.subnets.filter((x) => SEED.subnets.some((y) => y.subnetId === x.SubnetId))) {
    expect(s.AvailableIpAddressCount).toBe(s.CidrBlock.endsWith('/24') ? 251 : 11);
  }
  const left = leftoversOf(state, 'pni-it-rollback');
  expect(Object.values(left).every((l) => l.length === 0)).toBe(true);

  const rec = await h.record('pni-it-rollback');
  expect(rec).toMatchObject({
    status: 'ROLLED_BACK',
    failedStep: 'createEni',
    error: { name: 'Ec2RequestFailed' },
    leftovers: [],
  });
  expect(await h.lockHolder(SEED.confluent.environments[0], SEED.vpc.vpcId)).toBeUndefined();
  const failed = eventsFor(state, 'pni-it-rollback').find((e) => e.type === 'PNI Provisioning Failed');
  expect(failed?.detail).toMatchObject({
    failedStep: 'createEni',
    rollback: { outcome: 'ROLLED_BACK', leftovers: [] },
    error: { name: 'Ec2RequestFailed' },
  });
});
