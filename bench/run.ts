/**
 * `npm run bench`: every figure in one run, side by side on this machine (it is noisy: compare the ratios, not
 * the absolute numbers with another machine's). Each scenario runs in its own child process on its own sandbox on
 * 127.0.0.1; everything is bounded (OVERALL_MS) and stops by itself.
 *
 *   a. npm start (fast): `node bin/pni.js start --json` x3 — median wall time and median execution duration
 *   b. parallel vs serial ENIs (realistic, EC2 token buckets on): default ENI concurrency vs ENI_MAX_CONCURRENCY=1
 *   c. 20 concurrent provisionings (fast) on 20 seeded VPCs / 10 Confluent environments
 *   d. soak (realistic): 20 provisionings, then 20 teardowns, at once — successes, retries, throttles, leaks
 *
 * Writes bench/results/<ISO date>.json and prints a table. Exit 1 when a scenario failed to run, when any
 * provisioning or teardown failed, or when the soak leaked anything.
 */
import './quiet.js';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, median } from './lib.js';

const OVERALL_MS = Number(process.env.BENCH_OVERALL_MS ?? 600_000);
const N = Number(process.env.BENCH_N ?? 20);
const t0 = Date.now();
const remaining = () => OVERALL_MS - (Date.now() - t0);

interface ChildRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  timedOut: boolean;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('AWS_') || k.startsWith('CONFLUENT_')) continue;
    env[k] = v;
  }
  return env;
}

/** Runs a child in its own process group; SIGKILLs the group after `timeoutMs`. */
function runChild(args: string[], timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: childEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      process.stderr.write(c);
    });
    const timer = setTimeout(
      () => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      },
      Math.max(1000, timeoutMs),
    );
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - started, timedOut });
    });
  });
}

const failures: string[] = [];
const tail = (s: string) => s.slice(-2000);

async function scenario(name: string, args: string[], capMs: number): Promise<any> {
  const budget = Math.min(capMs, remaining());
  if (budget < 20_000) {
    failures.push(`${name}: skipped, the overall ${OVERALL_MS / 1000} s cap is used up`);
    return { skipped: true };
  }
  process.stderr.write(`\n== ${name} (up to ${(budget / 1000).toFixed(0)} s)\n`);
  const r = await runChild(
    ['--import', 'tsx', 'bench/scenario.ts', ...args, '--n', String(N), '--deadline-ms', String(budget - 15_000)],
    budget,
  );
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH_RESULT '));
  if (r.code !== 0 || !line) {
    failures.push(`${name}: ${r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`}`);
    return { error: r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`, stderr: tail(r.stderr) };
  }
  return { ...JSON.parse(line.slice('BENCH_RESULT '.length)), processWallMs: Math.round(r.wallMs) };
}

// ------------------------------------------------------------------ a. npm start on fast

async function npmStart() {
  const runs: { wallMs: number; executionMs?: number; status?: string; eniCount?: number; code: number | null }[] = [];
  for (let i = 0; i < 3; i++) {
    if (remaining() < 60_000) {
      failures.push('npm start: skipped runs, overall cap');
      break;
    }
    process.stderr.write(`\n== npm start (fast) run ${i + 1}/3\n`);
    const r = await runChild(['bin/pni.js', 'start', '--json'], Math.min(120_000, remaining()));
    let s: { status?: string; durationMs?: number; eniCount?: number } = {};
    try {
      s = JSON.parse(r.stdout);
    } catch {
      /* reported below */
    }
    runs.push({
      wallMs: Math.round(r.wallMs),
      executionMs: s.durationMs,
      status: s.status,
      eniCount: s.eniCount,
      code: r.code,
    });
    if (r.code !== 0 || s.status !== 'SUCCEEDED')
      failures.push(
        `npm start run ${i + 1}: exit ${r.code}, status ${s.status ?? '(no JSON)'}${r.timedOut ? ' (timed out)' : ''}`,
      );
  }
  return {
    runs,
    medianWallMs: median(runs.map((r) => r.wallMs)),
    medianExecutionMs: median(runs.map((r) => r.executionMs).filter((x): x is number => typeof x === 'number')),
  };
}

// ------------------------------------------------------------------ main

function gitInfo(): { commit?: string; dirty?: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim().length > 0;
    return { commit, dirty };
  } catch {
    return {};
  }
}

const startedAt = new Date();
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  loadavgAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  ...gitInfo(),
};

const a = await npmStart();
const bParallel = await scenario('parallel ENIs (realistic, default concurrency)', ['parallel'], 120_000);
const bSerial = await scenario('serial ENIs (realistic, ENI_MAX_CONCURRENCY=1)', ['parallel', '--serial'], 150_000);
const c = await scenario(`${N} concurrent provisionings (fast)`, ['concurrent'], 180_000);
const d = await scenario(`soak: ${N} provisionings + ${N} teardowns (realistic)`, ['soak'], 360_000);

const ratio = bParallel.durationMs && bSerial.durationMs ? bSerial.durationMs / bParallel.durationMs : null;
const eniPhaseRatio = bParallel.eniPhaseMs && bSerial.eniPhaseMs ? bSerial.eniPhaseMs / bParallel.eniPhaseMs : null;
for (const [name, r] of [
  ['parallel ENIs', bParallel],
  ['serial ENIs', bSerial],
] as const) {
  if (r.status && r.status !== 'SUCCEEDED') failures.push(`${name}: ${r.status} ${r.error ?? ''}`);
}
if (c.provision?.failed)
  failures.push(
    `${N} concurrent: ${c.provision.failed} provisioning(s) failed: ${JSON.stringify(c.provision.failures)}`,
  );
