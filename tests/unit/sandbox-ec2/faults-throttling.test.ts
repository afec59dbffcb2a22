/** Fault rules, eventual consistency windows, token buckets on a fake clock, latency, snapshot. */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateNetworkInterfacePermissionCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { CONFLUENT, ec2Error, startHarness, SUBNET_A, VPC, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.emulator.reset();
  h.faults.clear();
  h.profile.ec2TokenBuckets = false;
  h.profile.ec2LatencyMs = 0;
  h.profile.timeFactor = 1; // bucket refill runs on the profile's scaled clock; 1 = real time
});

describe('call faults', () => {
  test('onCall/times: the 2nd and 3rd CreateNetworkInterface fail with InternalError 500, then it works', async () => {
    h.faults.add({ service: 'ec2', action: 'CreateNetworkInterface', error: 'InternalError', onCall: 2, times: 2 });
    await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A }));
    for (let i = 0; i < 2; i++) {
      const e = await ec2Error(h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A })));
      expect([e.name, e.$metadata.httpStatusCode, e.$fault]).toEqual(['InternalError', 500, 'server']);
      expect(e.message).toBe('An internal error has occurred');
    }
    await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A }));
    const d = await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(d.NetworkInterfaces).toHaveLength(2); // the faulted calls changed nothing
    expect(h.faults.list()[0]).toMatchObject({ matched: 4, fired: 2 });
  });

  test('statuses and messages: RequestLimitExceeded 503, UnauthorizedOperation 403, custom message, other codes 400', async () => {
    h.faults.add([
      { service: 'ec2', action: 'DescribeSubnets', error: 'RequestLimitExceeded' },
      { service: 'ec2', action: 'CreateSecurityGroup', error: 'UnauthorizedOperation' },
      { service: 'ec2', action: 'CreateTags', error: 'InvalidParameterValue', message: 'nope <x>' },
    ]);
    const t = await ec2Error(h.ec2.send(new DescribeSubnetsCommand({})));
    expect([t.name, t.$metadata.httpStatusCode, t.message]).toEqual([
      'RequestLimitExceeded',
      503,
      'Request limit exceeded.',
    ]);
    const u = await ec2Error(
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x', VpcId: VPC })),
    );
    expect([u.name, u.$metadata.httpStatusCode]).toEqual(['UnauthorizedOperation', 403]);
    expect(u.message).toMatch(
      /^You are not authorized to perform this operation\. Encoded authorization failure message: \S+/,
    );
    const c = await ec2Error(h.ec2.send(new CreateTagsCommand({ Resources: [VPC], Tags: [{ Key: 'a', Value: 'b' }] })));
    expect([c.name, c.$metadata.httpStatusCode, c.message]).toEqual(['InvalidParameterValue', 400, 'nope <x>']);
    // each rule fires once (times defaults to 1)
    expect((await h.ec2.send(new DescribeSubnetsCommand({}))).Subnets).toHaveLength(6);
  });

  test('times -1 fails every call from onCall on', async () => {
    h.faults.add({ service: 'ec2', action: 'DescribeSubnets', error: 'ServiceUnavailable', times: -1 });
    for (let i = 0; i < 3; i++)
      expect((await ec2Error(h.ec2.send(new DescribeSubnetsCommand({})))).$metadata.httpStatusCode).toBe(503);
  });

  test('the SDK retries a 503 RequestLimitExceeded (standard mode)', async () => {
    h.faults.add({ service: 'ec2', action: 'DescribeSubnets', error: 'RequestLimitExceeded', times: 1 });
    const retrying = new EC2Client({
      endpoint: h.url,
      region: 'us-west-2',
      maxAttempts: 2,
      credentials: { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey },
    });
    try {
      const out = await retrying.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }));
      expect(out.$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
  }, 15000);
});

describe('eventual consistency (notFoundForMs)', () => {
  test('a new ENI is invisible to other actions for the window; ClientToken replay still returns it', async () => {
    h.faults.add({ service: 'ec2', action: 'CreateNetworkInterface', notFoundForMs: 2000 });
    const out = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, ClientToken: 'tok-1' }));
    const id = out.NetworkInterface?.NetworkInterfaceId ?? '';
    const nf = async (p: Promise<unknown>) => (await ec2Error(p)).name;
    expect(await nf(h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })))).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
    expect(
      (await h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [SUBNET_A] }] })))
        .NetworkInterfaces,
    ).toEqual([]);
    expect(
      await nf(
        h.ec2.send(
          new CreateNetworkInterfacePermissionCommand({
            NetworkInterfaceId: id,
            Permission: 'INSTANCE-ATTACH',
            AwsAccountId: CONFLUENT,
          }),
        ),
      ),
    ).toBe('InvalidNetworkInterfaceID.NotFound');
    expect(await nf(h.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'a', Value: 'b' }] })))).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
    expect(await nf(h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id })))).toBe(
      'InvalidNetworkInterfaceID.NotFound',
    );
    const replay = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, ClientToken: 'tok-1' }));
    expect(replay.NetworkInterface?.NetworkInterfaceId).toBe(id);
    // the address is taken all the same
    expect(
      (await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }))).Subnets?.[0].AvailableIpAddressCount,
    ).toBe(250);
    h.clock.advance(2000);
    expect(
      (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces,
    ).toHaveLength(1);
    await h.ec2.send(
      new CreateNetworkInterfacePermissionCommand({
        NetworkInterfaceId: id,
        Permission: 'INSTANCE-ATTACH',
        AwsAccountId: CONFLUENT,
      }),
    );
  });

  test('a new security group is invisible (InvalidGroup.NotFound) to describe, authorize and CreateNetworkInterface', async () => {
    h.faults.add({ service: 'ec2', action: 'CreateSecurityGroup', notFoundForMs: 500 });
    const { GroupId } = await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'pni', Description: 'pni', VpcId: VPC }),
    );
    const perms = [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }];
    expect((await ec2Error(h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId ?? ''] })))).name).toBe(
      'InvalidGroup.NotFound',
    );
    expect(
      (await ec2Error(h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: perms })))).name,
    ).toBe('InvalidGroup.NotFound');
    expect(
      (await ec2Error(h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, Groups: [GroupId ?? ''] }))))
        .name,
    ).toBe('InvalidGroup.NotFound');
    h.clock.advance(500);
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: perms }));
  });
});

