/** The EC2 emulator's resources, per Region, and the fixed seed (sandbox/seed.ts). */
import { createHash, randomBytes } from 'node:crypto';
import { SEED } from '../seed.js';
import { parseCidr, type Cidr } from '../ipv4.js';

export type Tags = Map<string, string>;

export interface Az {
  zoneName: string;
  zoneId: string;
  tags: Tags;
}
export interface Vpc {
  seq: number;
  id: string;
  cidr: string;
  cidrAssociationId: string;
  dhcpOptionsId: string;
  isDefault: boolean;
  ownerId: string;
  tags: Tags;
}
export interface Subnet {
  seq: number;
  id: string;
  vpcId: string;
  cidr: string;
  range: Cidr;
  az: string;
  azId: string;
  ownerId: string;
  tags: Tags /** addresses held by ENIs */;
  used: Set<number>;
}
export interface SgRule {
  id: string;
  isEgress: boolean;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  groupId?: string;
  userId?: string;
  description?: string;
}
export interface Sg {
  seq: number;
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ownerId: string;
  tags: Tags;
  rules: SgRule[];
  isDefault: boolean;
}
export interface Attachment {
  attachmentId: string;
  instanceId: string;
  instanceOwnerId: string;
  deviceIndex: number;
  networkCardIndex: number;
  status: string;
  attachTime: string;
  deleteOnTermination: boolean;
}
export interface Eni {
  seq: number;
  id: string;
  subnetId: string;
  vpcId: string;
  az: string;
  azId: string;
  description: string;
  ownerId: string;
  status: 'available' | 'in-use';
  mac: string;
  ip: string;
  ipNum: number;
  groups: { groupId: string; groupName: string }[];
  tags: Tags;
  attachment?: Attachment;
  deleted: boolean;
}
export interface Perm {
  seq: number;
  id: string;
  eniId: string;
  accountId: string;
  permission: string;
  state: string;
  tags: Tags;
}
export interface TokenRecord {
  fingerprint: string;
  eni: Eni;
}

export interface RegionState {
  name: string;
  azs: Az[];
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  sgs: Map<string, Sg>;
  enis: Map<string, Eni>;
  perms: Map<string, Perm>;
  /** ClientToken -> the ENI it created (kept after the ENI is deleted). */
  tokens: Map<string, TokenRecord>;
  /** Eventual consistency: id -> clock time until which other actions do not see it. */
  hiddenUntil: Map<string, number>;
}

export function hex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}
export function newId(prefix: string): string {
  return `${prefix}-${hex(17)}`;
}
function stableHex(seed: string, n = 17): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, n);
}

export function macAddress(): string {
  const b = randomBytes(5);
  return ['02', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

export function emptyRegion(name: string): RegionState {
  return {
    name,
    azs: [],
    vpcs: new Map(),
    subnets: new Map(),
    sgs: new Map(),
    enis: new Map(),
    perms: new Map(),
    tokens: new Map(),
    hiddenUntil: new Map(),
  };
}

/** The default security group of a VPC: allow-all egress, and all traffic from itself. */
export function defaultSg(seq: number, vpcId: string, ownerId: string): Sg {
  const id = `sg-${stableHex(`default-sg:${vpcId}`)}`;
  return {
    seq,
    id,
    name: 'default',
    description: 'default VPC security group',
    vpcId,
    ownerId,
    tags: new Map(),
    isDefault: true,
    rules: [
      { id: `sgr-${stableHex(`${id}:ingress-self`)}`, isEgress: false, protocol: '-1', groupId: id, userId: ownerId },
      { id: `sgr-${stableHex(`${id}:egress-all`)}`, isEgress: true, protocol: '-1', cidrIpv4: '0.0.0.0/0' },
    ],
  };
}

export interface SeedVpc {
  vpcId: string;
  cidr: string;
  name: string;
}
export interface SeedSubnet {
  subnetId: string;
  cidr: string;
  zoneName: string;
  name: string;
}

/** Add a VPC (with its default security group) and its subnets to a Region: the seed, and POST /_sandbox/seed. */
export function addVpc(
  r: RegionState,
  nextSeq: () => number,
  ownerId: string,
  v: SeedVpc,
  subnets: readonly SeedSubnet[],
): void {
  if (r.vpcs.has(v.vpcId)) throw new Error(`seed: VPC ${v.vpcId} already exists`);
  if (!parseCidr(v.cidr)) throw new Error(`seed: bad VPC CIDR ${v.cidr}`);
  r.vpcs.set(v.vpcId, {
    seq: nextSeq(),
    id: v.vpcId,
    cidr: v.cidr,
    cidrAssociationId: `vpc-cidr-assoc-${stableHex(`assoc:${v.vpcId}`)}`,
    dhcpOptionsId: `dopt-${stableHex(`dopt:${r.name}`)}`,
    isDefault: false,
    ownerId,
    tags: new Map([['Name', v.name]]),
  });
  for (const s of subnets) {
    const az = r.azs.find((z) => z.zoneName === s.zoneName);
    const range = parseCidr(s.cidr);
    if (!az || !range) throw new Error(`seed: bad subnet ${s.subnetId} (zone ${s.zoneName}, CIDR ${s.cidr})`);
    if (r.subnets.has(s.subnetId)) throw new Error(`seed: subnet ${s.subnetId} already exists`);
    r.subnets.set(s.subnetId, {
      seq: nextSeq(),
      id: s.subnetId,
      vpcId: v.vpcId,
      cidr: s.cidr,
      range,
      az: az.zoneName,
      azId: az.zoneId,
      ownerId,
      tags: new Map([['Name', s.name]]),
      used: new Set(),
    });
  }
  const sg = defaultSg(nextSeq(), v.vpcId, ownerId);
  r.sgs.set(sg.id, sg);
}

export function seedRegion(nextSeq: () => number): RegionState {
  const r = emptyRegion(SEED.region);
  r.azs = SEED.availabilityZones.map((z) => ({ zoneName: z.zoneName, zoneId: z.zoneId, tags: new Map() }));
  addVpc(r, nextSeq, SEED.accountId, SEED.vpc, SEED.subnets);
  addVpc(r, nextSeq, SEED.accountId, SEED.otherVpc, SEED.otherSubnets);
  return r;
}
