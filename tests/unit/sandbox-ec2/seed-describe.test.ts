/** The seed (AZs, VPCs, subnets, default SGs) and the Describe* machinery: ids, filters, pagination. */
import {
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  paginateDescribeSubnets,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { ec2Error, OTHER_VPC, startHarness, SUBNET_A, SUBNET_B, SUBNET_TINY, VPC, type Harness } from './helpers.js';

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

describe('seed', () => {
  test('availability zones: names, ids, zoneState available', async () => {
    const out = await h.ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.State, z.RegionName, z.ZoneType])).toEqual(
      SEED.availabilityZones.map((z) => [z.zoneName, z.zoneId, 'available', 'us-west-2', 'availability-zone']),
    );
  });

  test('availability zones by ZoneId/ZoneName and filters', async () => {
    const byId = await h.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['usw2-az3'] }));
    expect(byId.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-west-2c']);
    const byFilter = await h.ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['us-west-2a', 'us-west-2d'] }] }),
    );
    expect(byFilter.AvailabilityZones?.map((z) => z.ZoneId)).toEqual(['usw2-az1', 'usw2-az4']);
    const e = await ec2Error(h.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-west-2z'] })));
    expect(e.name).toBe('InvalidParameterValue');
  });

  test('both VPCs: state, cidrBlock, Name tag, association set', async () => {
    const out = await h.ec2.send(new DescribeVpcsCommand({}));
    expect(out.Vpcs?.map((v) => [v.VpcId, v.State, v.CidrBlock, v.IsDefault, v.OwnerId, v.Tags])).toEqual([
      [VPC, 'available', '10.0.0.0/16', false, SEED.accountId, [{ Key: 'Name', Value: 'sandbox-clients' }]],
      [OTHER_VPC, 'available', '10.20.0.0/16', false, SEED.accountId, [{ Key: 'Name', Value: 'other' }]],
    ]);
    expect(out.Vpcs?.[0].CidrBlockAssociationSet?.[0]).toMatchObject({
      CidrBlock: '10.0.0.0/16',
      CidrBlockState: { State: 'associated' },
    });
  });

  test('subnets: AZ name + AZ id, cidr, live availableIpAddressCount (size - 5), Name tag', async () => {
    const out = await h.ec2.send(new DescribeSubnetsCommand({}));
    const all = [
      ...SEED.subnets.map((s) => ({ ...s, vpcId: VPC })),
      ...SEED.otherSubnets.map((s) => ({ ...s, vpcId: OTHER_VPC })),
    ];
    const zoneId = (name: string) => SEED.availabilityZones.find((z) => z.zoneName === name)?.zoneId;
    expect(
      out.Subnets?.map((s: Subnet) => [
        s.SubnetId,
        s.VpcId,
        s.CidrBlock,
        s.AvailabilityZone,
        s.AvailabilityZoneId,
        s.AvailableIpAddressCount,
        s.State,
        s.Tags,
      ]),
    ).toEqual(
      all.map((s) => [
        s.subnetId,
        s.vpcId,
        s.cidr,
        s.zoneName,
        zoneId(s.zoneName),
        s.cidr.endsWith('/28') ? 11 : 251,
        'available',
        [{ Key: 'Name', Value: s.name }],
      ]),
    );
    expect(out.Subnets?.[0].SubnetArn).toBe(`arn:aws:ec2:us-west-2:${SEED.accountId}:subnet/${SUBNET_A}`);
  });

  test('one default security group per VPC with allow-all egress', async () => {
    const out = await h.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }),
    );
    expect(out.SecurityGroups?.map((g) => g.VpcId)).toEqual([VPC, OTHER_VPC]);
    for (const g of out.SecurityGroups ?? []) {
      expect(g.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
      expect(g.IpPermissionsEgress).toEqual([
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ]);
      expect(g.IpPermissions?.[0].UserIdGroupPairs?.[0].GroupId).toBe(g.GroupId);
    }
  });

  test('reset() brings back the same seed ids', async () => {
    const before = await h.ec2.send(new DescribeSecurityGroupsCommand({}));
    h.emulator.reset();
    const after = await h.ec2.send(new DescribeSecurityGroupsCommand({}));
    expect(after.SecurityGroups?.map((g) => g.GroupId)).toEqual(before.SecurityGroups?.map((g) => g.GroupId));
  });
});

