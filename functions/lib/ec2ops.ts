/**
 * EC2 operations the workflow needs, each idempotent, with EC2's error codes mapped to the project's
 * named errors in one place (`mapEc2Error`).
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateNetworkInterfacePermissionCommand,
  CreateSecurityGroupCommand,
  DeleteNetworkInterfaceCommand,
  DeleteNetworkInterfacePermissionCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacePermissionsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type Filter,
  type IpPermission,
  type NetworkInterface,
  type SecurityGroup,
  type Subnet,
  type Tag,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { measure } from './observability.js';
import {
  Ec2NotYetVisible,
  Ec2RequestFailed,
  Ec2Throttled,
  Ec2Unavailable,
  ResourceInUse,
  isRetryableAwsError,
  present,
} from './errors.js';
import { ENI_PERMISSION, PNI_INGRESS_PORTS, TAG_REQUEST_ID } from './constants.js';
import type { EgressRule, SubnetFact } from './types.js';

type AwsErr = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
const code = (err: unknown) => (err as AwsErr)?.name ?? 'Unknown';

export function isNotFound(err: unknown): boolean {
  return /\.NotFound$/.test(code(err));
}

/** A resource id that does not exist (as opposed to a rule or permission that does not). */
function isResourceNotFound(err: unknown): boolean {
  return isNotFound(err) && !code(err).startsWith('InvalidPermission.');
}

/**
 * EC2 error -> named error. `visibilityWindow`: right after our own create, a NotFound for the new id is
 * eventual consistency (Ec2NotYetVisible, retried briefly) rather than a permanent failure.
 */
export function mapEc2Error(err: unknown, what: string, opts: { visibilityWindow?: boolean } = {}): Error {
  const c = code(err);
  const msg = `${what}: ${(err as AwsErr)?.message ?? String(err)}`;
  if (c === 'RequestLimitExceeded' || c === 'Throttling' || c === 'ThrottlingException') {
    measure.throttled();
    return new Ec2Throttled(msg, { cause: err });
  }
  if (opts.visibilityWindow && isResourceNotFound(err)) return new Ec2NotYetVisible(msg, { cause: err });
  if (isRetryableAwsError(err)) return new Ec2Unavailable(msg, { cause: err });
  return new Ec2RequestFailed(c, msg, { cause: err });
}

async function call<T>(
  what: string,
  fn: () => Promise<T>,
  opts?: { visibilityWindow?: boolean; done?: string[] },
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (opts?.done?.includes(code(err))) return undefined; // the change is already in place
    throw mapEc2Error(err, what, opts);
  }
}
async function must<T>(what: string, fn: () => Promise<T>, opts?: { visibilityWindow?: boolean }): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapEc2Error(err, what, opts);
  }
}

export function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
export function tagValue(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

// ---------------------------------------------------------------- facts (validation)

export async function describeVpc(
  ec2: EC2Client,
  vpcId: string,
): Promise<{ vpcId: string; cidr: string; ownerId: string } | undefined> {
  let v: Vpc | undefined;
  try {
    v = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw mapEc2Error(err, `describing VPC ${vpcId}`);
  }
  return v
    ? {
        vpcId: present(v.VpcId, `VPC ${vpcId}: VpcId`),
        cidr: present(v.CidrBlock, `VPC ${vpcId}: CidrBlock`),
        ownerId: present(v.OwnerId, `VPC ${vpcId}: OwnerId`),
      }
    : undefined;
}

/** The subnets that exist among `subnetIds` (a whole-call NotFound is narrowed with a filter). */
export async function describeSubnets(ec2: EC2Client, subnetIds: string[]): Promise<SubnetFact[]> {
  if (subnetIds.length === 0) return [];
  let subnets: Subnet[];
  try {
    subnets = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets ?? [];
  } catch (err) {
    if (!isNotFound(err)) throw mapEc2Error(err, 'describing subnets');
    subnets =
      (
        await must('describing subnets', () =>
          ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: subnetIds }] })),
        )
      ).Subnets ?? [];
  }
  return subnets.map((s) => ({
    subnetId: present(s.SubnetId, 'a subnet: SubnetId'),
    vpcId: present(s.VpcId, `subnet ${s.SubnetId}: VpcId`),
    cidr: present(s.CidrBlock, `subnet ${s.SubnetId}: CidrBlock`),
    zoneId: present(s.AvailabilityZoneId, `subnet ${s.SubnetId}: AvailabilityZoneId`),
    zoneName: present(s.AvailabilityZone, `subnet ${s.SubnetId}: AvailabilityZone`),
    availableIps: s.AvailableIpAddressCount ?? 0,
  }));
}

