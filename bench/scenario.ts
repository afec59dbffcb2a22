/**
 * One benchmark scenario in its own process (the handlers read their configuration once per process), on an
 * in-process sandbox on 127.0.0.1 driven over the wire with the real SDK clients (tests/integration/harness.ts).
 *
 *   node --import tsx bench/scenario.ts parallel [--serial]   one provisioning on `realistic` (ENI_MAX_CONCURRENCY=1 with --serial)
 *   node --import tsx bench/scenario.ts concurrent             20 provisionings at once on `fast`
 *   node --import tsx bench/scenario.ts soak                   20 provisionings, then 20 teardowns, at once on `realistic`
 *
 * Options: --n N (default 20), --deadline-ms M (default 300000: executions still running then are reported as
 * TIMED_OUT_IN_BENCH and the sandbox is stopped). Progress goes to stderr; the last stdout line is
 * `BENCH_RESULT {json}`.
 */
import './quiet.js';
import { Harness, sampleRequest } from '#tests/integration/harness.js';
import {
  CountingProxy,
  benchTargets,
  ec2Errors,
  leaksOf,
  postSeed,
  requestFor,
  retriesOf,
  runAll,
  summarizeRuns,
} from './lib.js';

const args = process.argv.slice(2);
const scenario = args[0];
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
};
const n = opt('n', 20);
/** Experiments only (not used by run.ts): scale Step Functions waits/retries by this instead of the profile's timeFactor. */
const timeFactor = args.includes('--time-factor') ? opt('time-factor', 1) : undefined;
const deadline = Date.now() + opt('deadline-ms', 300_000);
const log = (msg: string) => process.stderr.write(`[bench ${scenario}] ${msg}\n`);

/** Entered -> exited of a state in an execution's history (the ENI Map: the part ENI_MAX_CONCURRENCY changes). */
function stateDurationMs(h: Harness, executionArn: string, state: string): number | null {
  const events = h.sb.stepFunctions.getExecutionHistory(executionArn, { maxResults: 1000 }).events as any[];
  const entered = events.find((e) => e.type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name === state);
  const exited = events.find((e) => e.type.endsWith('StateExited') && e.stateExitedEventDetails?.name === state);
  return entered && exited ? new Date(exited.timestamp).getTime() - new Date(entered.timestamp).getTime() : null;
}

async function parallel(serial: boolean) {
  const h = await Harness.start({ profile: 'realistic', env: serial ? { ENI_MAX_CONCURRENCY: '1' } : {} });
  try {
    const requestId = serial ? 'pni-bench-serial' : 'pni-bench-parallel';
    const [r] = await runAll(
      h,
      'provision',
      [{ requestId, input: sampleRequest({ requestId }), name: requestId }],
      deadline,
    );
    const s = await h.state();
    return {
      variant: serial ? 'ENI_MAX_CONCURRENCY=1' : 'default ENI concurrency',
      eniMaxConcurrency: serial ? 1 : 'default',
      status: r.status,
      error: r.error,
      cause: r.cause,
      durationMs: r.durationMs,
      eniPhaseMs: r.executionArn ? stateDurationMs(h, r.executionArn, 'CreateEnis') : null,
      enis: s.ec2.networkInterfaces.length,
      ec2: ec2Errors(h),
      retries: retriesOf(h),
    };
  } finally {
    await h.stop();
  }
}

/** A harness whose handlers go through a counting proxy (5xx answered by the sandbox, per service). */
async function proxiedHarness(profile: 'fast' | 'realistic'): Promise<{ h: Harness; proxy: CountingProxy }> {
  const proxy = await CountingProxy.start();
  const h = await Harness.start({ profile, env: { AWS_ENDPOINT_URL: proxy.url, CONFLUENT_API_URL: proxy.url } });
  proxy.target = h.sb.url;
  if (timeFactor !== undefined) h.sb.setProfile(profile, { timeFactor });
  return { h, proxy };
}

