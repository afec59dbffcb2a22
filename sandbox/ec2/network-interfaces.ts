/** ENIs, ENI permissions and CreateTags. */
import {
  describe,
  hideIfConfigured,
  isVisible,
  lookup,
  MAX_TAGS,
  tagLimit,
  tagMap,
  validateTags,
  type Ctx,
  type Handler,
} from './context.js';
import { dryRun, Ec2Error, invalidValue, kindOfId, missing, notFound } from './errors.js';
import type { FilterTable } from './filters.js';
import { formatIp, inCidr, isReserved, parseIp } from '../ipv4.js';
import { tagsOf, tagSpecifications } from './params.js';
import { macAddress, newId, type Eni, type Perm, type Sg, type Subnet, type Tags } from './state.js';
import { eniView, permView, privateDnsName } from './views.js';
import { list } from './xml.js';

export const DEFAULT_ENI_QUOTA = 5000;
export const SGS_PER_ENI = 5;

function eniFilters(region: string): FilterTable<Eni> {
  return {
    'network-interface-id': (e) => e.id,
    'subnet-id': (e) => e.subnetId,
    'vpc-id': (e) => e.vpcId,
    'group-id': (e) => e.groups.map((g) => g.groupId),
    'group-name': (e) => e.groups.map((g) => g.groupName),
    status: (e) => e.status,
    'availability-zone': (e) => e.az,
    'availability-zone-id': (e) => e.azId,
    description: (e) => e.description,
    'private-ip-address': (e) => e.ip,
    'addresses.private-ip-address': (e) => e.ip,
    'addresses.primary': () => true,
    'private-dns-name': (e) => privateDnsName(region, e.ip),
    'mac-address': (e) => e.mac,
    'owner-id': (e) => e.ownerId,
    'requester-managed': () => false,
    'source-dest-check': () => true,
    'interface-type': () => 'interface',
    'attachment.attachment-id': (e) => e.attachment?.attachmentId,
    'attachment.instance-id': (e) => e.attachment?.instanceId,
    'attachment.instance-owner-id': (e) => e.attachment?.instanceOwnerId,
    'attachment.status': (e) => e.attachment?.status,
    'attachment.device-index': (e) => e.attachment?.deviceIndex,
    'attachment.delete-on-termination': (e) => e.attachment?.deleteOnTermination,
  };
}

const PERM_FILTERS: FilterTable<Perm> = {
  'network-interface-permission.network-interface-permission-id': (p) => p.id,
  'network-interface-permission.network-interface-id': (p) => p.eniId,
  'network-interface-permission.aws-account-id': (p) => p.accountId,
  'network-interface-permission.aws-service': () => undefined,
  'network-interface-permission.permission': (p) => p.permission,
};

const UNSUPPORTED_CREATE_PARAMS = [
  'PrivateIpAddresses',
  'SecondaryPrivateIpAddressCount',
  'Ipv6AddressCount',
  'Ipv6Addresses',
  'Ipv4Prefix',
  'Ipv4PrefixCount',
  'Ipv6Prefix',
  'Ipv6PrefixCount',
  'InterfaceType',
  'EnablePrimaryIpv6',
  'ConnectionTrackingSpecification',
  'Operator',
];

function pickAddress(ctx: Ctx, subnet: Subnet): number {
  const wanted = ctx.p.str('PrivateIpAddress');
  if (wanted !== undefined) {
    const ip = parseIp(wanted);
    if (ip === undefined) throw invalidValue(`Invalid value '${wanted}' for privateIpAddress`);
    if (!inCidr(subnet.range, ip))
      throw invalidValue(`Address ${wanted} does not fall within the subnet's address range`);
    if (isReserved(subnet.range, ip)) throw invalidValue(`Address ${wanted} is reserved by AWS and cannot be assigned`);
    if (subnet.used.has(ip)) throw new Ec2Error('InvalidIPAddress.InUse', `Address ${wanted} is in use.`);
    return ip;
  }
  const { base, size } = subnet.range;
  for (let ip = base + 4; ip < base + size - 1; ip++) if (!subnet.used.has(ip)) return ip;
  throw new Ec2Error(
    'InsufficientFreeAddressesInSubnet',
    `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`,
  );
}

function createResult(ctx: Ctx, eni: Eni, token: string | undefined): ReturnType<Handler> {
  return [
    ['networkInterface', 'NetworkInterface', eniView(ctx.r.name, eni)],
    ['clientToken', 'ClientToken', token],
  ];
}

