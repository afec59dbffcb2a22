/**
 * The Confluent emulator's state and lifecycle (moto's "models"): gateways and access points, their lazy
 * phases (computed from timestamps on every call, no timers), the checks Confluent makes when an access
 * point finishes provisioning, the ENI attachments in the EC2 view, and the state rules of each operation
 * (quota, conflicts, immutability). No HTTP and no rendering here: routes.ts and responses.ts do that.
 */
import { randomBytes } from 'node:crypto';
import type { FaultRegistry } from '../faults.js';
import { SEED } from '../seed.js';
import type { Clock, Profile } from '../types.js';
import { conflict, forbidden, invalid, notFound, quotaExceeded } from './errors.js';
import { MAX_PNI_GATEWAYS_PER_ENVIRONMENT, PNI_GATEWAY_SPEC_KIND, type PniGatewayConfig } from './validate.js';

/** What the Confluent emulator needs from the EC2 emulator (implemented by sandbox/ec2). */
export interface Ec2View {
  getNetworkInterface(
    region: string,
    eniId: string,
  ):
    | {
        networkInterfaceId: string;
        subnetId: string;
        vpcId: string;
        availabilityZoneId: string;
        ownerId: string;
        status: string;
        attachedBy?: string;
      }
    | undefined;
  permissionsFor(
    region: string,
    eniId: string,
  ): {
    networkInterfacePermissionId: string;
    awsAccountId: string;
    permission: string;
    state: string;
  }[];
  attach(region: string, eniId: string, accountId: string): void;
  detach(region: string, eniId: string): void;
}

export type OverridePhase = 'FAILED' | 'EXPIRED' | 'ERROR' | 'DISCONNECTED' | 'DEGRADED';
export interface PhaseError {
  phase: string;
  code: string;
  message: string;
}

export interface GatewayRec {
  id: string;
  env: string;
  displayName?: string;
  config: PniGatewayConfig;
  seq: number;
  createdAt: number;
  updatedAt: number;
  provisionDueAt: number;
  provisioned: boolean;
  /** A terminal/abnormal phase (fault rule) that replaces CREATED/READY. */
  override?: PhaseError;
  deletedAt?: number;
  goneAt?: number;
}

export interface AccessPointRec {
  id: string;
  env: string;
  gatewayId: string;
  displayName?: string;
  networkInterfaces: string[];
  account: string;
  egressRoutes: string[];
  seq: number;
  createdAt: number;
  updatedAt: number;
  provisionDueAt: number;
  /** PROVISIONING until provisionDueAt, then READY or an error phase. */
  phase: string;
  error?: { code: string; message: string };
  /** ENIs this access point has attached in the EC2 view (detached when it is gone). */
  attached: Set<string>;
  deletedAt?: number;
  goneAt?: number;
}

const OVERRIDE_TEXT: Record<'gateway' | 'accessPoint', Record<OverridePhase, string>> = {
  gateway: {
    FAILED: 'gateway provisioning failed',
    EXPIRED: 'gateway has timed out waiting for connections and can only be deleted',
    ERROR: 'gateway is in an error state',
    DISCONNECTED: 'gateway has been disconnected',
    DEGRADED: 'gateway is experiencing reduced performance or partial failure',
  },
  accessPoint: {
    FAILED: 'access point provisioning failed',
    EXPIRED: 'access point has expired',
    ERROR: 'invalid customer input during access point creation',
    DISCONNECTED: 'access point has been disconnected in the cloud provider',
    DEGRADED: 'access point is experiencing reduced performance or partial failure',
  },
};

export interface ConfluentBackendOptions {
  faults: FaultRegistry;
  profile: () => Profile;
  ec2: Ec2View;
  clock: Clock;
  /** Absolute URL of an API path (for the `Location`-style links in conflict errors). */
  url: (path: string) => string;
}

export const PREFIX = '/networking/v1';

