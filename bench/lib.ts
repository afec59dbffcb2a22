/** Helpers shared by the benchmark scenarios: statistics, a counting proxy, the bench seed, execution analysis. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Harness, SandboxState } from '#tests/integration/harness.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ------------------------------------------------------------------ statistics

export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx];
}
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export function tally(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ counting proxy

const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
]);

/** The error code of an AWS error body (EC2 XML <Code>, JSON __type / code), if any. */
function errorCode(body: string): string | undefined {
  const xml = body.match(/<Code>([^<]+)<\/Code>/);
  if (xml) return xml[1];
  try {
    const j = JSON.parse(body) as { __type?: string; code?: string; error_code?: string; errors?: { code?: string }[] };
    const c = j.__type ?? j.code ?? j.error_code ?? j.errors?.[0]?.code;
    return c ? String(c).split('#').pop() : undefined;
  } catch {
    return undefined;
  }
}

/** Which sandbox service a request is for (same routing as sandbox/server.ts). */
function serviceOf(req: IncomingMessage): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  const p = req.url ?? '/';
  if (p.startsWith('/_sandbox/')) return 'control';
  if (p.startsWith('/networking/')) return 'confluent';
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target.startsWith('AWSEvents.')) return 'eventbridge';
  if (target.startsWith('AWSStepFunctions.')) return 'stepfunctions';
  if (target.startsWith('secretsmanager.')) return 'secretsmanager';
  return 'ec2';
}

/**
 * A pass-through HTTP proxy on 127.0.0.1 in front of the sandbox that counts the answers by service and status
 * class. The handlers are pointed at it (AWS_ENDPOINT_URL / CONFLUENT_API_URL), so every 5xx the sandbox answers
 * them — including DynamoDB behind dynalite — is seen on the wire.
 */