export const createNetworkInterface: Handler = (ctx) => {
  const subnetId = ctx.p.required('SubnetId', 'subnetId');
  const token = ctx.p.str('ClientToken');
  if (ctx.p.bool('DryRun')) throw dryRun();
  if (token !== undefined && token.length > 64)
    throw invalidValue('Invalid value for ClientToken: it must be at most 64 ASCII characters');
  const fingerprint = ctx.p.fingerprint(['Action', 'Version', 'ClientToken', 'DryRun']);
  if (token !== undefined && token !== '') {
    const seen = ctx.r.tokens.get(token);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new Ec2Error(
          'IdempotentParameterMismatch',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      }
      return createResult(ctx, seen.eni, token);
    }
  }
  for (const k of UNSUPPORTED_CREATE_PARAMS) {
    if (ctx.p.has(k))
      throw new Ec2Error(
        'UnsupportedOperation',
        `The sandbox does not support the parameter ${k} for CreateNetworkInterface.`,
      );
  }
  const subnet = lookup(ctx, ctx.r.subnets, 'subnet', subnetId);
  const tags = tagSpecifications(ctx.p, 'network-interface');
  validateTags(tags);
  const groupIds = [...new Set(ctx.p.strList('SecurityGroupId'))];
  if (groupIds.length > SGS_PER_ENI) {
    throw new Ec2Error(
      'SecurityGroupsPerInterfaceLimitExceeded',
      `The maximum number of security groups per interface (${SGS_PER_ENI}) has been exceeded.`,
    );
  }
  let groups: Sg[];
  if (groupIds.length) {
    const missingIds = groupIds.filter((id) => !ctx.r.sgs.has(id) || !isVisible(ctx, id));
    if (missingIds.length) throw notFound('sg', missingIds);
    groups = groupIds.map((id) => ctx.r.sgs.get(id) as Sg);
    const foreign = groups.find((g) => g.vpcId !== subnet.vpcId);
    if (foreign)
      throw new Ec2Error(
        'InvalidParameter',
        `Security group ${foreign.id} and subnet ${subnet.id} belong to different networks.`,
      );
  } else {
    const def = [...ctx.r.sgs.values()].find((g) => g.isDefault && g.vpcId === subnet.vpcId);
    groups = def ? [def] : [];
  }
  if (ctx.r.enis.size >= ctx.eniQuota) {
    throw new Ec2Error(
      'NetworkInterfaceLimitExceeded',
      `You have reached the limit for network interfaces in this Region (${ctx.eniQuota}).`,
    );
  }
  const ipNum = pickAddress(ctx, subnet);
  const eni: Eni = {
    seq: ctx.nextSeq(),
    id: newId('eni'),
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    az: subnet.az,
    azId: subnet.azId,
    description: ctx.p.str('Description') ?? '',
    ownerId: subnet.ownerId,
    status: 'available',
    mac: macAddress(),
    ip: formatIp(ipNum),
    ipNum,
    groups: groups.map((g) => ({ groupId: g.id, groupName: g.name })),
    tags: tagMap(tags),
    deleted: false,
  };
  subnet.used.add(ipNum);
  ctx.r.enis.set(eni.id, eni);
  if (token !== undefined && token !== '') ctx.r.tokens.set(token, { fingerprint, eni });
  hideIfConfigured(ctx, eni.id);
  return createResult(ctx, eni, token);
};

export const describeNetworkInterfaces: Handler = (ctx) => {
  if (ctx.p.bool('DryRun')) throw dryRun();
  const { page, nextToken } = describe(ctx, {
    all: ctx.r.enis.values(),
    ids: ctx.p.strList('NetworkInterfaceId'),
    kind: 'eni',
    table: eniFilters(ctx.r.name),
    range: [5, 1000],
    idsExcludeMaxResults: 'NetworkInterfaceIds',
  });
  return [
    ['networkInterfaceSet', 'NetworkInterfaces', list(page.map((e) => eniView(ctx.r.name, e)))],
    ['nextToken', 'NextToken', nextToken],
  ];
};

/** Removes an ENI, its permissions and its address (also used by the emulator's hooks). */
export function removeEni(ctx: Pick<Ctx, 'r'>, eni: Eni): void {
  ctx.r.enis.delete(eni.id);
  ctx.r.hiddenUntil.delete(eni.id);
  ctx.r.subnets.get(eni.subnetId)?.used.delete(eni.ipNum);
  for (const p of [...ctx.r.perms.values()]) if (p.eniId === eni.id) ctx.r.perms.delete(p.id);
  eni.deleted = true;
}

export const deleteNetworkInterface: Handler = (ctx) => {
  const id = ctx.p.required('NetworkInterfaceId', 'networkInterfaceId');
  if (ctx.p.bool('DryRun')) throw dryRun();
  const eni = lookup(ctx, ctx.r.enis, 'eni', id);
  if (eni.attachment)
    throw new Ec2Error('InvalidNetworkInterface.InUse', `The network interface '${eni.id}' is currently in use.`);
  removeEni(ctx, eni);
  return [['return', 'Return', true]];
};

