/**
 * End-to-end helpers: the `pni` CLI and the AWS CLI as child processes, as a user runs them from the project root.
 * Every child runs in its own process group with a timeout; `killAll()` (afterAll) ends whatever is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PROVISION_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:pni-provisioner-dev-provision';
export const TEARDOWN_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:pni-provisioner-dev-teardown';
export const AWS_CLI = '/usr/bin/aws';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const running = new Set<ChildProcess>();

/** The environment a user's shell would have: nothing of the test runner's (NODE_OPTIONS, AWS_*, CONFLUENT_*). */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k === 'JEST_WORKER_ID' || k.startsWith('AWS_') || k.startsWith('CONFLUENT_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** A long-running child (e.g. `pni sandbox`): output accumulates in `out`; `exited` resolves with the final run. */
export interface Background {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  exited: Promise<Run>;
  /** Resolves once stdout matches `re` (rejects after `timeoutMs` or if the child exits first). */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

export function background(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Background {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? userEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => {
    out.stdout += c.toString('utf8');
  });
  child.stderr!.on('data', (c: Buffer) => {
    out.stderr += c.toString('utf8');
  });
  const exited = new Promise<Run>((resolve) => {
    child.on('error', (err) => {
      out.stderr += `\n(spawn error: ${err.message})`;
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, ...out, timedOut: false });
    });
  });
  const waitFor = (re: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const t0 = Date.now();
      const tick = () => {
        const m = out.stdout.match(re);
        if (m) {
          resolve(m);
          return;
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(
            new Error(
              `${cmd} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before printing ${re}:\n${out.stdout}\n${out.stderr}`,
            ),
          );
          return;
        }
        if (Date.now() - t0 > timeoutMs) {
          reject(
            new Error(
              `${cmd} ${args.join(' ')} did not print ${re} within ${timeoutMs} ms:\n${out.stdout}\n${out.stderr}`,
            ),
          );
          return;
        }
        setTimeout(tick, 50);
      };
      tick();
    });
  return { child, out, exited, waitFor };
}

/** Run to completion; killed (process group, SIGKILL) after `timeoutMs`. */
export async function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  const bg = background(cmd, args, opts);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(bg.child, 'SIGKILL');
  }, opts.timeoutMs ?? 90_000);
  const r = await bg.exited;
  clearTimeout(timer);
  return { ...r, timedOut };
}

/** `node bin/pni.js ...` from the project root. */
export function pni(args: string[], opts: { timeoutMs?: number } = {}): Promise<Run> {
  return run(process.execPath, ['bin/pni.js', ...args], opts);
}

/** Ends every child still running (afterAll). */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const c of left) killGroup(c, 'SIGKILL');
  await Promise.all(
    left.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) {
            resolve();
            return;
          }
          c.once('close', () => resolve());
          setTimeout(resolve, 5000).unref();
        }),
    ),
  );
}

/** The `export NAME=value` lines `pni sandbox` prints. */
export function parseExports(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of stdout.matchAll(/^export ([A-Z_][A-Z0-9_]*)=(.*)$/gm)) env[m[1]] = m[2].trim();
  return env;
}

/** Fails with an actionable message when the Debian AWS CLI is not installed (.ci/run installs it). */
export function requireAwsCli(): void {
  if (!existsSync(AWS_CLI)) {
    throw new Error(
      `the e2e tests drive the sandbox with the Debian AWS CLI at ${AWS_CLI}, which is missing: install it with "apt-get install -y awscli" (.ci/run does)`,
    );
  }
}

/**
 * `aws ... --endpoint-url <the exported AWS_ENDPOINT_URL>` with the sandbox's exported environment only (no config or
 * credential files, no pager). The endpoint is passed explicitly: the Debian package is AWS CLI 2.9, which predates
 * AWS_ENDPOINT_URL (2.13) and would otherwise call the real AWS endpoints. Anything but 127.0.0.1 is refused.
 */
export async function aws(sandboxEnv: Record<string, string>, args: string[], timeoutMs = 60_000): Promise<Run> {
  const endpoint = sandboxEnv.AWS_ENDPOINT_URL ?? '';
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint))
    throw new Error(`refusing to run the AWS CLI: AWS_ENDPOINT_URL "${endpoint}" is not the local sandbox`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    ...sandboxEnv,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return run(AWS_CLI, [...args, '--endpoint-url', endpoint, '--output', 'json'], { env, timeoutMs });
}

export async function awsJson<T = any>(sandboxEnv: Record<string, string>, args: string[]): Promise<T> {
  const r = await aws(sandboxEnv, args);
  if (r.code !== 0)
    throw new Error(`aws ${args.join(' ')} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr}`);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}

/** Polls `fn` every `everyMs` until it returns a truthy value; bounded by `timeoutMs`. */
export async function poll<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
