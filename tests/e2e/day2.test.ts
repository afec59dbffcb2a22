/**
 * (day 2) `pni plan | list | drift | repair` as a user runs them against `pni sandbox` (child processes only, with the
 * environment the sandbox prints). The connection is broken with the AWS CLI, as someone would by hand.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT,
  aws,
  background,
  killAll,
  parseExports,
  requireAwsCli,
  run,
  userEnv,
  type Background,
} from './helpers.js';

const DEMO = JSON.parse(readFileSync(path.join(ROOT, 'events/console-provision.json'), 'utf8')) as Record<
  string,
  unknown
> & { requestId: string };
const ID = DEMO.requestId;

let sb: Background;
let env: Record<string, string> = {};
let tmp: string;

beforeAll(async () => {
  requireAwsCli();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pni-e2e-day2-'));
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

test('plan: a good request prints the 51 slots and changes nothing; a bad one names the field and exits 2', async () => {
  const good = await pni('plan', 'events/console-provision.json');
  expect(good.stderr).toContain('checking every rule');
  expect(good.code).toBe(0);
  expect(good.stdout).toContain(`plan for ${ID} (nothing was created)`);
  expect(good.stdout).toContain('ENIs             51');
  expect(good.stdout).toMatch(/ {2}50 {2}subnet-0c3c3c3c3c3c3c3c3 {2}usw2-az3/);
  const json = JSON.parse((await pni('plan', 'events/console-provision.json', '--json')).stdout);
  expect(json).toMatchObject({ ok: true, requestId: ID, permissions: { count: 51 } });
  expect(json.enis).toHaveLength(51);

  const state = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_sandbox/state`)).json()) as {
    ec2: { networkInterfaces: unknown[] };
    confluent: { gateways: unknown[] };
  };
  expect(state.ec2.networkInterfaces).toEqual([]);
  expect(state.confluent.gateways).toEqual([]);

  const badFile = path.join(tmp, 'bad.json');
  writeFileSync(
    badFile,
    JSON.stringify({
      ...DEMO,
      subnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0e5e5e5e5e5e5e5e5'],
    }),
  );
  const bad = await pni('plan', badFile);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('pni: plan refused: subnetIds[2]:');
});

test('list, drift, repair: a provisioned connection is listed and in sync; a deleted permission is drift (exit 3), repaired, in sync again', async () => {
  expect((await pni('provision', 'events/console-provision.json', '--json')).code).toBe(0);

  const list = await pni('list');
  expect(list.code).toBe(0);
  expect(list.stdout.split('\n')[0]).toMatch(
    /^REQUEST ID\s+ENVIRONMENT\s+VPC\s+STATUS\s+ENIS\s+ACCESS POINT\s+LAST DRIFT CHECK$/,
  );
  expect(list.stdout).toMatch(
    new RegExp(`${ID}\\s+env-sandbox1\\s+vpc-0a1b2c3d4e5f60718\\s+SUCCEEDED\\s+51\\s+ap-\\S+\\s+-`),
  );

  const inSync = await pni('drift', ID);
  expect({ code: inSync.code, out: inSync.stdout }).toEqual({
    code: 0,
    out: expect.stringContaining(`${ID}: in sync`),
  });

  const perms = JSON.parse(
    (await aws(env, ['ec2', 'describe-network-interface-permissions', '--output', 'json'])).stdout,
  ).NetworkInterfacePermissions as { NetworkInterfacePermissionId: string; NetworkInterfaceId: string }[];
  expect(perms).toHaveLength(51);
  const gone = perms[0];
  const del = await aws(env, [
    'ec2',
    'delete-network-interface-permission',
    '--network-interface-permission-id',
    gone.NetworkInterfacePermissionId,
    '--force',
  ]);
  expect(del.code).toBe(0);

  const drifted = await pni('drift', ID);
  expect(drifted.code).toBe(3);
  expect(drifted.stdout).toContain(`${ID}: DRIFTED, 1 difference(s)`);
  expect(drifted.stdout).toMatch(
    new RegExp(
      `networkInterfacePermission\\s+${gone.NetworkInterfaceId}\\s+expected INSTANCE-ATTACH for 999988887777; actual none`,
    ),
  );
  const driftJson = JSON.parse((await pni('drift', ID, '--json')).stdout);
  expect(driftJson).toMatchObject({ requestId: ID, checked: true, inSync: false });

  const listed = JSON.parse(
    (await pni('list', '--status', 'SUCCEEDED', '--environment', 'env-sandbox1', '--json')).stdout,
  );
  expect(listed).toEqual([
    expect.objectContaining({
      requestId: ID,
      lastDriftCheck: expect.objectContaining({ inSync: false, differenceCount: 1 }),
    }),
  ]);
  expect(JSON.parse((await pni('list', '--environment', 'env-sandbox2', '--json')).stdout)).toEqual([]);

  const repair = await pni('repair', ID);
  expect(repair.code).toBe(0);
  expect(repair.stdout).toContain(`${ID}: repaired, in sync`);
  expect(repair.stdout).toContain(`done: granted INSTANCE-ATTACH on ${gone.NetworkInterfaceId} to 999988887777`);
  expect(repair.stderr).toContain('taking the (environment, VPC) lock');
  expect((await pni('drift', ID)).code).toBe(0);

  const unknown = await pni('repair', 'pni-nobody-here');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('no request with id pni-nobody-here is known');
  expect((await pni('list', '--status', 'NOPE')).code).toBe(2);
}, 240_000);
