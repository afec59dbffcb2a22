/** CreateNetworkInterface / DescribeNetworkInterfaces / DeleteNetworkInterface, IP accounting, ClientToken, tags. */
import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  paginateDescribeNetworkInterfaces,
  type CreateNetworkInterfaceCommandInput,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import {
  CONFLUENT,
  ec2Error,
  OTHER_VPC,
  startHarness,
  SUBNET_A,
  SUBNET_B,
  SUBNET_OTHER,
  SUBNET_TINY,
  VPC,
  type Harness,
} from './helpers.js';

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
});

async function createEni(ec2: EC2Client, input: CreateNetworkInterfaceCommandInput) {
  const out = await ec2.send(new CreateNetworkInterfaceCommand(input));
  if (!out.NetworkInterface?.NetworkInterfaceId) throw new Error('no ENI');
  return out.NetworkInterface;
}

async function available(subnetId: string): Promise<number | undefined> {
  const out = await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
  return out.Subnets?.[0].AvailableIpAddressCount;
}

async function sgIn(vpcId: string, name: string): Promise<string> {
  const out = await h.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }));
  return out.GroupId ?? '';
}

describe('CreateNetworkInterface', () => {
  test('the new ENI: id, status, address, DNS name, MAC, default SG, tags, owner', async () => {
    const out = await h.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: SUBNET_A,
        Description: 'pni eni 1',
        TagSpecifications: [
          {
            ResourceType: 'network-interface',
            Tags: [
              { Key: 'Project', Value: 'pni' },
              { Key: 'Index', Value: '1' },
            ],
          },
        ],
      }),
    );
    const e = out.NetworkInterface;
    expect(out.ClientToken).toMatch(/^[0-9a-f-]{36}$/); // the SDK filled in a token
    expect(e?.NetworkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(e).toMatchObject({
      SubnetId: SUBNET_A,
      VpcId: VPC,
      AvailabilityZone: 'us-west-2a',
      AvailabilityZoneId: 'usw2-az1',
      Description: 'pni eni 1',
      OwnerId: SEED.accountId,
      Status: 'available',
      PrivateIpAddress: '10.0.1.4',
      PrivateDnsName: 'ip-10-0-1-4.us-west-2.compute.internal',
      RequesterManaged: false,
      SourceDestCheck: true,
      InterfaceType: 'interface',
      TagSet: [
        { Key: 'Project', Value: 'pni' },
        { Key: 'Index', Value: '1' },
      ],
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.1.4', Primary: true, PrivateDnsName: 'ip-10-0-1-4.us-west-2.compute.internal' },
      ],
    });
    expect(e?.MacAddress).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(e?.Groups).toEqual([{ GroupId: expect.stringMatching(/^sg-/), GroupName: 'default' }]);
    expect(e?.Attachment).toBeUndefined();
  });

  test('IP accounting: availableIpAddressCount goes down on create and back up on delete', async () => {
    expect(await available(SUBNET_A)).toBe(251);
    const a = await createEni(h.ec2, { SubnetId: SUBNET_A });
    const b = await createEni(h.ec2, { SubnetId: SUBNET_A });
    expect([a.PrivateIpAddress, b.PrivateIpAddress]).toEqual(['10.0.1.4', '10.0.1.5']);
    expect(await available(SUBNET_A)).toBe(249);
    await h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: a.NetworkInterfaceId }));
    expect(await available(SUBNET_A)).toBe(250);
    const c = await createEni(h.ec2, { SubnetId: SUBNET_A });
    expect(c.PrivateIpAddress).toBe('10.0.1.4'); // the freed address is reused
  });

  test('the /28 holds 11 ENIs, never on a reserved address; the 12th gets InsufficientFreeAddressesInSubnet', async () => {
    const ips: string[] = [];
    for (let i = 0; i < 11; i++) ips.push((await createEni(h.ec2, { SubnetId: SUBNET_TINY })).PrivateIpAddress ?? '');
    expect(ips).toEqual(Array.from({ length: 11 }, (_, i) => `10.0.4.${i + 4}`));
    for (const reserved of ['10.0.4.0', '10.0.4.1', '10.0.4.2', '10.0.4.3', '10.0.4.15'])
      expect(ips).not.toContain(reserved);
    expect(await available(SUBNET_TINY)).toBe(0);
    const e = await ec2Error(h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_TINY })));
    expect(e.name).toBe('InsufficientFreeAddressesInSubnet');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  test('PrivateIpAddress: taken -> InvalidIPAddress.InUse; outside -> InvalidParameterValue; reserved -> InvalidParameterValue', async () => {
    const a = await createEni(h.ec2, { SubnetId: SUBNET_A, PrivateIpAddress: '10.0.1.77' });
    expect(a.PrivateIpAddress).toBe('10.0.1.77');
    const inUse = await ec2Error(
      h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, PrivateIpAddress: '10.0.1.77' })),
    );
    expect([inUse.name, inUse.message]).toEqual(['InvalidIPAddress.InUse', 'Address 10.0.1.77 is in use.']);
    const outside = await ec2Error(
      h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, PrivateIpAddress: '10.0.2.10' })),
    );
    expect([outside.name, outside.message]).toEqual([
      'InvalidParameterValue',
      "Address 10.0.2.10 does not fall within the subnet's address range",
    ]);
    for (const ip of ['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.255']) {
      const r = await ec2Error(
        h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, PrivateIpAddress: ip })),
      );
      expect(r.name).toBe('InvalidParameterValue');
      expect(r.message).toContain('reserved');
    }
    expect(await available(SUBNET_A)).toBe(250);
  });

  test('unknown subnet -> InvalidSubnetID.NotFound', async () => {
    const e = await ec2Error(h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: 'subnet-00000000000000bad' })));
    expect([e.name, e.message]).toEqual([
      'InvalidSubnetID.NotFound',
      "The subnet ID 'subnet-00000000000000bad' does not exist",
    ]);
  });

  test('security groups: must exist, must be in the subnet VPC; given ones replace the default', async () => {
    const sg = await sgIn(VPC, 'pni');
    const eni = await createEni(h.ec2, { SubnetId: SUBNET_A, Groups: [sg] });
    expect(eni.Groups).toEqual([{ GroupId: sg, GroupName: 'pni' }]);
    const missing = await ec2Error(
      h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, Groups: [sg, 'sg-00000000000000bad'] })),
    );
    expect([missing.name, missing.message]).toEqual([
      'InvalidGroup.NotFound',
      "The security group 'sg-00000000000000bad' does not exist",
    ]);
    const foreign = await sgIn(OTHER_VPC, 'elsewhere');
    const wrongVpc = await ec2Error(
      h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, Groups: [foreign] })),
    );
    expect(wrongVpc.name).toBe('InvalidParameter');
    expect(wrongVpc.message).toBe(`Security group ${foreign} and subnet ${SUBNET_A} belong to different networks.`);
    const other = await createEni(h.ec2, { SubnetId: SUBNET_OTHER, Groups: [foreign] });
    expect(other.VpcId).toBe(OTHER_VPC);
  });

  test('TagSpecification must be for network-interface; aws: keys rejected', async () => {
    const e = await ec2Error(
      h.ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: SUBNET_A,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'a', Value: 'b' }] }],
        }),
      ),
    );
    expect(e.name).toBe('InvalidParameterValue');
    const aws = await ec2Error(
      h.ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: SUBNET_A,
          TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'aws:x', Value: 'b' }] }],
        }),
      ),
    );
    expect(aws.name).toBe('InvalidParameterValue');
    expect(await available(SUBNET_A)).toBe(251);
  });

  test('ClientToken: same token + same parameters replays the same ENI; different parameters -> IdempotentParameterMismatch', async () => {
    const input = { SubnetId: SUBNET_A, Description: 'x', ClientToken: 'exec-1/subnet-a/0' };
    const first = await h.ec2.send(new CreateNetworkInterfaceCommand(input));
    const again = await h.ec2.send(new CreateNetworkInterfaceCommand(input));
    expect(again.ClientToken).toBe('exec-1/subnet-a/0');
    expect(again.NetworkInterface).toEqual(first.NetworkInterface);
    expect(await available(SUBNET_A)).toBe(250);
    const e = await ec2Error(h.ec2.send(new CreateNetworkInterfaceCommand({ ...input, Description: 'y' })));
    expect(e.name).toBe('IdempotentParameterMismatch');
    expect(e.$metadata.httpStatusCode).toBe(400);
    // Tokens are per region: the same token in another region is a new request there (which has no such subnet).
    const eu = await ec2Error(h.client('eu-west-1').send(new CreateNetworkInterfaceCommand(input)));
    expect(eu.name).toBe('InvalidSubnetID.NotFound');
    // After the ENI is deleted the token still replays its (last) description.
    await h.ec2.send(
      new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: first.NetworkInterface?.NetworkInterfaceId }),
    );
    const replay = await h.ec2.send(new CreateNetworkInterfaceCommand(input));
    expect(replay.NetworkInterface?.NetworkInterfaceId).toBe(first.NetworkInterface?.NetworkInterfaceId);
    expect(await available(SUBNET_A)).toBe(251);
  });

  test('Regional ENI quota -> NetworkInterfaceLimitExceeded', async () => {
    const small = await startHarness({ eniQuota: 2 });
    try {
      await createEni(small.ec2, { SubnetId: SUBNET_A });
      await createEni(small.ec2, { SubnetId: SUBNET_B });
      const e = await ec2Error(small.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A })));
      expect(e.name).toBe('NetworkInterfaceLimitExceeded');
    } finally {
      await small.close();
    }
  });
});