async function describeAllEnis(ec2: EC2Client, filters: Filter[]): Promise<NetworkInterface[]> {
  const all: NetworkInterface[] = [];
  let token: string | undefined;
  do {
    const out = await must('describing network interfaces', () =>
      ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters, MaxResults: 1000, NextToken: token })),
    );
    all.push(...(out.NetworkInterfaces ?? []));
    token = out.NextToken || undefined;
  } while (token);
  return all;
}

/** Private IPs in use per subnet (for sequential assignment). */
export async function usedIps(ec2: EC2Client, subnetIds: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = Object.fromEntries(subnetIds.map((s) => [s, []]));
  if (subnetIds.length === 0) return out;
  for (const eni of await describeAllEnis(ec2, [{ Name: 'subnet-id', Values: subnetIds }])) {
    const inSubnet = eni.SubnetId === undefined ? undefined : out[eni.SubnetId];
    for (const a of eni.PrivateIpAddresses ?? []) if (a.PrivateIpAddress) inSubnet?.push(a.PrivateIpAddress);
  }
  return out;
}

export async function describeSecurityGroup(
  ec2: EC2Client,
  groupId: string,
): Promise<{ groupId: string; vpcId: string } | null> {
  let g: SecurityGroup | undefined;
  try {
    g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0];
  } catch (err) {
    if (isNotFound(err)) return null;
    throw mapEc2Error(err, `describing security group ${groupId}`);
  }
  return g
    ? {
        groupId: present(g.GroupId, `security group ${groupId}: GroupId`),
        vpcId: present(g.VpcId, `security group ${groupId}: VpcId`),
      }
    : null;
}

/** The security group with its tags, or null when EC2 does not show it. */
export async function describeSecurityGroupFull(ec2: EC2Client, groupId: string): Promise<SecurityGroup | null> {
  try {
    return (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0] ?? null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw mapEc2Error(err, `describing security group ${groupId}`);
  }
}

// ---------------------------------------------------------------- security group

/** Find our group by name in the VPC; a group of that name without our request tag is someone else's. */
export async function findSecurityGroupByName(ec2: EC2Client, vpcId: string, name: string) {
  const out = await must('describing security groups', () =>
    ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: [name] },
        ],
      }),
    ),
  );
  return out.SecurityGroups?.[0];
}

export async function createSecurityGroup(
  ec2: EC2Client,
  input: { vpcId: string; name: string; description: string; tags: Record<string, string> },
): Promise<string> {
  let groupId: string | undefined;
  try {
    const out = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: input.vpcId,
        GroupName: input.name,
        Description: input.description,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: toTags(input.tags) }],
      }),
    );
    groupId = out.GroupId;
  } catch (err) {
    // We looked the name up just before: a duplicate we could not see is most likely our own group from a retried
    // invocation that EC2 does not list yet. Retry (briefly); once visible, the lookup decides whose it is.
    if (code(err) === 'InvalidGroup.Duplicate')
      throw new Ec2NotYetVisible(`creating security group ${input.name}: ${(err as Error).message}`, { cause: err });
    throw mapEc2Error(err, `creating security group ${input.name}`);
  }
  return present(groupId, `creating security group ${input.name}: GroupId`);
}

