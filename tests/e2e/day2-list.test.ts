/**
 * (day 2) `pni list` with several connections, and the scheduled drift run (the drift machine started the way the
 * EventBridge schedule starts it, `{"scheduled": true}`, here with the AWS CLI) checking every SUCCEEDED one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT,
  awsJson,
  background,
  killAll,
  parseExports,
  poll,
  requireAwsCli,
  run,
  userEnv,
  type Background,
} from './helpers.js';

const DEMO = JSON.parse(readFileSync(path.join(ROOT, 'events/console-provision.json'), 'utf8')) as Record<
  string,
  unknown
>;
const DRIFT_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:pni-provisioner-dev-drift';

let sb: Background;
let env: Record<string, string> = {};
let tmp: string;
beforeAll(async () => {
  requireAwsCli();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pni-e2e-list-'));
  sb = background(process.execPath, ['bin/pni.js', 'sandbox', '--port', '0']);
  await sb.waitFor(/_sandbox\/state/, 60_000);
  env = parseExports(sb.out.stdout);
}, 90_000);
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const pni = (...args: string[]) =>
  run(process.execPath, ['bin/pni.js', ...args], { env: userEnv(env), timeoutMs: 120_000 });
function requestFile(name: string, over: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...DEMO, ...over }));
  return file;
}

test('several connections listed (filters, table, JSON), then one scheduled drift run checks every SUCCEEDED one', async () => {
  const a = requestFile('a', { requestId: 'pni-list-a' });
  const b = requestFile('b', { requestId: 'pni-list-b', environmentId: 'env-sandbox2' });
  const bad = requestFile('bad', { requestId: 'pni-list-bad', enisPerSubnet: 5 });
  const [ra, rb, rbad] = await Promise.all([pni('provision', a), pni('provision', b), pni('provision', bad)]);
  expect([ra.code, rb.code, rbad.code]).toEqual([0, 0, 1]);

  const all = JSON.parse((await pni('list', '--json')).stdout) as { requestId: string; status: string }[];
  expect(all.map((r) => [r.requestId, r.status]).sort()).toEqual([
    ['pni-list-a', 'SUCCEEDED'],
    ['pni-list-b', 'SUCCEEDED'],
    ['pni-list-bad', 'REJECTED'],
  ]);
  const table = await pni('list');
  expect(table.stdout.trim().split('\n')).toHaveLength(4); // header + 3
  expect(table.stdout).toMatch(/pni-list-b\s+env-sandbox2\s+vpc-0a1b2c3d4e5f60718\s+SUCCEEDED\s+51\s+ap-\S+\s+-/);
  expect(table.stdout).toMatch(
    /pni-list-bad\s+env-sandbox1\s+-\s+REJECTED\s+-\s+-\s+-|pni-list-bad\s+\S+\s+\S+\s+REJECTED/,
  );
  const succeeded = JSON.parse((await pni('list', '--status', 'SUCCEEDED', '--json')).stdout) as {
    requestId: string;
  }[];
  expect(succeeded.map((r) => r.requestId).sort()).toEqual(['pni-list-a', 'pni-list-b']);
  const env2 = JSON.parse((await pni('list', '--environment', 'env-sandbox2', '--json')).stdout) as {
    requestId: string;
  }[];
  expect(env2.map((r) => r.requestId)).toEqual(['pni-list-b']);

  const { executionArn } = await awsJson<{ executionArn: string }>(env, [
    'stepfunctions',
    'start-execution',
    '--state-machine-arn',
    DRIFT_ARN,
    '--input',
    '{"scheduled":true}',
  ]);
  const done = await poll(
    'the scheduled drift run',
    async () => {
      const d = await awsJson<{ status: string; output?: string }>(env, [
        'stepfunctions',
        'describe-execution',
        '--execution-arn',
        executionArn,
      ]);
      return d.status !== 'RUNNING' && d;
    },
    90_000,
  );
  expect(done.status).toBe('SUCCEEDED');
  const results = (JSON.parse(done.output ?? '{}').results ?? []) as { requestId: string; inSync: boolean }[];
  expect(results.map((r) => [r.requestId, r.inSync]).sort()).toEqual([
    ['pni-list-a', true],
    ['pni-list-b', true],
  ]);
  const listed = JSON.parse((await pni('list', '--status', 'SUCCEEDED', '--json')).stdout) as {
    lastDriftCheck?: { inSync: boolean };
  }[];
  expect(listed.map((r) => r.lastDriftCheck?.inSync)).toEqual([true, true]);
  const after = await pni('list');
  expect(after.stdout).toMatch(/pni-list-a\s+.*in sync \d{4}-\d\d-\d\dT/);
}, 240_000);
