/**
 * `pni provision | teardown | status`: drive a deployed stack, or a running `pni sandbox`, over the AWS APIs.
 * Executions are named after the request id (`<id>`, then `<id>-2`, ... on re-runs; teardowns
 * `<id>-teardown`, `<id>-teardown-2`, ...), so starting the same thing twice while it runs is harmless:
 * Step Functions answers the running execution again.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ProgressDisplay, TeardownProgress, type Progress } from './progress.js';
import { readJsonFile } from './json.js';
import { causeMessage, ENI_SK_PREFIX, type Leftover, REQUEST_ID_PATTERN, requestKey, requestPk } from '#lib/public.js';

export interface RemoteTarget {
  provisionArn: string;
  teardownArn: string;
  stateTable: string;
}

/** Where to send is unknown (or the stack named cannot be read): the message says what to set. */
export class TargetUnknown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnknown';
  }
}

/** The stack outputs the CLI reads (serverless-step-functions adds the two ARNs; serverless.yml the table). */
export const STACK_OUTPUTS = {
  provisionArn: 'ProvisionStateMachineArn',
  teardownArn: 'TeardownStateMachineArn',
  stateTable: 'StateTableName',
} as const;

/** The stack a running `pni sandbox` serves (DescribeStacks): serverless.yml's service, as the sandbox's stage. */
const SANDBOX_STACK = 'pni-provisioner-dev';

/** DescribeStacks -> the outputs the CLI needs; every missing one is named. */
export async function stackTarget(stackName: string, cfn = new CloudFormationClient({})): Promise<RemoteTarget> {
  let outputs: Record<string, string>;
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new TargetUnknown(`stack ${stackName} not found`);
    outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (err) {
    if (err instanceof TargetUnknown) throw err;
    const e = err as Error;
    throw new TargetUnknown(
      /does not exist/.test(e.message)
        ? `stack ${stackName} does not exist in ${await cfn.config.region()}: check --stack / PNI_STACK and AWS_REGION (the stack is <service>-<stage>, e.g. pni-provisioner-prod)`
        : `cannot read stack ${stackName}: ${e.name}: ${e.message}`,
    );
  } finally {
    cfn.destroy();
  }
  const missing = Object.values(STACK_OUTPUTS).filter((k) => !outputs[k]);
  if (missing.length)
    throw new TargetUnknown(`stack ${stackName} has no output ${missing.join(', ')}: is it a pni-provisioner stack?`);
  return {
    provisionArn: outputs[STACK_OUTPUTS.provisionArn],
    teardownArn: outputs[STACK_OUTPUTS.teardownArn],
    stateTable: outputs[STACK_OUTPUTS.stateTable],
  };
}

/** Per target value: its flag and its variable. */
const FLAGS: Record<keyof RemoteTarget, string> = {
  provisionArn: 'state-machine',
  teardownArn: 'teardown-state-machine',
  stateTable: 'table',
};
const VARIABLES: Record<keyof RemoteTarget, string> = {
  provisionArn: 'PNI_PROVISION_STATE_MACHINE_ARN',
  teardownArn: 'PNI_TEARDOWN_STATE_MACHINE_ARN',
  stateTable: 'PNI_STATE_TABLE',
};

/**
 * Where to send, in order: the --state-machine / --teardown-state-machine / --table flags; the stack's outputs
 * (--stack or PNI_STACK); the PNI_* variables; and, against a local endpoint (AWS_ENDPOINT_URL, the sandbox),
 * the outputs of the sandbox's own stack. Against AWS with none of these, it refuses and says what to set.
 */