async function concurrent() {
  const { h, proxy } = await proxiedHarness('fast');
  try {
    const { seed, targets } = benchTargets(n, 'pni-bench-c');
    await postSeed(h.sb.url, seed);
    log(
      `seeded ${targets.length} VPCs and ${new Set(targets.map((t) => t.environmentId)).size} Confluent environments; starting ${targets.length} provisionings`,
    );
    const t0 = Date.now();
    const results = await runAll(
      h,
      'provision',
      targets.map((t) => ({ requestId: t.requestId, input: requestFor(t), name: t.requestId })),
      deadline,
    );
    const wallMs = Date.now() - t0;
    const s = await h.state();
    return {
      profile: 'fast',
      wallMs,
      provision: summarizeRuns(results),
      enis: s.ec2.networkInterfaces.length,
      gateways: s.confluent.gateways.length,
      accessPoints: s.confluent.accessPoints.length,
      sandboxErrors: proxy.serverErrors(),
      sandbox5xxByCode: proxy.fiveXxByCode,
      sandboxErrorSamples: proxy.fiveXx.slice(0, 5),
      proxyErrors: proxy.proxyErrors,
      requests: proxy.totalRequests(),
      ec2: ec2Errors(h),
      retries: retriesOf(h),
    };
  } finally {
    await h.stop();
    await proxy.stop();
  }
}

async function soak() {
  const { h, proxy } = await proxiedHarness('realistic');
  try {
    const { seed, targets } = benchTargets(n, 'pni-bench-soak');
    await postSeed(h.sb.url, seed);
    log(`seeded; starting ${targets.length} provisionings (realistic profile, EC2 token buckets on)`);
    const t0 = Date.now();
    const prov = await runAll(
      h,
      'provision',
      targets.map((t) => ({ requestId: t.requestId, input: requestFor(t), name: t.requestId })),
      deadline,
    );
    const t1 = Date.now();
    const afterProvision = await h.state();
    log(
      `provisionings done in ${((t1 - t0) / 1000).toFixed(1)} s: ${prov.filter((r) => r.status === 'SUCCEEDED').length}/${prov.length} ok; starting ${targets.length} teardowns`,
    );
    const td = await runAll(
      h,
      'teardown',
      targets.map((t) => ({
        requestId: t.requestId,
        input: { requestId: t.requestId },
        name: `${t.requestId}-teardown`,
      })),
      deadline,
    );
    const t2 = Date.now();
    log(
      `teardowns done in ${((t2 - t1) / 1000).toFixed(1)} s: ${td.filter((r) => r.status === 'SUCCEEDED').length}/${td.length} ok`,
    );
    const finalState = await h.state();
    const leaks = leaksOf(finalState);
    const ec2 = ec2Errors(h);
    const retries = retriesOf(h);
    // Not part of the verdict: does a second teardown of the failed ones ("Run the teardown again to finish") converge?
    let secondPass: { teardown: ReturnType<typeof summarizeRuns>; leaks: ReturnType<typeof leaksOf> } | undefined;
    const again = td.filter((r) => r.status !== 'SUCCEEDED').map((r) => r.requestId);
    if (again.length && deadline - Date.now() > 30_000) {
      log(`second teardown pass for ${again.length} request(s)`);
      const td2 = await runAll(
        h,
        'teardown',
        again.map((id) => ({ requestId: id, input: { requestId: id }, name: `${id}-teardown-2` })),
        deadline,
      );
      secondPass = { teardown: summarizeRuns(td2), leaks: leaksOf(await h.state()) };
    }
    return {
      profile: 'realistic',
      timeFactor: h.sb.profile.timeFactor,
      wallMs: { provision: t1 - t0, teardown: t2 - t1 },
      provision: summarizeRuns(prov),
      provisionedEnis: afterProvision.ec2.networkInterfaces.length,
      teardown: summarizeRuns(td),
      teardownOutcomes: td.map((r) => r.status),
      retries,
      throttles: Object.values(ec2.throttlesByAction).reduce((a, b) => a + b, 0),
      ec2,
      sandboxErrors: proxy.serverErrors(),
      sandbox5xxByCode: proxy.fiveXxByCode,
      sandboxErrorSamples: proxy.fiveXx.slice(0, 5),
      proxyErrors: proxy.proxyErrors,
      requests: proxy.totalRequests(),
      leaks,
      secondPass,
    };
  } finally {
    await h.stop();
    await proxy.stop();
  }
}

async function main(): Promise<unknown> {
  switch (scenario) {
    case 'parallel':
      return parallel(args.includes('--serial'));
    case 'concurrent':
      return concurrent();
    case 'soak':
      return soak();
    default:
      throw new Error(`unknown scenario "${scenario}" (parallel [--serial] | concurrent | soak)`);
  }
}

try {
  const result = await main();
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`[bench ${scenario}] failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
}
// Whatever an aborted execution left scheduled must not keep the process alive.
setTimeout(() => process.exit(), 2000).unref();
