/** CreateSecurityGroup, DescribeSecurityGroups, Authorize/Revoke rules, DeleteSecurityGroup. */
import { describe, hideIfConfigured, lookup, tagMap, validateTags, type Ctx, type Handler } from './context.js';
import { dryRun, Ec2Error, invalidValue, missing } from './errors.js';
import type { FilterTable } from './filters.js';
import { isIpv6Cidr, parseCidr } from '../ipv4.js';
import { int, str, structs, tagSpecifications, type PTree } from './params.js';
import { newId, type Sg, type SgRule } from './state.js';
import { revokedRuleView, ruleView, sgArn, sgView, tagList } from './views.js';
import { list, type Struct } from './xml.js';

export const RULES_PER_DIRECTION = 60;

function ruleValues(
  sg: Sg,
  egress: boolean,
  pick: (r: SgRule) => string | number | undefined,
): (string | number | undefined)[] {
  return sg.rules.filter((r) => r.isEgress === egress).map(pick);
}

const SG_FILTERS: FilterTable<Sg> = {
  'group-id': (g) => g.id,
  'group-name': (g) => g.name,
  'vpc-id': (g) => g.vpcId,
  description: (g) => g.description,
  'owner-id': (g) => g.ownerId,
  'ip-permission.cidr': (g) => ruleValues(g, false, (r) => r.cidrIpv4),
  'ip-permission.ipv6-cidr': (g) => ruleValues(g, false, (r) => r.cidrIpv6),
  'ip-permission.prefix-list-id': (g) => ruleValues(g, false, (r) => r.prefixListId),
  'ip-permission.protocol': (g) => ruleValues(g, false, (r) => r.protocol),
  'ip-permission.from-port': (g) => ruleValues(g, false, (r) => r.fromPort),
  'ip-permission.to-port': (g) => ruleValues(g, false, (r) => r.toPort),
  'ip-permission.group-id': (g) => ruleValues(g, false, (r) => r.groupId),
  'ip-permission.user-id': (g) => ruleValues(g, false, (r) => r.userId),
  'egress.ip-permission.cidr': (g) => ruleValues(g, true, (r) => r.cidrIpv4),
  'egress.ip-permission.ipv6-cidr': (g) => ruleValues(g, true, (r) => r.cidrIpv6),
  'egress.ip-permission.prefix-list-id': (g) => ruleValues(g, true, (r) => r.prefixListId),
  'egress.ip-permission.protocol': (g) => ruleValues(g, true, (r) => r.protocol),
  'egress.ip-permission.from-port': (g) => ruleValues(g, true, (r) => r.fromPort),
  'egress.ip-permission.to-port': (g) => ruleValues(g, true, (r) => r.toPort),
  'egress.ip-permission.group-id': (g) => ruleValues(g, true, (r) => r.groupId),
  'egress.ip-permission.user-id': (g) => ruleValues(g, true, (r) => r.userId),
};

export const createSecurityGroup: Handler = (ctx) => {
  const name = ctx.p.required('GroupName', 'groupName');
  const description = ctx.p.required('GroupDescription', 'groupDescription');
  const vpcId = ctx.p.str('VpcId');
  const tags = tagSpecifications(ctx.p, 'security-group');
  if (ctx.p.bool('DryRun')) throw dryRun();
  if (!vpcId) throw new Ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  validateTags(tags);
  if (name.length > 255)
    throw invalidValue(`Invalid value '${name}' for groupName. Length exceeds maximum of 255 characters.`);
  if (description.length > 255)
    throw invalidValue('Invalid value for groupDescription. Length exceeds maximum of 255 characters.');
  if (name.toLowerCase().startsWith('sg-'))
    throw invalidValue(`Invalid value '${name}' for groupName. Group names may not be in the format sg-*.`);
  if (name.toLowerCase() === 'default')
    throw new Ec2Error('InvalidGroup.Reserved', "The security group 'default' is reserved");
  const vpc = lookup(ctx, ctx.r.vpcs, 'vpc', vpcId);
  for (const g of ctx.r.sgs.values()) {
    if (g.vpcId === vpc.id && g.name.toLowerCase() === name.toLowerCase()) {
      throw new Ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.id}'`);
    }
  }
  const sg: Sg = {
    seq: ctx.nextSeq(),
    id: newId('sg'),
    name,
    description,
    vpcId: vpc.id,
    ownerId: vpc.ownerId,
    tags: tagMap(tags),
    isDefault: false,
    rules: [],
  };
  sg.rules.push({ id: newId('sgr'), isEgress: true, protocol: '-1', cidrIpv4: '0.0.0.0/0' });
  ctx.r.sgs.set(sg.id, sg);
  hideIfConfigured(ctx, sg.id);
  return [
    ['groupId', 'GroupId', sg.id],
    ['tagSet', 'Tags', sg.tags.size ? tagList(sg.tags) : undefined],
    ['securityGroupArn', 'SecurityGroupArn', sgArn(ctx.r.name, sg)],
  ];
};