export async function resolveTarget(
  flags: Record<string, unknown>,
  needs: ReadonlyArray<keyof RemoteTarget>,
  env = process.env,
): Promise<RemoteTarget> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new TargetUnknown(
      'no AWS region is configured: set AWS_REGION for a deployed stack, or run `pni sandbox` and paste the export lines it prints',
    );
  }
  const stackName = typeof flags.stack === 'string' ? flags.stack : env.PNI_STACK || undefined;
  const fromStack = stackName ? await stackTarget(stackName) : undefined;
  const given = (flag: string, variable: string): string | undefined =>
    (typeof flags[flag] === 'string' ? (flags[flag] as string) : undefined) ?? (env[variable] || undefined);
  // Against a local endpoint (a running `pni sandbox`) with nothing given, the sandbox's own stack says where.
  const sandbox =
    !fromStack && env.AWS_ENDPOINT_URL && needs.some((k) => !given(FLAGS[k], VARIABLES[k]))
      ? await stackTarget(SANDBOX_STACK)
      : undefined;
  const pick = (key: keyof RemoteTarget): string =>
    (typeof flags[FLAGS[key]] === 'string' ? (flags[FLAGS[key]] as string) : undefined) ??
    fromStack?.[key] ??
    (env[VARIABLES[key]] || undefined) ??
    sandbox?.[key] ??
    '';
  const target: RemoteTarget = {
    provisionArn: pick('provisionArn'),
    teardownArn: pick('teardownArn'),
    stateTable: pick('stateTable'),
  };
  const missing = needs.filter((k) => !target[k]);
  if (missing.length) {
    throw new TargetUnknown(
      `which stack? Against AWS, pass --stack <stack name> or set PNI_STACK (the stack osls deployed, e.g. pni-provisioner-prod), or set ${missing.map((k) => VARIABLES[k]).join(' and ')}. For the local sandbox, export the AWS_ENDPOINT_URL that \`pni sandbox\` prints.`,
    );
  }
  return target;
}

/** The next execution name for `base`: the running one with the same input, else the first free `base[-N]`. */
export async function executionName(
  sfn: SFNClient,
  stateMachineArn: string,
  base: string,
  input: string,
): Promise<{ name: string; running?: string }> {
  const names = new Map<string, string>();
  let token: string | undefined;
  do {
    const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken: token }));
    for (const e of out.executions ?? [])
      if (e.name && e.status && (e.name === base || e.name.startsWith(`${base}-`))) names.set(e.name, e.status);
    token = out.nextToken;
  } while (token);
  for (const [name, status] of names) {
    if (status !== 'RUNNING' || !/^(|-\d+)$/.test(name.slice(base.length))) continue;
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    if (d.input === input) return { name, running: arn };
  }
  if (!names.has(base)) return { name: base };
  for (let n = 2; ; n++) if (!names.has(`${base}-${n}`)) return { name: `${base}-${n}` };
}

async function follow(
  sfn: SFNClient,
  executionArn: string,
  progress: Progress,
): Promise<DescribeExecutionCommandOutput> {
  const seen = new Set<number>();
  for (let i = 0; i < 1_000_000; i++) {
    const events: HistoryEvent[] = [];
    let token: string | undefined;
    do {
      const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken: token }));
      events.push(...(out.events ?? []));
      token = out.nextToken;
    } while (token);
    for (const e of events) {
      if (e.id === undefined || seen.has(e.id)) continue;
      seen.add(e.id);
      if (e.stateEnteredEventDetails)
        progress.onEvent({ type: 'StateEntered', state: { name: e.stateEnteredEventDetails.name } });
      if (e.stateExitedEventDetails)
        progress.onEvent({ type: 'StateExited', state: { name: e.stateExitedEventDetails.name } });
    }
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, i < 20 ? 100 : 1000));
  }
  throw new Error('gave up following the execution');
}

