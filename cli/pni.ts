/**
 * `pni` — the command line.
 *   pni start [--json] [--profile fast|realistic] [--event FILE] [--keep] [--port N]
 *       Start the sandbox in-process, send the sample "PNI Provisioning Requested" event, follow the
 *       execution live and print a summary (exit 0 on SUCCEEDED). `npm start` runs this.
 *   pni sandbox [--port N] [--profile fast|realistic]
 *       Run the sandbox in the foreground; prints the endpoint and `export NAME=value` lines.
 *   pni [--stack NAME] provision FILE | teardown REQUEST_ID | status REQUEST_ID   [--json] [--no-wait]
 *       Against a deployed stack (--stack / PNI_STACK: its outputs, or the PNI_* variables) or a running
 *       sandbox (export its AWS_ENDPOINT_URL).
 * Every command answers --help. Human output by default; --json prints JSON only, on stdout.
 * The sandbox (and its devDependencies) is loaded only by `start` and `sandbox`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Sandbox } from '#sandbox/server.js';
import { isProfileName } from '#sandbox/profiles.js';
import { DEFAULT_PORT, SEED } from '#sandbox/seed.js';
import type { ProfileName } from '#sandbox/types.js';
import { ProgressDisplay } from './progress.js';
import { causeMessage } from '#lib/public.js';
import { EXIT, provisionCommand, statusCommand, teardownCommand } from './remote.js';
import { readJsonFile } from './json.js';
import { DAY2_HELP, day2Command } from './day2.js';
import { type Flags, UsageError, parseFlags } from './flags.js';

import { CatalogUsageError, catalogCommand } from './catalog.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `catalog` arguments: the subcommand and its positionals, and the flags. */
function catalogArgs(rest: string[]): [string[], Flags] {
  const { flags, positionals } = parseFlags(rest, {
    json: 'bool',
    name: 'string',
    endpoint: 'string',
    function: 'string',
    timeout: 'string',
  });
  return [positionals, flags];
}

export { UsageError, parseFlags } from './flags.js';

function profileFlag(v: unknown): ProfileName {
  if (v === undefined) return 'fast';
  if (!isProfileName(v)) throw new UsageError('--profile must be "fast" or "realistic"');
  return v;
}
function portFlag(v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError('--port must be an integer 0-65535');
  return n;
}

const REMOTE_NOTE = `  Where: --stack NAME (or PNI_STACK) reads the state machines and the table from the stack's outputs
  (CloudFormation DescribeStacks; the stack osls deployed, e.g. pni-provisioner-prod). Otherwise the
  PNI_PROVISION_STATE_MACHINE_ARN, PNI_TEARDOWN_STATE_MACHINE_ARN and PNI_STATE_TABLE variables; against
  a running sandbox (AWS_ENDPOINT_URL exported from \`pni sandbox\`) the sandbox's own names.
  Exit codes: 0 done, 1 failed, 2 usage, 3 nothing to do (unknown request id, nothing left to tear down).
`;

const COMMAND_HELP: Record<string, string> = {
  start: `pni start [--json] [--profile fast|realistic] [--event FILE] [--keep] [--port N]
  Start the sandbox in-process (any free port unless --port), send the sample "PNI Provisioning Requested"
  event (or the EventBridge event in FILE), follow the execution live and print a summary.
  --json     print only the summary, as JSON, on stdout (npm: npm start --silent -- --json)
  --keep     leave the sandbox running afterwards (Ctrl-C stops it)
  Exit: 0 when the connection was provisioned, 1 otherwise.
`,
  sandbox: `pni sandbox [--port N] [--profile fast|realistic]
  Run the sandbox in the foreground (default port ${DEFAULT_PORT}) and print the export lines a client needs.
  Ctrl-C stops it. A port in use is an error at once (exit 1): pick another with --port.
`,
  provision: `pni [--stack NAME] provision FILE [--json] [--no-wait] [--state-machine ARN]
  Start (or follow) the provisioning of the request in FILE; the execution is named after its requestId.
  Prints progress and a summary; --json prints the execution's result as JSON on stdout only.
  --no-wait  start it and return at once (the access point alone can take hours); follow with pni status.
${REMOTE_NOTE}`,
  teardown: `pni [--stack NAME] teardown REQUEST_ID [--json] [--no-wait] [--teardown-state-machine ARN]
  Tear a provisioned connection down in the safe order, or finish a failed teardown. Prints what has been
  removed as it goes, then what (if anything) is left. An unknown request id changes nothing (exit 3).
${REMOTE_NOTE}`,
  status: `pni [--stack NAME] status REQUEST_ID [--json] [--table NAME]
  The state record: status, phase, ids, error, failed step, leftovers. An unknown id is an error (exit 1).
${REMOTE_NOTE}`,
};

