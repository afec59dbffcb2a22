/**
 * Test harness for the step functions in functions/lib/steps: a real StateStore over an in-process dynalite,
 * a real EventPublisher over a mocked EventBridgeClient, a mocked EC2Client and a small in-memory Confluent fake.
 * All network traffic stays on 127.0.0.1 (dynalite only).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EC2Client, type NetworkInterface } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { StateStore, STATE_TABLE_DEFINITION, type RequestRecord } from '#lib/state.js';
import { EventPublisher } from '#lib/publisher.js';
import { readConfig } from '#lib/config.js';
import type { ConfluentApi, Deps } from '#lib/deps.js';
import type { AccessPoint, Gateway } from '#lib/confluent/index.js';
import type { CanonicalRequest, SubnetFact } from '#lib/types.js';
import type { ProvisionContext } from '#lib/contracts.js';
import { planEnis } from '#lib/eniPlan.js';

// ------------------------------------------------------------------ constants of the scenario

export const REGION = 'us-west-2';
export const ENV = 'env-abc123';
export const VPC = 'vpc-0123456789abcdef0';
export const OTHER_VPC = 'vpc-0fedcba987654321f';
export const VPC_CIDR = '10.0.0.0/16';
export const CUSTOMER_ACCOUNT = '111122223333';
export const CONFLUENT_ACCOUNT = '999988887777';
export const SUBNET_A = 'subnet-0123456789abcdefa';
export const SUBNET_B = 'subnet-0123456789abcdefb';
export const SUBNET_C = 'subnet-0123456789abcdefc';
export const SG_ID = 'sg-0123456789abcdef1';
export const EXEC_ARN = 'arn:aws:states:us-west-2:111122223333:execution:pni-provision:exec-1';
export const EXEC_ARN_2 = 'arn:aws:states:us-west-2:111122223333:execution:pni-provision:exec-2';
export const TEARDOWN_ARN = 'arn:aws:states:us-west-2:111122223333:execution:pni-teardown:td-1';
export const T0 = new Date('2026-03-01T10:00:00.000Z');

/** docs/architecture.md section 3's example request (raw input form). */
export function exampleRequest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId: 'pni-payments-usw2',
    environmentId: ENV,
    region: REGION,
    vpcId: VPC,
    subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
    enisPerSubnet: 17,
    ipAssignment: { mode: 'auto' },
    securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [5432] }] },
    egressRoutes: ['10.10.0.0/16'],
    gateway: { displayName: 'payments-usw2' },
    accessPointName: 'payments-usw2',
    tags: { team: 'payments' },
    ...over,
  };
}

/** The canonical request after withDefaults (ingress defaults to the VPC CIDR). */
export function canonicalRequest(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    requestId: 'pni-payments-usw2',
    environmentId: ENV,
    region: REGION,
    vpcId: VPC,
    subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
    enisPerSubnet: 17,
    ipAssignment: { mode: 'auto' },
    securityGroup: { ingressCidrs: [VPC_CIDR], egressRules: [{ cidr: '10.10.1.0/24', ports: [5432] }] },
    egressRoutes: ['10.10.0.0/16'],
    gateway: { displayName: 'payments-usw2' },
    accessPointName: 'payments-usw2',
    tags: { team: 'payments' },
    ...over,
  };
}

export function subnetFacts(): SubnetFact[] {
  return [
    {
      subnetId: SUBNET_A,
      vpcId: VPC,
      cidr: '10.0.1.0/24',
      zoneId: 'usw2-az1',
      zoneName: 'us-west-2a',
      availableIps: 251,
    },
    {
      subnetId: SUBNET_B,
      vpcId: VPC,
      cidr: '10.0.2.0/24',
      zoneId: 'usw2-az2',
      zoneName: 'us-west-2b',
      availableIps: 251,
    },
    {
      subnetId: SUBNET_C,
      vpcId: VPC,
      cidr: '10.0.3.0/24',
      zoneId: 'usw2-az3',
      zoneName: 'us-west-2c',
      availableIps: 251,
    },
  ];
}

/** A ProvisionContext as ValidateRequest would return it (built by hand). */
export function provisionContext(
  h: Harness,
  over: Partial<ProvisionContext> = {},
  reqOver: Partial<CanonicalRequest> = {},
): ProvisionContext {
  const request = canonicalRequest(reqOver);
  const subnets = subnetFacts();
  const attempt = over.attempt ?? 1;
  return {
    requestId: request.requestId,
    attempt,
    executionArn: EXEC_ARN,
    source: 'console',
    request,
    customerAccount: CUSTOMER_ACCOUNT,
    vpcCidr: VPC_CIDR,
    subnets,
    zones: subnets.map((s) => s.zoneId),
    plan: { slots: planEnis(request, subnets, attempt) },
    limits: h.deps.config.limits,
    warnings: [],
    alreadySucceeded: false,
    ...over,
  };
}

