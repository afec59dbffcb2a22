/**
 * `pni sandbox` in the foreground, driven with the Debian AWS CLI (/usr/bin/aws) using only the environment the
 * sandbox prints: provision the console sample, see its 51 ENIs, tear it down through EventBridge, stop with SIGTERM.
 * Polls are bounded; nothing asserts a wall-clock time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  PROVISION_ARN,
  ROOT,
  TEARDOWN_ARN,
  awsJson,
  background,
  killAll,
  parseExports,
  poll,
  requireAwsCli,
  type Background,
} from './helpers.js';

const DEMO = JSON.parse(readFileSync(path.join(ROOT, 'events/console-provision.json'), 'utf8')) as {
  requestId: string;
};
const TEARDOWN_ENTRIES_FILE = 'events/put-events-teardown-requested.json';
const teardownEntries = JSON.parse(readFileSync(path.join(ROOT, TEARDOWN_ENTRIES_FILE), 'utf8')) as {
  Source: string;
  DetailType: string;
  Detail: string;
}[];

let sb: Background;
let env: Record<string, string> = {};
let tmp: string;

beforeAll(() => {
  requireAwsCli();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pni-e2e-sbx-'));
  sb = background(process.execPath, ['bin/pni.js', 'sandbox', '--port', '0']);
});
afterAll(async () => {
  await killAll();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const enisOf = async (requestId: string) =>
  (
    await awsJson<{ NetworkInterfaces: { NetworkInterfaceId: string }[] }>(env, [
      'ec2',
      'describe-network-interfaces',
      '--filters',
      `Name=tag:pni:request-id,Values=${requestId}`,
    ])
  ).NetworkInterfaces;

describe('pni sandbox + the AWS CLI', () => {
  test('prints the endpoint and `export NAME=value` lines a client needs', async () => {
    await sb.waitFor(/^# state: curl /m, 60_000);
    env = parseExports(sb.out.stdout);
    expect(sb.out.stdout).toMatch(
      /^pni sandbox listening on http:\/\/127\.0\.0\.1:\d+ \(profile fast, region us-west-2, account 111122223333\)$/m,
    );
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
    });
    expect(Number(new URL(env.AWS_ENDPOINT_URL).port)).toBeGreaterThan(0);
    const [, consoleUrl] = await sb.waitFor(/^# console: (http:\/\/127\.0\.0\.1:\d+\/_sandbox\/ui\/)$/m, 10_000);
    expect(consoleUrl.startsWith(env.AWS_ENDPOINT_URL)).toBe(true);
    expect((await fetch(consoleUrl)).status).toBe(200);
  }, 70_000);

  test('aws stepfunctions start-execution with the console sample; describe-execution reaches SUCCEEDED', async () => {
    const started = await awsJson<{ executionArn: string }>(env, [
      'stepfunctions',
      'start-execution',
      '--state-machine-arn',
      PROVISION_ARN,
      '--name',
      DEMO.requestId,
      '--input',
      'file://events/console-provision.json',
    ]);
    expect(started.executionArn).toBe(
      `arn:aws:states:us-west-2:111122223333:execution:pni-provisioner-dev-provision:${DEMO.requestId}`,
    );
    const done = await poll(
      'the provisioning to finish',
      async () => {
        const d = await awsJson<{ status: string; error?: string; cause?: string; output?: string }>(env, [
          'stepfunctions',
          'describe-execution',
          '--execution-arn',
          started.executionArn,
        ]);
        return d.status !== 'RUNNING' && d;
      },
      90_000,
      500,
    );
    expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    expect(JSON.parse(done.output!)).toMatchObject({ requestId: DEMO.requestId, status: 'SUCCEEDED' });
  }, 110_000);

  test('aws ec2 describe-network-interfaces by the request tag shows 51', async () => {
    expect(await enisOf(DEMO.requestId)).toHaveLength(51);
  }, 70_000);

  test('aws events put-events with the teardown entries removes the ENIs', async () => {
    // The put-events sample tears down the put-events provisioning sample's request; send the same entry for this one.
    const detail = JSON.parse(teardownEntries[0].Detail) as { requestId: string };
    const entriesFile = path.join(tmp, 'teardown-demo.json');
    writeFileSync(
      entriesFile,
      JSON.stringify([{ ...teardownEntries[0], Detail: JSON.stringify({ ...detail, requestId: DEMO.requestId }) }]),
    );
    const put = await awsJson<{ FailedEntryCount: number; Entries: { EventId?: string }[] }>(env, [
      'events',
      'put-events',
      '--entries',
      `file://${entriesFile}`,
    ]);
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries[0].EventId).toEqual(expect.any(String));
    await poll('the ENIs to be gone', async () => (await enisOf(DEMO.requestId)).length === 0, 90_000, 500);
    // The teardown execution EventBridge started for this request (its input carries the request id) succeeded.
    const statuses = await poll(
      'the teardown execution to finish',
      async () => {
        const list = await awsJson<{ executions: { executionArn: string }[] }>(env, [
          'stepfunctions',
          'list-executions',
          '--state-machine-arn',
          TEARDOWN_ARN,
        ]);
        const all = await Promise.all(
          list.executions.map((e) =>
            awsJson<{ status: string; input?: string }>(env, [
              'stepfunctions',
              'describe-execution',
              '--execution-arn',
              e.executionArn,
            ]),
          ),
        );
        const mine = all.filter((d) => (d.input ?? '').replace(/\s/g, '').includes(`"requestId":"${DEMO.requestId}"`));
        return mine.length > 0 && mine.every((d) => d.status !== 'RUNNING') && mine.map((d) => d.status);
      },
      60_000,
      500,
    );
    expect(statuses).toEqual(['SUCCEEDED']);
  }, 110_000);

  test('every teardown sample tears down the request its provisioning sample builds', () => {
    const read = (f: string) => JSON.parse(readFileSync(path.join(ROOT, 'events', f), 'utf8'));
    expect(teardownEntries).toHaveLength(1);
    expect(teardownEntries[0]).toMatchObject({ Source: 'pni.requests', DetailType: 'PNI Teardown Requested' });
    const putProvision = JSON.parse(read('put-events-provisioning-requested.json')[0].Detail).requestId;
    expect(JSON.parse(teardownEntries[0].Detail).requestId).toBe(putProvision);
    expect(read('eventbridge-teardown-requested.json').detail.requestId).toBe(
      read('eventbridge-provisioning-requested.json').detail.requestId,
    );
    expect(read('console-teardown.json').requestId).toBe(DEMO.requestId);
  });

  test('SIGTERM stops the sandbox: exit 0 and "pni sandbox stopped"', async () => {
    expect(sb.child.pid).toEqual(expect.any(Number));
    sb.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      sb.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`the sandbox did not exit within 30 s of SIGTERM:\n${sb.out.stdout}\n${sb.out.stderr}`)),
          30_000,
        );
      }),
    ]);
    clearTimeout(timer);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    expect(r.stdout).toMatch(/^pni sandbox stopped$/m);
  }, 40_000);
});