const HELP = `pni — Confluent PNI provisioning on AWS, with a local sandbox

  pni start [--json] [--profile fast|realistic] [--event FILE] [--keep] [--port N]
      provision the sample connection end to end on the embedded sandbox (npm start)
  pni sandbox [--port N] [--profile fast|realistic]
      run the sandbox in the foreground (default port ${DEFAULT_PORT}); Ctrl-C stops it
  pni [--stack NAME] provision FILE [--json] [--no-wait] [--state-machine ARN]
      start (or follow) the provisioning of the request in FILE; the execution is named after its requestId
  pni [--stack NAME] teardown REQUEST_ID [--json] [--no-wait] [--teardown-state-machine ARN]
      tear a provisioned connection down (safe order), or finish a failed teardown
  pni [--stack NAME] status REQUEST_ID [--json] [--table NAME]
      the state record: status, ids, error, leftovers
${DAY2_HELP}  pni catalog launch FILE.json [--name NAME] | update NAME FILE.json | terminate NAME  [--json] [--endpoint URL]
      rehearse the Service Catalog product on a running sandbox: plays CloudFormation (FILE.json holds the
      parameters of servicecatalog/pni-connection.yaml) and prints the stack's outputs
  pni COMMAND --help   more about one command
  (provision/teardown/status: --stack NAME or PNI_STACK for a deployed stack (its CloudFormation outputs), or
   PNI_PROVISION_STATE_MACHINE_ARN, PNI_TEARDOWN_STATE_MACHINE_ARN, PNI_STATE_TABLE; AWS_ENDPOINT_URL for a
   running sandbox)
`;

/** `--stack NAME` / `--stack=NAME` before the command. */
function globalFlags(argv: string[]): { stack?: string; rest: string[] } {
  const rest = [...argv];
  let stack: string | undefined;
  while (rest[0]?.startsWith('--stack')) {
    const a = rest.shift() ?? '';
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest.shift();
    if (!value || value.startsWith('--')) throw new UsageError('--stack needs a stack name');
    stack = value;
  }
  return { stack, rest };
}

export async function main(argv: string[], io = { out: process.stdout, err: process.stderr }): Promise<number> {
  try {
    const { stack, rest: args } = globalFlags(argv);
    const [command, ...rest] = args;
    if (command && COMMAND_HELP[command] && (rest.includes('--help') || rest.includes('-h'))) {
      io.out.write(COMMAND_HELP[command]);
      return EXIT.ok;
    }
    switch (command) {
      case 'start':
        return await start(rest, io);
      case 'sandbox':
        return await sandbox(rest, io);
      case 'provision':
      case 'teardown':
      case 'status': {
        const { flags, positionals } = parseFlags(rest, {
          json: 'bool',
          'no-wait': 'bool',
          stack: 'string',
          'state-machine': 'string',
          'teardown-state-machine': 'string',
          table: 'string',
        });
        if (stack !== undefined && flags.stack === undefined) flags.stack = stack;
        if (flags['no-wait'] === true) flags.wait = false;
        if (positionals.length !== 1)
          throw new UsageError(`${command} needs exactly one ${command === 'provision' ? 'FILE' : 'REQUEST_ID'}`);
        if (command === 'provision') return await provisionCommand(positionals[0], flags, io);
        if (command === 'teardown') return await teardownCommand(positionals[0], flags, io);
        return await statusCommand(positionals[0], flags, io);
      }
      case 'catalog': // Service Catalog rehearsal (cli/catalog.ts)
        return await catalogCommand(...catalogArgs(rest), io, { root: PROJECT_ROOT });
      case 'drift':
      case 'repair':
      case 'list':
      case 'plan':
        return await day2Command(command, rest, io, stack);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out.write(HELP);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`pni: ${err.message}\n\n${HELP}`);
      return EXIT.usage;
    }
    if (err instanceof CatalogUsageError) {
      io.err.write(`pni catalog: ${err.message}\n`);
      return 2;
    }
    io.err.write(`pni: ${(err as Error).message}\n`);
    return 1;
  }
}