export class ConfluentBackend {
  private readonly gateways = new Map<string, GatewayRec>();
  private readonly accessPoints = new Map<string, AccessPointRec>();
  private readonly usedIds = new Set<string>();
  /** Environments the seeded API key can use (the seed's, plus any added with POST /_sandbox/seed). */
  private environments = new Set<string>(SEED.confluent.environments);
  private seq = 0;

  constructor(private readonly o: ConfluentBackendOptions) {}

  addEnvironment(env: string): void {
    if (!/^env-[a-z0-9]+$/.test(env)) throw new Error(`seed: environment id ${env} must look like env-abc123`);
    this.environments.add(env);
  }

  reset(): void {
    this.environments = new Set<string>(SEED.confluent.environments);
    this.gateways.clear();
    this.accessPoints.clear();
    this.usedIds.clear();
    this.seq = 0;
  }

  checkEnvironment(env: string): void {
    if (!this.environments.has(env)) {
      throw forbidden(`The API key is not authorized to access environment '${env}', or it does not exist`);
    }
  }

  private newId(prefix: 'gw' | 'ap'): string {
    for (;;) {
      const bytes = randomBytes(6);
      const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
      let s = '';
      for (const b of bytes) s += chars[b % chars.length];
      const id = `${prefix}-${s}`;
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  /** Creation counter: objects created in the same millisecond keep their creation order. */
  private tick(): number {
    this.seq += 1;
    return this.seq;
  }

  sortedGateways(): GatewayRec[] {
    return [...this.gateways.values()].sort((x, y) => x.createdAt - y.createdAt || x.seq - y.seq);
  }

  sortedAccessPoints(): AccessPointRec[] {
    return [...this.accessPoints.values()].sort((x, y) => x.createdAt - y.createdAt || x.seq - y.seq);
  }

  // ----------------------------------------------------------------------------------------------
  // Lazy phases

  /** Applies every transition due by now, in time order, then the "when READY" fault rules. */
  advance(): void {
    const now = this.o.clock.now();
    type Ev = { at: number; order: number; run: () => void };
    const events: Ev[] = [];
    for (const g of this.gateways.values()) {
      if (g.deletedAt === undefined && !g.provisioned && g.provisionDueAt <= now) {
        events.push({ at: g.provisionDueAt, order: 0, run: () => this.finishGatewayProvisioning(g) });
      }
      if (g.goneAt !== undefined && g.goneAt <= now)
        events.push({
          at: g.goneAt,
          order: 3,
          run: () => {
            this.gateways.delete(g.id);
          },
        });
    }
    for (const a of this.accessPoints.values()) {
      if (a.deletedAt === undefined && a.phase === 'PROVISIONING' && a.provisionDueAt <= now) {
        events.push({ at: a.provisionDueAt, order: 1, run: () => this.finishAccessPointProvisioning(a) });
      }
      if (a.goneAt !== undefined && a.goneAt <= now)
        events.push({ at: a.goneAt, order: 2, run: () => this.removeAccessPoint(a) });
    }
    events.sort((x, y) => x.at - y.at || x.order - y.order);
    for (const e of events) e.run();

    for (const a of this.sortedAccessPoints()) {
      if (a.deletedAt === undefined && a.phase === 'READY') {
        const phase = this.o.faults.takePhaseOverride('accessPoint', 'READY');
        if (phase) this.setAccessPointOverride(a, phase);
      }
    }
    for (const g of this.sortedGateways()) {
      if (this.gatewayPhase(g) === 'READY') {
        const phase = this.o.faults.takePhaseOverride('gateway', 'READY');
        if (phase) g.override = this.overrideError('gateway', phase);
      }
    }
  }

  private overrideError(resource: 'gateway' | 'accessPoint', phase: OverridePhase): PhaseError {
    const prefix = resource === 'gateway' ? 'GATEWAY' : 'ACCESS_POINT';
    return {
      phase,
      code: `${prefix}_${phase}`,
      message: `${OVERRIDE_TEXT[resource][phase]} (injected by a sandbox fault rule)`,
    };
  }

  private setAccessPointOverride(a: AccessPointRec, phase: OverridePhase): void {
    const e = this.overrideError('accessPoint', phase);
    a.phase = e.phase;
    a.error = { code: e.code, message: e.message };
  }

  private finishGatewayProvisioning(g: GatewayRec): void {
    g.provisioned = true;
    const phase = this.o.faults.takePhaseOverride('gateway', 'PROVISIONING');
    if (phase) g.override = this.overrideError('gateway', phase);
  }

  private finishAccessPointProvisioning(a: AccessPointRec): void {
    const phase = this.o.faults.takePhaseOverride('accessPoint', 'PROVISIONING');
    if (phase) {
      this.setAccessPointOverride(a, phase);
      return;
    }
    const g = this.gateways.get(a.gatewayId);
    const gPhase = g ? this.gatewayPhase(g) : 'DELETED';
    if (!g || (gPhase !== 'CREATED' && gPhase !== 'READY')) {
      a.phase = 'FAILED';
      a.error = {
        code: 'GATEWAY_NOT_AVAILABLE',
        message: `gateway ${a.gatewayId} is ${gPhase}; the access point cannot be provisioned`,
      };
      return;
    }
    const problems = this.eniProblems(a, g);
    if (problems.length > 0) {
      const [first] = problems;
      a.phase = 'ERROR';
      a.error = {
        code: first.code,
        message:
          first.message +
          (problems.length > 1 ? ` (and ${problems.length - 1} more network interface problem(s))` : ''),
      };
      return;
    }
    a.phase = 'READY';
    a.error = undefined;
    for (const eni of a.networkInterfaces) {
      if (!a.attached.has(eni)) {
        this.o.ec2.attach(g.config.region, eni, SEED.confluent.gatewayAccountId);
        a.attached.add(eni);
      }
    }
  }

  /** The checks Confluent makes when it attaches its VMs to the customer's ENIs. */
  private eniProblems(a: AccessPointRec, g: GatewayRec): { code: string; message: string }[] {
    const out: { code: string; message: string }[] = [];
    const region = g.config.region;
    const account = SEED.confluent.gatewayAccountId;
    for (const eniId of a.networkInterfaces) {
      const eni = this.o.ec2.getNetworkInterface(region, eniId);
      if (!eni) {
        out.push({
          code: 'NETWORK_INTERFACE_NOT_FOUND',
          message: `network interface ${eniId} was not found in region ${region}`,
        });
        continue;
      }
      if (eni.ownerId !== a.account) {
        out.push({
          code: 'NETWORK_INTERFACE_ACCOUNT_MISMATCH',
          message: `network interface ${eniId} is owned by account ${eni.ownerId}, not by account ${a.account}`,
        });
        continue;
      }
      if (!g.config.zones.includes(eni.availabilityZoneId)) {
        out.push({
          code: 'NETWORK_INTERFACE_ZONE_MISMATCH',
          message: `network interface ${eniId} is in availability zone ${eni.availabilityZoneId}, which is not one of the gateway's zones (${g.config.zones.join(', ')})`,
        });
        continue;
      }
      const granted = this.o.ec2
        .permissionsFor(region, eniId)
        .some(
          (p) =>
            p.permission.toUpperCase() === 'INSTANCE-ATTACH' &&
            p.awsAccountId === account &&
            p.state.toLowerCase() === 'granted',
        );
      if (!granted) {
        out.push({
          code: 'NETWORK_INTERFACE_PERMISSION_MISSING',
          message: `network interface ${eniId} does not grant the INSTANCE-ATTACH permission to account ${account}`,
        });
      }
    }
    return out;
  }

  private removeAccessPoint(a: AccessPointRec): void {
    const g = this.gateways.get(a.gatewayId);
    const region = g?.config.region ?? SEED.region;
    for (const eni of a.attached) this.o.ec2.detach(region, eni);
    a.attached.clear();
    this.accessPoints.delete(a.id);
  }

  gatewayPhase(g: GatewayRec): string {
    if (g.deletedAt !== undefined) return 'DEPROVISIONING';
    if (!g.provisioned) return 'PROVISIONING';
    if (g.override) return g.override.phase;
    for (const a of this.accessPoints.values()) {
      if (a.gatewayId === g.id && a.deletedAt === undefined && a.phase === 'READY') return 'READY';
    }
    return 'CREATED';
  }

  accessPointPhase(a: AccessPointRec): string {
    return a.deletedAt !== undefined ? 'DEPROVISIONING' : a.phase;
  }

  // ----------------------------------------------------------------------------------------------
  // Gateways

  findGateway(id: string, env: string): GatewayRec {
    const g = this.gateways.get(id);
    if (!g || g.env !== env) throw notFound('gateway', id);
    return g;
  }

  /** A validated create request: the quota, then a new gateway in PROVISIONING. */
  createGateway(env: string, displayName: string | undefined, config: PniGatewayConfig): GatewayRec {
    const existing = [...this.gateways.values()].filter(
      (g) => g.env === env && g.config.kind === PNI_GATEWAY_SPEC_KIND,
    );
    if (existing.length >= MAX_PNI_GATEWAYS_PER_ENVIRONMENT) {
      throw quotaExceeded(
        `The request would exceed the quota: gateways_per_region_per_environment (at most ${MAX_PNI_GATEWAYS_PER_ENVIRONMENT} Private Network Interface gateways per environment; ${env} has ${existing.map((g) => g.id).join(', ')})`,
      );
    }
    const now = this.o.clock.now();
    const g: GatewayRec = {
      id: this.newId('gw'),
      env,
      displayName,
      config,
      seq: this.tick(),
      createdAt: now,
      updatedAt: now,
      provisionDueAt: now + this.o.profile().gatewayProvisionMs,
      provisioned: false,
    };
    this.gateways.set(g.id, g);
    return g;
  }

  /** PATCH: only display_name changes; `configChanged` says whether the body's spec.config (if any) differs from the current one. */
  patchGateway(
    id: string,
    env: string,
    displayName: string | undefined,
    configChanged: (current: PniGatewayConfig) => boolean,
  ): GatewayRec {
    const g = this.findGateway(id, env);
    if (g.deletedAt !== undefined)
      throw conflict('resource_being_deleted', 'Conflict', `gateway ${id} is being deleted`);
    if (configChanged(g.config)) {
      throw invalid('spec.config is immutable; only display_name can be updated', '/spec/config');
    }
    if (displayName !== undefined && displayName !== g.displayName) {
      g.displayName = displayName;
      g.updatedAt = this.o.clock.now();
    }
    return g;
  }

  deleteGateway(id: string, env: string): void {
    const g = this.findGateway(id, env);
    if (g.deletedAt === undefined) {
      const aps = this.sortedAccessPoints().filter((a) => a.gatewayId === g.id);
      if (aps.length > 0) {
        throw conflict(
          'resource_in_use',
          'Conflict',
          `gateway ${id} still has access point(s) ${aps.map((a) => a.id).join(', ')}; delete them first and wait until they are gone`,
          this.o.url(`${PREFIX}/access-points/${aps[0].id}`),
        );
      }
      const now = this.o.clock.now();
      g.deletedAt = now;
      g.updatedAt = now;
      g.goneAt = now + this.o.profile().deprovisionMs;
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Access points

  findAccessPoint(id: string, env: string): AccessPointRec {
    const a = this.accessPoints.get(id);
    if (!a || a.env !== env) throw notFound('access point', id);
    return a;
  }

  /** 409 when an ENI already belongs to another access point that still exists. */
  private checkEniReuse(enis: string[], self?: string): void {
    const wanted = new Set(enis);
    for (const a of this.sortedAccessPoints()) {
      if (a.id === self) continue;
      const shared = a.networkInterfaces.find((e) => wanted.has(e));
      if (shared) {
        throw conflict(
          'resource_already_exists',
          'Resource Already exists',
          `network interface ${shared} is already used by access point ${a.id}; an ENI can belong to only one access point`,
          this.o.url(`${PREFIX}/access-points/${a.id}`),
          '/spec/config/network_interfaces',
        );
      }
    }
  }

  /** A validated create request: the gateway must be CREATED or READY and the ENIs unused. */
  createAccessPoint(input: {
    env: string;
    displayName: string | undefined;
    gatewayId: string;
    networkInterfaces: string[];
    account: string;
    egressRoutes: string[];
  }): AccessPointRec {
    const { env, gatewayId, networkInterfaces } = input;
    const g = this.gateways.get(gatewayId);
    if (!g || g.env !== env)
      throw invalid(`gateway ${gatewayId} was not found in environment ${env}`, '/spec/gateway/id');
    const gPhase = this.gatewayPhase(g);
    if (gPhase === 'PROVISIONING') {
      throw conflict(
        'gateway_not_ready',
        'Conflict',
        `gateway ${gatewayId} is still PROVISIONING; create the access point once it is CREATED`,
        this.o.url(`${PREFIX}/gateways/${gatewayId}`),
        '/spec/gateway/id',
      );
    }
    if (gPhase !== 'CREATED' && gPhase !== 'READY') {
      throw invalid(
        `gateway ${gatewayId} is ${gPhase}; an access point can only be added to a CREATED or READY gateway`,
        '/spec/gateway/id',
      );
    }
    this.checkEniReuse(networkInterfaces);

    const now = this.o.clock.now();
    const a: AccessPointRec = {
      id: this.newId('ap'),
      env,
      gatewayId,
      displayName: input.displayName,
      networkInterfaces,
      account: input.account,
      egressRoutes: input.egressRoutes,
      seq: this.tick(),
      createdAt: now,
      updatedAt: now,
      provisionDueAt: now + this.o.profile().accessPointProvisionMs,
      phase: 'PROVISIONING',
      attached: new Set(),
    };
    this.accessPoints.set(a.id, a);
    return a;
  }

  /** The access point a PATCH may change (404 / 409 when it is gone or going). */
  patchableAccessPoint(id: string, env: string): AccessPointRec {
    const a = this.findAccessPoint(id, env);
    if (a.deletedAt !== undefined)
      throw conflict('resource_being_deleted', 'Conflict', `access point ${id} is being deleted`);
    return a;
  }

  /** A validated PATCH (immutable fields already checked): display name, egress routes, ENIs. */
  patchAccessPoint(
    a: AccessPointRec,
    change: { displayName?: string; egressRoutes?: string[]; networkInterfaces?: string[] },
  ): AccessPointRec {
    const { displayName, egressRoutes: routes, networkInterfaces: enis } = change;
    if (enis) this.checkEniReuse(enis, a.id);
    const now = this.o.clock.now();
    let changed = false;
    if (displayName !== undefined && displayName !== a.displayName) {
      a.displayName = displayName;
      changed = true;
    }
    if (routes && JSON.stringify(routes) !== JSON.stringify(a.egressRoutes)) {
      a.egressRoutes = routes;
      changed = true;
    }
    if (enis) {
      const before = new Set(a.networkInterfaces);
      const same = enis.length === before.size && enis.every((e) => before.has(e));
      a.networkInterfaces = enis;
      changed = true;
      if (!same) {
        // New ENIs: Confluent re-verifies and re-attaches; removed ENIs are released at once.
        const g = this.gateways.get(a.gatewayId);
        const keep = new Set(enis);
        for (const e of [...a.attached]) {
          if (!keep.has(e)) {
            this.o.ec2.detach(g?.config.region ?? SEED.region, e);
            a.attached.delete(e);
          }
        }
        a.phase = 'PROVISIONING';
        a.error = undefined;
        a.provisionDueAt = now + this.o.profile().accessPointProvisionMs;
      }
    }
    if (changed) a.updatedAt = now;
    return a;
  }

  deleteAccessPoint(id: string, env: string): void {
    const a = this.findAccessPoint(id, env);
    if (a.deletedAt === undefined) {
      const now = this.o.clock.now();
      a.deletedAt = now;
      a.updatedAt = now;
      a.goneAt = now + this.o.profile().deprovisionMs;
    }
  }
}
