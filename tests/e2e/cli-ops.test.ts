/**
 * The `pni` command's operator edges (issue 12), as a user meets them, against one `pni sandbox` child:
 * a busy port, --help per command, a malformed request file, an unknown request id, --no-wait, teardown
 * progress, and --stack reading the state machines and the table from the stack outputs the sandbox serves
 * (CloudFormation DescribeStacks) — and the refusal to guess against AWS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { background, killAll, parseExports, poll, run, userEnv, type Background, type Run } from './helpers.js';

let tmp: string;
let sandbox: Background;
let sandboxEnv: Record<string, string>;
let port: number;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pni-e2e-ops-'));
  sandbox = background(process.execPath, ['bin/pni.js', 'sandbox', '--port', '0']);
  await sandbox.waitFor(/_sandbox\/state/, 90_000);
  sandboxEnv = parseExports(sandbox.out.stdout);
  port = Number(new URL(sandboxEnv.AWS_ENDPOINT_URL).port);
}, 120_000);

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** `node bin/pni.js ...` with the sandbox's exported environment (plus `extra`). */
const pni = (args: string[], extra: Record<string, string> = {}, timeoutMs = 110_000): Promise<Run> =>
  run(process.execPath, ['bin/pni.js', ...args], { env: userEnv({ ...sandboxEnv, ...extra }), timeoutMs });

const explain = (r: Run) =>
  `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function request(requestId: string): string {
  const file = path.join(tmp, `${requestId}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      requestId,
      environmentId: 'env-sandbox1',
      region: 'us-west-2',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0c3c3c3c3c3c3c3c3'],
    }),
  );
  return file;
}

describe('a busy port', () => {
  test.each([['sandbox'], ['start']])(
    'pni %s --port <taken>: exits 1 at once, "port N is in use (try --port)", nothing left running',
    async (command) => {
      const r = await run(process.execPath, ['bin/pni.js', command, '--port', String(port)], { timeoutMs: 60_000 });
      // it exited by itself (no timeout kill): neither the front door nor dynalite is left listening
      expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 1, timedOut: false });
      expect(r.stderr).toContain(`port ${port} is in use (try --port)`);
      expect(r.stdout).not.toMatch(/listening|provisioned/);
    },
    90_000,
  );
});

describe('--help per command', () => {
  test.each([
    ['start', /--keep/],
    ['sandbox', /--port/],
    ['provision', /--no-wait/],
    ['teardown', /exit 3/],
    ['status', /--table/],
  ])(
    'pni %s --help: exit 0, the command usage on stdout',
    async (command, mentions) => {
      const r = await run(process.execPath, ['bin/pni.js', command, '--help'], { timeoutMs: 60_000 });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(
        r.stdout.startsWith(`pni ${command === 'start' || command === 'sandbox' ? command : '[--stack NAME]'}`),
      ).toBe(true);
      expect(r.stdout).toMatch(mentions);
    },
    90_000,
  );
});

describe('a malformed request file', () => {
  test('pni provision / pni start --event: the file name, line and column', async () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{\n  "requestId": "pni-e2e-bad",\n  "vpcId": \n}\n');
    const p = await pni(['provision', bad]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(`${bad}:4:1: not valid JSON: unexpected "}" at line 4, column 1`);
    const s = await pni(['start', '--event', bad]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`${bad}:4:1: not valid JSON`);
    const cut = path.join(tmp, 'cut.json');
    writeFileSync(cut, '{"requestId": "pni-e2e-cut",');
    const c = await pni(['provision', cut]);
    expect(c.stderr).toContain(`${cut}:1:29: not valid JSON: unexpected the end of the file`);
  }, 120_000);
});

describe('an unknown request id', () => {
  test('pni teardown <unknown>: a clear no-op, exit 3 (human and --json)', async () => {
    const r = await pni(['teardown', 'pni-e2e-nobody']);
    expect({ code: r.code, why: r.code === 3 ? '' : explain(r) }).toEqual({ code: 3, why: '' });
    expect(r.stdout).toMatch(/^no request with id pni-e2e-nobody is known: nothing to tear down \(nothing changed\)$/m);
    expect(r.stdout).not.toMatch(/SUCCEEDED/);
    const j = await pni(['teardown', 'pni-e2e-nobody', '--json']);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'NOOP' } });
  }, 120_000);
});

describe('--stack: the stack outputs (DescribeStacks)', () => {
  test('the sandbox serves its own stack; an unknown stack is named', async () => {
    const unknown = await pni(['--stack', 'pni-provisioner-nope', 'status', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('stack pni-provisioner-nope does not exist in us-west-2');
    const viaEnv = await pni(['status', 'pni-e2e-nobody'], { PNI_STACK: 'pni-provisioner-dev' });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toContain('no request pni-e2e-nobody in pni-provisioner-sandbox-state');
  }, 120_000);

  test('against AWS with neither a stack nor the variables, it refuses and says what to set (no call is made)', async () => {
    const r = await run(process.execPath, ['bin/pni.js', 'teardown', 'pni-e2e-x'], {
      env: userEnv({ AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pass --stack <stack name> or set PNI_STACK .* or set PNI_TEARDOWN_STATE_MACHINE_ARN/);
  }, 90_000);

  test('provision --no-wait returns at once; status follows; teardown counts what it removes', async () => {
    const file = request('pni-e2e-nowait');
    const started = await pni(['--stack', 'pni-provisioner-dev', 'provision', file, '--no-wait', '--json']);
    expect({ code: started.code, why: started.code === 0 ? '' : explain(started) }).toEqual({ code: 0, why: '' });
    const s = JSON.parse(started.stdout);
    expect(s).toMatchObject({ status: 'RUNNING', name: 'pni-e2e-nowait' });
    expect(s.executionArn).toMatch(/:execution:pni-provisioner-dev-provision:pni-e2e-nowait$/);

    await poll(
      'the provisioning to succeed',
      async () => {
        const st = await pni(['--stack', 'pni-provisioner-dev', 'status', 'pni-e2e-nowait', '--json']);
        return st.code === 0 && JSON.parse(st.stdout).status === 'SUCCEEDED';
      },
      100_000,
      500,
    );

    const td = await pni(['teardown', 'pni-e2e-nowait', '--stack', 'pni-provisioner-dev']);
    expect({ code: td.code, why: td.code === 0 ? '' : explain(td) }).toEqual({ code: 0, why: '' });
    expect(td.stdout).toMatch(/^\s+deleting ENIs\s+done 2\/5: access point, permissions \(51 ENIs to remove\)/m);
    expect(td.stdout).toMatch(/done 5\/5: access point, permissions, 51 ENIs, security group, gateway/);
    expect(td.stdout).toMatch(/^PNI connection pni-e2e-nowait torn down: nothing is left$/m);
    expect(td.stdout).not.toMatch(/ENIs\s+0\/0/);
  }, 240_000);

  test('provision prints a summary by default (no JSON dump), --json only JSON', async () => {
    const file = request('pni-e2e-summary');
    const human = await pni(['provision', file, '--stack', 'pni-provisioner-dev']);
    expect({ code: human.code, why: human.code === 0 ? '' : explain(human) }).toEqual({ code: 0, why: '' });
    expect(human.stdout).toMatch(/^PNI connection pni-e2e-summary provisioned$/m);
    expect(human.stdout).toMatch(/^\s+ENIs\s+51$/m);
    expect(human.stdout).not.toMatch(/eni-[0-9a-f]+/);
    const json = await pni(['provision', file, '--stack', 'pni-provisioner-dev', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { requestId: 'pni-e2e-summary' } });
    expect(json.stderr).toBe('');
  }, 240_000);
});