export const describeSecurityGroups: Handler = (ctx) => {
  if (ctx.p.bool('DryRun')) throw dryRun();
  const names = ctx.p.strList('GroupName');
  if (names.length) {
    // The sandbox has no default VPC; names only address groups there.
    throw new Ec2Error(
      'InvalidGroup.NotFound',
      `The security group '${names[0]}' does not exist in default VPC 'none'`,
    );
  }
  const { page, nextToken } = describe(ctx, {
    all: ctx.r.sgs.values(),
    ids: ctx.p.strList('GroupId'),
    kind: 'sg',
    table: SG_FILTERS,
    range: [5, 1000],
  });
  return [
    ['securityGroupInfo', 'SecurityGroups', list(page.map((g) => sgView(ctx.r.name, g)))],
    ['nextToken', 'NextToken', nextToken],
  ];
};

const PROTOCOL_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

function normaliseProtocol(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw missing('ipPermissions.ipProtocol');
  const p = raw.toLowerCase();
  const n = PROTOCOL_NUMBERS[p] ?? p;
  if (['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(n)) return n;
  if (/^\d+$/.test(n) && Number(n) <= 255) return n;
  throw invalidValue(`Invalid value '${raw}' for IP protocol. Unknown protocol.`);
}

type RuleShape = Omit<SgRule, 'id'>;

function sameRule(a: RuleShape, b: RuleShape): boolean {
  return (
    a.isEgress === b.isEgress &&
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.prefixListId === b.prefixListId &&
    a.groupId === b.groupId
  );
}

function describeRule(r: RuleShape): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.groupId ?? '?';
  const proto = r.protocol === '-1' ? 'ALL' : r.protocol.toUpperCase();
  const ports =
    r.protocol === '-1' || r.fromPort === undefined ? 'ALL' : `from port: ${r.fromPort}, to port: ${r.toPort}`;
  return `peer: ${peer}, ${proto}, ${ports}, ALLOW`;
}

function port(node: PTree, key: string): number | undefined {
  return int(node, key);
}

/** `IpPermissions.N.*` (or the legacy top-level CidrIp/IpProtocol/FromPort/ToPort) as one rule per source. */
function parseRules(ctx: Ctx, sg: Sg, egress: boolean): RuleShape[] {
  let perms = ctx.p.structs('IpPermissions');
  if (perms.length === 0 && ctx.p.str('IpProtocol') !== undefined) {
    const legacy: PTree = { IpProtocol: ctx.p.str('IpProtocol') ?? '' };
    for (const k of ['FromPort', 'ToPort']) {
      const v = ctx.p.str(k);
      if (v !== undefined) legacy[k] = v;
    }
    const cidr = ctx.p.str('CidrIp');
    if (cidr !== undefined) legacy.IpRanges = { 1: { CidrIp: cidr } };
    perms = [legacy];
  }
  if (perms.length === 0) throw missing('ipPermissions');
  const out: RuleShape[] = [];
  for (const perm of perms) {
    const protocol = normaliseProtocol(str(perm, 'IpProtocol'));
    let fromPort: number | undefined;
    let toPort: number | undefined;
    if (protocol === 'tcp' || protocol === 'udp') {
      fromPort = port(perm, 'FromPort');
      toPort = port(perm, 'ToPort');
      if (fromPort === undefined || toPort === undefined)
        throw invalidValue("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange");
      if (fromPort < 0 || toPort > 65535 || fromPort > toPort)
        throw invalidValue(
          `Invalid value '${fromPort}-${toPort}' for portRange. Ports must be 0-65535 and from <= to.`,
        );
    } else if (protocol === 'icmp' || protocol === 'icmpv6') {
      fromPort = port(perm, 'FromPort') ?? -1;
      toPort = port(perm, 'ToPort') ?? -1;
    }
    const base = { isEgress: egress, protocol, fromPort, toPort };
    const sources: RuleShape[] = [];
    for (const r of structs(perm, 'IpRanges')) {
      const cidr = str(r, 'CidrIp');
      if (!cidr || !parseCidr(cidr)) throw invalidValue(`CIDR block ${cidr ?? ''} is malformed`);
      sources.push({ ...base, cidrIpv4: cidr, description: str(r, 'Description') });
    }
    for (const r of structs(perm, 'Ipv6Ranges')) {
      const cidr = str(r, 'CidrIpv6');
      if (!cidr || !isIpv6Cidr(cidr)) throw invalidValue(`CIDR block ${cidr ?? ''} is malformed`);
      sources.push({ ...base, cidrIpv6: cidr, description: str(r, 'Description') });
    }
    for (const r of structs(perm, 'PrefixListIds')) {
      const id = str(r, 'PrefixListId');
      if (!id) throw missing('ipPermissions.prefixListIds.prefixListId');
      sources.push({ ...base, prefixListId: id, description: str(r, 'Description') });
    }
    for (const r of structs(perm, 'Groups')) {
      const groupId = str(r, 'GroupId');
      if (!groupId)
        throw invalidValue('Security group references need a GroupId (group names are only valid in a default VPC)');
      const peer = groupId === sg.id ? sg : lookup(ctx, ctx.r.sgs, 'sg', groupId);
      sources.push({
        ...base,
        groupId: peer.id,
        userId: str(r, 'UserId') ?? peer.ownerId,
        description: str(r, 'Description'),
      });
    }
    if (sources.length === 0) {
      throw new Ec2Error(
        'InvalidPermission.Malformed',
        'Each IP permission needs a source: a CIDR block, an IPv6 CIDR block, a prefix list or a security group.',
      );
    }
    out.push(...sources);
  }
  return out;
}

function authorize(egress: boolean): Handler {
  return (ctx) => {
    const groupId = ctx.p.str('GroupId');
    if (!groupId) {
      if (ctx.p.str('GroupName'))
        throw new Ec2Error(
          'InvalidGroup.NotFound',
          `The security group '${ctx.p.str('GroupName')}' does not exist in default VPC 'none'`,
        );
      throw missing('groupId');
    }
    if (ctx.p.bool('DryRun')) throw dryRun();
    const sg = lookup(ctx, ctx.r.sgs, 'sg', groupId);
    const rules = parseRules(ctx, sg, egress);
    const seen: RuleShape[] = [];
    for (const r of rules) {
      if (sg.rules.some((x) => sameRule(x, r)) || seen.some((x) => sameRule(x, r))) {
        throw new Ec2Error('InvalidPermission.Duplicate', `the specified rule "${describeRule(r)}" already exists`);
      }
      seen.push(r);
    }
    if (sg.rules.filter((r) => r.isEgress === egress).length + rules.length > RULES_PER_DIRECTION) {
      throw new Ec2Error(
        'RulesPerSecurityGroupLimitExceeded',
        'The maximum number of rules per security group has been reached.',
      );
    }
    const added = rules.map((r): SgRule => ({ ...r, id: newId('sgr') }));
    sg.rules.push(...added);
    return [
      ['return', 'Return', true],
      ['securityGroupRuleSet', 'SecurityGroupRules', list(added.map((r): Struct => ruleView(ctx.r.name, sg, r)))],
    ];
  };
}

function revoke(egress: boolean): Handler {
  return (ctx) => {
    const groupId = ctx.p.str('GroupId');
    if (!groupId) throw missing('groupId');
    if (ctx.p.bool('DryRun')) throw dryRun();
    const sg = lookup(ctx, ctx.r.sgs, 'sg', groupId);
    const ruleIds = ctx.p.strList('SecurityGroupRuleId');
    let removed: SgRule[];
    if (ruleIds.length) {
      removed = ruleIds.map((id) => {
        const r = sg.rules.find((x) => x.id === id && x.isEgress === egress);
        if (!r)
          throw new Ec2Error(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${id}' does not exist`,
          );
        return r;
      });
    } else {
      removed = parseRules(ctx, sg, egress).map((want) => {
        const r = sg.rules.find((x) => sameRule(x, want));
        if (!r)
          throw new Ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
        return r;
      });
    }
    const gone = new Set(removed.map((r) => r.id));
    sg.rules = sg.rules.filter((r) => !gone.has(r.id));
    return [
      ['return', 'Return', true],
      ['revokedSecurityGroupRuleSet', 'RevokedSecurityGroupRules', list(removed.map((r) => revokedRuleView(sg, r)))],
    ];
  };
}

export const authorizeSecurityGroupIngress = authorize(false);
export const authorizeSecurityGroupEgress = authorize(true);
export const revokeSecurityGroupIngress = revoke(false);
export const revokeSecurityGroupEgress = revoke(true);

export const deleteSecurityGroup: Handler = (ctx) => {
  const groupId = ctx.p.str('GroupId');
  if (!groupId) {
    const name = ctx.p.str('GroupName');
    if (name)
      throw new Ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC 'none'`);
    throw missing('groupId');
  }
  if (ctx.p.bool('DryRun')) throw dryRun();
  const sg = lookup(ctx, ctx.r.sgs, 'sg', groupId);
  if (sg.isDefault)
    throw new Ec2Error('CannotDelete', `the specified group: "${sg.id}" name: "default" cannot be deleted by a user`);
  const usedByEni = [...ctx.r.enis.values()].some((e) => e.groups.some((g) => g.groupId === sg.id));
  const referenced = [...ctx.r.sgs.values()].some((g) => g.id !== sg.id && g.rules.some((r) => r.groupId === sg.id));
  if (usedByEni || referenced) throw new Ec2Error('DependencyViolation', `resource ${sg.id} has a dependent object`);
  ctx.r.sgs.delete(sg.id);
  ctx.r.hiddenUntil.delete(sg.id);
  return [
    ['return', 'Return', true],
    ['groupId', 'GroupId', sg.id],
  ];
};