// ------------------------------------------------------------------ AWS-shaped errors

export function awsError(
  name: string,
  opts: { status?: number; message?: string; fault?: 'client' | 'server' } = {},
): Error {
  const status = opts.status ?? 400;
  return Object.assign(new Error(opts.message ?? `${name}: simulated`), {
    name,
    $fault: opts.fault ?? (status >= 500 ? 'server' : 'client'),
    $metadata: { httpStatusCode: status },
  });
}
export const throttled = () => awsError('RequestLimitExceeded', { status: 503, message: 'Request limit exceeded.' });

// ------------------------------------------------------------------ dynalite

export interface Dynamo {
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  close(): Promise<void>;
}

export async function startDynamo(): Promise<Dynamo> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    doc,
    raw,
    close: async () => {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let tableSeq = 0;
export async function freshTable(d: Dynamo): Promise<string> {
  const name = `pni-state-${process.pid}-${++tableSeq}`;
  await d.raw.send(new CreateTableCommand({ TableName: name, ...STATE_TABLE_DEFINITION } as never));
  return name;
}

// ------------------------------------------------------------------ Confluent fake

export interface Call {
  method: string;
  args: unknown[];
}
type GwEntry = Gateway & { env: string };
type ApEntry = AccessPoint & { env: string };

/** In-memory stand-in for ConfluentClient with the methods the steps use; records every call. */
export class FakeConfluent implements ConfluentApi {
  gateways = new Map<string, GwEntry>();
  accessPoints = new Map<string, ApEntry>();
  calls: Call[] = [];
  private seq = 0;
  constructor(private readonly now: () => Date) {}

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }
  private rec(method: string, args: unknown[]) {
    this.calls.push({ method, args });
  }
  private strip<T extends { env: string }>(o: T): Omit<T, 'env'> {
    const { env: _env, ...rest } = o;
    return structuredClone(rest);
  }

  /** Put a PNI gateway in place (defaults: CREATED with Confluent's account, created now). */
  addGateway(
    over: {
      id?: string;
      env?: string;
      displayName?: string;
      phase?: string;
      account?: string | null;
      createdAt?: string;
      kind?: string;
      errorMessage?: string;
      errorCode?: string;
    } = {},
  ): Gateway {
    const id = over.id ?? `gw-fake${++this.seq}`;
    const gw: GwEntry = {
      env: over.env ?? ENV,
      id,
      kind: 'Gateway',
      metadata: { created_at: over.createdAt ?? this.now().toISOString() },
      spec: {
        display_name: over.displayName ?? id,
        config:
          over.kind && over.kind !== 'AwsPrivateNetworkInterfaceGatewaySpec'
            ? { kind: over.kind }
            : {
                kind: 'AwsPrivateNetworkInterfaceGatewaySpec',
                region: REGION,
                zones: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
              },
      },
      status: {
        phase: over.phase ?? 'CREATED',
        ...(over.errorCode ? { error_code: over.errorCode } : {}),
        ...(over.errorMessage ? { error_message: over.errorMessage } : {}),
        ...(over.account === null
          ? {}
          : {
              cloud_gateway: {
                kind: 'AwsPrivateNetworkInterfaceGatewayStatus',
                account: over.account ?? CONFLUENT_ACCOUNT,
              },
            }),
      },
    };
    this.gateways.set(id, gw);
    return this.strip(gw);
  }

  addAccessPoint(over: {
    id?: string;
    env?: string;
    gatewayId: string;
    displayName?: string;
    phase?: string;
    createdAt?: string;
    errorMessage?: string;
  }): AccessPoint {
    const id = over.id ?? `ap-fake${++this.seq}`;
    const ap: ApEntry = {
      env: over.env ?? ENV,
      id,
      kind: 'AccessPoint',
      metadata: { created_at: over.createdAt ?? this.now().toISOString() },
      spec: {
        display_name: over.displayName ?? id,
        gateway: { id: over.gatewayId },
        config: { kind: 'AwsPrivateNetworkInterface' },
      },
      status: { phase: over.phase ?? 'READY', ...(over.errorMessage ? { error_message: over.errorMessage } : {}) },
    };
    this.accessPoints.set(id, ap);
    return this.strip(ap);
  }

  async listGateways(
    environmentId: string,
    filter: { displayName?: string; gatewayType?: string; id?: string } = {},
  ): Promise<Gateway[]> {
    this.rec('listGateways', [environmentId, filter]);
    return [...this.gateways.values()]
      .filter(
        (g) =>
          g.env === environmentId &&
          (filter.displayName === undefined || g.spec?.display_name === filter.displayName) &&
          (filter.id === undefined || g.id === filter.id),
      )
      .map((g) => this.strip(g));
  }
  async getGateway(environmentId: string, id: string): Promise<Gateway | undefined> {
    this.rec('getGateway', [environmentId, id]);
    const g = this.gateways.get(id);
    return g && g.env === environmentId ? this.strip(g) : undefined;
  }
  async createGateway(input: {
    environmentId: string;
    displayName: string;
    region: string;
    zones: string[];
  }): Promise<Gateway> {
    this.rec('createGateway', [input]);
    const id = `gw-new${++this.seq}`;
    const gw: GwEntry = {
      env: input.environmentId,
      id,
      kind: 'Gateway',
      metadata: { created_at: this.now().toISOString() },
      spec: {
        display_name: input.displayName,
        config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: input.region, zones: [...input.zones] },
      },
      status: { phase: 'PROVISIONING' },
    };
    this.gateways.set(id, gw);
    return this.strip(gw);
  }
  async deleteGateway(environmentId: string, id: string): Promise<'deleting' | 'gone'> {
    this.rec('deleteGateway', [environmentId, id]);
    const g = this.gateways.get(id);
    if (!g || g.env !== environmentId) return 'gone';
    g.status = { ...g.status, phase: 'DEPROVISIONING' };
    return 'deleting';
  }
  async listAccessPoints(
    environmentId: string,
    filter: { gatewayId?: string; displayName?: string } = {},
  ): Promise<AccessPoint[]> {
    this.rec('listAccessPoints', [environmentId, filter]);
    return [...this.accessPoints.values()]
      .filter(
        (ap) =>
          ap.env === environmentId &&
          (filter.displayName === undefined || ap.spec?.display_name === filter.displayName) &&
          (filter.gatewayId === undefined || ap.spec?.gateway?.id === filter.gatewayId),
      )
      .map((ap) => this.strip(ap));
  }
  async getAccessPoint(environmentId: string, id: string): Promise<AccessPoint | undefined> {
    this.rec('getAccessPoint', [environmentId, id]);
    const ap = this.accessPoints.get(id);
    return ap && ap.env === environmentId ? this.strip(ap) : undefined;
  }
  async createAccessPoint(input: {
    environmentId: string;
    gatewayId: string;
    displayName: string;
    networkInterfaces: string[];
    account: string;
    egressRoutes: string[];
  }): Promise<AccessPoint> {
    this.rec('createAccessPoint', [input]);
    const id = `ap-new${++this.seq}`;
    const ap: ApEntry = {
      env: input.environmentId,
      id,
      kind: 'AccessPoint',
      metadata: { created_at: this.now().toISOString() },
      spec: {
        display_name: input.displayName,
        gateway: { id: input.gatewayId },
        config: {
          kind: 'AwsPrivateNetworkInterface',
          network_interfaces: [...input.networkInterfaces],
          account: input.account,
          egress_routes: [...input.egressRoutes],
        },
      },
      status: { phase: 'PROVISIONING' },
    };
    this.accessPoints.set(id, ap);
    return this.strip(ap);
  }
  async deleteAccessPoint(environmentId: string, id: string): Promise<'deleting' | 'gone'> {
    this.rec('deleteAccessPoint', [environmentId, id]);
    const ap = this.accessPoints.get(id);
    if (!ap || ap.env !== environmentId) return 'gone';
    ap.status = { ...ap.status, phase: 'DEPROVISIONING' };
    return 'deleting';
  }
  /** (day 2) PATCH: lists replace the current ones; new ENIs send it back to PROVISIONING, as Confluent does. */
  async updateAccessPoint(
    environmentId: string,
    id: string,
    patch: { displayName?: string; egressRoutes?: string[]; networkInterfaces?: string[] },
  ): Promise<AccessPoint> {
    this.rec('updateAccessPoint', [environmentId, id, patch]);
    const ap = this.accessPoints.get(id);
    if (!ap || ap.env !== environmentId) throw new Error(`no access point ${id}`);
    const config = { ...(ap.spec?.config as Record<string, unknown>) };
    if (patch.egressRoutes) config.egress_routes = [...patch.egressRoutes];
    if (patch.networkInterfaces) {
      const before = new Set((config.network_interfaces as string[] | undefined) ?? []);
      config.network_interfaces = [...patch.networkInterfaces];
      if (patch.networkInterfaces.some((e) => !before.has(e))) ap.status = { ...ap.status, phase: 'PROVISIONING' };
    }
    ap.spec = {
      ...ap.spec,
      ...(patch.displayName ? { display_name: patch.displayName } : {}),
      config: config as never,
    };
    return this.strip(ap);
  }
}

