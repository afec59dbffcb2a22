/** Security groups: create rules, default egress + revoke, authorize (duplicates), describe shapes, delete checks. */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  paginateDescribeSecurityGroups,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { ec2Error, OTHER_VPC, startHarness, SUBNET_A, VPC, type Harness } from './helpers.js';

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

async function createSg(name = 'pni-sg', vpcId: string = VPC): Promise<string> {
  const out = await h.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description: `${name} for PNI`,
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Project', Value: 'pni' }] }],
    }),
  );
  return out.GroupId ?? '';
}

async function sg(id: string) {
  const out = await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
  const g = out.SecurityGroups?.[0];
  if (!g) throw new Error('no SG');
  return g;
}

const KAFKA: IpPermission[] = [
  { IpProtocol: 'tcp', FromPort: 9092, ToPort: 9092, IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'kafka' }] },
  {
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    IpRanges: [{ CidrIp: '10.0.0.0/16' }, { CidrIp: '192.168.0.0/24' }],
  },
];

describe('CreateSecurityGroup', () => {
  test('creates with id, ARN, tags and the default allow-all egress rule', async () => {
    const out = await h.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'pni-sg',
        Description: 'PNI & <friends>',
        VpcId: VPC,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Project', Value: 'pni' }] }],
      }),
    );
    expect(out.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(out.SecurityGroupArn).toBe(`arn:aws:ec2:us-west-2:${SEED.accountId}:security-group/${out.GroupId}`);
    expect(out.Tags).toEqual([{ Key: 'Project', Value: 'pni' }]);
    const g = await sg(out.GroupId ?? '');
    expect(g).toMatchObject({
      GroupName: 'pni-sg',
      Description: 'PNI & <friends>',
      VpcId: VPC,
      OwnerId: SEED.accountId,
      IpPermissions: [],
    });
    expect(g.IpPermissionsEgress).toEqual([
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
  });

  test('name checks: duplicate (case-insensitive, per VPC), default reserved, sg- prefix, unknown VPC, no VPC', async () => {
    await createSg('PNI');
    const dup = await ec2Error(
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'pni', Description: 'd', VpcId: VPC })),
    );
    expect([dup.name, dup.message]).toEqual([
      'InvalidGroup.Duplicate',
      `The security group 'pni' already exists for VPC '${VPC}'`,
    ]);
    await createSg('pni', OTHER_VPC); // another VPC is fine
    const reserved = await ec2Error(
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'default', Description: 'd', VpcId: VPC })),
    );
    expect(reserved.name).toBe('InvalidGroup.Reserved');
    const prefix = await ec2Error(
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'sg-mine', Description: 'd', VpcId: VPC })),
    );
    expect(prefix.name).toBe('InvalidParameterValue');
    const vpc = await ec2Error(
      h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'd', VpcId: 'vpc-00000000000000bad' })),
    );
    expect([vpc.name, vpc.message]).toEqual([
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-00000000000000bad' does not exist",
    ]);
    const noVpc = await ec2Error(h.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'd' })));
    expect(noVpc.name).toBe('VPCIdNotSpecified');
    const tagType = await ec2Error(
      h.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'x',
          Description: 'd',
          VpcId: VPC,
          TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'a', Value: 'b' }] }],
        }),
      ),
    );
    expect(tagType.name).toBe('InvalidParameterValue');
  });
});