describe('DescribeNetworkInterfaces', () => {
  async function fleet(): Promise<string[]> {
    const ids: string[] = [];
    for (const [subnet, env] of [
      [SUBNET_A, 'dev'],
      [SUBNET_A, 'prod'],
      [SUBNET_B, 'dev'],
      [SUBNET_B, 'prod'],
      [SUBNET_B, 'test'],
    ]) {
      const e = await createEni(h.ec2, {
        SubnetId: subnet,
        TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'Env', Value: env }] }],
      });
      ids.push(e.NetworkInterfaceId ?? '');
    }
    return ids;
  }

  test('filters: AND/OR, tag:, tag-key, subnet-id, status, addresses.private-ip-address', async () => {
    const ids = await fleet();
    const q = async (Filters: { Name: string; Values: string[] }[]) =>
      ((await h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters }))).NetworkInterfaces ?? []).map(
        (e) => e.NetworkInterfaceId,
      );
    expect(await q([{ Name: 'subnet-id', Values: [SUBNET_B] }])).toEqual(ids.slice(2));
    expect(await q([{ Name: 'tag:Env', Values: ['dev', 'test'] }])).toEqual([ids[0], ids[2], ids[4]]);
    expect(
      await q([
        { Name: 'tag:Env', Values: ['dev', 'test'] },
        { Name: 'subnet-id', Values: [SUBNET_B] },
      ]),
    ).toEqual([ids[2], ids[4]]);
    expect(await q([{ Name: 'tag-key', Values: ['Env'] }])).toEqual(ids);
    expect(await q([{ Name: 'tag-key', Values: ['Nope'] }])).toEqual([]);
    expect(
      await q([
        { Name: 'status', Values: ['available'] },
        { Name: 'vpc-id', Values: [VPC] },
      ]),
    ).toHaveLength(5);
    expect(await q([{ Name: 'addresses.private-ip-address', Values: ['10.0.2.5'] }])).toEqual([ids[3]]);
    expect(await q([{ Name: 'availability-zone-id', Values: ['usw2-az2'] }])).toEqual(ids.slice(2));
    const bad = await ec2Error(
      h.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'tagged', Values: ['x'] }] })),
    );
    expect([bad.name, bad.message]).toEqual(['InvalidParameterValue', "The filter 'tagged' is invalid"]);
  });

  test('by ids: any unknown id fails the whole call', async () => {
    const ids = await fleet();
    const ok = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ids[1], ids[0]] }));
    expect(ok.NetworkInterfaces?.map((e) => e.NetworkInterfaceId)).toEqual([ids[0], ids[1]]);
    const e = await ec2Error(
      h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ids[0], 'eni-00000000000000bad'] })),
    );
    expect([e.name, e.message]).toEqual([
      'InvalidNetworkInterfaceID.NotFound',
      "The networkInterface ID 'eni-00000000000000bad' does not exist",
    ]);
  });

  test('pagination: paginateDescribeNetworkInterfaces over several pages, stable order, MaxResults rules', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await createEni(h.ec2, { SubnetId: i % 2 ? SUBNET_A : SUBNET_B })).NetworkInterfaceId ?? '');
    const pages: string[][] = [];
    for await (const p of paginateDescribeNetworkInterfaces({ client: h.ec2, pageSize: 5 }, {}))
      pages.push((p.NetworkInterfaces ?? []).map((e) => e.NetworkInterfaceId ?? ''));
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(ids);
    const filtered: string[] = [];
    for await (const p of paginateDescribeNetworkInterfaces(
      { client: h.ec2, pageSize: 5 },
      { Filters: [{ Name: 'subnet-id', Values: [SUBNET_A] }] },
    )) {
      filtered.push(...(p.NetworkInterfaces ?? []).map((e) => e.NetworkInterfaceId ?? ''));
    }
    expect(filtered).toEqual(ids.filter((_, i) => i % 2));
    const small = await ec2Error(h.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 4 })));
    expect(small.name).toBe('InvalidParameterValue');
    const big = await ec2Error(h.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 1001 })));
    expect(big.name).toBe('InvalidParameterValue');
    const combo = await ec2Error(
      h.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5, NetworkInterfaceIds: [ids[0]] })),
    );
    expect(combo.name).toBe('InvalidParameterCombination');
    const all = await h.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(all.NetworkInterfaces).toHaveLength(12);
    expect(all.NextToken).toBeUndefined();
  });
});

