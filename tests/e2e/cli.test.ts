/**
 * The `pni` command as a user runs it: child processes from the project root (`npm start` = `node bin/pni.js start`).
 * Nothing here asserts a wall-clock time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, killAll, pni, run } from './helpers.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pni-e2e-'));
});
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const explain = (r: { code: number | null; stdout: string; stderr: string; timedOut: boolean }) =>
  `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('npm start', () => {
  test('provisions the sample connection: progress lines and the summary', async () => {
    const r = await run('npm', ['start'], { timeoutMs: 110_000 });
    expect({ code: r.code, why: r.code === 0 ? '' : explain(r) }).toEqual({ code: 0, why: '' });
    const out = r.stdout;
    // Progress: one line per phase when stdout is not a TTY.
    for (const phase of [
      'validating request',
      'creating gateway + security group + ENIs',
      'granting INSTANCE-ATTACH permissions',
      'creating access point',
    ]) {
      expect(out).toMatch(
        new RegExp(`^\\s+${phase.replace(/[+]/g, '\\+')}\\s+ENIs\\s+\\d+/51\\s+gateway (pending|ready)`, 'm'),
      );
    }
    expect(out).toMatch(/^PNI connection pni-sandbox-eventbridge provisioned$/m);
    expect(out).toMatch(/^\s+gateway\s+gw-[a-z0-9]+$/m);
    expect(out).toMatch(/^\s+access point\s+ap-[a-z0-9]+$/m);
    expect(out).toMatch(/^\s+security group\s+sg-[0-9a-f]+$/m);
    expect(out).toMatch(/^\s+ENIs\s+51$/m);
    expect(out).toMatch(/^\s+Confluent acct\s+999988887777$/m);
    expect(out).toMatch(/^\s+events\s+.*Provisioning Started, Provisioning Phase Changed x4, Provisioning Succeeded$/m);
    expect(out).not.toMatch(/^\s+error\s/m);
  }, 120_000);
});

describe('pni start --json', () => {
  test('exits 0 and prints only JSON: SUCCEEDED, 51 ENIs, Started / 4 Phase Changed / Succeeded', async () => {
    const r = await pni(['start', '--json'], { timeoutMs: 110_000 });
    expect({ code: r.code, why: r.code === 0 ? '' : explain(r) }).toEqual({ code: 0, why: '' });
    let summary: Record<string, any>;
    try {
      summary = JSON.parse(r.stdout);
    } catch (err) {
      throw new Error(`stdout is not (only) JSON: ${(err as Error).message}\n${r.stdout}`);
    }
    expect(summary).toMatchObject({
      requestId: 'pni-sandbox-eventbridge',
      status: 'SUCCEEDED',
      eniCount: 51,
      confluentAccount: '999988887777',
      gatewayId: expect.stringMatching(/^gw-/),
      accessPointId: expect.stringMatching(/^ap-/),
      securityGroupId: expect.stringMatching(/^sg-/),
      executionArn: expect.stringMatching(
        /^arn:aws:states:us-west-2:111122223333:execution:pni-provisioner-dev-provision:/,
      ),
      durationMs: expect.any(Number),
    });
    expect(summary.error).toBeUndefined();
    const events = summary.events as string[];
    expect(events[0]).toBe('PNI Provisioning Started');
    expect(events.filter((e) => e === 'PNI Provisioning Phase Changed')).toHaveLength(4);
    expect(events[events.length - 1]).toBe('PNI Provisioning Succeeded');
    expect(events).toHaveLength(6);
  }, 120_000);
});

describe('usage and request errors', () => {
  test('pni start --profile slow: exit 2, the message names --profile', async () => {
    const r = await pni(['start', '--profile', 'slow'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--profile/);
    expect(r.stdout).not.toMatch(/provisioned/);
  }, 90_000);

  test('pni frobnicate: exit 2, unknown command', async () => {
    const r = await pni(['frobnicate'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  }, 90_000);

  test('pni start --event <invalid request>: exit 1, the summary names RequestInvalid and the field', async () => {
    const sample = JSON.parse(readFileSync(path.join(ROOT, 'events/eventbridge-provisioning-requested.json'), 'utf8'));
    sample.detail.requestId = 'pni-e2e-invalid';
    sample.detail.subnetIds = sample.detail.subnetIds.slice(0, 2);
    const file = path.join(tmp, 'two-subnets.json');
    writeFileSync(file, JSON.stringify(sample, null, 2));
    const r = await pni(['start', '--event', file], { timeoutMs: 110_000 });
    expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 1, timedOut: false });
    expect(r.stdout).toMatch(/^PNI connection pni-e2e-invalid: FAILED$/m);
    expect(r.stdout).toMatch(/^\s+error\s+RequestInvalid: .*subnetIds/m);
    expect(r.stdout).toMatch(/^\s+ENIs\s+0$/m);
  }, 120_000);
});