describe('rules', () => {
  test('AuthorizeSecurityGroupIngress answers sgr- rules and DescribeSecurityGroups shows them grouped', async () => {
    const id = await createSg();
    const out = await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: KAFKA }));
    expect(out.Return).toBe(true);
    expect(out.SecurityGroupRules).toHaveLength(3);
    for (const r of out.SecurityGroupRules ?? []) expect(r.SecurityGroupRuleId).toMatch(/^sgr-[0-9a-f]{17}$/);
    expect(out.SecurityGroupRules?.[0]).toMatchObject({
      GroupId: id,
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 9092,
      ToPort: 9092,
      CidrIpv4: '10.0.0.0/16',
      Description: 'kafka',
      GroupOwnerId: SEED.accountId,
    });
    const g = await sg(id);
    expect(g.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 9092,
        ToPort: 9092,
        IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'kafka' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '10.0.0.0/16' }, { CidrIp: '192.168.0.0/24' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
    expect(g.IpPermissions?.[1].IpRanges?.map((r) => r.CidrIp)).toEqual(['10.0.0.0/16', '192.168.0.0/24']);
  });

  test('group sources and egress rules', async () => {
    const id = await createSg();
    const other = await createSg('peer');
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9092, UserIdGroupPairs: [{ GroupId: other }] }],
      }),
    );
    const g = await sg(id);
    expect(g.IpPermissions?.[0].UserIdGroupPairs).toEqual([{ GroupId: other, UserId: SEED.accountId }]);
    const eg = await h.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: id,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    expect(eg.SecurityGroupRules?.[0].IsEgress).toBe(true);
    const missingPeer = await ec2Error(
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 1, ToPort: 2, UserIdGroupPairs: [{ GroupId: 'sg-00000000000000bad' }] },
          ],
        }),
      ),
    );
    expect(missingPeer.name).toBe('InvalidGroup.NotFound');
  });

  test('duplicate rules -> InvalidPermission.Duplicate (nothing added)', async () => {
    const id = await createSg();
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [KAFKA[0]] }));
    const e = await ec2Error(
      h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: KAFKA })),
    );
    expect(e.name).toBe('InvalidPermission.Duplicate');
    expect(e.message).toContain('already exists');
    expect((await sg(id)).IpPermissions).toHaveLength(1);
    const eg = await ec2Error(
      h.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: id,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      ),
    );
    expect(eg.name).toBe('InvalidPermission.Duplicate');
  });

  test('validation: tcp needs ports, protocol known, CIDR well-formed, group must exist', async () => {
    const id = await createSg();
    const ports = await ec2Error(
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
        }),
      ),
    );
    expect(ports.name).toBe('InvalidParameterValue');
    const proto = await ec2Error(
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [{ IpProtocol: 'bogus', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
        }),
      ),
    );
    expect(proto.name).toBe('InvalidParameterValue');
    const cidr = await ec2Error(
      h.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '10.0.0/8' }] }],
        }),
      ),
    );
    expect(cidr.name).toBe('InvalidParameterValue');
    const nf = await ec2Error(
      h.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-00000000000000bad', IpPermissions: KAFKA })),
    );
    expect([nf.name, nf.message]).toEqual([
      'InvalidGroup.NotFound',
      "The security group 'sg-00000000000000bad' does not exist",
    ]);
  });

  test('RevokeSecurityGroupEgress by properties removes the default rule; again -> InvalidPermission.NotFound', async () => {
    const id = await createSg();
    const all = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    const out = await h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: all }));
    expect(out.Return).toBe(true);
    expect(out.RevokedSecurityGroupRules?.[0]).toMatchObject({
      GroupId: id,
      IsEgress: true,
      IpProtocol: '-1',
      CidrIpv4: '0.0.0.0/0',
    });
    expect((await sg(id)).IpPermissionsEgress).toEqual([]);
    const again = await ec2Error(h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: all })));
    expect(again.name).toBe('InvalidPermission.NotFound');
  });

  test('RevokeSecurityGroupEgress by SecurityGroupRuleId', async () => {
    const id = await createSg();
    const add = await h.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: id,
        IpPermissions: [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.2/32' }] }],
      }),
    );
    const ruleId = add.SecurityGroupRules?.[0].SecurityGroupRuleId ?? '';
    await h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, SecurityGroupRuleIds: [ruleId] }));
    expect((await sg(id)).IpPermissionsEgress?.map((p) => p.IpProtocol)).toEqual(['-1']);
    const e = await ec2Error(
      h.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, SecurityGroupRuleIds: [ruleId] })),
    );
    expect(e.name).toBe('InvalidSecurityGroupRuleId.NotFound');
  });
});

describe('DescribeSecurityGroups', () => {
  test('filters (vpc-id, group-name, tag:) and pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await createSg(`g${i}`));
    const byVpc = await h.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'tag:Project', Values: ['pni'] },
        ],
      }),
    );
    expect(byVpc.SecurityGroups?.map((g) => g.GroupId)).toEqual(ids);
    const byName = await h.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['g1', 'g4'] }] }),
    );
    expect(byName.SecurityGroups?.map((g) => g.GroupName)).toEqual(['g1', 'g4']);
    const seen: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeSecurityGroups({ client: h.ec2, pageSize: 5 }, {})) {
      pages++;
      seen.push(...(p.SecurityGroups ?? []).map((g) => g.GroupId ?? ''));
    }
    expect(pages).toBe(2);
    expect(seen).toHaveLength(8);
  });
});

describe('DeleteSecurityGroup', () => {
  test('unknown -> InvalidGroup.NotFound; default -> CannotDelete', async () => {
    const nf = await ec2Error(h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: 'sg-00000000000000bad' })));
    expect(nf.name).toBe('InvalidGroup.NotFound');
    const def = await h.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: ['default'] },
          { Name: 'vpc-id', Values: [VPC] },
        ],
      }),
    );
    const e = await ec2Error(h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: def.SecurityGroups?.[0].GroupId })));
    expect(e.name).toBe('CannotDelete');
  });

  test('used by an ENI -> DependencyViolation; after the ENI is gone it deletes', async () => {
    const id = await createSg();
    const eni = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: SUBNET_A, Groups: [id] }));
    const e = await ec2Error(h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id })));
    expect([e.name, e.message]).toEqual(['DependencyViolation', `resource ${id} has a dependent object`]);
    await h.ec2.send(
      new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterface?.NetworkInterfaceId }),
    );
    const out = await h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id }));
    expect(out).toMatchObject({ Return: true, GroupId: id });
    const gone = await ec2Error(h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] })));
    expect(gone.name).toBe('InvalidGroup.NotFound');
  });

  test('referenced by another group rule -> DependencyViolation', async () => {
    const a = await createSg('a');
    const b = await createSg('b');
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: a,
        IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: b }] }],
      }),
    );
    const e = await ec2Error(h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: b })));
    expect(e.name).toBe('DependencyViolation');
  });
});
