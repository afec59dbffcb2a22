/**
 * The sandbox: one HTTP port on 127.0.0.1 for a small local cloud that speaks the real wire protocols
 * (ARCHITECTURE section 9). Routing:
 *   /_sandbox/...                      control API (state, reset, faults, profile, ENI attach)
 *   /networking/v1/...                 Confluent Cloud networking API
 *   x-amz-target DynamoDB_20120810.*   DynamoDB (dynalite, in-process, behind this port)
 *   x-amz-target AWSEvents.*           EventBridge
 *   x-amz-target AWSStepFunctions.*    Step Functions (aws-local-stepfunctions, real handlers in-process)
 *   x-amz-target secretsmanager.*      Secrets Manager (GetSecretValue / PutSecretValue of the seeded Confluent key)
 *   POST / Action=...                  EC2 Query protocol
 */
import './polyfills.js';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { Ec2Emulator, regionFromAuthorization } from './ec2/index.js';
import { ConfluentEmulator } from './confluent/index.js';
import { StepFunctionsService } from './stepfunctions/index.js';
import { EventBridgeService } from './eventbridge/index.js';
import { loadServerlessConfig } from './serverlessConfig.js';
import { awsJsonResponder, readAwsJsonBody } from './awsJson.js';
import { readSandboxRequest } from './http.js';
import { FaultRegistry, FaultRuleInvalid } from './faults.js';
import { PROFILES, isProfileName } from './profiles.js';
import { DEFAULT_PORT, SEED } from './seed.js';
import { pathToFileURL } from 'node:url';
import type { Profile, ProfileName, SandboxRequest, SandboxResponse } from './types.js';
import { STATE_TABLE_DEFINITION } from '#lib/state.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SANDBOX_STATE_TABLE = 'pni-provisioner-sandbox-state';

export interface SandboxOptions {
  /** 0 = any free port (tests); default DEFAULT_PORT. */
  port?: number;
  profile?: ProfileName;
  root?: string;
  /** Extra environment for the in-process handlers (e.g. shorter deadlines in tests). */
  env?: Record<string, string>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body, null, 2),
});

export class Sandbox {
  readonly faults = new FaultRegistry();
  readonly ec2: Ec2Emulator;
  readonly confluent: ConfluentEmulator;
  readonly stepFunctions: StepFunctionsService;
  readonly eventBridge: EventBridgeService;
  private profileValue: Profile;
  private server?: http.Server;
  private dynamo?: http.Server;
  private dynamoPort = 0;
  private portValue = 0;

  private readonly handlerFiles: string[];
  /** The Confluent key's SecretString (PutSecretValue replaces it, e.g. with a malformed value in a test). */
  private confluentSecretString = Sandbox.seededSecretString();
  private secretVersion = 1;

  private static seededSecretString(): string {
    return JSON.stringify({ key: SEED.confluent.apiKey, secret: SEED.confluent.apiSecret });
  }

