/**
 * (day 2) `pni drift | repair | list | plan`: against a running `pni sandbox` (AWS_ENDPOINT_URL) or a deployed stack
 * (PNI_* variables, or --state-machine / --table). drift, repair and plan run their state machines (so they use the
 * stack's least-privilege roles and the Confluent key stays in Secrets Manager); list reads the state table's index.
 *
 *   pni drift ID [--json]                  exit 0 in sync, 3 drifted, 1 not checked (unknown or not SUCCEEDED)
 *   pni repair ID [--json]                 exit 0 repaired (in sync), 1 not (what is left is printed)
 *   pni [--stack NAME] list [--status S] [--environment E] [--json]
 *   pni plan FILE [--json]                 exit 0 plannable, 2 a rule is violated (field + rule printed)
 */
import fs from 'node:fs';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { REQUEST_ID_PATTERN, STATUSES, requestKey, type Status } from '#lib/public.js';
import { executionName, resolveTarget, type Io } from './remote.js';
import { UsageError, parseFlags } from './flags.js';

export const EXIT_DRIFTED = 3;
export const EXIT_VIOLATION = 2;

type Day2Machine = 'plan' | 'drift' | 'repair';
const ENV_OF: Record<Day2Machine, string> = {
  plan: 'PNI_PLAN_STATE_MACHINE_ARN',
  drift: 'PNI_DRIFT_STATE_MACHINE_ARN',
  repair: 'PNI_REPAIR_STATE_MACHINE_ARN',
};

/**
 * The machine's ARN: --state-machine, else PNI_<MACHINE>_STATE_MACHINE_ARN, else named like the provision machine of
 * the same stack (--stack / PNI_STACK outputs, PNI_PROVISION_STATE_MACHINE_ARN, or the running sandbox's stack):
 * osls names them all `<service>-<stage>-<machine>`.
 */
export async function machineArn(
  machine: Day2Machine,
  flags: Record<string, unknown>,
  env = process.env,
): Promise<string> {
  if (typeof flags['state-machine'] === 'string') return flags['state-machine'];
  const fromEnv = env[ENV_OF[machine]];
  if (fromEnv) return fromEnv;
  const { provisionArn } = await resolveTarget({ stack: flags.stack }, ['provisionArn'], env);
  return provisionArn.replace(/-provision$/, `-${machine}`);
}

/** The state table: --table, the stack's outputs (--stack / PNI_STACK), PNI_STATE_TABLE, or the running sandbox's. */
async function stateTable(flags: Record<string, unknown>): Promise<string> {
  return (await resolveTarget({ stack: flags.stack, table: flags.table }, ['stateTable'])).stateTable;
}

const STEP_WORDS: Record<string, string> = {
  PlanRequest: 'checking every rule against the target (read-only)',
  ListConnections: 'listing connections',
  CheckDrift: 'comparing the record with what exists',
  BeginRepair: 'taking the (environment, VPC) lock',
  RepairConnection: 'repairing',
  WaitForAccessPoint: 'waiting for the access point to be READY again',
  FinishRepair: 'checking again and recording',
};

/** Start (or follow the running) execution of `machine` for `base`, wait for it, report each step on stderr. */
async function runMachine(
  machine: Day2Machine,
  base: string,
  input: unknown,
  flags: Record<string, unknown>,
  io: Io,
): Promise<DescribeExecutionCommandOutput> {
  const arn = await machineArn(machine, flags);
  const sfn = new SFNClient({});
  try {
    const text = JSON.stringify(input);
    const { name, running } = await executionName(sfn, arn, base, text);
    const executionArn =
      running ?? (await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: text }))).executionArn;
    if (!executionArn) throw new Error(`Step Functions started no execution of ${arn}`);
    const quiet = flags.json === true;
    const said = new Set<string>();
    for (let i = 0; ; i++) {
      if (!quiet) {
        const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
        for (const e of history.events ?? []) {
          const words = STEP_WORDS[e.stateEnteredEventDetails?.name ?? ''];
          if (words && !said.has(words)) {
            said.add(words);
            io.err.write(`  ${words}\n`);
          }
        }
      }
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
      await new Promise((r) => setTimeout(r, i < 20 ? 100 : 1000));
    }
  } finally {
    sfn.destroy();
  }
}