describe('DeleteNetworkInterface', () => {
  test('unknown -> InvalidNetworkInterfaceID.NotFound', async () => {
    const e = await ec2Error(
      h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: 'eni-00000000000000bad' })),
    );
    expect([e.name, e.message]).toEqual([
      'InvalidNetworkInterfaceID.NotFound',
      "The networkInterface ID 'eni-00000000000000bad' does not exist",
    ]);
  });

  test('attached (Confluent) -> InvalidNetworkInterface.InUse; after detach it deletes', async () => {
    const eni = await createEni(h.ec2, { SubnetId: SUBNET_A });
    const id = eni.NetworkInterfaceId ?? '';
    h.emulator.attach('us-west-2', id, CONFLUENT);
    const d = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
    expect(d.NetworkInterfaces?.[0].Status).toBe('in-use');
    expect(d.NetworkInterfaces?.[0].Attachment).toMatchObject({
      InstanceOwnerId: CONFLUENT,
      Status: 'attached',
      DeviceIndex: 1,
    });
    expect(d.NetworkInterfaces?.[0].Attachment?.AttachTime).toBeInstanceOf(Date);
    const byOwner = await h.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'attachment.instance-owner-id', Values: [CONFLUENT] }],
      }),
    );
    expect(byOwner.NetworkInterfaces?.map((e) => e.NetworkInterfaceId)).toEqual([id]);
    const inUse = await ec2Error(h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id })));
    expect(inUse.name).toBe('InvalidNetworkInterface.InUse');
    expect(h.emulator.getNetworkInterface('us-west-2', id)).toMatchObject({
      status: 'in-use',
      attachedBy: CONFLUENT,
      availabilityZoneId: 'usw2-az1',
    });
    h.emulator.detach('us-west-2', id);
    await h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));
    expect(h.emulator.getNetworkInterface('us-west-2', id)).toBeUndefined();
    const again = await ec2Error(h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id })));
    expect(again.name).toBe('InvalidNetworkInterfaceID.NotFound');
  });
});

