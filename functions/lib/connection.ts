/**
 * (day 2) A live connection's desired state (what its record says should exist) against what exists, resource by
 * resource. Drift checks report the differences; repair acts on them; an update can compute a new desired state and
 * diff it the same way. Reads only: one DescribeNetworkInterfaces (filtered by id, 200 per call), one
 * DescribeNetworkInterfacePermissions (filtered by ENI id, paged), one DescribeSecurityGroups, two Confluent GETs.
 */
import {
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandOutput,
  type EC2Client,
  type IpPermission,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { ENI_PERMISSION, PNI_INGRESS_PORTS } from './constants.js';
import { ConnectionNotLive } from './errors.js';
import { existingEnis, mapEc2Error, permissionsOn, type PermissionFact } from './ec2ops.js';
import { pniAccessPointConfig } from './confluent/index.js';
import type { Deps } from './deps.js';
import type { EniRecord, RequestRecord } from './state.js';
import type { CanonicalRequest, Difference } from './types.js';

/** One security group rule, flattened: one protocol/port range to or from one peer. */
export interface SgRule {
  direction: 'ingress' | 'egress';
  protocol: string;
  fromPort?: number;
  toPort?: number;
  peer: string;
  peerKind: 'cidr' | 'cidr6' | 'group' | 'prefixList';
}

export interface DesiredEni {
  slot: number;
  eniId: string;
  subnetId: string;
  zoneId: string;
  ip?: string;
}

export interface DesiredState {
  requestId: string;
  attempt: number;
  region: string;
  environmentId: string;
  vpcId: string;
  request: CanonicalRequest;
  gatewayId: string;
  confluentAccount: string;
  securityGroupId: string;
  /** Rules are compared only on a group the provisioner created (an existing group is its owner's business). */
  securityGroupManaged: boolean;
  rules: SgRule[];
  enis: DesiredEni[];
  accessPointId: string;
  egressRoutes: string[];
}

export interface ObservedState {
  enis: { eniId: string; subnetId: string; groups: string[]; status: string }[];
  permissions: PermissionFact[];
  /** null: the group does not exist. */
  securityGroup: { groupId: string; rules: SgRule[] } | null;
  accessPoint: { phase: string; networkInterfaces: string[]; egressRoutes: string[] } | null;
  gateway: { phase: string } | null;
}

export function ruleKey(r: SgRule): string {
  const ports =
    r.protocol === '-1'
      ? 'all traffic'
      : `${r.protocol} ${r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`}`;
  return `${r.direction} ${ports} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer}`;
}

/** The rules the provisioner puts on a group it creates: PNI ports in from each ingress CIDR, only the egress rules out. */
export function desiredRules(req: CanonicalRequest, vpcCidr?: string): SgRule[] {
  const sg = req.securityGroup;
  if ('existingId' in sg) return [];
  const ingressCidrs = sg.ingressCidrs ?? (vpcCidr ? [vpcCidr] : []);
  const rules: SgRule[] = [];
  for (const port of PNI_INGRESS_PORTS)
    for (const cidr of ingressCidrs)
      rules.push({ direction: 'ingress', protocol: 'tcp', fromPort: port, toPort: port, peer: cidr, peerKind: 'cidr' });
  for (const rule of sg.egressRules)
    for (const port of rule.ports)
      rules.push({
        direction: 'egress',
        protocol: 'tcp',
        fromPort: port,
        toPort: port,
        peer: rule.cidr,
        peerKind: 'cidr',
      });
  return rules;
}

/** The desired state of a SUCCEEDED connection, from its record and ENI rows (the current attempt's, not deleted). */
export function desiredState(rec: RequestRecord, eniRows: EniRecord[]): DesiredState {
  const { request, gatewayId, confluentAccount, securityGroupId, accessPointId, region, environmentId, vpcId } = rec;
  if (
    !request ||
    !gatewayId ||
    !confluentAccount ||
    !securityGroupId ||
    !accessPointId ||
    !region ||
    !environmentId ||
    !vpcId
  )
    throw new ConnectionNotLive(`request ${rec.requestId} (${rec.status}) has no complete connection on record`);
  const enis = eniRows
    .filter((e) => e.attempt === rec.attempt && e.status !== 'DELETED' && e.eniId)
    .flatMap((e) =>
      e.eniId ? [{ slot: e.slot, eniId: e.eniId, subnetId: e.subnetId, zoneId: e.zoneId, ip: e.ip }] : [],
    );
  return {
    requestId: rec.requestId,
    attempt: rec.attempt,
    region,
    environmentId,
    vpcId,
    request,
    gatewayId,
    confluentAccount,
    securityGroupId,
    securityGroupManaged: rec.securityGroupCreatedByUs === true,
    rules: desiredRules(request),
    enis,
    accessPointId,
    egressRoutes: request.egressRoutes,
  };
}

function flattenRules(direction: SgRule['direction'], perms: IpPermission[] | undefined): SgRule[] {
  const out: SgRule[] = [];
  for (const p of perms ?? []) {
    const protocol = p.IpProtocol ?? '-1';
    const base = {
      direction,
      protocol,
      ...(protocol === '-1' ? {} : { fromPort: p.FromPort, toPort: p.ToPort }),
    };
    for (const r of p.IpRanges ?? []) if (r.CidrIp) out.push({ ...base, peer: r.CidrIp, peerKind: 'cidr' });
    for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) out.push({ ...base, peer: r.CidrIpv6, peerKind: 'cidr6' });
    for (const g of p.UserIdGroupPairs ?? []) if (g.GroupId) out.push({ ...base, peer: g.GroupId, peerKind: 'group' });
    for (const l of p.PrefixListIds ?? [])
      if (l.PrefixListId) out.push({ ...base, peer: l.PrefixListId, peerKind: 'prefixList' });
  }
  return out;
}

/** EC2's form of one flattened rule (for authorize / revoke). */
export function toIpPermission(r: SgRule): IpPermission {
  const p: IpPermission = { IpProtocol: r.protocol };
  if (r.protocol !== '-1') {
    p.FromPort = r.fromPort;
    p.ToPort = r.toPort;
  }
  if (r.peerKind === 'cidr') p.IpRanges = [{ CidrIp: r.peer }];
  else if (r.peerKind === 'cidr6') p.Ipv6Ranges = [{ CidrIpv6: r.peer }];
  else if (r.peerKind === 'group') p.UserIdGroupPairs = [{ GroupId: r.peer }];
  else p.PrefixListIds = [{ PrefixListId: r.peer }];
  return p;
}

/** The group's rules, or null when it does not exist (a filter: no whole-call NotFound). */
export async function securityGroupRules(
  ec2: EC2Client,
  groupId: string,
): Promise<{ groupId: string; rules: SgRule[] } | null> {
  let out: DescribeSecurityGroupsCommandOutput;
  try {
    out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
  } catch (err) {
    throw mapEc2Error(err, `describing security group ${groupId}`);
  }
  const g = out.SecurityGroups?.[0];
  if (!g) return null;
  return {
    groupId,
    rules: [...flattenRules('ingress', g.IpPermissions), ...flattenRules('egress', g.IpPermissionsEgress)],
  };
}

function eniView(e: NetworkInterface): ObservedState['enis'][number] {
  return {
    eniId: e.NetworkInterfaceId ?? '',
    subnetId: e.SubnetId ?? '',
    groups: (e.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    status: e.Status ?? '',
  };
}

/** What exists now (reads only, sequential EC2 calls so one check never bursts the account's describe bucket). */
export async function observe(deps: Deps, d: DesiredState): Promise<ObservedState> {
  const ec2 = deps.ec2(d.region);
  const enis = (
    await existingEnis(
      ec2,
      d.enis.map((e) => e.eniId),
    )
  ).map(eniView);
  const permissions = enis.length
    ? await permissionsOn(
        ec2,
        enis.map((e) => e.eniId),
      )
    : [];
  const securityGroup = await securityGroupRules(ec2, d.securityGroupId);
  const [ap, gw] = await Promise.all([
    deps.confluent.getAccessPoint(d.environmentId, d.accessPointId),
    deps.confluent.getGateway(d.environmentId, d.gatewayId),
  ]);
  const apConfig = ap ? pniAccessPointConfig(ap) : undefined;
  return {
    enis,
    permissions,
    securityGroup,
    accessPoint: ap
      ? {
          phase: String(ap.status?.phase ?? 'UNKNOWN'),
          networkInterfaces: apConfig?.network_interfaces ?? [],
          egressRoutes: apConfig?.egress_routes ?? [],
        }
      : null,
    gateway: gw ? { phase: String(gw.status?.phase ?? 'UNKNOWN') } : null,
  };
}

const isLive = (p: PermissionFact) => !/revok/i.test(p.state);
/** The INSTANCE-ATTACH grant of the gateway's account on an ENI. */
export const isWantedGrant = (p: PermissionFact, account: string) =>
  isLive(p) && p.account === account && p.permission === ENI_PERMISSION;
/** A live permission for any other account (or another permission type): must not exist. */
export const isForeignGrant = (p: PermissionFact, account: string) => isLive(p) && !isWantedGrant(p, account);

const list = (xs: readonly string[]) => (xs.length ? [...xs].sort().join(', ') : '(none)');

/** Every difference, in a stable order: ENIs, permissions, security group, access point, gateway. */
export function compare(d: DesiredState, o: ObservedState): Difference[] {
  const diffs: Difference[] = [];
  const byId = new Map(o.enis.map((e) => [e.eniId, e]));
  for (const e of d.enis) {
    const seen = byId.get(e.eniId);
    if (!seen) {
      diffs.push({
        resource: 'networkInterface',
        id: e.eniId,
        expected: `exists in ${e.subnetId} with ${d.securityGroupId} (slot ${e.slot})`,
        actual: 'missing',
      });
      continue;
    }
    if (seen.subnetId !== e.subnetId)
      diffs.push({
        resource: 'networkInterface',
        id: e.eniId,
        expected: `in ${e.subnetId}`,
        actual: `in ${seen.subnetId}`,
      });
    if (seen.groups.length !== 1 || seen.groups[0] !== d.securityGroupId)
      diffs.push({
        resource: 'networkInterface',
        id: e.eniId,
        expected: `security groups ${d.securityGroupId}`,
        actual: `security groups ${list(seen.groups)}`,
      });
  }
  for (const e of d.enis) {
    if (!byId.has(e.eniId)) continue;
    if (!o.permissions.some((p) => p.eniId === e.eniId && isWantedGrant(p, d.confluentAccount)))
      diffs.push({
        resource: 'networkInterfacePermission',
        id: e.eniId,
        expected: `${ENI_PERMISSION} for ${d.confluentAccount}`,
        actual: 'none',
      });
  }
  for (const p of o.permissions.filter((x) => isForeignGrant(x, d.confluentAccount)))
    diffs.push({
      resource: 'networkInterfacePermission',
      id: p.permissionId,
      expected: 'none',
      actual: `${p.permission} for ${p.account} on ${p.eniId}`,
    });
  if (!o.securityGroup) {
    diffs.push({ resource: 'securityGroup', id: d.securityGroupId, expected: 'exists', actual: 'missing' });
  } else if (d.securityGroupManaged) {
    const want = new Set(d.rules.map(ruleKey));
    const have = new Set(o.securityGroup.rules.map(ruleKey));
    for (const k of want)
      if (!have.has(k))
        diffs.push({ resource: 'securityGroupRule', id: d.securityGroupId, expected: k, actual: 'missing' });
    for (const k of have)
      if (!want.has(k))
        diffs.push({ resource: 'securityGroupRule', id: d.securityGroupId, expected: 'absent', actual: k });
  }
  if (!o.accessPoint) {
    diffs.push({ resource: 'accessPoint', id: d.accessPointId, expected: 'READY', actual: 'missing' });
  } else {
    if (o.accessPoint.phase !== 'READY')
      diffs.push({ resource: 'accessPoint', id: d.accessPointId, expected: 'READY', actual: o.accessPoint.phase });
    const listed = new Set(o.accessPoint.networkInterfaces);
    const wanted = new Set(d.enis.map((e) => e.eniId));
    for (const id of wanted)
      if (!listed.has(id))
        diffs.push({ resource: 'accessPoint', id: d.accessPointId, expected: `lists ${id}`, actual: 'not listed' });
    for (const id of listed)
      if (!wanted.has(id))
        diffs.push({
          resource: 'accessPoint',
          id: d.accessPointId,
          expected: `does not list ${id}`,
          actual: `lists ${id}`,
        });
    if (list(o.accessPoint.egressRoutes) !== list(d.egressRoutes))
      diffs.push({
        resource: 'accessPoint',
        id: d.accessPointId,
        expected: `egress routes ${list(d.egressRoutes)}`,
        actual: `egress routes ${list(o.accessPoint.egressRoutes)}`,
      });
  }
  if (!o.gateway) diffs.push({ resource: 'gateway', id: d.gatewayId, expected: 'READY', actual: 'missing' });
  else if (o.gateway.phase !== 'READY')
    diffs.push({ resource: 'gateway', id: d.gatewayId, expected: 'READY', actual: o.gateway.phase });
  return diffs;
}

/** Desired, observed and the differences of one connection record. */
export async function checkConnection(
  deps: Deps,
  rec: RequestRecord,
): Promise<{ desired: DesiredState; observed: ObservedState; differences: Difference[] }> {
  const desired = desiredState(rec, await deps.store.listEnis(rec.requestId));
  const observed = await observe(deps, desired);
  return { desired, observed, differences: compare(desired, observed) };
}
