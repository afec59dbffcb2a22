/** CreateSecurityGroup: tags, least-privilege rules, find-before-create by name, existingId untouched. */
import 'aws-sdk-client-mock-jest';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { createSecurityGroup } from '#lib/steps/provision.js';
import {
  SG_ID,
  VPC,
  VPC_CIDR,
  awsError,
  ec2CommandNames,
  ec2Mock,
  makeHarness,
  mutatingEc2Calls,
  provisionContext,
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
const NAME = `pni-${RID}`;
const DEFAULT_EGRESS: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ingress = (port: number, cidr = VPC_CIDR): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: cidr }],
});
const egress = (port: number, cidr: string): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: cidr }],
});

/** DescribeSecurityGroups answering by name (Filters) and by id (GroupIds) from a little in-memory list. */
function stubGroups(groups: SecurityGroup[]) {
  ec2Mock
    .on(DescribeSecurityGroupsCommand)
    .callsFake((input: { GroupIds?: string[]; Filters?: { Name: string; Values: string[] }[] }) => {
      if (input.GroupIds) {
        const found = groups.filter((g) => input.GroupIds!.includes(g.GroupId!));
        if (!found.length)
          throw awsError('InvalidGroup.NotFound', {
            message: `The security group '${input.GroupIds[0]}' does not exist`,
          });
        return { SecurityGroups: structuredClone(found) };
      }
      const vpc = input.Filters?.find((f) => f.Name === 'vpc-id')?.Values ?? [];
      const name = input.Filters?.find((f) => f.Name === 'group-name')?.Values ?? [];
      return {
        SecurityGroups: structuredClone(groups.filter((g) => vpc.includes(g.VpcId!) && name.includes(g.GroupName!))),
      };
    });
  ec2Mock
    .on(CreateSecurityGroupCommand)
    .callsFake(
      (input: {
        GroupName: string;
        VpcId: string;
        TagSpecifications: { Tags: { Key: string; Value: string }[] }[];
      }) => {
        groups.push({
          GroupId: SG_ID,
          GroupName: input.GroupName,
          VpcId: input.VpcId,
          Tags: input.TagSpecifications[0].Tags,
          IpPermissions: [],
          IpPermissionsEgress: [DEFAULT_EGRESS],
        });
        return { GroupId: SG_ID };
      },
    );
  ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2Mock.on(AuthorizeSecurityGroupEgressCommand).resolves({ Return: true });
  ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
}

/** The request as ValidateRequest leaves it: ingress defaults to the VPC CIDR. */
const ctxFor = () => provisionContext(h);