function sameRange(
  p: IpPermission,
  protocol: string,
  from: number | undefined,
  to: number | undefined,
  cidr: string,
): boolean {
  return (
    p.IpProtocol === protocol &&
    (protocol === '-1' || (p.FromPort === from && p.ToPort === to)) &&
    (p.IpRanges ?? []).some((r) => r.CidrIp === cidr)
  );
}

/**
 * Bring the group to the least-privilege posture: ingress TCP 443/9092 from each client CIDR, the default
 * allow-all egress revoked, and only the explicit egress rules. Each change is skipped when already in place.
 */
export async function applySecurityGroupRules(
  ec2: EC2Client,
  groupId: string,
  rules: { ingressCidrs: string[]; egressRules: EgressRule[] },
): Promise<void> {
  const describe = async () =>
    (
      await must(
        `describing security group ${groupId}`,
        () => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
        { visibilityWindow: true },
      )
    ).SecurityGroups?.[0];
  const group = await describe();
  if (!group) throw new Ec2NotYetVisible(`security group ${groupId} is not visible yet`);
  const ingress = group.IpPermissions ?? [];
  const egress = group.IpPermissionsEgress ?? [];

  const missingIngress: IpPermission[] = [];
  for (const port of PNI_INGRESS_PORTS) {
    const cidrs = rules.ingressCidrs.filter((c) => !ingress.some((p) => sameRange(p, 'tcp', port, port, c)));
    if (cidrs.length)
      missingIngress.push({
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        IpRanges: cidrs.map((CidrIp) => ({ CidrIp, Description: `Confluent PNI ${port === 443 ? 'HTTPS' : 'Kafka'}` })),
      });
  }
  if (missingIngress.length) {
    await call(
      `authorizing ingress on ${groupId}`,
      () => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: missingIngress })),
      { visibilityWindow: true, done: ['InvalidPermission.Duplicate'] },
    );
  }
  if (egress.some((p) => sameRange(p, '-1', undefined, undefined, '0.0.0.0/0'))) {
    await call(
      `revoking default egress on ${groupId}`,
      () =>
        ec2.send(
          new RevokeSecurityGroupEgressCommand({
            GroupId: groupId,
            IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          }),
        ),
      { visibilityWindow: true, done: ['InvalidPermission.NotFound'] },
    );
  }
  const missingEgress: IpPermission[] = [];
  for (const rule of rules.egressRules) {
    for (const port of rule.ports) {
      if (!egress.some((p) => sameRange(p, 'tcp', port, port, rule.cidr))) {
        missingEgress.push({
          IpProtocol: 'tcp',
          FromPort: port,
          ToPort: port,
          IpRanges: [{ CidrIp: rule.cidr, Description: 'Confluent PNI connector egress' }],
        });
      }
    }
  }
  if (missingEgress.length) {
    await call(
      `authorizing egress on ${groupId}`,
      () => ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: missingEgress })),
      { visibilityWindow: true, done: ['InvalidPermission.Duplicate'] },
    );
  }
}

export async function deleteSecurityGroup(ec2: EC2Client, groupId: string): Promise<'deleted' | 'gone'> {
  try {
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    return 'deleted';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    if (['DependencyViolation', 'InvalidGroup.InUse'].includes(code(err)))
      throw new ResourceInUse(`security group ${groupId}: ${(err as Error).message}`);
    throw mapEc2Error(err, `deleting security group ${groupId}`);
  }
}

export async function securityGroupExists(ec2: EC2Client, groupId: string): Promise<boolean> {
  return (await describeSecurityGroup(ec2, groupId)) !== null;
}

// ---------------------------------------------------------------- ENIs

