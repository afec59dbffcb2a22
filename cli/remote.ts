/**
 * `pni provision | teardown | status`: drive a deployed stack, or a running `pni sandbox`, over the AWS APIs.
 * Executions are named after the request id (`<id>`, then `<id>-2`, ... on re-runs; teardowns
 * `<id>-teardown`, `<id>-teardown-2`, ...), so starting the same thing twice while it runs is harmless:
 * Step Functions answers the running execution again.
 */
import fs from 'node:fs';
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
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ProgressDisplay } from './progress.js';
import { causeMessage, REQUEST_ID_PATTERN, requestKey, type RequestRecord } from '#lib/public.js';
import { SANDBOX_STATE_TABLE } from '#sandbox/server.js';
import { SEED } from '#sandbox/seed.js';

export interface RemoteTarget {
  provisionArn: string;
  teardownArn: string;
  stateTable: string;
}

/** Where to send: flags, else PNI_* environment variables, else the local sandbox's names. */
export class TargetUnknown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnknown';
  }
}

export function remoteTarget(flags: Record<string, unknown>, env = process.env): RemoteTarget {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new TargetUnknown(
      'no AWS region is configured: set AWS_REGION for a deployed stack, or run `pni sandbox` and paste the export lines it prints',
    );
  }
  const sandboxArn = (m: string) => `arn:aws:states:${region}:${SEED.accountId}:stateMachine:pni-provisioner-dev-${m}`;
  return {
    provisionArn: String(flags['state-machine'] ?? env.PNI_PROVISION_STATE_MACHINE_ARN ?? sandboxArn('provision')),
    teardownArn: String(
      flags['teardown-state-machine'] ?? env.PNI_TEARDOWN_STATE_MACHINE_ARN ?? sandboxArn('teardown'),
    ),
    stateTable: String(flags.table ?? env.PNI_STATE_TABLE ?? SANDBOX_STATE_TABLE),
  };
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

async function startExecution(sfn: SFNClient, stateMachineArn: string, name: string, input: string): Promise<string> {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
  if (!executionArn) throw new Error(`StartExecution of ${name} answered no executionArn`);
  return executionArn;
}

async function follow(
  sfn: SFNClient,
  executionArn: string,
  progress: ProgressDisplay,
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

export async function provisionCommand(file: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  const request = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    requestId?: unknown;
    subnetIds?: unknown[];
    enisPerSubnet?: number;
  };
  if (typeof request.requestId !== 'string' || !REQUEST_ID_PATTERN.test(request.requestId)) {
    io.err.write(
      `pni: ${file}: requestId is required (a letter or digit, then up to 63 letters, digits, - and _): the execution is named after it\n`,
    );
    return 2;
  }
  const target = remoteTarget(flags);
  const sfn = new SFNClient({});
  try {
    const input = JSON.stringify(request);
    const { name, running } = await executionName(sfn, target.provisionArn, request.requestId, input);
    const executionArn = running ?? (await startExecution(sfn, target.provisionArn, name, input));
    const asJson = flags.json === true;
    if (!asJson) io.out.write(`${running ? 'following running' : 'started'} execution ${name}\n`);
    return await finish(
      sfn,
      executionArn,
      (Array.isArray(request.subnetIds) ? request.subnetIds.length : 3) * (request.enisPerSubnet ?? 17),
      flags,
      io,
    );
  } finally {
    sfn.destroy();
  }
}

export async function teardownCommand(requestId: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  if (!REQUEST_ID_PATTERN.test(requestId)) {
    io.err.write('pni: teardown needs a request id\n');
    return 2;
  }
  const target = remoteTarget(flags);
  const sfn = new SFNClient({});
  try {
    const input = JSON.stringify({ requestId });
    const { name, running } = await executionName(sfn, target.teardownArn, `${requestId}-teardown`, input);
    const executionArn = running ?? (await startExecution(sfn, target.teardownArn, name, input));
    if (flags.json !== true) io.out.write(`${running ? 'following running' : 'started'} execution ${name}\n`);
    return await finish(sfn, executionArn, 0, flags, io);
  } finally {
    sfn.destroy();
  }
}

async function finish(
  sfn: SFNClient,
  executionArn: string,
  planned: number,
  flags: Record<string, unknown>,
  io: Io,
): Promise<number> {
  const asJson = flags.json === true;
  const progress = new ProgressDisplay(io.out, planned, !asJson && flags.wait !== false);
  const d = await follow(sfn, executionArn, progress);
  progress.stop();
  const output = d.output ? JSON.parse(d.output) : undefined;
  const summary = {
    executionArn,
    status: d.status,
    output,
    error: d.error,
    cause: d.cause === undefined ? undefined : causeMessage(d.cause),
  };
  if (asJson) io.out.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    io.out.write(`${d.status}${d.error ? `: ${d.error}` : ''}\n`);
    if (summary.cause) io.out.write(`  ${summary.cause}\n`);
    if (output) io.out.write(`${JSON.stringify(output, null, 2)}\n`);
  }
  return d.status === 'SUCCEEDED' ? 0 : 1;
}

export async function statusCommand(requestId: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  const target = remoteTarget(flags);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const rec = (await doc.send(new GetCommand({ TableName: target.stateTable, Key: requestKey(requestId) }))).Item as
      | RequestRecord
      | undefined;
    if (!rec) {
      io.err.write(`pni: no request ${requestId} in ${target.stateTable}\n`);
      return 1;
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
    return 0;
  } finally {
    doc.destroy();
  }
}
