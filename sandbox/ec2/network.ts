/** DescribeVpcs, DescribeSubnets, DescribeAvailabilityZones. */
import { describe, type Handler } from './context.js';
import { dryRun, invalidValue } from './errors.js';
import { applyFilters, type FilterTable } from './filters.js';
import { filters } from './params.js';
import type { Az, Subnet, Vpc } from './state.js';
import { availableIps, azView, subnetView, vpcView } from './views.js';
import { list, type Struct } from './xml.js';

const VPC_FILTERS: FilterTable<Vpc> = {
  'vpc-id': (v) => v.id,
  cidr: (v) => v.cidr,
  'cidr-block-association.cidr-block': (v) => v.cidr,
  'cidr-block-association.association-id': (v) => v.cidrAssociationId,
  'cidr-block-association.state': () => 'associated',
  'dhcp-options-id': (v) => v.dhcpOptionsId,
  'is-default': (v) => v.isDefault,
  'owner-id': (v) => v.ownerId,
  state: () => 'available',
};

function subnetFilters(region: string): FilterTable<Subnet> {
  return {
    'subnet-id': (s) => s.id,
    'vpc-id': (s) => s.vpcId,
    state: () => 'available',
    'cidr-block': (s) => s.cidr,
    cidr: (s) => s.cidr,
    cidrBlock: (s) => s.cidr,
    'availability-zone': (s) => s.az,
    availabilityZone: (s) => s.az,
    'availability-zone-id': (s) => s.azId,
    availabilityZoneId: (s) => s.azId,
    'available-ip-address-count': (s) => availableIps(s),
    'default-for-az': () => false,
    defaultForAz: () => false,
    'map-public-ip-on-launch': () => false,
    'owner-id': (s) => s.ownerId,
    'subnet-arn': (s) => `arn:aws:ec2:${region}:${s.ownerId}:subnet/${s.id}`,
    'ipv6-native': () => false,
  };
}

function azFilters(region: string): FilterTable<Az> {
  return {
    'zone-name': (z) => z.zoneName,
    'zone-id': (z) => z.zoneId,
    'zone-type': () => 'availability-zone',
    state: () => 'available',
    'region-name': () => region,
    'opt-in-status': () => 'opt-in-not-required',
    'group-name': () => `${region}-zg-1`,
    'group-long-name': () => region,
    'network-border-group': () => region,
  };
}

export const describeVpcs: Handler = (ctx) => {
  if (ctx.p.bool('DryRun')) throw dryRun();
  const { page, nextToken } = describe(ctx, {
    all: ctx.r.vpcs.values(),
    ids: ctx.p.strList('VpcId'),
    kind: 'vpc',
    table: VPC_FILTERS,
    range: [5, 1000],
  });
  return [
    ['vpcSet', 'Vpcs', list(page.map(vpcView))],
    ['nextToken', 'NextToken', nextToken],
  ];
};

export const describeSubnets: Handler = (ctx) => {
  if (ctx.p.bool('DryRun')) throw dryRun();
  const { page, nextToken } = describe(ctx, {
    all: ctx.r.subnets.values(),
    ids: ctx.p.strList('SubnetId'),
    kind: 'subnet',
    table: subnetFilters(ctx.r.name),
    range: [5, 1000],
  });
  return [
    ['subnetSet', 'Subnets', list(page.map((s) => subnetView(ctx.r.name, s)))],
    ['nextToken', 'NextToken', nextToken],
  ];
};

export const describeAvailabilityZones: Handler = (ctx) => {
  if (ctx.p.bool('DryRun')) throw dryRun();
  const names = ctx.p.strList('ZoneName');
  const ids = ctx.p.strList('ZoneId');
  const unknownName = names.find((n) => !ctx.r.azs.some((z) => z.zoneName === n));
  if (unknownName) throw invalidValue(`Invalid availability zone: [${unknownName}]`);
  const unknownId = ids.find((n) => !ctx.r.azs.some((z) => z.zoneId === n));
  if (unknownId) throw invalidValue(`Invalid availability zone ID: [${unknownId}]`);
  let azs = ctx.r.azs.filter(
    (z) => (names.length === 0 && ids.length === 0) || names.includes(z.zoneName) || ids.includes(z.zoneId),
  );
  azs = applyFilters(azs, filters(ctx.p), azFilters(ctx.r.name));
  const out: Struct = [['availabilityZoneInfo', 'AvailabilityZones', list(azs.map((z) => azView(ctx.r.name, z)))]];
  return out;
};
