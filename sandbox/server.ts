/**
 * The sandbox: one HTTP port on 127.0.0.1 for a small local cloud that speaks the real wire protocols
 * (docs/architecture.md section 9). This file is the front door: routing, start/stop, the handlers' environment.
 * Routing:
 *   /_sandbox/...                      control API (./control.ts: state, records, reset, faults, profile, ENI attach)
 *   /_sandbox/ui/                      the console (sandbox/ui/): a page over the APIs above
 *   /networking/v1/...                 Confluent Cloud networking API
 *   x-amz-target DynamoDB_20120810.*   DynamoDB (dynalite, in-process, behind this port)
 *   x-amz-target AWSEvents.*           EventBridge
 *   x-amz-target AWSStepFunctions.*    Step Functions (aws-local-stepfunctions, real handlers in-process)
 *   x-amz-target secretsmanager.*      Secrets Manager (./secretsmanager: Get/PutSecretValue of the seeded Confluent key)
 *   POST / Version=2010-05-15          CloudFormation Query protocol (./cloudformation.ts: DescribeStacks of our stack)
 *   POST / Action=...                  EC2 Query protocol
 *   POST /2015-03-31/functions/{name}/invocations   Lambda Invoke (every serverless.yml function, in-process)
 *   PUT|GET /_sandbox/cfn-responses/...              CloudFormation ResponseURL receiver (control routes)
 */
import './polyfills.js';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Ec2Emulator, regionFromAuthorization } from './ec2/index.js';
import { ConfluentEmulator } from './confluent/index.js';
import { StepFunctionsService } from './stepfunctions/index.js';
import { EventBridgeService } from './eventbridge/index.js';
import { CloudFormationService, isCloudFormationRequest } from './cloudformation.js';
import { SecretsManager, SECRETS_MANAGER_TARGET_PREFIX } from './secretsmanager/index.js';
import { CONTROL_PREFIX, ControlApi, json } from './control.js';
import { declaredEnvironment, handlerEnvironment, sandboxTableName } from './handlerEnv.js';
import { loadServerlessConfig, type ServerlessConfig } from './serverlessConfig.js';
import { readSandboxRequest } from './http.js';
import { FaultRegistry } from './faults.js';
import { PROFILES } from './profiles.js';
import { DEFAULT_PORT, SANDBOX_STATE_TABLE, SEED } from './seed.js';
import type { Profile, ProfileName, SandboxResponse } from './types.js';
import { CONSOLE_PATH, SandboxConsole } from './ui/index.js';
import { LambdaInvokeApi } from './lambda/invokeApi.js';
import { CFN_RESPONSES_PATH, CfnResponseReceiver } from './cloudformation/responses.js';

export { SANDBOX_STATE_TABLE };
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface SandboxOptions {
  /** 0 = any free port (tests); default DEFAULT_PORT. */
  port?: number;
  profile?: ProfileName;
  root?: string;
  /** Extra environment for the in-process handlers (e.g. shorter deadlines in tests). */
  env?: Record<string, string>;
}