const PERMISSIONS = ['INSTANCE-ATTACH', 'EIP-ASSOCIATE'];

export const createNetworkInterfacePermission: Handler = (ctx) => {
  const eniId = ctx.p.required('NetworkInterfaceId', 'networkInterfaceId');
  const permission = ctx.p.required('Permission', 'permission');
  const account = ctx.p.str('AwsAccountId');
  if (ctx.p.str('AwsService') !== undefined) throw invalidValue('The parameter awsService is not supported.');
  if (!account) throw missing('awsAccountId');
  if (ctx.p.bool('DryRun')) throw dryRun();
  if (!PERMISSIONS.includes(permission))
    throw invalidValue(
      `Value (${permission}) for parameter permission is invalid. Valid values are: ${PERMISSIONS.join(', ')}`,
    );
  if (!/^\d{12}$/.test(account))
    throw invalidValue(
      `Value (${account}) for parameter awsAccountId is invalid. It must be a 12-digit AWS account ID.`,
    );
  const eni = lookup(ctx, ctx.r.enis, 'eni', eniId);
  const dup = [...ctx.r.perms.values()].find(
    (p) => p.eniId === eni.id && p.accountId === account && p.permission === permission,
  );
  if (dup) {
    throw new Ec2Error(
      'InvalidPermission.Duplicate',
      `The permission ${permission} for account ${account} already exists on network interface '${eni.id}' (${dup.id}).`,
    );
  }
  const perm: Perm = {
    seq: ctx.nextSeq(),
    id: newId('eni-perm'),
    eniId: eni.id,
    accountId: account,
    permission,
    state: 'GRANTED',
    tags: new Map(),
  };
  ctx.r.perms.set(perm.id, perm);
  return [['interfacePermission', 'InterfacePermission', permView(perm)]];
};

export const describeNetworkInterfacePermissions: Handler = (ctx) => {
  if (ctx.p.bool('DryRun')) throw dryRun();
  const { page, nextToken } = describe(ctx, {
    all: ctx.r.perms.values(),
    ids: ctx.p.strList('NetworkInterfacePermissionId'),
    kind: 'perm',
    table: PERM_FILTERS,
    range: [5, 255],
    defaultPageSize: 50,
  });
  return [
    ['networkInterfacePermissions', 'NetworkInterfacePermissions', list(page.map(permView))],
    ['nextToken', 'NextToken', nextToken],
  ];
};

export const deleteNetworkInterfacePermission: Handler = (ctx) => {
  const id = ctx.p.required('NetworkInterfacePermissionId', 'networkInterfacePermissionId');
  if (ctx.p.bool('DryRun')) throw dryRun();
  const perm = lookup(ctx, ctx.r.perms, 'perm', id);
  const eni = ctx.r.enis.get(perm.eniId);
  const inUse =
    eni?.attachment !== undefined &&
    eni.attachment.instanceOwnerId === perm.accountId &&
    perm.permission === 'INSTANCE-ATTACH';
  if (inUse && !ctx.p.bool('Force')) {
    throw new Ec2Error(
      'OperationNotPermitted',
      `The network interface '${perm.eniId}' is attached to an instance of account ${perm.accountId}; the permission ${perm.id} can only be deleted with Force.`,
    );
  }
  ctx.r.perms.delete(perm.id);
  return [['return', 'Return', true]];
};

export const createTags: Handler = (ctx) => {
  const ids = [...new Set(ctx.p.strList('ResourceId'))];
  if (ids.length === 0) throw missing('resourceIdSet');
  const tags = tagsOf(ctx.p.tree, 'Tag');
  if (tags.length === 0) throw missing('tagSet');
  if (ctx.p.bool('DryRun')) throw dryRun();
  validateTags(tags);
  const targets: Tags[] = [];
  for (const id of ids) {
    const kind = kindOfId(id);
    let target: { tags: Tags } | undefined;
    if (kind === 'vpc') target = lookup(ctx, ctx.r.vpcs, kind, id);
    else if (kind === 'subnet') target = lookup(ctx, ctx.r.subnets, kind, id);
    else if (kind === 'sg') target = lookup(ctx, ctx.r.sgs, kind, id);
    else if (kind === 'eni') target = lookup(ctx, ctx.r.enis, kind, id);
    if (!target) throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
    const keys = new Set([...target.tags.keys(), ...tags.map((t) => t.key)]);
    if (keys.size > MAX_TAGS) throw tagLimit();
    targets.push(target.tags);
  }
  for (const t of targets) for (const { key, value } of tags) t.set(key, value);
  return [['return', 'Return', true]];
};