export async function createNetworkInterface(
  ec2: EC2Client,
  input: {
    subnetId: string;
    securityGroupId: string;
    clientToken: string;
    description: string;
    privateIp?: string;
    tags: Record<string, string>;
  },
): Promise<{ eniId: string; privateIp: string }> {
  const out = await must(
    `creating ENI in ${input.subnetId}`,
    () =>
      ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: input.subnetId,
          Groups: [input.securityGroupId],
          ClientToken: input.clientToken,
          Description: input.description,
          PrivateIpAddress: input.privateIp,
          TagSpecifications: [{ ResourceType: 'network-interface', Tags: toTags(input.tags) }],
        }),
      ),
    { visibilityWindow: true },
  );
  const ni = present(out.NetworkInterface, 'CreateNetworkInterface: NetworkInterface');
  return {
    eniId: present(ni.NetworkInterfaceId, 'CreateNetworkInterface: NetworkInterfaceId'),
    privateIp: present(ni.PrivateIpAddress, 'CreateNetworkInterface: PrivateIpAddress'),
  };
}

/** Every ENI tagged with this request id (teardown's second source besides the record). */
export async function findRequestEnis(ec2: EC2Client, requestId: string): Promise<NetworkInterface[]> {
  return describeAllEnis(ec2, [{ Name: `tag:${TAG_REQUEST_ID}`, Values: [requestId] }]);
}

/** The ENIs among `eniIds` that still exist (no whole-call NotFound: uses a filter). */
export async function existingEnis(ec2: EC2Client, eniIds: string[]): Promise<NetworkInterface[]> {
  const found: NetworkInterface[] = [];
  for (let i = 0; i < eniIds.length; i += 200) {
    found.push(...(await describeAllEnis(ec2, [{ Name: 'network-interface-id', Values: eniIds.slice(i, i + 200) }])));
  }
  return found;
}

export async function deleteNetworkInterface(ec2: EC2Client, eniId: string): Promise<'deleted' | 'gone'> {
  try {
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }));
    return 'deleted';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    if (
      code(err) === 'InvalidNetworkInterface.InUse' ||
      (code(err) === 'InvalidParameterValue' && /in use|attached/i.test((err as Error).message))
    ) {
      throw new ResourceInUse(`ENI ${eniId} is attached: ${(err as Error).message}`);
    }
    throw mapEc2Error(err, `deleting ENI ${eniId}`);
  }
}

// ---------------------------------------------------------------- permissions

export interface PermissionFact {
  permissionId: string;
  eniId: string;
  account: string;
  permission: string;
  state: string;
}

export async function describePermissions(
  ec2: EC2Client,
  filters: Filter[],
  opts?: { visibilityWindow?: boolean },
): Promise<PermissionFact[]> {
  const all: PermissionFact[] = [];
  let token: string | undefined;
  do {
    const out = await must(
      'describing ENI permissions',
      () =>
        ec2.send(
          new DescribeNetworkInterfacePermissionsCommand({ Filters: filters, MaxResults: 255, NextToken: token }),
        ),
      opts,
    );
    for (const p of out.NetworkInterfacePermissions ?? []) {
      all.push({
        permissionId: present(p.NetworkInterfacePermissionId, 'an ENI permission: NetworkInterfacePermissionId'),
        eniId: present(p.NetworkInterfaceId, 'an ENI permission: NetworkInterfaceId'),
        account: p.AwsAccountId ?? '',
        permission: p.Permission ?? '',
        state: p.PermissionState?.State ?? '',
      });
    }
    token = out.NextToken || undefined;
  } while (token);
  return all;
}

/** Every permission on any of `eniIds` (filter values go in batches of 200). */
export async function permissionsOn(ec2: EC2Client, eniIds: string[]): Promise<PermissionFact[]> {
  const perms: PermissionFact[] = [];
  for (let i = 0; i < eniIds.length; i += 200) {
    perms.push(
      ...(await describePermissions(ec2, [
        { Name: 'network-interface-permission.network-interface-id', Values: eniIds.slice(i, i + 200) },
      ])),
    );
  }
  return perms;
}

