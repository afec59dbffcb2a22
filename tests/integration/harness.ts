/** Integration harness: the real sandbox in-process, driven over its wire protocols. */
import {
  SFNClient,
  StartExecutionCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Sandbox, SANDBOX_STATE_TABLE } from '#sandbox/server.js';
import { SEED } from '#sandbox/seed.js';
import type { ProfileName } from '#sandbox/types.js';
import { ENI_SK_PREFIX, lockKey, requestKey, requestPk } from '#lib/tableKeys.js';

export const credentials = { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey };

export function sampleRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId: 'pni-it-happy',
    environmentId: SEED.confluent.environments[0],
    region: SEED.region,
    vpcId: SEED.vpc.vpcId,
    subnetIds: SEED.subnets.slice(0, 3).map((s) => s.subnetId),
    tags: { team: 'payments' },
    ...overrides,
  };
}

export interface SandboxState {
  ec2: { networkInterfaces: any[]; networkInterfacePermissions: any[]; securityGroups: any[]; subnets: any[] };
  confluent: { gateways: any[]; accessPoints: any[] };
  events: { Source: string; DetailType: string; Detail: string }[];
  executions: any[];
}

export class Harness {
  readonly sfn: SFNClient;
  readonly events: EventBridgeClient;
  readonly doc: DynamoDBDocumentClient;
  private constructor(readonly sb: Sandbox) {
    const cfg = { endpoint: sb.url, region: SEED.region, credentials, maxAttempts: 1 };
    this.sfn = new SFNClient(cfg);
    this.events = new EventBridgeClient(cfg);
    this.doc = DynamoDBDocumentClient.from(new DynamoDBClient(cfg));
  }

  static async start(opts: { profile?: ProfileName; env?: Record<string, string> } = {}): Promise<Harness> {
    return new Harness(await Sandbox.start({ port: 0, profile: opts.profile ?? 'fast', env: opts.env }));
  }
  async stop(): Promise<void> {
    this.sfn.destroy();
    this.events.destroy();
    this.doc.destroy();
    await this.sb.stop();
  }

  get provisionArn(): string {
    return this.sb.stepFunctions.stateMachineArn('provision');
  }
  get teardownArn(): string {
    return this.sb.stepFunctions.stateMachineArn('teardown');
  }

  async state(): Promise<SandboxState> {
    const r = await fetch(`${this.sb.url}/_sandbox/state`);
    return (await r.json()) as SandboxState;
  }
  async faults(rules: unknown): Promise<void> {
    const r = await fetch(`${this.sb.url}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify(rules),
      headers: { 'content-type': 'application/json' },
    });
    if (r.status !== 200) throw new Error(`fault rules refused: ${await r.text()}`);
  }
  async reset(): Promise<void> {
    await fetch(`${this.sb.url}/_sandbox/reset`, { method: 'POST' });
  }

  async start(machine: 'provision' | 'teardown', input: unknown, name?: string): Promise<string> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine === 'provision' ? this.provisionArn : this.teardownArn,
        input: JSON.stringify(input),
        name,
      }),
    );
    return out.executionArn!;
  }
  async wait(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    await this.sb.stepFunctions.waitForExecution(executionArn);
    return this.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  async run(machine: 'provision' | 'teardown', input: unknown, name?: string): Promise<DescribeExecutionCommandOutput> {
    return this.wait(await this.start(machine, input, name));
  }
  async putEvent(detailType: string, detail: unknown): Promise<string> {
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'pni.requests', DetailType: detailType, Detail: JSON.stringify(detail) }],
      }),
    );
    return out.Entries![0].EventId!;
  }
  /** The executions EventBridge started for an event id (its input keeps the id). */
  async executionsForEvent(
    eventId: string,
    machine: 'provision' | 'teardown' = 'provision',
    expected = 1,
  ): Promise<string[]> {
    const arn = machine === 'provision' ? this.provisionArn : this.teardownArn;
    for (let i = 0; i < 1000; i++) {
      const found = this.sb.stepFunctions
        .listExecutions({ stateMachineArn: arn })
        .executions.filter((e) =>
          (this.sb.stepFunctions.describeExecution(e.executionArn).input ?? '').includes(eventId),
        )
        .map((e) => e.executionArn);
      if (found.length >= expected) return found;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no execution for event ${eventId}`);
  }

  async record(requestId: string): Promise<Record<string, any> | undefined> {
    return (await this.doc.send(new GetCommand({ TableName: SANDBOX_STATE_TABLE, Key: requestKey(requestId) }))).Item;
  }
  async eniRecords(requestId: string): Promise<Record<string, any>[]> {
    return (
      (
        await this.doc.send(
          new QueryCommand({
            TableName: SANDBOX_STATE_TABLE,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
            ExpressionAttributeValues: { ':pk': requestPk(requestId), ':e': ENI_SK_PREFIX },
          }),
        )
      ).Items ?? []
    );
  }
  async lockHolder(environmentId: string, vpcId: string): Promise<string | undefined> {
    return (await this.doc.send(new GetCommand({ TableName: SANDBOX_STATE_TABLE, Key: lockKey(environmentId, vpcId) })))
      .Item?.holder;
  }
}

/** Everything the provisioner could have left for a request, read from the sandbox's own state. */
export function leftoversOf(state: SandboxState, requestId: string) {
  const tagged = (r: { TagSet?: { Key: string; Value: string }[]; Tags?: { Key: string; Value: string }[] }) =>
    (r.TagSet ?? r.Tags ?? []).some((t) => t.Key === 'pni:request-id' && t.Value === requestId);
  const enis = state.ec2.networkInterfaces.filter(tagged);
  const eniIds = new Set(enis.map((e) => e.NetworkInterfaceId));
  return {
    enis,
    permissions: state.ec2.networkInterfacePermissions.filter((p) => eniIds.has(p.NetworkInterfaceId)),
    securityGroups: state.ec2.securityGroups.filter(tagged),
    accessPoints: state.confluent.accessPoints.filter((a) => a.spec?.display_name === `pni-${requestId}`),
    gateways: state.confluent.gateways.filter((g) => g.spec?.display_name === `pni-${requestId}`),
  };
}

export function eventsFor(state: SandboxState, requestId: string) {
  return state.events
    .filter((e) => e.Source === 'pni.provisioner')
    .map((e) => ({ type: e.DetailType, detail: JSON.parse(e.Detail) }))
    .filter((e) => e.detail.requestId === requestId);
}

/** Nothing of any request exists any more: only the seed is left. */
export function expectSandboxEmpty(state: SandboxState): void {
  expect(state.ec2.networkInterfaces).toEqual([]);
  expect(state.ec2.networkInterfacePermissions).toEqual([]);
  expect(state.ec2.securityGroups.map((g) => g.GroupName).sort()).toEqual(['default', 'default']);
  expect(state.confluent.accessPoints).toEqual([]);
  expect(state.confluent.gateways).toEqual([]);
}