export class CountingProxy {
  target = '';
  readonly answers: Record<string, Record<string, number>> = {};
  /** 5xx answers by `service:error code` (EC2 answers its throttling, RequestLimitExceeded, with 503). */
  readonly fiveXxByCode: Record<string, number> = {};
  /** The first 5xx answers that are not throttling. */
  readonly fiveXx: { service: string; status: number; path: string; body: string }[] = [];
  proxyErrors = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<CountingProxy> {
    let self!: CountingProxy;
    const server = http.createServer((req, res) => self.forward(req, res));
    server.keepAliveTimeout = 5000;
    self = new CountingProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return self;
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private count(service: string, status: number): void {
    const cls = `${Math.floor(status / 100)}xx`;
    this.answers[service] ??= {};
    const s = this.answers[service];
    s[cls] = (s[cls] ?? 0) + 1;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const service = serviceOf(req);
    const t = new URL(this.target);
    const up = http.request(
      {
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        agent: this.agent,
        headers: { ...req.headers, host: t.host },
      },
      (r) => {
        const status = r.statusCode ?? 0;
        this.count(service, status);
        if (status >= 500) {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const code = errorCode(body) ?? String(status);
            const key = `${service}:${code}`;
            this.fiveXxByCode[key] = (this.fiveXxByCode[key] ?? 0) + 1;
            if (!THROTTLING.has(code) && this.fiveXx.length < 20)
              this.fiveXx.push({ service, status, path: req.url ?? '', body: body.slice(0, 300) });
          });
        }
        res.writeHead(status, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', (err) => {
      this.proxyErrors++;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bench proxy: ${err.message}`);
    });
    req.pipe(up);
  }

  /** 5xx answers that are not throttling: the sandbox's own errors. */
  serverErrors(): number {
    return Object.entries(this.fiveXxByCode)
      .filter(([k]) => !THROTTLING.has(k.split(':')[1]))
      .reduce((n, [, c]) => n + c, 0);
  }
  totalRequests(): number {
    return Object.values(this.answers).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

// ------------------------------------------------------------------ bench seed

export interface BenchTarget {
  requestId: string;
  environmentId: string;
  vpcId: string;
  cidr: string;
  subnetIds: string[];
}

/**
 * `n` client VPCs (10.101.0.0/16 .. : the forbidden 10.100.0.0/16 and 10.255.0.0/16 are avoided), each with three
 * /24 subnets in us-west-2a/b/c, and ceil(n/2) Confluent environments (the quota is 2 PNI gateways per environment;
 * the lock is per (environment, VPC), so every request gets its own VPC).
 */
export function benchTargets(n: number, prefix: string): { seed: unknown; targets: BenchTarget[] } {
  const vpcs: unknown[] = [];
  const targets: BenchTarget[] = [];
  const envs = new Set<string>();
  for (let i = 1; i <= n; i++) {
    const xx = String(i).padStart(2, '0');
    const vpcId = `vpc-0b0000000000000${xx}`;
    const cidr = `10.${100 + i}.0.0/16`;
    const subnets = ['a', 'b', 'c'].map((z, k) => ({
      subnetId: `subnet-0b000000000000${xx}${k + 1}`,
      cidr: `10.${100 + i}.${k + 1}.0/24`,
      zoneName: `us-west-2${z}`,
      name: `bench-${xx}-${z}`,
    }));
    vpcs.push({ vpcId, cidr, name: `bench-${xx}`, subnets });
    const environmentId = `env-bench${String(Math.ceil(i / 2)).padStart(2, '0')}`;
    envs.add(environmentId);
    targets.push({
      requestId: `${prefix}-${xx}`,
      environmentId,
      vpcId,
      cidr,
      subnetIds: subnets.map((s) => s.subnetId),
    });
  }
  return { seed: { vpcs, confluentEnvironments: [...envs] }, targets };
}

export async function postSeed(url: string, seed: unknown): Promise<void> {
  const r = await fetch(`${url}/_sandbox/seed`, {
    method: 'POST',
    body: JSON.stringify(seed),
    headers: { 'content-type': 'application/json' },
  });
  if (r.status !== 200) throw new Error(`POST /_sandbox/seed refused (${r.status}): ${await r.text()}`);
}

export function requestFor(t: BenchTarget): Record<string, unknown> {
  return {
    requestId: t.requestId,
    environmentId: t.environmentId,
    region: 'us-west-2',
    vpcId: t.vpcId,
    subnetIds: t.subnetIds,
    securityGroup: { ingressCidrs: [t.cidr], egressRules: [] },
    tags: { team: 'bench' },
  };
}

// ------------------------------------------------------------------ executions

export interface ExecutionResult {
  requestId: string;
  executionArn: string;
  status: string;
  error?: string;
  cause?: string;
  durationMs: number | null;
}

/** Start all at once over the wire, wait for all (bounded by `deadline`, epoch ms): unfinished ones are reported as TIMED_OUT_IN_BENCH. */
export async function runAll(
  h: Harness,
  machine: 'provision' | 'teardown',
  inputs: { requestId: string; input: unknown; name: string }[],
  deadline: number,
): Promise<ExecutionResult[]> {
  const started = await Promise.all(
    inputs.map(async (x) => {
      try {
        return { x, arn: await h.start(machine, x.input, x.name) };
      } catch (err) {
        return { x, err: err as Error };
      }
    }),
  );
  return Promise.all(
    started.map(async (s): Promise<ExecutionResult> => {
      if (!('arn' in s) || !s.arn)
        return {
          requestId: s.x.requestId,
          executionArn: '',
          status: 'NOT_STARTED',
          error: (s as { err: Error }).err.name,
          cause: (s as { err: Error }).err.message,
          durationMs: null,
        };
      const remaining = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        h.sb.stepFunctions.waitForExecution(s.arn).then(() => true),
        new Promise<false>((r) => {
          timer = setTimeout(() => r(false), Math.max(0, remaining));
        }),
      ]);
      clearTimeout(timer);
      if (!finished)
        return { requestId: s.x.requestId, executionArn: s.arn, status: 'TIMED_OUT_IN_BENCH', durationMs: null };
      const d = await h.sfn.send(new DescribeExecutionCommand({ executionArn: s.arn }));
      return {
        requestId: s.x.requestId,
        executionArn: s.arn,
        status: d.status ?? 'UNKNOWN',
        error: d.error,
        cause: d.cause?.slice(0, 500),
        durationMs: d.startDate && d.stopDate ? d.stopDate.getTime() - d.startDate.getTime() : null,
      };
    }),
  );
}

export function summarizeRuns(results: ExecutionResult[]) {
  const ok = results.filter((r) => r.status === 'SUCCEEDED');
  const failed = results.filter((r) => r.status !== 'SUCCEEDED');
  const durations = results.map((r) => r.durationMs).filter((d): d is number => d !== null);
  return {
    total: results.length,
    ok: ok.length,
    failed: failed.length,
    failures: tally(failed.map((r) => `${r.status}${r.error ? `:${r.error}` : ''}`)),
    failureSamples: failed
      .slice(0, 5)
      .map((r) => ({ requestId: r.requestId, status: r.status, error: r.error, cause: r.cause })),
    durationMs: { p50: percentile(durations, 50), max: durations.length ? Math.max(...durations) : null },
  };
}

/** State name -> Lambda function key of every Lambda Task state in statemachine/*.asl.json (Resource Fn::GetAtt [fn, Arn]). */
function taskFunctions(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (states: Record<string, any>) => {
    for (const [name, st] of Object.entries(states)) {
      const fn = st?.Resource?.['Fn::GetAtt']?.[0];
      if (typeof fn === 'string') out.set(name, fn);
      for (const b of st.Branches ?? []) walk(b.States);
      if (st.ItemProcessor ?? st.Iterator) walk((st.ItemProcessor ?? st.Iterator).States);
    }
  };
  for (const f of ['provision', 'teardown'])
    walk(JSON.parse(readFileSync(path.join(ROOT, 'statemachine', `${f}.asl.json`), 'utf8')).States);
  return out;
}

/**
 * Lambda Task attempts beyond the first, over every execution the sandbox ran (including nested rollback executions):
 * each Lambda Task state entry schedules one attempt and each retry schedules another, so retries = scheduled - entered,
 * per function (the history's resource) and in total. Also the error names of the failed attempts.
 */
export function retriesOf(h: Harness): {
  retries: number;
  byFunction: Record<string, number>;
  failedAttempts: Record<string, number>;
  executions: number;
} {
  const fnOfState = taskFunctions();
  const entered: Record<string, number> = {};
  const scheduled: Record<string, number> = {};
  const failedNames: string[] = [];
  const arns = (h.sb.stepFunctions.snapshot() as { executionArn: string }[]).map((e) => e.executionArn);
  for (const arn of arns) {
    let nextToken: string | undefined;
    do {
      const page = h.sb.stepFunctions.getExecutionHistory(arn, { maxResults: 1000, nextToken });
      for (const e of page.events as any[]) {
        if (e.type === 'TaskStateEntered') {
          const fn = fnOfState.get(e.stateEnteredEventDetails?.name);
          if (fn) entered[fn] = (entered[fn] ?? 0) + 1;
        } else if (e.type === 'LambdaFunctionScheduled') {
          const res = String(e.lambdaFunctionScheduledEventDetails?.resource ?? '');
          const fn = res.replace(/^.*:function:/, '').replace(/^pni-provisioner-[a-z0-9]+-/, '') || '(unknown)';
          scheduled[fn] = (scheduled[fn] ?? 0) + 1;
        } else if (['LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'TaskFailed', 'TaskTimedOut'].includes(e.type)) {
          failedNames.push(e.lambdaFunctionFailedEventDetails?.error ?? e.taskFailedEventDetails?.error ?? e.type);
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const byFunction: Record<string, number> = {};
  let retries = 0;
  for (const [fn, n] of Object.entries(scheduled)) {
    const r = n - (entered[fn] ?? 0);
    if (r > 0) {
      byFunction[fn] = r;
      retries += r;
    }
  }
  return { retries, byFunction, failedAttempts: tally(failedNames), executions: arns.length };
}

/** EC2 errors answered by the sandbox (Ec2Emulator.stats()), summed per code, and the throttles per action. */
export function ec2Errors(h: Harness): {
  byCode: Record<string, number>;
  throttlesByAction: Record<string, number>;
  calls: number;
} {
  const stats = h.sb.ec2.stats();
  const byCode: Record<string, number> = {};
  const throttlesByAction: Record<string, number> = {};
  let calls = 0;
  for (const [action, s] of Object.entries(stats)) {
    calls += s.calls;
    for (const [code, n] of Object.entries(s.errors)) byCode[code] = (byCode[code] ?? 0) + n;
    if (s.errors.RequestLimitExceeded) throttlesByAction[action] = s.errors.RequestLimitExceeded;
  }
  return { byCode, throttlesByAction, calls };
}

/** Everything a provisioning can leave, read from GET /_sandbox/state. */
export function leaksOf(state: SandboxState) {
  const enis = state.ec2.networkInterfaces.map((e) => e.NetworkInterfaceId as string);
  const permissions = state.ec2.networkInterfacePermissions.map((p) => p.NetworkInterfacePermissionId as string);
  const securityGroups = state.ec2.securityGroups
    .filter((g) => g.GroupName !== 'default')
    .map((g) => g.GroupId as string);
  const accessPoints = state.confluent.accessPoints.map((a) => `${a.id}(${a.status?.phase ?? '?'})`);
  const gateways = state.confluent.gateways.map((g) => `${g.id}(${g.status?.phase ?? '?'})`);
  return {
    total: enis.length + permissions.length + securityGroups.length + accessPoints.length + gateways.length,
    counts: {
      enis: enis.length,
      permissions: permissions.length,
      securityGroups: securityGroups.length,
      accessPoints: accessPoints.length,
      gateways: gateways.length,
    },
    samples: {
      enis: enis.slice(0, 5),
      permissions: permissions.slice(0, 5),
      securityGroups: securityGroups.slice(0, 5),
      accessPoints: accessPoints.slice(0, 5),
      gateways: gateways.slice(0, 5),
    },
  };
}