if (c.sandboxErrors) failures.push(`${N} concurrent: ${c.sandboxErrors} sandbox 5xx`);
if (d.provision?.failed)
  failures.push(`soak: ${d.provision.failed} provisioning(s) failed: ${JSON.stringify(d.provision.failures)}`);
if (d.teardown?.failed)
  failures.push(`soak: ${d.teardown.failed} teardown(s) failed: ${JSON.stringify(d.teardown.failures)}`);
if (d.leaks?.total) failures.push(`soak: ${d.leaks.total} leaked resource(s): ${JSON.stringify(d.leaks.counts)}`);

const s = (ms: number | null | undefined) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '-');
const okOf = (x: { ok?: number; total?: number } | undefined) => (x ? `${x.ok}/${x.total}` : '-');
const rows: [string, string][] = [
  ['npm start (fast), median of 3', `${s(a.medianExecutionMs)} execution, ${s(a.medianWallMs)} wall`],
  [
    '1 provisioning (realistic), default ENI concurrency',
    `${s(bParallel.durationMs)} execution, ENI Map ${s(bParallel.eniPhaseMs)} (${bParallel.status ?? bParallel.error ?? '-'})`,
  ],
  [
    '1 provisioning (realistic), ENI_MAX_CONCURRENCY=1',
    `${s(bSerial.durationMs)} execution, ENI Map ${s(bSerial.eniPhaseMs)} (${bSerial.status ?? bSerial.error ?? '-'})`,
  ],
  [
    'parallel vs serial ENIs (serial / parallel)',
    `${ratio ? `${ratio.toFixed(1)}x` : '-'} execution, ${eniPhaseRatio ? `${eniPhaseRatio.toFixed(1)}x` : '-'} ENI Map state`,
  ],
  [
    `${N} concurrent provisionings (fast)`,
    c.provision
      ? `${okOf(c.provision)} ok, failures ${JSON.stringify(c.provision.failures)}, p50 ${s(c.provision.durationMs.p50)}, max ${s(c.provision.durationMs.max)}, ${c.sandboxErrors} sandbox 5xx`
      : (c.error ?? '-'),
  ],
  [
    `soak (realistic): provisionings`,
    d.provision
      ? `${okOf(d.provision)} ok, failures ${JSON.stringify(d.provision.failures)}, p50 ${s(d.provision.durationMs.p50)}, max ${s(d.provision.durationMs.max)}`
      : (d.error ?? '-'),
  ],
  [
    `soak (realistic): teardowns`,
    d.teardown
      ? `${okOf(d.teardown)} ok, failures ${JSON.stringify(d.teardown.failures)}, p50 ${s(d.teardown.durationMs.p50)}, max ${s(d.teardown.durationMs.max)}`
      : '-',
  ],
  [
    'soak: retries / throttles / sandbox 5xx',
    d.retries
      ? `${d.retries.retries} task retries ${JSON.stringify(d.retries.byFunction)}; ${d.throttles} RequestLimitExceeded ${JSON.stringify(d.ec2.throttlesByAction)}; ${d.sandboxErrors} other 5xx`
      : '-',
  ],
  [
    'soak: leaks after the teardowns',
    d.leaks
      ? `${d.leaks.total} ${JSON.stringify(d.leaks.counts)}${d.secondPass ? `; after a 2nd teardown pass (${okOf(d.secondPass.teardown)} ok): ${d.secondPass.leaks.total}` : ''}`
      : '-',
  ],
];
const summary =
  `npm start (fast): ${s(a.medianExecutionMs)} exec, ${s(a.medianWallMs)} wall | parallel vs serial ENIs: ${ratio ? ratio.toFixed(1) : '-'}x (ENI phase ${eniPhaseRatio ? eniPhaseRatio.toFixed(1) : '-'}x) | ` +
  `${N} concurrent: ${okOf(c.provision)} ok | soak: ${okOf(d.provision)} + ${okOf(d.teardown)}, ${d.retries?.retries ?? '-'} retries, ${d.throttles ?? '-'} throttles, ${d.leaks?.total ?? '-'} leaks`;

const result = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  totalWallMs: Date.now() - t0,
  machine: { ...machine, loadavgAtEnd: os.loadavg().map((x) => +x.toFixed(2)) },
  summary,
  npmStartFast: a,
  parallelism: { parallel: bParallel, serial: bSerial, ratio, eniPhaseRatio },
  concurrentFast: c,
  soakRealistic: d,
  failures,
};
const dir = path.join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(
  dir,
  `${startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')}.json`,
);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(
  `\npni-provisioner benchmark — ${machine.cpus} CPUs, node ${machine.node}, load ${machine.loadavgAtStart.join(' ')}, ${s(Date.now() - t0)} total\n\n`,
);
for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
process.stdout.write(`\n${summary}\n`);
if (failures.length) process.stdout.write(`\nFAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
process.stdout.write(`\nresults: ${path.relative(ROOT, file)}\n`);
process.exitCode = failures.length ? 1 : 0;