function exportLines(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([k, v]) => `export ${k}=${v}`)
    .join('\n')}\n`;
}

async function sandbox(args: string[], io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream }): Promise<number> {
  const { flags } = parseFlags(args, { port: 'string', profile: 'string' });
  const { Sandbox } = await import('#sandbox/server.js');
  const sb = await Sandbox.start({ port: portFlag(flags.port, DEFAULT_PORT), profile: profileFlag(flags.profile) });
  io.out.write(
    `pni sandbox listening on ${sb.url} (profile ${sb.profile.name}, region ${SEED.region}, account ${SEED.accountId})\n`,
  );
  io.out.write(exportLines(sb.clientEnv()));
  io.out.write(
    `# AWS CLI: aws --endpoint-url ${sb.url} ec2 describe-network-interfaces   (CLI v2 before 2.13 ignores AWS_ENDPOINT_URL)\n`,
  );
  io.out.write(`# state: curl ${sb.url}/_sandbox/state   reset: curl -X POST ${sb.url}/_sandbox/reset\n`);
  io.out.write(`# console: ${sb.consoleUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sb.stop();
  io.out.write('pni sandbox stopped\n');
  return 0;
}

export interface StartSummary {
  requestId: string;
  status: string;
  executionArn: string;
  gatewayId?: string;
  confluentAccount?: string;
  securityGroupId?: string;
  accessPointId?: string;
  eniCount: number;
  durationMs: number;
  events: string[];
  error?: string;
  cause?: string;
  endpoint: string;
}

async function start(args: string[], io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream }): Promise<number> {
  const { flags } = parseFlags(args, {
    json: 'bool',
    profile: 'string',
    event: 'string',
    keep: 'bool',
    port: 'string',
  });
  const eventFile = path.resolve(
    typeof flags.event === 'string'
      ? flags.event
      : path.join(PROJECT_ROOT, 'events/eventbridge-provisioning-requested.json'),
  );
  const envelope = readJsonFile(eventFile) as {
    source: string;
    'detail-type': string;
    detail: { requestId?: string; subnetIds?: unknown[]; enisPerSubnet?: number };
  };
  if (!envelope || typeof envelope !== 'object' || !envelope['detail-type'] || !envelope.detail)
    throw new UsageError(`${eventFile} is not an EventBridge event (needs "detail-type" and "detail")`);
  const asJson = flags.json === true;
  const t0 = Date.now();
  const { Sandbox } = await import('#sandbox/server.js');
  const sb = await Sandbox.start({ port: portFlag(flags.port, 0), profile: profileFlag(flags.profile) });
  try {
    if (!asJson)
      io.out.write(
        `sandbox on ${sb.url} (profile ${sb.profile.name}) — sending "${envelope['detail-type']}" for ${envelope.detail.requestId ?? '(derived id)'}\n`,
      );
    const planned =
      (Array.isArray(envelope.detail.subnetIds) ? envelope.detail.subnetIds.length : 3) *
      (envelope.detail.enisPerSubnet ?? 17);
    const progress = new ProgressDisplay(io.out, planned, !asJson);
    const provisionArn = sb.stepFunctions.stateMachineArn('provision');
    let executionArn: string | undefined;
    const pending: { arn: string; ev: unknown }[] = [];
    const off = sb.stepFunctions.onEvent((arn, ev) => {
      if (!executionArn) {
        pending.push({ arn, ev });
        return;
      }
      if (arn === executionArn) progress.onEvent(ev as never);
    });

    const client = new EventBridgeClient({
      endpoint: sb.url,
      region: SEED.region,
      credentials: { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey },
    });
    const put = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: envelope.source, DetailType: envelope['detail-type'], Detail: JSON.stringify(envelope.detail) },
        ],
      }),
    );
    const eventId = put.Entries?.[0]?.EventId;
    if (!eventId) throw new Error(`EventBridge rejected the event: ${JSON.stringify(put.Entries)}`);
    executionArn = await findExecution(sb, provisionArn, eventId);
    for (const p of pending.splice(0)) if (p.arn === executionArn) progress.onEvent(p.ev as never);

    const done = await sb.stepFunctions.waitForExecution(executionArn);
    off();
    progress.stop();
    const summary = summarize(sb, done, t0);
    if (asJson) io.out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else io.out.write(renderSummary(summary));
    if (flags.keep) {
      io.out.write(
        `\nThe sandbox keeps running; watch it in the console at ${sb.consoleUrl}\nor inspect it with the AWS CLI:\n${exportLines(sb.clientEnv())}  aws --endpoint-url ${sb.url} ec2 describe-network-interfaces --filters Name=tag:pni:request-id,Values=${summary.requestId}\nCtrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return summary.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await sb.stop();
  }
}