describe('describe: ids, filters, pagination', () => {
  test('explicit ids: any unknown id fails the whole call with the type NotFound', async () => {
    const ok = await h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_B, SUBNET_A] }));
    expect(ok.Subnets?.map((s) => s.SubnetId)).toEqual([SUBNET_A, SUBNET_B]);
    const e = await ec2Error(
      h.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A, 'subnet-00000000000000bad'] })),
    );
    expect(e.name).toBe('InvalidSubnetID.NotFound');
    expect(e.message).toBe("The subnet ID 'subnet-00000000000000bad' does not exist");
    const v = await ec2Error(h.ec2.send(new DescribeVpcsCommand({ VpcIds: [VPC, 'vpc-00000000000000bad'] })));
    expect(v.name).toBe('InvalidVpcID.NotFound');
    const g = await ec2Error(h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000000000bad'] })));
    expect(g.name).toBe('InvalidGroup.NotFound');
  });

  test('filters: AND across filters, OR across values', async () => {
    const or = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-west-2a', 'us-west-2b'] }] }),
    );
    expect(or.Subnets?.map((s) => s.SubnetId).sort()).toEqual(
      [SUBNET_A, SUBNET_B, SEED.subnets[4].subnetId, SEED.otherSubnets[0].subnetId].sort(),
    );
    const and = await h.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'availability-zone', Values: ['us-west-2a', 'us-west-2b'] },
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'cidr-block', Values: ['10.0.1.0/24', '10.0.2.0/24'] },
        ],
      }),
    );
    expect(and.Subnets?.map((s) => s.SubnetId)).toEqual([SUBNET_A, SUBNET_B]);
    const azId = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone-id', Values: ['usw2-az4'] }] }),
    );
    expect(azId.Subnets?.map((s) => s.SubnetId)).toEqual([SUBNET_TINY]);
  });

  test('tag:<key>, tag-key and wildcards', async () => {
    const tag = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['clients-*'] }] }),
    );
    expect(tag.Subnets).toHaveLength(4);
    const key = await h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['Name'] }] }));
    expect(key.Vpcs).toHaveLength(2);
    const none = await h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['nope'] }] }));
    expect(none.Vpcs).toEqual([]);
    const cidr = await h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.20.0.0/16'] }] }));
    expect(cidr.Vpcs?.map((v) => v.VpcId)).toEqual([OTHER_VPC]);
  });

  test('an unsupported filter name fails with InvalidParameterValue', async () => {
    const e = await ec2Error(
      h.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })),
    );
    expect(e.name).toBe('InvalidParameterValue');
    expect(e.message).toBe("The filter 'colour' is invalid");
  });

  test('subnets paginate with MaxResults/NextToken (SDK paginator); MaxResults range checked', async () => {
    const pages: string[][] = [];
    for await (const page of paginateDescribeSubnets({ client: h.ec2, pageSize: 5 }, {}))
      pages.push((page.Subnets ?? []).map((s) => s.SubnetId ?? ''));
    expect(pages.map((p) => p.length)).toEqual([5, 1]);
    expect(new Set(pages.flat()).size).toBe(6);
    const e = await ec2Error(h.ec2.send(new DescribeSubnetsCommand({ MaxResults: 4 })));
    expect(e.name).toBe('InvalidParameterValue');
    const e2 = await ec2Error(h.ec2.send(new DescribeVpcsCommand({ MaxResults: 1001 })));
    expect(e2.name).toBe('InvalidParameterValue');
    const bad = await ec2Error(h.ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: 'garbage' })));
    expect(bad.name).toBe('InvalidPaginationToken');
  });
});