// ------------------------------------------------------------------ the harness

export type Ec2Mock = AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type EbMock = AwsStub<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One per test file, at module level: class-level mocks intercept every instance. */
export const ec2Mock: Ec2Mock = mockClient(EC2Client);
export const ebMock: EbMock = mockClient(EventBridgeClient);

export interface Harness {
  deps: Deps;
  store: StateStore;
  confluent: FakeConfluent;
  clock: { t: Date; advance(ms: number): void };
  ec2Client: EC2Client;
  ec2Regions: string[];
  sleeps: number[];
  /** What deps.executionStatus answers per execution ARN (undefined = unknown execution). */
  executions: Map<string, string>;
  table: string;
}

/** Fresh table, fresh mocks, fresh fake: call in beforeEach. */
export async function makeHarness(d: Dynamo, env: Record<string, string> = {}): Promise<Harness> {
  ec2Mock.reset();
  ebMock.reset();
  ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  const table = await freshTable(d);
  const clock = {
    t: new Date(T0),
    advance(ms: number) {
      this.t = new Date(this.t.getTime() + ms);
    },
  };
  const now = () => new Date(clock.t);
  const config = readConfig({
    STATE_TABLE: table,
    CONFLUENT_API_URL: 'http://127.0.0.1:9',
    CONFLUENT_SECRET_ARN: 'arn:aws:secretsmanager:us-west-2:111122223333:secret:confluent',
    ...env,
  });
  const store = new StateStore(d.doc, table, now);
  const publisher = new EventPublisher(
    new EventBridgeClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    config.eventBusName,
    config.eventSource,
  );
  const ec2Client = new EC2Client({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ec2Regions: string[] = [];
  const confluent = new FakeConfluent(now);
  const sleeps: number[] = [];
  const executions = new Map<string, string>();
  const deps: Deps = {
    config,
    store,
    publisher,
    ec2: (region: string) => {
      ec2Regions.push(region);
      return ec2Client;
    },
    confluent,
    executionStatus: async (arn: string) => executions.get(arn),
    now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  return { deps, store, confluent, clock, ec2Client, ec2Regions, sleeps, executions, table };
}

/** The events published so far, parsed. */
export function publishedEvents(): {
  detailType: string;
  source: string;
  bus: string;
  detail: Record<string, any>;
  resources: string[];
}[] {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  return ebMock.commandCalls(PutEventsCommand).flatMap((c) =>
    (c.args[0].input.Entries ?? []).map((e) => ({
      detailType: e.DetailType!,
      source: e.Source!,
      bus: e.EventBusName!,
      detail: JSON.parse(e.Detail!),
      resources: e.Resources ?? [],
    })),
  );
}

/** Names of the EC2 commands sent so far. */
export function ec2CommandNames(): string[] {
  return ec2Mock.calls().map((c) => (c.args[0] as object).constructor.name);
}
/** EC2 commands that change something (everything but Describe*). */
export function mutatingEc2Calls(): string[] {
  return ec2CommandNames().filter((n) => !n.startsWith('Describe'));
}

/** Seed a request record directly (as ValidateRequest would have left it). */
export async function seedRecord(
  h: Harness,
  over: Partial<RequestRecord> = {},
  reqOver: Partial<CanonicalRequest> = {},
): Promise<RequestRecord> {
  const request = canonicalRequest(reqOver);
  const {
    pk: _pk,
    sk: _sk,
    createdAt: _c,
    updatedAt: _u,
    version: _v,
    ...rest
  } = {
    requestId: request.requestId,
    status: 'PROVISIONING',
    source: 'console',
    request,
    requestHash: 'h',
    executionArn: EXEC_ARN,
    attempt: 1,
    attemptStartedAt: h.clock.t.toISOString(),
    environmentId: request.environmentId,
    vpcId: request.vpcId,
    region: request.region,
    customerAccount: CUSTOMER_ACCOUNT,
    eniCount: 51,
    ...over,
  } as RequestRecord;
  return h.store.create(rest);
}

/** An EC2 NetworkInterface as Describe returns it. */
export function eni(id: string, over: Partial<NetworkInterface> = {}): NetworkInterface {
  return { NetworkInterfaceId: id, Status: 'available', SubnetId: SUBNET_A, PrivateIpAddress: '10.0.1.10', ...over };
}