export interface Io {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

/**
 * Exit codes of provision | teardown | status: 0 done, 1 failed (or an error), 2 usage, 3 nothing to do (the
 * request id is unknown, or there is nothing left to tear down).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, nothingToDo: 3 } as const;

/** Start an execution named `base` (or follow the running one with the same input). */
async function startOrFollow(
  sfn: SFNClient,
  stateMachineArn: string,
  base: string,
  input: string,
): Promise<{ name: string; executionArn: string; running: boolean }> {
  const { name, running } = await executionName(sfn, stateMachineArn, base, input);
  if (running) return { name, executionArn: running, running: true };
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
  if (!out.executionArn) throw new Error(`StartExecution of ${name} answered no executionArn`);
  return { name, executionArn: out.executionArn, running: false };
}

/** --no-wait: say what was started and how to follow it, then return. */
function startedOnly(
  started: { name: string; executionArn: string; running: boolean },
  requestId: string,
  flags: Record<string, unknown>,
  io: Io,
): number {
  if (flags.json === true)
    io.out.write(
      `${JSON.stringify({ executionArn: started.executionArn, name: started.name, status: 'RUNNING', alreadyRunning: started.running }, null, 2)}\n`,
    );
  else
    io.out.write(
      `${started.running ? 'already running' : 'started'}: execution ${started.name}\n  ${started.executionArn}\nnot waiting (--no-wait); follow it with: pni status ${requestId}\n`,
    );
  return EXIT.ok;
}

export async function provisionCommand(file: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  const parsed = readJsonFile(file);
  const request = (parsed && typeof parsed === 'object' ? parsed : {}) as {
    requestId?: unknown;
    subnetIds?: unknown[];
    enisPerSubnet?: number;
  };
  if (typeof request.requestId !== 'string' || !REQUEST_ID_PATTERN.test(request.requestId)) {
    io.err.write(
      `pni: ${file}: requestId is required (a letter or digit, then up to 63 letters, digits, - and _): the execution is named after it\n`,
    );
    return EXIT.usage;
  }
  const target = await resolveTarget(flags, ['provisionArn']);
  const sfn = new SFNClient({});
  try {
    const started = await startOrFollow(sfn, target.provisionArn, request.requestId, JSON.stringify(request));
    if (flags.wait === false) return startedOnly(started, request.requestId, flags, io);
    const asJson = flags.json === true;
    if (!asJson) io.out.write(`${started.running ? 'following running' : 'started'} execution ${started.name}\n`);
    const planned = (Array.isArray(request.subnetIds) ? request.subnetIds.length : 3) * (request.enisPerSubnet ?? 17);
    const progress = new ProgressDisplay(io.out, planned, !asJson);
    const d = await follow(sfn, started.executionArn, progress);
    progress.stop();
    const summary = summaryOf(started.executionArn, d);
    if (asJson) io.out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else io.out.write(renderProvision(request.requestId, summary));
    return d.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
  } finally {
    sfn.destroy();
  }
}

export async function teardownCommand(requestId: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  if (!REQUEST_ID_PATTERN.test(requestId)) {
    io.err.write('pni: teardown needs a request id\n');
    return EXIT.usage;
  }
  const target = await resolveTarget(flags, ['teardownArn']);
  const asJson = flags.json === true;
  const enis = target.stateTable ? await eniCount(target.stateTable, requestId) : undefined;
  const sfn = new SFNClient({});
  try {
    const started = await startOrFollow(
      sfn,
      target.teardownArn,
      `${requestId}-teardown`,
      JSON.stringify({ requestId }),
    );
    if (flags.wait === false) return startedOnly(started, requestId, flags, io);
    if (!asJson) io.out.write(`${started.running ? 'following running' : 'started'} execution ${started.name}\n`);
    const progress = new TeardownProgress(io.out, enis, !asJson);
    const d = await follow(sfn, started.executionArn, progress);
    progress.stop();
    const summary = summaryOf(started.executionArn, d);
    const output = summary.output as { outcome?: string; reason?: string; leftovers?: Leftover[] } | undefined;
    const nothingToDo = d.status === 'SUCCEEDED' && output?.outcome === 'NOOP';
    if (asJson) io.out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else io.out.write(renderTeardown(requestId, summary, output));
    if (nothingToDo) return EXIT.nothingToDo;
    return d.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
  } finally {
    sfn.destroy();
  }
}

interface ExecutionSummary {
  executionArn: string;
  status: string | undefined;
  output: unknown;
  error: string | undefined;
  cause: string | undefined;
}

function summaryOf(executionArn: string, d: DescribeExecutionCommandOutput): ExecutionSummary {
  return {
    executionArn,
    status: d.status,
    output: d.output ? JSON.parse(d.output) : undefined,
    error: d.error,
    cause: d.cause === undefined ? undefined : causeMessage(d.cause),
  };
}

function renderProvision(requestId: string, s: ExecutionSummary): string {
  const out = (s.output ?? {}) as {
    gatewayId?: string;
    accessPointId?: string;
    securityGroupId?: string;
    confluentAccount?: string;
    eniIds?: string[];
  };
  const lines = [
    s.status === 'SUCCEEDED' ? `PNI connection ${requestId} provisioned` : `PNI connection ${requestId}: ${s.status}`,
  ];
  if (s.status === 'SUCCEEDED')
    lines.push(
      `  gateway          ${out.gatewayId ?? '-'}`,
      `  access point     ${out.accessPointId ?? '-'}`,
      `  security group   ${out.securityGroupId ?? '-'}`,
      `  ENIs             ${out.eniIds?.length ?? 0}`,
      `  Confluent acct   ${out.confluentAccount ?? '-'}`,
    );
  if (s.error) lines.push(`  error            ${s.error}${s.cause ? `: ${s.cause}` : ''}`);
  lines.push(`  execution        ${s.executionArn}`, '(--json prints all of it, ENI ids included)');
  return `${lines.join('\n')}\n`;
}

function renderTeardown(
  requestId: string,
  s: ExecutionSummary,
  output: { outcome?: string; reason?: string; leftovers?: Leftover[] } | undefined,
): string {
  if (s.status === 'SUCCEEDED' && output?.outcome === 'NOOP')
    return `${output.reason ?? `request ${requestId}: nothing to tear down`} (nothing changed)\n`;
  const lines = [
    s.status === 'SUCCEEDED'
      ? `PNI connection ${requestId} torn down: nothing is left`
      : `PNI connection ${requestId}: teardown ${s.status}${s.error ? ` (${s.error})` : ''}`,
  ];
  const leftovers = output?.leftovers ?? [];
  if (s.status !== 'SUCCEEDED' && s.cause) lines.push(`  ${s.cause}`);
  for (const l of leftovers) lines.push(`  left: ${l.type} ${l.id}: ${l.reason}`);
  if (s.status !== 'SUCCEEDED')
    lines.push(`  fix what the reasons say (docs/operations.md), then run \`pni teardown ${requestId}\` again`);
  return `${lines.join('\n')}\n`;
}

/** How many ENIs the record lists for the request (teardown progress); undefined when the table cannot tell. */
async function eniCount(table: string, requestId: string): Promise<number | undefined> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const rec = (await doc.send(new GetCommand({ TableName: table, Key: requestKey(requestId) }))).Item;
    if (!rec) return undefined;
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :eni)',
          ExpressionAttributeValues: { ':pk': requestPk(requestId), ':eni': ENI_SK_PREFIX },
          ExclusiveStartKey: start,
        }),
      );
      count += (out.Items ?? []).filter(
        (e) => e.eniId && e.status !== 'DELETED' && (rec.attempt === undefined || e.attempt === rec.attempt),
      ).length;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  } catch {
    return undefined;
  } finally {
    doc.destroy();
  }
}

export async function statusCommand(requestId: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  const target = await resolveTarget(flags, ['stateTable']);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const rec = (await doc.send(new GetCommand({ TableName: target.stateTable, Key: requestKey(requestId) }))).Item;
    if (!rec) {
      io.err.write(`pni: no request ${requestId} in ${target.stateTable}\n`);
      return EXIT.failed;
    }
    const view = {
      requestId: rec.requestId,
      status: rec.status,
      phase: rec.phase,
      attempt: rec.attempt,
      executionArn: rec.executionArn,
      gatewayId: rec.gatewayId,
      confluentAccount: rec.confluentAccount,
      securityGroupId: rec.securityGroupId,
      accessPointId: rec.accessPointId,
      error: rec.error,
      failedStep: rec.failedStep,
      leftovers: rec.leftovers,
      updatedAt: rec.updatedAt,
    };
    io.out.write(
      flags.json === true
        ? `${JSON.stringify(view, null, 2)}\n`
        : `${Object.entries(view)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k.padEnd(17)}${typeof v === 'object' ? JSON.stringify(v) : v}`)
            .join('\n')}\n`,
    );
    return EXIT.ok;
  } finally {
    doc.destroy();
  }
}