/** Describe-before-create: an existing INSTANCE-ATTACH grant for `account` is reused. */
export async function grantAttachPermission(
  ec2: EC2Client,
  eniId: string,
  account: string,
): Promise<{ permissionId: string; created: boolean }> {
  const existing = (
    await describePermissions(
      ec2,
      [
        { Name: 'network-interface-permission.network-interface-id', Values: [eniId] },
        { Name: 'network-interface-permission.aws-account-id', Values: [account] },
      ],
      { visibilityWindow: true },
    )
  ).find((p) => p.permission === ENI_PERMISSION && !/revok/i.test(p.state));
  if (existing) return { permissionId: existing.permissionId, created: false };
  const out = await must(
    `granting ${ENI_PERMISSION} on ${eniId}`,
    () =>
      ec2.send(
        new CreateNetworkInterfacePermissionCommand({
          NetworkInterfaceId: eniId,
          Permission: ENI_PERMISSION,
          AwsAccountId: account,
        }),
      ),
    { visibilityWindow: true },
  );
  return {
    permissionId: present(
      out.InterfacePermission?.NetworkInterfacePermissionId,
      `granting ${ENI_PERMISSION} on ${eniId}: NetworkInterfacePermissionId`,
    ),
    created: true,
  };
}

export async function deletePermission(ec2: EC2Client, permissionId: string): Promise<'deleted' | 'gone'> {
  try {
    await ec2.send(new DeleteNetworkInterfacePermissionCommand({ NetworkInterfacePermissionId: permissionId }));
    return 'deleted';
  } catch (err) {
    if (isNotFound(err) || /NotFound/i.test(code(err))) return 'gone';
    if (/InUse|Attached|IncorrectState|OperationNotPermitted/i.test(code(err)))
      throw new ResourceInUse(`permission ${permissionId}: ${(err as Error).message}`);
    throw mapEc2Error(err, `revoking permission ${permissionId}`);
  }
}

// ---------------------------------------------------------------- in-place update (statemachine/update.asl.json)

/**
 * Make the group's ingress exactly change by `add` / `remove` (TCP, one port per rule): idempotent, so a retried
 * step neither fails on a rule already added nor on one already revoked.
 */
export async function changeIngress(
  ec2: EC2Client,
  groupId: string,
  toAdd: { cidr: string; port: number }[],
  toRemove: { cidr: string; port: number }[],
): Promise<{ authorized: number; revoked: number }> {
  const group = (
    await must(`describing security group ${groupId}`, () =>
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
    )
  ).SecurityGroups?.[0];
  const has = (r: { cidr: string; port: number }) =>
    (group?.IpPermissions ?? []).some((p) => sameRange(p, 'tcp', r.port, r.port, r.cidr));
  const add = toAdd.filter((r) => !has(r));
  const remove = toRemove.filter(has);
  const perms = (rules: { cidr: string; port: number }[]): IpPermission[] =>
    rules.map((r) => ({
      IpProtocol: 'tcp',
      FromPort: r.port,
      ToPort: r.port,
      IpRanges: [{ CidrIp: r.cidr, Description: `Confluent PNI ${r.port === 443 ? 'HTTPS' : 'Kafka'}` }],
    }));
  if (add.length) {
    await call(
      `authorizing ingress on ${groupId}`,
      () => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: perms(add) })),
      { done: ['InvalidPermission.Duplicate'] },
    );
  }
  if (remove.length) {
    await call(
      `revoking ingress on ${groupId}`,
      () =>
        ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: perms(remove).map(({ IpRanges, ...p }) => ({
              ...p,
              IpRanges: (IpRanges ?? []).map(({ CidrIp }) => ({ CidrIp })),
            })),
          }),
        ),
      { done: ['InvalidPermission.NotFound'] },
    );
  }
  return { authorized: add.length, revoked: remove.length };
}
