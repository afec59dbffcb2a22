/**
 * `pni provision | teardown | status` as a user runs them against `pni sandbox` (child processes only).
 * Executions are named after the request id; starting the same request twice at once is harmless.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
let sandbox: ChildProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = spawn(process.execPath, ['bin/pni.js', 'sandbox', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start:\n${out}`)), 60_000);
    sandbox.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('_sandbox/state')) {
        clearTimeout(timer);
        resolve();
      }
    });
    sandbox.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited (${code}):\n${out}`));
    });
  });
  env = { ...process.env };
  for (const m of out.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[m[1]] = m[2];
});

afterAll(async () => {
  if (sandbox.exitCode === null) {
    const exited = new Promise((r) => sandbox.once('exit', r));
    sandbox.kill('SIGTERM');
    await exited;
  }
});

const pni = (...args: string[]) => run(process.execPath, ['bin/pni.js', ...args], { cwd: root, env, timeout: 120_000 });

test('provision twice at once, status, teardown, provision again', async () => {
  const [a, b] = await Promise.all([
    pni('provision', 'events/console-provision.json', '--json'),
    pni('provision', 'events/console-provision.json', '--json'),
  ]);
  const ra = JSON.parse(a.stdout);
  const rb = JSON.parse(b.stdout);
  expect(ra.status).toBe('SUCCEEDED');
  expect(rb.executionArn).toBe(ra.executionArn);
  expect(ra.executionArn).toMatch(/:execution:pni-provisioner-dev-provision:pni-sandbox-demo$/);
  expect(ra.output.eniIds).toHaveLength(51);

  const status = JSON.parse((await pni('status', 'pni-sandbox-demo', '--json')).stdout);
  expect(status).toMatchObject({
    requestId: 'pni-sandbox-demo',
    status: 'SUCCEEDED',
    accessPointId: ra.output.accessPointId,
  });

  const td = JSON.parse((await pni('teardown', 'pni-sandbox-demo', '--json')).stdout);
  expect(td).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'TORN_DOWN', leftovers: [] } });
  const state = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_sandbox/state`)).json()) as {
    ec2: { networkInterfaces: unknown[] };
  };
  expect(state.ec2.networkInterfaces).toEqual([]);

  const again = JSON.parse((await pni('provision', 'events/console-provision.json', '--json')).stdout);
  expect(again.status).toBe('SUCCEEDED');
  expect(again.executionArn).toMatch(/:pni-sandbox-demo-2$/);
});

test('errors exit 1 and say why (unknown request, a file that is not a request, no region)', async () => {
  await expect(pni('status', 'pni-nobody')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('no request pni-nobody'),
  });
  await expect(pni('provision', 'events/README.md')).rejects.toMatchObject({ code: 1 });
  await expect(
    run(process.execPath, ['bin/pni.js', 'status', 'x'], {
      cwd: root,
      env: { PATH: process.env.PATH },
      timeout: 60_000,
    }),
  ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no AWS region is configured') });
});