interface Difference {
  resource: string;
  id: string;
  expected: string;
  actual: string;
}
const diffLines = (ds: Difference[]) =>
  ds.map((d) => `  ${d.resource.padEnd(27)} ${d.id.padEnd(26)} expected ${d.expected}; actual ${d.actual}`);

// ------------------------------------------------------------------ drift

export async function driftCommand(requestId: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  if (!REQUEST_ID_PATTERN.test(requestId)) throw new UsageError('drift needs a request id');
  const d = await runMachine('drift', `${requestId}-drift`, { requestId }, flags, io);
  const result = (d.output ? JSON.parse(d.output) : {}).results?.[0] as
    | {
        checked: boolean;
        inSync?: boolean;
        reason?: string;
        checkedAt?: string;
        differences?: Difference[];
        error?: unknown;
      }
    | undefined;
  if (d.status !== 'SUCCEEDED' || !result) {
    io.err.write(`pni: the drift check did not run to its end (${d.status}${d.error ? `: ${d.error}` : ''})\n`);
    return 1;
  }
  if (flags.json === true) io.out.write(`${JSON.stringify({ requestId, ...result }, null, 2)}\n`);
  if (!result.checked) {
    if (flags.json !== true) io.err.write(`pni: ${result.reason ?? JSON.stringify(result.error)}\n`);
    return 1;
  }
  const diffs = result.differences ?? [];
  if (flags.json !== true) {
    io.out.write(
      result.inSync
        ? `${requestId}: in sync (checked ${result.checkedAt})\n`
        : `${requestId}: DRIFTED, ${diffs.length} difference(s) (checked ${result.checkedAt})\n${diffLines(diffs).join('\n')}\n  repair with: pni repair ${requestId}\n`,
    );
  }
  return result.inSync ? 0 : EXIT_DRIFTED;
}

// ------------------------------------------------------------------ repair

export async function repairCommand(requestId: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  if (!REQUEST_ID_PATTERN.test(requestId)) throw new UsageError('repair needs a request id');
  const d = await runMachine('repair', `${requestId}-repair`, { requestId }, flags, io);
  const out = d.output ? JSON.parse(d.output) : undefined;
  if (out?.noop) {
    if (flags.json === true) io.out.write(`${JSON.stringify({ requestId, status: d.status, ...out }, null, 2)}\n`);
    else io.err.write(`pni: ${out.reason}\n`);
    return 1;
  }
  // A failed repair ends its execution FAILED: what it did and what is left is on the record.
  const rec = await readRecord(requestId, flags);
  const summary = {
    requestId,
    status: d.status,
    error: d.error,
    cause: d.cause,
    repaired: rec?.lastRepair?.repaired ?? out?.repaired ?? [],
    unrepaired: rec?.lastRepair?.unrepaired ?? out?.unrepaired ?? [],
    differences: rec?.lastDriftCheck?.differences ?? out?.differences ?? [],
  };
  if (flags.json === true) io.out.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const ok = d.status === 'SUCCEEDED';
    const lines = [ok ? `${requestId}: repaired, in sync` : `${requestId}: NOT repaired (${d.error ?? d.status})`];
    if (!ok && d.cause && !summary.differences.length) lines.push(`  ${d.cause}`);
    lines.push(...summary.repaired.map((r: string) => `  done: ${r}`));
    lines.push(...summary.unrepaired.map((r: string) => `  cannot repair: ${r}`));
    if (!ok) lines.push(...diffLines(summary.differences));
    if (ok && !summary.repaired.length) lines.push('  nothing needed repairing');
    io.out.write(`${lines.join('\n')}\n`);
  }
  return d.status === 'SUCCEEDED' ? 0 : 1;
}

