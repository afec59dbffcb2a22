/**
 * The EC2 emulator's state (moto's "models"): one RegionState per Region (only SEED.region is seeded), the
 * id sequence, and what the rest of the sandbox reads or changes directly: the snapshot for
 * GET /_sandbox/state, ENI and permission lookups, and Confluent attaching/detaching ENIs (the Ec2View).
 */
import { SEED } from '../seed.js';
import type { Clock } from '../types.js';
import { addVpc, emptyRegion, newId, seedRegion, type RegionState, type SeedSubnet, type SeedVpc } from './state.js';
import { eniView, permView, sgView, subnetView, vpcView } from './views.js';
import { structJson } from './xml.js';

export interface Ec2NetworkInterfaceInfo {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZoneId: string;
  ownerId: string;
  status: string;
  attachedBy?: string;
}
export interface Ec2PermissionInfo {
  networkInterfacePermissionId: string;
  awsAccountId: string;
  permission: string;
  state: string;
}

export interface Ec2Snapshot {
  vpcs: unknown[];
  subnets: unknown[];
  securityGroups: unknown[];
  networkInterfaces: unknown[];
  networkInterfacePermissions: unknown[];
}

export class Ec2Backend {
  private regions = new Map<string, RegionState>();
  private seq = 0;

  constructor(private readonly clock: Clock) {
    this.reset();
  }

  /** Back to the seed: only SEED.region is seeded; other Regions start empty. */
  reset(): void {
    this.seq = 0;
    this.regions = new Map([[SEED.region, seedRegion(() => this.nextSeq())]]);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** A Region's state (created empty on first use). */
  region(name: string): RegionState {
    let r = this.regions.get(name);
    if (!r) {
      r = emptyRegion(name);
      this.regions.set(name, r);
    }
    return r;
  }

  /** Add a VPC with its default security group and subnets (POST /_sandbox/seed). Only the seeded Region has AZs. */
  addVpc(region: string, vpc: SeedVpc, subnets: readonly SeedSubnet[], ownerId: string = SEED.accountId): void {
    addVpc(this.region(region), () => this.nextSeq(), ownerId, vpc, subnets);
  }

  /** Every resource of every Region, in the shape the AWS CLI prints (SDK v3 output members). */
  snapshot(): Ec2Snapshot {
    const out: Ec2Snapshot = {
      vpcs: [],
      subnets: [],
      securityGroups: [],
      networkInterfaces: [],
      networkInterfacePermissions: [],
    };
    for (const r of this.regions.values()) {
      for (const v of r.vpcs.values()) out.vpcs.push(structJson(vpcView(v)));
      for (const s of r.subnets.values()) out.subnets.push(structJson(subnetView(r.name, s)));
      for (const g of r.sgs.values()) out.securityGroups.push(structJson(sgView(r.name, g)));
      for (const e of r.enis.values()) out.networkInterfaces.push(structJson(eniView(r.name, e)));
      for (const p of r.perms.values()) out.networkInterfacePermissions.push(structJson(permView(p)));
    }
    return out;
  }

  getNetworkInterface(region: string, eniId: string): Ec2NetworkInterfaceInfo | undefined {
    const e = this.regions.get(region)?.enis.get(eniId);
    if (!e) return undefined;
    return {
      networkInterfaceId: e.id,
      subnetId: e.subnetId,
      vpcId: e.vpcId,
      availabilityZoneId: e.azId,
      ownerId: e.ownerId,
      status: e.status,
      attachedBy: e.attachment?.instanceOwnerId,
    };
  }

  permissionsFor(region: string, eniId: string): Ec2PermissionInfo[] {
    const r = this.regions.get(region);
    if (!r) return [];
    return [...r.perms.values()]
      .filter((p) => p.eniId === eniId)
      .map((p) => ({
        networkInterfacePermissionId: p.id,
        awsAccountId: p.accountId,
        permission: p.permission,
        state: p.state,
      }));
  }

  /** Simulates Confluent attaching the ENI to one of its instances (status in-use, attachment owned by `accountId`). */
  attach(region: string, eniId: string, accountId: string): void {
    const e = this.regions.get(region)?.enis.get(eniId);
    if (!e) throw new Error(`EC2 sandbox: no network interface ${eniId} in ${region}`);
    e.status = 'in-use';
    e.attachment = {
      attachmentId: newId('eni-attach'),
      instanceId: newId('i'),
      instanceOwnerId: accountId,
      deviceIndex: 1,
      networkCardIndex: 0,
      status: 'attached',
      attachTime: new Date(this.clock.now()).toISOString(),
      deleteOnTermination: false,
    };
  }

  detach(region: string, eniId: string): void {
    const e = this.regions.get(region)?.enis.get(eniId);
    if (!e) throw new Error(`EC2 sandbox: no network interface ${eniId} in ${region}`);
    e.status = 'available';
    e.attachment = undefined;
  }
}