  private constructor(private readonly opts: SandboxOptions) {
    this.profileValue = { ...PROFILES[opts.profile ?? 'fast'] };
    const profile = () => this.profileValue;
    const root = opts.root ?? PROJECT_ROOT;
    this.ec2 = new Ec2Emulator({ faults: this.faults, profile });
    this.confluent = new ConfluentEmulator({ faults: this.faults, profile, ec2: this.ec2, baseUrl: () => this.url });
    const config = loadServerlessConfig(root, { region: SEED.region });
    this.handlerFiles = Object.values(config.functions).map((f) => f.handlerFile);
    this.stepFunctions = new StepFunctionsService({
      config,
      accountId: SEED.accountId,
      region: SEED.region,
      profile,
      faults: this.faults,
    });
    this.eventBridge = new EventBridgeService({
      config,
      stepFunctions: this.stepFunctions,
      accountId: SEED.accountId,
      region: SEED.region,
    });
  }

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    const sb = new Sandbox(opts);
    await sb.listen();
    return sb;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portValue}`;
  }
  get port(): number {
    return this.portValue;
  }
  get profile(): Profile {
    return this.profileValue;
  }
  setProfile(name: ProfileName, overrides: Partial<Profile> = {}): Profile {
    this.profileValue = { ...PROFILES[name], ...overrides, name };
    return this.profileValue;
  }

  /** What an AWS SDK / CLI client and the Confluent client need to use this sandbox. */
  clientEnv(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: SEED.region,
      AWS_DEFAULT_REGION: SEED.region,
      AWS_ACCESS_KEY_ID: SEED.awsAccessKeyId,
      AWS_SECRET_ACCESS_KEY: SEED.awsSecretAccessKey,
      CONFLUENT_API_URL: this.url,
      CONFLUENT_API_KEY: SEED.confluent.apiKey,
      CONFLUENT_API_SECRET: SEED.confluent.apiSecret,
    };
  }

  /** The handlers' environment (they run in this process). */
  handlerEnv(): Record<string, string> {
    const fast = this.profileValue.name === 'fast';
    return {
      ...this.clientEnv(),
      AWS_SESSION_TOKEN: '',
      AWS_MAX_ATTEMPTS: fast ? '1' : '2',
      STATE_TABLE: SANDBOX_STATE_TABLE,
      EVENT_BUS_NAME: 'default',
      EVENT_SOURCE: 'pni.provisioner',
      CONFLUENT_SECRET_ARN: SEED.confluentSecretArn,
      CONFLUENT_MAX_RETRY_DELAY_MS: fast ? '5' : '1000',
      // Read the secret on every use, so a PutSecretValue takes effect at once (AWS: cached 5 minutes).
      CONFLUENT_SECRET_MAX_AGE_SECONDS: '0',
      // The handlers' time-based rules (the deletion grace period) run on the same scaled clock as the ASL's waits.
      CLOCK_SCALE: String(this.profileValue.timeFactor),
      EC2_THROTTLE_BASE_DELAY_MS: fast ? '1' : '250',
      POWERTOOLS_LOG_LEVEL: process.env.PNI_LOG_LEVEL ?? 'SILENT',
      POWERTOOLS_SERVICE_NAME: 'pni-provisioner',
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      ...this.opts.env,
    };
  }

  private async listen(): Promise<void> {
    this.dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => this.dynamo!.listen(0, '127.0.0.1', () => resolve()));
    this.dynamoPort = (this.dynamo.address() as AddressInfo).port;

    this.server = http.createServer((req, res) => {
      void this.serve(req, res);
    });
    // Idle keep-alive sockets stay open for a minute (as load balancers in front of AWS APIs do): a short timeout
    // races with clients reusing a socket the server is just closing ("socket hang up").
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    const port = this.opts.port ?? DEFAULT_PORT;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.portValue = (this.server.address() as AddressInfo).port;
    Object.assign(process.env, this.handlerEnv());
    await this.createTable();
    // Load every handler once, one after the other, before any execution: cold starts are paid here, and
    // concurrent first imports from parallel branches race in jest's ESM loader.
    for (const file of this.handlerFiles) await import(pathToFileURL(file).href);
  }

  private async createTable(): Promise<void> {
    const ddb = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${this.dynamoPort}`,
      region: SEED.region,
      credentials: { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey },
    });
    try {
      await ddb.send(new CreateTableCommand({ TableName: SANDBOX_STATE_TABLE, ...STATE_TABLE_DEFINITION } as never));
    } catch (err) {
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
    await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: SANDBOX_STATE_TABLE });
    ddb.destroy();
  }

  /** Back to the seed: EC2 and Confluent resources, executions, events, faults and the state table. */
  async reset(): Promise<void> {
    this.stepFunctions.reset();
    this.eventBridge.reset();
    this.faults.clear();
    this.confluentSecretString = Sandbox.seededSecretString();
    this.secretVersion = 1;
    this.ec2.reset();
    this.confluent.reset();
    this.dynamo!.closeAllConnections?.();
    await new Promise<void>((resolve) => this.dynamo!.close(() => resolve()));
    this.dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => this.dynamo!.listen(this.dynamoPort, '127.0.0.1', () => resolve()));
    await this.createTable();
  }

  /** GET /_sandbox/state: every resource, each in the shape its own API returns. */
  state() {
    const ec2 = this.ec2.snapshot();
    const confluent = this.confluent.snapshot();
    return {
      endpoint: this.url,
      profile: this.profileValue,
      ec2: {
        vpcs: ec2.vpcs,
        subnets: ec2.subnets,
        securityGroups: ec2.securityGroups,
        networkInterfaces: ec2.networkInterfaces,
        networkInterfacePermissions: ec2.networkInterfacePermissions,
      },
      confluent: { gateways: confluent.gateways, accessPoints: confluent.accessPoints },
      events: this.eventBridge.snapshot(),
      executions: this.stepFunctions.snapshot(),
    };
  }

  async stop(): Promise<void> {
    this.stepFunctions.reset();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections?.();
      this.server?.close(() => resolve());
    });
    this.dynamo?.closeAllConnections?.();
    await new Promise<void>((resolve) => this.dynamo?.close(() => resolve()));
  }

  // ---------------------------------------------------------------- HTTP

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sreq = await readSandboxRequest(req);
    const { body, path: reqPath } = sreq;
    let out: SandboxResponse;
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (reqPath.startsWith('/_sandbox/')) out = await this.control(sreq);
      else if (reqPath.startsWith('/networking/v1/')) out = await this.confluent.handle(sreq);
      else if (target.startsWith('DynamoDB_')) {
        await this.proxyDynamo(req, body, res);
        return;
      } else if (target.startsWith('AWSEvents.')) out = await this.eventBridge.handle(sreq);
      else if (target.startsWith('AWSStepFunctions.')) out = await this.stepFunctions.handle(sreq);
      else if (target.startsWith('secretsmanager.')) out = this.secrets(sreq, target);
      else if (sreq.method === 'POST' && /(^|&)Action=/.test(body.toString('utf8'))) {
        out = await this.ec2.handle(sreq, regionFromAuthorization(req.headers.authorization) ?? SEED.region);
      } else out = json(404, { message: `the sandbox has no route for ${sreq.method} ${reqPath}` });
    } catch (err) {
      out = json(500, { message: `sandbox error: ${(err as Error).message}` });
    }
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  }

  private proxyDynamo(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const headers = { ...req.headers, host: `127.0.0.1:${this.dynamoPort}` };
      const up = http.request(
        { host: '127.0.0.1', port: this.dynamoPort, method: req.method, path: req.url, headers },
        (r) => {
          res.writeHead(r.statusCode ?? 500, r.headers);
          r.pipe(res);
          r.on('end', () => resolve());
        },
      );
      up.on('error', (err) => {
        res.writeHead(500);
        res.end(String(err));
        resolve();
      });
      up.end(body);
    });
  }

  private secrets(req: SandboxRequest, target: string): SandboxResponse {
    const respond = awsJsonResponder('1.1', randomUUID());
    if (target !== 'secretsmanager.GetSecretValue' && target !== 'secretsmanager.PutSecretValue')
      return respond(400, { __type: 'UnknownOperationException', message: `${target} is not emulated` });
    let body: { SecretId?: string; SecretString?: unknown };
    try {
      body = readAwsJsonBody(req, (m) => new Error(m));
    } catch (err) {
      return respond(400, { __type: 'SerializationException', message: (err as Error).message });
    }
    const name = SEED.confluentSecretArn.split(':secret:')[1];
    const id = body.SecretId;
    if (id !== SEED.confluentSecretArn && id !== name && id !== name.replace(/-[A-Za-z0-9]{6}$/, '')) {
      return respond(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    const versionId = () => `00000000-0000-4000-8000-${String(this.secretVersion).padStart(12, '0')}`;
    if (target === 'secretsmanager.PutSecretValue') {
      // Any text is stored as it is (as in AWS): a test can store a malformed value.
      if (typeof body.SecretString !== 'string')
        return respond(400, { __type: 'InvalidParameterException', message: 'SecretString: required (text)' });
      this.confluentSecretString = body.SecretString;
      this.secretVersion += 1;
      return respond(200, {
        ARN: SEED.confluentSecretArn,
        Name: name,
        VersionId: versionId(),
        VersionStages: ['AWSCURRENT'],
      });
    }
    return respond(200, {
      ARN: SEED.confluentSecretArn,
      Name: name,
      VersionId: versionId(),
      VersionStages: ['AWSCURRENT'],
      SecretString: this.confluentSecretString,
      CreatedDate: 1767225600,
    });
  }

  private async control(req: SandboxRequest): Promise<SandboxResponse> {
    const route = `${req.method} ${req.path.replace(/\/+$/, '')}`;
    const bodyJson = (): unknown => {
      const text = req.body.toString('utf8').trim();
      return text ? JSON.parse(text) : {};
    };
    switch (route) {
      case 'GET /_sandbox/health':
        return json(200, { ok: true, profile: this.profileValue.name });
      case 'GET /_sandbox/state':
        return json(200, this.state());
      case 'POST /_sandbox/reset':
        await this.reset();
        return json(200, { reset: true });
      case 'GET /_sandbox/faults':
        return json(200, { rules: this.faults.list() });
      case 'DELETE /_sandbox/faults':
        this.faults.clear();
        return json(200, { rules: [] });
      case 'POST /_sandbox/faults':
        try {
          return json(200, { rules: this.faults.add(bodyJson()) });
        } catch (err) {
          if (err instanceof FaultRuleInvalid || err instanceof SyntaxError)
            return json(400, { message: (err as Error).message });
          throw err;
        }
      case 'GET /_sandbox/profile':
        return json(200, this.profileValue);
      case 'POST /_sandbox/profile': {
        // { "name": "fast"|"realistic", ...any numeric/boolean Profile field to override (e.g. "gatewayProvisionMs") }
        const b = bodyJson() as Record<string, unknown>;
        const name = b.name ?? this.profileValue.name;
        if (!isProfileName(name)) return json(400, { message: 'name: must be "fast" or "realistic"' });
        const overrides: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(b)) {
          if (k === 'name') continue;
          const base = (PROFILES.fast as unknown as Record<string, unknown>)[k];
          if (base === undefined)
            return json(400, { message: `${k}: not a profile setting (${Object.keys(PROFILES.fast).join(', ')})` });
          if (typeof v !== typeof base || (typeof v === 'number' && v < 0))
            return json(400, { message: `${k}: must be a ${typeof base}${typeof base === 'number' ? ' >= 0' : ''}` });
          overrides[k] = v;
        }
        return json(200, this.setProfile(name, overrides as Partial<Profile>));
      }
      case 'POST /_sandbox/seed': {
        // Add to the seed: { "vpcs": [{ vpcId, cidr, name?, subnets: [{ subnetId, cidr, zoneName, name? }] }], "confluentEnvironments": ["env-..."] }
        const b = bodyJson() as {
          region?: string;
          vpcs?: {
            vpcId: string;
            cidr: string;
            name?: string;
            subnets?: { subnetId: string; cidr: string; zoneName: string; name?: string }[];
          }[];
          confluentEnvironments?: string[];
        };
        try {
          for (const v of b.vpcs ?? []) {
            this.ec2.addVpc(
              b.region ?? SEED.region,
              { vpcId: v.vpcId, cidr: v.cidr, name: v.name ?? v.vpcId },
              (v.subnets ?? []).map((x) => ({ ...x, name: x.name ?? x.subnetId })),
            );
          }
          for (const e of b.confluentEnvironments ?? []) this.confluent.addEnvironment(e);
        } catch (err) {
          return json(400, { message: (err as Error).message });
        }
        return json(200, {
          vpcs: (b.vpcs ?? []).map((v) => v.vpcId),
          confluentEnvironments: b.confluentEnvironments ?? [],
        });
      }
      case 'POST /_sandbox/ec2/attach':
      case 'POST /_sandbox/ec2/detach': {
        const b = bodyJson() as { networkInterfaceId?: string; accountId?: string; region?: string };
        const region = b.region ?? SEED.region;
        if (!b.networkInterfaceId || !this.ec2.getNetworkInterface(region, b.networkInterfaceId)) {
          return json(404, {
            message: `networkInterfaceId: no ENI ${b.networkInterfaceId ?? '(missing)'} in ${region}`,
          });
        }
        if (route.endsWith('attach'))
          this.ec2.attach(region, b.networkInterfaceId, b.accountId ?? SEED.confluent.gatewayAccountId);
        else this.ec2.detach(region, b.networkInterfaceId);
        return json(200, this.ec2.getNetworkInterface(region, b.networkInterfaceId));
      }
      default:
        return json(404, { message: `unknown control route ${route}` });
    }
  }
}