async function readRecord(requestId: string, flags: Record<string, unknown>) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const table = await stateTable(flags);
    return (await doc.send(new GetCommand({ TableName: table, Key: requestKey(requestId) }))).Item;
  } finally {
    doc.destroy();
  }
}

// ------------------------------------------------------------------ list

export interface ListedConnection {
  requestId: string;
  environmentId?: string;
  vpcId?: string;
  status: string;
  eniCount?: number;
  accessPointId?: string;
  lastDriftCheck?: { checkedAt: string; inSync: boolean; differenceCount: number };
  updatedAt: string;
}

export async function listCommand(flags: Record<string, unknown>, io: Io): Promise<number> {
  const status = flags.status;
  if (status !== undefined && !(STATUSES as readonly unknown[]).includes(status))
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  const environment = typeof flags.environment === 'string' ? flags.environment : undefined;
  const statuses: readonly Status[] = status === undefined ? STATUSES : [status as Status];
  const table = await stateTable(flags);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const rows: ListedConnection[] = [];
  try {
    for (const s of statuses) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'byStatus',
            KeyConditionExpression: '#s = :s',
            ...(environment ? { FilterExpression: '#e = :e' } : {}),
            ExpressionAttributeNames: { '#s': 'status', ...(environment ? { '#e': 'environmentId' } : {}) },
            ExpressionAttributeValues: { ':s': s, ...(environment ? { ':e': environment } : {}) },
            ScanIndexForward: false,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) {
          rows.push({
            requestId: item.requestId,
            environmentId: item.environmentId,
            vpcId: item.vpcId,
            status: item.status,
            eniCount: item.eniCount,
            accessPointId: item.accessPointId,
            lastDriftCheck: item.lastDriftCheck
              ? {
                  checkedAt: item.lastDriftCheck.checkedAt,
                  inSync: item.lastDriftCheck.inSync,
                  differenceCount: item.lastDriftCheck.differenceCount,
                }
              : undefined,
            updatedAt: item.updatedAt,
          });
        }
        start = out.LastEvaluatedKey;
      } while (start);
    }
  } finally {
    doc.destroy();
  }
  rows.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  if (flags.json === true) {
    io.out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (!rows.length) {
    io.out.write('no connections\n');
    return 0;
  }
  const drift = (r: ListedConnection) =>
    r.lastDriftCheck
      ? `${r.lastDriftCheck.inSync ? 'in sync' : `${r.lastDriftCheck.differenceCount} diff`} ${r.lastDriftCheck.checkedAt.slice(0, 19)}Z`
      : '-';
  const table2 = [
    ['REQUEST ID', 'ENVIRONMENT', 'VPC', 'STATUS', 'ENIS', 'ACCESS POINT', 'LAST DRIFT CHECK'],
    ...rows.map((r) => [
      r.requestId,
      r.environmentId ?? '-',
      r.vpcId ?? '-',
      r.status,
      r.eniCount === undefined ? '-' : String(r.eniCount),
      r.accessPointId ?? '-',
      drift(r),
    ]),
  ];
  const widths = table2[0].map((_, c) => Math.max(...table2.map((row) => row[c].length)));
  io.out.write(
    `${table2
      .map((row) =>
        row
          .map((v, c) => v.padEnd(widths[c]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
  return 0;
}

// ------------------------------------------------------------------ plan

export async function planCommand(file: string, flags: Record<string, unknown>, io: Io): Promise<number> {
  let request: unknown;
  try {
    request = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    io.err.write(`pni: ${file}: ${(err as Error).message}\n`);
    return EXIT_VIOLATION;
  }
  const id = (request as { requestId?: unknown } | null)?.requestId;
  const base = `${typeof id === 'string' && REQUEST_ID_PATTERN.test(id) ? id : 'request'}-plan`;
  const d = await runMachine('plan', base, request, flags, io);
  if (d.status !== 'SUCCEEDED' || !d.output) {
    io.err.write(`pni: the plan could not be made (${d.status}${d.error ? `: ${d.error}` : ''}) ${d.cause ?? ''}\n`);
    return 1;
  }
  const p = JSON.parse(d.output);
  if (flags.json === true) io.out.write(`${JSON.stringify(p, null, 2)}\n`);
  if (!p.ok) {
    if (flags.json !== true) io.err.write(`pni: plan refused: ${p.field}: ${p.message} (${p.error})\n`);
    return EXIT_VIOLATION;
  }
  if (flags.json !== true) io.out.write(renderPlan(p));
  return 0;
}

function renderPlan(p: {
  requestId: string;
  warnings: string[];
  customerAccount: string;
  gateway: { action: string; displayName?: string; id?: string; zones?: string[]; phase?: string };
  securityGroup: { action: string; name?: string; id?: string; rules?: string[] };
  enis: { slot: number; subnetId: string; zoneId: string; privateIp?: string; name: string }[];
  permissions: { count: number; permission: string; account: string };
  accessPoint: { displayName: string; account: string; egressRoutes: string[]; networkInterfaces: number };
}): string {
  const lines = [`plan for ${p.requestId} (nothing was created)`];
  lines.push(
    p.gateway.action === 'create'
      ? `  gateway          create "${p.gateway.displayName}" in ${(p.gateway.zones ?? []).join(', ')}`
      : `  gateway          reuse ${p.gateway.id} (${p.gateway.phase})`,
  );
  if (p.securityGroup.action === 'create') {
    lines.push(`  security group   create "${p.securityGroup.name}"`);
    for (const r of p.securityGroup.rules ?? []) lines.push(`                     ${r}`);
  } else lines.push(`  security group   use ${p.securityGroup.id} as it is`);
  lines.push(`  ENIs             ${p.enis.length}`);
  for (const e of p.enis)
    lines.push(
      `    ${String(e.slot).padStart(3)}  ${e.subnetId}  ${e.zoneId}  ${(e.privateIp ?? 'auto').padEnd(15)}  ${e.name}`,
    );
  lines.push(`  permissions      ${p.permissions.count} x ${p.permissions.permission} for ${p.permissions.account}`);
  lines.push(
    `  access point     "${p.accessPoint.displayName}" for account ${p.accessPoint.account}, ${p.accessPoint.networkInterfaces} ENIs, routes ${p.accessPoint.egressRoutes.join(', ') || '(none)'}`,
  );
  for (const w of p.warnings) lines.push(`  warning          ${w}`);
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ dispatch

/** `pni drift|repair|list|plan ...` (one line in cli/pni.ts sends them here). */
export async function day2Command(command: string, args: string[], io: Io, stack?: string): Promise<number> {
  const { flags, positionals } = parseFlags(args, {
    json: 'bool',
    stack: 'string',
    'state-machine': 'string',
    table: 'string',
    status: 'string',
    environment: 'string',
  });
  if (stack !== undefined && flags.stack === undefined) flags.stack = stack;
  if (command === 'list') {
    if (positionals.length) throw new UsageError('list takes no arguments');
    return listCommand(flags, io);
  }
  if (positionals.length !== 1)
    throw new UsageError(`${command} needs exactly one ${command === 'plan' ? 'FILE' : 'REQUEST_ID'}`);
  if (command === 'plan') return planCommand(positionals[0], flags, io);
  if (command === 'drift') return driftCommand(positionals[0], flags, io);
  return repairCommand(positionals[0], flags, io);
}

export const DAY2_HELP = `  pni [--stack NAME] plan FILE [--json] [--state-machine ARN]
      every rule and live check of the request in FILE (read-only), then what would be built; exit 2 on a violation
  pni [--stack NAME] drift REQUEST_ID [--json] [--state-machine ARN]
      compare a connection with its record; exit 0 in sync, 3 drifted
  pni [--stack NAME] repair REQUEST_ID [--json] [--state-machine ARN]
      bring a drifted connection back to its record (under its (environment, VPC) lock)
  pni [--stack NAME] list [--status S] [--environment E] [--json] [--table NAME]
      every connection: request id, environment, VPC, status, ENIs, access point, last drift check
`;