describe('CreateTags', () => {
  test('adds and overwrites tags on ENIs, subnets, VPCs and SGs', async () => {
    const eni = await createEni(h.ec2, {
      SubnetId: SUBNET_A,
      TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'Env', Value: 'dev' }] }],
    });
    const id = eni.NetworkInterfaceId ?? '';
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: [id, SUBNET_B, VPC],
        Tags: [
          { Key: 'Env', Value: 'prod' },
          { Key: 'Run', Value: 'r1' },
        ],
      }),
    );
    const d = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
    expect(d.NetworkInterfaces?.[0].TagSet).toEqual([
      { Key: 'Env', Value: 'prod' },
      { Key: 'Run', Value: 'r1' },
    ]);
    const s = await h.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Run', Values: ['r1'] }] }));
    expect(s.Subnets?.map((x) => x.SubnetId)).toEqual([SUBNET_B]);
  });

  test('50-tag limit, aws: prefix, unknown ids', async () => {
    const eni = await createEni(h.ec2, { SubnetId: SUBNET_A });
    const id = eni.NetworkInterfaceId ?? '';
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await h.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: tags }));
    await h.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'k0', Value: 'overwritten' }] }));
    const limit = await ec2Error(
      h.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'one-more', Value: 'v' }] })),
    );
    expect(limit.name).toBe('TagLimitExceeded');
    const aws = await ec2Error(
      h.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'aws:cloudformation:x', Value: 'v' }] })),
    );
    expect(aws.name).toBe('InvalidParameterValue');
    const unknown = await ec2Error(
      h.ec2.send(
        new CreateTagsCommand({ Resources: [SUBNET_A, 'eni-00000000000000bad'], Tags: [{ Key: 'x', Value: 'y' }] }),
      ),
    );
    expect(unknown.name).toBe('InvalidNetworkInterfaceID.NotFound');
    const sg = await ec2Error(
      h.ec2.send(new CreateTagsCommand({ Resources: ['sg-00000000000000bad'], Tags: [{ Key: 'x', Value: 'y' }] })),
    );
    expect(sg.name).toBe('InvalidGroup.NotFound');
    const invalid = await ec2Error(
      h.ec2.send(new CreateTagsCommand({ Resources: ['i-0123'], Tags: [{ Key: 'x', Value: 'y' }] })),
    );
    expect(invalid.name).toBe('InvalidID');
    const d = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
    expect(d.NetworkInterfaces?.[0].TagSet).toHaveLength(50);
    expect(d.NetworkInterfaces?.[0].TagSet?.[0]).toEqual({ Key: 'k0', Value: 'overwritten' });
    const a = await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }));
    expect(a.Subnets?.[0].Tags?.some((t) => t.Key === 'x')).toBe(false); // all-or-nothing
  });
});