describe('createSecurityGroup', () => {
  test('creates the group with our tags, ingress 443/9092 from the VPC CIDR, revokes default egress, adds explicit egress', async () => {
    await seedRecord(h);
    stubGroups([]);
    const out = await createSecurityGroup(ctxFor(), h.deps);
    expect(out).toEqual({ groupId: SG_ID, createdByUs: true });

    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSecurityGroupCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSecurityGroupCommand, {
      VpcId: VPC,
      GroupName: NAME,
      TagSpecifications: [
        {
          ResourceType: 'security-group',
          Tags: expect.arrayContaining([
            { Key: 'pni:request-id', Value: RID },
            { Key: 'Confluent', Value: 'true' },
            { Key: 'pni:managed-by', Value: 'pni-provisioner' },
            { Key: 'team', Value: 'payments' },
            { Key: 'Name', Value: NAME },
          ]),
        },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    const ingressInput = ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0].args[0].input;
    expect(ingressInput.GroupId).toBe(SG_ID);
    expect(ingressInput.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: VPC_CIDR, Description: expect.any(String) }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 9092,
        ToPort: 9092,
        IpRanges: [{ CidrIp: VPC_CIDR, Description: expect.any(String) }],
      },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: SG_ID,
      IpPermissions: [DEFAULT_EGRESS],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 1);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupEgressCommand)[0].args[0].input.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: '10.10.1.0/24', Description: expect.any(String) }],
      },
    ]);
    expect(await h.store.get(RID)).toMatchObject({ securityGroupId: SG_ID, securityGroupCreatedByUs: true });
  });

  test('explicit ingressCidrs are used instead of the VPC CIDR', async () => {
    await seedRecord(h);
    stubGroups([]);
    await createSecurityGroup(
      provisionContext(h, {}, { securityGroup: { ingressCidrs: ['10.1.0.0/16', '10.2.0.0/16'], egressRules: [] } }),
      h.deps,
    );
    const perms = ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0].args[0].input.IpPermissions!;
    expect(perms.map((p) => [p.FromPort, p.IpRanges!.map((r) => r.CidrIp)])).toEqual([
      [443, ['10.1.0.0/16', '10.2.0.0/16']],
      [9092, ['10.1.0.0/16', '10.2.0.0/16']],
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 0);
  });

  test('re-invocation uses the recorded group id (EC2 may not list a new group yet): no lookup by name, no second create, no duplicate rule calls', async () => {
    await seedRecord(h);
    stubGroups([]);
    await createSecurityGroup(ctxFor(), h.deps);
    // EC2 now holds the rules the first invocation added.
    ec2Mock.reset();
    stubGroups([
      {
        GroupId: SG_ID,
        GroupName: NAME,
        VpcId: VPC,
        Tags: [{ Key: 'pni:request-id', Value: RID }],
        IpPermissions: [ingress(443), ingress(9092)],
        IpPermissionsEgress: [egress(5432, '10.10.1.0/24')],
      },
    ]);
    const out = await createSecurityGroup(ctxFor(), h.deps);
    expect(out).toEqual({ groupId: SG_ID, createdByUs: true });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [SG_ID] });
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand).filter((c) => c.args[0].input.Filters)).toEqual([]);
    expect(mutatingEc2Calls()).toEqual([]);
  });

  test('a duplicate name that the lookup could not see yet (our own group, not listed yet) is retried as Ec2NotYetVisible', async () => {
    await seedRecord(h);
    stubGroups([]);
    ec2Mock
      .on(CreateSecurityGroupCommand)
      .rejects(
        awsError('InvalidGroup.Duplicate', { message: `The security group '${NAME}' already exists for VPC '${VPC}'` }),
      );
    await expect(createSecurityGroup(ctxFor(), h.deps)).rejects.toMatchObject({ name: 'Ec2NotYetVisible' });
  });

  test('re-invocation after a partial first run adds only the missing rules', async () => {
    await seedRecord(h);
    stubGroups([
      {
        GroupId: SG_ID,
        GroupName: NAME,
        VpcId: VPC,
        Tags: [{ Key: 'pni:request-id', Value: RID }],
        IpPermissions: [ingress(443)],
        IpPermissionsEgress: [DEFAULT_EGRESS],
      },
    ]);
    await createSecurityGroup(ctxFor(), h.deps);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSecurityGroupCommand, 0);
    expect(
      ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0].args[0].input.IpPermissions!.map((p) => p.FromPort),
    ).toEqual([9092]);
    expect(ec2Mock).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 1);
  });

  test('a same-named group without our request tag -> Ec2RequestFailed, nothing changed', async () => {
    await seedRecord(h);
    stubGroups([
      {
        GroupId: 'sg-0ffffffffffffffff',
        GroupName: NAME,
        VpcId: VPC,
        Tags: [{ Key: 'owner', Value: 'someone' }],
        IpPermissions: [],
        IpPermissionsEgress: [DEFAULT_EGRESS],
      },
    ]);
    const err = await createSecurityGroup(ctxFor(), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'Ec2RequestFailed' });
    expect((err as Error).message).toContain(NAME);
    expect(mutatingEc2Calls()).toEqual([]);
    expect((await h.store.get(RID))?.securityGroupId).toBeUndefined();
  });

  test('securityGroup.existingId: recorded as not ours, no EC2 call at all', async () => {
    await seedRecord(h, {}, { securityGroup: { existingId: 'sg-0aaaaaaaaaaaaaaa1' } });
    const out = await createSecurityGroup(
      provisionContext(h, {}, { securityGroup: { existingId: 'sg-0aaaaaaaaaaaaaaa1' } }),
      h.deps,
    );
    expect(out).toEqual({ groupId: 'sg-0aaaaaaaaaaaaaaa1', createdByUs: false });
    expect(ec2CommandNames()).toEqual([]);
    expect(await h.store.get(RID)).toMatchObject({
      securityGroupId: 'sg-0aaaaaaaaaaaaaaa1',
      securityGroupCreatedByUs: false,
    });
  });

  test('a concurrent revoke (InvalidPermission.NotFound on RevokeSecurityGroupEgress) counts as done', async () => {
    await seedRecord(h);
    stubGroups([
      {
        GroupId: SG_ID,
        GroupName: NAME,
        VpcId: VPC,
        Tags: [{ Key: 'pni:request-id', Value: RID }],
        IpPermissions: [ingress(443), ingress(9092)],
        IpPermissionsEgress: [DEFAULT_EGRESS, egress(5432, '10.10.1.0/24')],
      },
    ]);
    // EC2's real message does not repeat the code.
    ec2Mock.on(RevokeSecurityGroupEgressCommand).rejects(
      awsError('InvalidPermission.NotFound', {
        message: 'The specified rule does not exist in this security group.',
      }),
    );
    await expect(createSecurityGroup(ctxFor(), h.deps)).resolves.toEqual({ groupId: SG_ID, createdByUs: true });
  });

  test('a concurrent authorize (InvalidPermission.Duplicate on AuthorizeSecurityGroupIngress) counts as done', async () => {
    await seedRecord(h);
    stubGroups([
      {
        GroupId: SG_ID,
        GroupName: NAME,
        VpcId: VPC,
        Tags: [{ Key: 'pni:request-id', Value: RID }],
        IpPermissions: [],
        IpPermissionsEgress: [egress(5432, '10.10.1.0/24')],
      },
    ]);
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(
      awsError('InvalidPermission.Duplicate', {
        message: 'the specified rule "peer: 10.0.0.0/16, TCP, from port: 443, to port: 443, ALLOW" already exists',
      }),
    );
    await expect(createSecurityGroup(ctxFor(), h.deps)).resolves.toEqual({ groupId: SG_ID, createdByUs: true });
  });

  test('fenced: once a rollback began -> ProvisioningStopped before any EC2 call', async () => {
    await seedRecord(h, { status: 'ROLLING_BACK' });
    stubGroups([]);
    await expect(createSecurityGroup(ctxFor(), h.deps)).rejects.toMatchObject({ name: 'ProvisioningStopped' });
    expect(ec2CommandNames()).toEqual([]);
  });

  test('a new group not yet visible to DescribeSecurityGroups(GroupIds) -> Ec2NotYetVisible (retried by the ASL)', async () => {
    await seedRecord(h);
    stubGroups([]);
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: SG_ID }); // created, but Describe by id does not see it yet
    await expect(createSecurityGroup(ctxFor(), h.deps)).rejects.toMatchObject({ name: 'Ec2NotYetVisible' });
    expect((await h.store.get(RID))?.securityGroupId).toBe(SG_ID);
  });
});