/** The sandbox's port is taken (by another sandbox, LocalStack, ...). */
export class SandboxPortInUse extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is in use (try --port)`);
    this.name = 'SandboxPortInUse';
  }
}

export class Sandbox {
  readonly faults = new FaultRegistry();
  readonly secretsManager = new SecretsManager();
  readonly ec2: Ec2Emulator;
  readonly confluent: ConfluentEmulator;
  readonly stepFunctions: StepFunctionsService;
  readonly eventBridge: EventBridgeService;
  /** DescribeStacks of the project's own stack (`pni --stack pni-provisioner-dev`). */
  readonly cloudFormation: CloudFormationService;
  /** The stack name `osls deploy` would give this service and stage. */
  readonly stackName: string;
  readonly ui: SandboxConsole;
  /** Service Catalog (issue 9): Lambda's Invoke API and CloudFormation's ResponseURL receiver. */
  readonly lambdaApi: LambdaInvokeApi;
  readonly cfnResponses = new CfnResponseReceiver();
  /** The /_sandbox/ routes (a table: `control.add({ method, path, handle })` adds one). */
  readonly control: ControlApi;
  /** serverless.yml as the sandbox reads it (functions, state machines, tables, environment). */
  readonly config: ServerlessConfig;
  private profileValue: Profile;
  private server?: http.Server;
  private dynamo?: http.Server;
  private dynamoPort = 0;
  private portValue = 0;

  private constructor(private readonly opts: SandboxOptions) {
    this.profileValue = { ...PROFILES[opts.profile ?? 'fast'] };
    const profile = () => this.profileValue;
    const root = opts.root ?? PROJECT_ROOT;
    this.ec2 = new Ec2Emulator({ faults: this.faults, profile });
    this.confluent = new ConfluentEmulator({ faults: this.faults, profile, ec2: this.ec2, baseUrl: () => this.url });
    const config = loadServerlessConfig(root, { region: SEED.region });
    this.config = config;
    this.control = new ControlApi(this);
    this.ui = new SandboxConsole(root);
    this.stepFunctions = new StepFunctionsService({
      config,
      accountId: SEED.accountId,
      region: SEED.region,
      profile,
      faults: this.faults,
    });
    this.stackName = `${config.service}-${config.stage}`;
    this.cloudFormation = new CloudFormationService({
      accountId: SEED.accountId,
      region: SEED.region,
      createdAt: new Date(),
      stacks: () => [
        {
          name: this.stackName,
          outputs: {
            ProvisionStateMachineArn: this.stepFunctions.stateMachineArn('provision'),
            TeardownStateMachineArn: this.stepFunctions.stateMachineArn('teardown'),
            StateTableName: SANDBOX_STATE_TABLE,
          },
        },
      ],
    });
    this.eventBridge = new EventBridgeService({
      config,
      stepFunctions: this.stepFunctions,
      accountId: SEED.accountId,
      region: SEED.region,
    });
    this.lambdaApi = new LambdaInvokeApi({ config, invoke: this.stepFunctions.invokeLambda });
    for (const method of ['GET', 'PUT'] as const)
      this.control.add({
        method,
        path: method === 'GET' ? CFN_RESPONSES_PATH : `${CFN_RESPONSES_PATH}/*`,
        handle: (req) => this.cfnResponses.handle(req),
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
  /** The console page (sandbox/ui/). */
  get consoleUrl(): string {
    return `${this.url}${CONSOLE_PATH}`;
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

  /**
   * serverless.yml variables set to `{ Ref: <state machine logical id> }` (the Service Catalog function's
   * PROVISION_/TEARDOWN_/UPDATE_STATE_MACHINE_ARN), with the sandbox's ARN of that machine.
   */
  private stateMachineRefs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(declaredEnvironment(this.config))) {
      const ref = (value as { Ref?: unknown } | null)?.Ref;
      const sm = Object.values(this.config.stateMachines).find((m) => m.logicalId === ref);
      if (sm) out[name] = this.stepFunctions.stateMachineArn(sm.key);
    }
    return out;
  }

  /** The handlers' environment (they run in this process). */
  handlerEnv(): Record<string, string> {
    const fast = this.profileValue.name === 'fast';
    const client = this.clientEnv();
    return {
      ...client,
      // Not in serverless.yml: the Lambda runtime's own variables and the handlers' tuning knobs (their
      // defaults are for AWS; the sandbox's fast profile retries sooner).
      AWS_SESSION_TOKEN: '',
      CONFLUENT_MAX_RETRY_DELAY_MS: fast ? '5' : '1000',
      // Read the secret on every use, so a PutSecretValue takes effect at once (AWS: cached 5 minutes).
      CONFLUENT_SECRET_MAX_AGE_SECONDS: '0',
      // The handlers' time-based rules (the deletion grace period) run on the same scaled clock as the ASL's waits.
      CLOCK_SCALE: String(this.profileValue.timeFactor),
      EC2_THROTTLE_BASE_DELAY_MS: fast ? '1' : '250',
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      // Powertools Metrics (EMF on stdout) are silenced like the logger (PNI_METRICS=on prints them); the tracer is
      // off outside Lambda by itself, and off here explicitly.
      POWERTOOLS_METRICS_DISABLED: process.env.PNI_METRICS === 'on' ? 'false' : 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      // serverless.yml's variables (names and the values the sandbox keeps); { Ref: StateTable } becomes the
      // sandbox's table name.
      ...handlerEnvironment(this.config, {
        AWS_MAX_ATTEMPTS: fast ? '1' : '2',
        CONFLUENT_API_URL: client.CONFLUENT_API_URL,
        CONFLUENT_SECRET_ARN: SEED.confluentSecretArn,
        POWERTOOLS_LOG_LEVEL: process.env.PNI_LOG_LEVEL ?? 'SILENT',
        ...this.stateMachineRefs(),
      }),
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
    try {
      await new Promise<void>((resolve, reject) => {
        this.server!.once('error', reject);
        this.server!.listen(port, '127.0.0.1', () => resolve());
      });
    } catch (err) {
      // Leave nothing running (dynalite is already listening), and say what to do.
      this.dynamo.closeAllConnections?.();
      await new Promise<void>((resolve) => this.dynamo?.close(() => resolve()));
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SandboxPortInUse(port);
      throw err;
    }
    this.portValue = (this.server.address() as AddressInfo).port;
    Object.assign(process.env, this.handlerEnv());
    await this.createTables();
    // Load every handler once, one after the other, before any execution: cold starts are paid here, and
    // concurrent first imports from parallel branches race in jest's ESM loader.
    for (const fn of Object.values(this.config.functions)) await import(pathToFileURL(fn.handlerFile).href);
  }

  /** Creates serverless.yml's DynamoDB tables (resources.Resources) under their sandbox names. */
  private async createTables(): Promise<void> {
    const ddb = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${this.dynamoPort}`,
      region: SEED.region,
      credentials: { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey },
    });
    try {
      for (const [logicalId, definition] of Object.entries(this.config.tables)) {
        const TableName = sandboxTableName(logicalId);
        try {
          await ddb.send(new CreateTableCommand({ TableName, ...definition }));
        } catch (err) {
          if ((err as Error).name !== 'ResourceInUseException') throw err;
        }
        await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName });
      }
    } finally {
      ddb.destroy();
    }
  }

  /** Back to the seed: EC2 and Confluent resources, executions, events, faults and the state table. */
  async reset(): Promise<void> {
    await this.lambdaApi.settled();
    this.stepFunctions.reset();
    this.eventBridge.reset();
    this.cfnResponses.reset();
    this.faults.clear();
    this.secretsManager.reset();
    this.ec2.reset();
    this.confluent.reset();
    this.dynamo!.closeAllConnections?.();
    await new Promise<void>((resolve) => this.dynamo!.close(() => resolve()));
    this.dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => this.dynamo!.listen(this.dynamoPort, '127.0.0.1', () => resolve()));
    await this.createTables();
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

  /** GET /_sandbox/records: every item of the state table (requests, ENI slots, locks), read from DynamoDB itself. */
  async records(): Promise<Record<string, unknown>[]> {
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${this.dynamoPort}`,
        region: SEED.region,
        maxAttempts: 1,
        credentials: { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey },
      }),
    );
    const items: Record<string, unknown>[] = [];
    try {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new ScanCommand({ TableName: SANDBOX_STATE_TABLE, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
    } finally {
      doc.destroy();
    }
    return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
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
      if (reqPath.startsWith(CONTROL_PREFIX)) out = await this.control.handle(sreq);
      else if (this.lambdaApi.matches(sreq)) out = await this.lambdaApi.handle(sreq);
      else if (reqPath.startsWith('/networking/v1/')) out = await this.confluent.handle(sreq);
      else if (target.startsWith('DynamoDB_')) {
        await this.proxyDynamo(req, body, res);
        return;
      } else if (target.startsWith('AWSEvents.')) out = await this.eventBridge.handle(sreq);
      else if (target.startsWith('AWSStepFunctions.')) out = await this.stepFunctions.handle(sreq);
      else if (target.startsWith(SECRETS_MANAGER_TARGET_PREFIX)) out = this.secretsManager.handle(sreq, target);
      else if (isCloudFormationRequest(sreq)) out = this.cloudFormation.handle(sreq);
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
}