async function findExecution(sb: Sandbox, stateMachineArn: string, eventId: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const found = sb.stepFunctions
      .listExecutions({ stateMachineArn })
      .executions.map((e) => sb.stepFunctions.describeExecution(e.executionArn))
      .find((d) => (d.input ?? '').includes(eventId));
    if (found) return found.executionArn;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no execution was started for event ${eventId}: check the EventBridge rule in serverless.yml`);
}

function summarize(
  sb: Sandbox,
  d: {
    executionArn: string;
    status: string;
    output?: string;
    error?: string;
    cause?: string;
    startDate: unknown;
    stopDate?: unknown;
  },
  t0: number,
): StartSummary {
  const out = (d.output ? JSON.parse(d.output) : {}) as {
    requestId?: string;
    gatewayId?: string;
    confluentAccount?: string;
    securityGroupId?: string;
    accessPointId?: string;
    eniIds?: string[];
  };
  const input = JSON.parse(sb.stepFunctions.describeExecution(d.executionArn).input ?? '{}') as {
    request?: { requestId?: string };
  };
  const requestId = out.requestId ?? input.request?.requestId ?? '(unknown)';
  const events = (sb.eventBridge.snapshot() as { Source?: string; DetailType?: string; Detail?: string }[])
    .filter((e) => e.Source === 'pni.provisioner' && (e.Detail ?? '').includes(`"requestId":"${requestId}"`))
    .map((e) => e.DetailType ?? '');
  return {
    requestId,
    status: d.status,
    executionArn: d.executionArn,
    gatewayId: out.gatewayId,
    confluentAccount: out.confluentAccount,
    securityGroupId: out.securityGroupId,
    accessPointId: out.accessPointId,
    eniCount: out.eniIds?.length ?? 0,
    cause: d.cause === undefined ? undefined : causeMessage(d.cause),
    durationMs:
      d.stopDate && d.startDate
        ? new Date(d.stopDate as string).getTime() - new Date(d.startDate as string).getTime()
        : Date.now() - t0,
    events,
    error: d.error,
    endpoint: sb.url,
  };
}

/** "PNI Provisioning Started, PNI Provisioning Phase Changed x4, ..." in order of first appearance. */
function countEvents(types: string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => (n > 1 ? `${t.replace(/^PNI /, '')} x${n}` : t.replace(/^PNI /, ''))).join(', ');
}

function renderSummary(s: StartSummary): string {
  const lines = [
    '',
    s.status === 'SUCCEEDED'
      ? `PNI connection ${s.requestId} provisioned`
      : `PNI connection ${s.requestId}: ${s.status}`,
    `  gateway          ${s.gatewayId ?? '-'}`,
    `  access point     ${s.accessPointId ?? '-'}`,
    `  security group   ${s.securityGroupId ?? '-'}`,
    `  ENIs             ${s.eniCount}`,
    `  Confluent acct   ${s.confluentAccount ?? '-'}`,
    `  duration         ${(s.durationMs / 1000).toFixed(1)} s (execution)`,
    `  events           ${s.events.length ? countEvents(s.events) : '-'}`,
  ];
  if (s.error) lines.push(`  error            ${s.error}: ${s.cause ?? ''}`);
  return `${lines.join('\n')}\n`;
}