describe('token buckets (profile.ec2TokenBuckets) on the injected clock', () => {
  test('buckets refill on the scaled clock: with timeFactor 0.01, 10 ms of real time is one second of EC2 time', async () => {
    const { NetworkInterface } = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A }));
    const id = NetworkInterface?.NetworkInterfaceId ?? '';
    h.profile.timeFactor = 0.01;
    h.profile.ec2TokenBuckets = true;
    const grant = (i: number) =>
      h.ec2.send(
        new CreateNetworkInterfacePermissionCommand({
          NetworkInterfaceId: id,
          Permission: 'INSTANCE-ATTACH',
          AwsAccountId: String(300000000000 + i),
        }),
      );
    for (let i = 0; i < 50; i++) await grant(i);
    expect((await ec2Error(grant(50))).name).toBe('RequestLimitExceeded');
    h.clock.advance(10); // one scaled second: +5 tokens
    for (let i = 0; i < 5; i++) await grant(60 + i);
    expect((await ec2Error(grant(70))).name).toBe('RequestLimitExceeded');
  });

  test('CreateNetworkInterfacePermission: 50 burst, then RequestLimitExceeded 503, refills 5/s', async () => {
    const { NetworkInterface } = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A }));
    const id = NetworkInterface?.NetworkInterfaceId ?? '';
    h.profile.ec2TokenBuckets = true;
    const grant = (i: number) =>
      h.ec2.send(
        new CreateNetworkInterfacePermissionCommand({
          NetworkInterfaceId: id,
          Permission: 'INSTANCE-ATTACH',
          AwsAccountId: String(200000000000 + i),
        }),
      );
    for (let i = 0; i < 50; i++) await grant(i);
    const e = await ec2Error(grant(50));
    expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual([
      'RequestLimitExceeded',
      'Request limit exceeded.',
      503,
    ]);
    h.clock.advance(200); // +1 token
    await grant(51);
    expect((await ec2Error(grant(52))).name).toBe('RequestLimitExceeded');
    h.clock.advance(1000); // +5 tokens
    for (let i = 0; i < 5; i++) await grant(60 + i);
    expect((await ec2Error(grant(70))).name).toBe('RequestLimitExceeded');
    // other actions have their own buckets
    await h.ec2.send(new DescribeSubnetsCommand({}));
  });

  test('unfiltered unpaginated DescribeNetworkInterfaces uses the 50/10 bucket; filtered/paginated the 100/20 one', async () => {
    h.profile.ec2TokenBuckets = true;
    for (let i = 0; i < 50; i++) await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect((await ec2Error(h.ec2.send(new DescribeNetworkInterfacesCommand({})))).name).toBe('RequestLimitExceeded');
    for (let i = 0; i < 100; i++) await h.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    expect(
      (
        await ec2Error(
          h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [VPC] }] })),
        )
      ).name,
    ).toBe('RequestLimitExceeded');
    h.clock.advance(100); // 50/10 bucket: +1
    await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    // buckets are per region
    await h.client('eu-west-1').send(new DescribeNetworkInterfacesCommand({}));
  }, 30000);

  test('buckets off: no throttling', async () => {
    for (let i = 0; i < 60; i++) await h.ec2.send(new DescribeSecurityGroupsCommand({}));
  }, 30000);
});

test('profile.ec2LatencyMs delays each call', async () => {
  h.profile.ec2LatencyMs = 120;
  const t0 = Date.now();
  await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }));
  expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
});

test('snapshot(): every resource of every region in the CLI (SDK) JSON shape', async () => {
  const { NetworkInterface } = await h.ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: SUBNET_A,
      TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'k', Value: 'v' }] }],
    }),
  );
  const id = NetworkInterface?.NetworkInterfaceId ?? '';
  await h.ec2.send(
    new CreateNetworkInterfacePermissionCommand({
      NetworkInterfaceId: id,
      Permission: 'INSTANCE-ATTACH',
      AwsAccountId: CONFLUENT,
    }),
  );
  // a call in another region creates that (empty) region; it adds nothing to the snapshot
  await h.client('eu-west-1').send(new DescribeSubnetsCommand({}));
  const snap = h.emulator.snapshot();
  expect(snap.vpcs).toHaveLength(2);
  expect(snap.subnets).toHaveLength(6);
  expect(snap.securityGroups).toHaveLength(2);
  const described = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  expect(snap.networkInterfaces).toEqual(JSON.parse(JSON.stringify(described.NetworkInterfaces)));
  expect(snap.networkInterfacePermissions).toEqual([
    {
      NetworkInterfacePermissionId: expect.stringMatching(/^eni-perm-/),
      NetworkInterfaceId: id,
      AwsAccountId: CONFLUENT,
      Permission: 'INSTANCE-ATTACH',
      PermissionState: { State: 'GRANTED' },
    },
  ]);
  expect(snap.subnets[0]).toMatchObject({
    SubnetId: SUBNET_A,
    AvailableIpAddressCount: 250,
    AvailabilityZoneId: 'usw2-az1',
    Tags: [{ Key: 'Name', Value: 'clients-a' }],
  });
  expect(snap.securityGroups[0]).toMatchObject({
    GroupName: 'default',
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
  });
});
