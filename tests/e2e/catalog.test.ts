/**
 * The Service Catalog rehearsal as a user runs it against `pni sandbox` (child processes only):
 * `pni catalog launch | update | terminate` plays CloudFormation; the AWS CLI invokes the function directly.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const AWS_CLI = '/usr/bin/aws';
let sandbox: ChildProcess;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  sandbox = spawn(process.execPath, ['bin/pni.js', 'sandbox', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start:\n${out}`)), 60_000);
    sandbox.stdout?.on('data', (d: Buffer) => {
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
  dir = mkdtempSync(path.join(os.tmpdir(), 'pni-catalog-e2e-'));
});

afterAll(async () => {
  if (sandbox.exitCode === null) {
    const exited = new Promise((r) => sandbox.once('exit', r));
    sandbox.kill('SIGTERM');
    await exited;
  }
});

const pni = async (...args: string[]) => {
  try {
    const r = await run(process.execPath, ['bin/pni.js', ...args], { cwd: root, env, timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};
const file = (name: string, params: Record<string, unknown>) => {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(params));
  return p;
};

test('launch, update the routes, a refused update rolled back, terminate', async () => {
  const name = `e2e-${process.pid}`;
  const launched = await pni('catalog', 'launch', 'servicecatalog/sandbox-parameters.json', '--name', name, '--json');
  expect(launched.code).toBe(0);
  const stack = JSON.parse(launched.stdout);
  expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  const outputs = Object.fromEntries(
    stack.Outputs.map((o: { OutputKey: string; OutputValue: string }) => [o.OutputKey, o.OutputValue]),
  );
  expect(outputs).toMatchObject({ EniCount: '51', Status: 'READY', ConfluentAccount: '999988887777' });
  expect(outputs.RequestId).toMatch(/^sc-[0-9a-f]{16}$/);

  const base = {
    EnvironmentId: 'env-sandbox1',
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    SubnetIds: 'subnet-0a1a1a1a1a1a1a1a1,subnet-0b2b2b2b2b2b2b2b2,subnet-0c3c3c3c3c3c3c3c3',
    AccessPointName: 'payments-usw2',
  };
  const routes = await pni('catalog', 'update', name, file('routes.json', { ...base, EgressRoutes: '10.50.0.0/16' }));
  expect(routes.code).toBe(0);
  expect(routes.stdout).toMatch(/UPDATE_COMPLETE/);
  const state = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_sandbox/state`)).json()) as any;
  expect(state.confluent.accessPoints[0].spec.config.egress_routes).toEqual(['10.50.0.0/16']);

  const moved = await pni('catalog', 'update', name, file('vpc.json', { ...base, VpcId: 'vpc-0f9e8d7c6b5a49382' }));
  expect(moved.code).toBe(1);
  expect(moved.stdout).toMatch(/UPDATE_ROLLBACK_COMPLETE/);
  expect(moved.stdout).toMatch(/VpcId cannot change/);

  const gone = await pni('catalog', 'terminate', name);
  expect(gone.code).toBe(0);
  expect(gone.stdout).toMatch(/DELETE_COMPLETE/);
  const after = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_sandbox/state`)).json()) as any;
  expect(after.ec2.networkInterfaces).toEqual([]);
  expect(after.confluent.accessPoints).toEqual([]);

  const bad = await pni('catalog', 'launch', file('bad.json', { ...base, EnisPerSubnet: 3 }));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/EnisPerSubnet/);
});

(existsSync(AWS_CLI) ? test : test.skip)(
  'aws lambda invoke --endpoint-url reaches the function by its stack name',
  async () => {
    const event = file('delete.json', {
      RequestType: 'Delete',
      ResponseURL: `${env.AWS_ENDPOINT_URL}/_sandbox/cfn-responses/awscli/1`,
      StackId: 'arn:aws:cloudformation:us-west-2:111122223333:stack/awscli/1',
      RequestId: 'awscli-1',
      LogicalResourceId: 'PniConnection',
      ResourceType: 'Custom::PniConnection',
      ResourceProperties: {},
    });
    const out = path.join(dir, 'out.json');
    const r = await run(
      AWS_CLI,
      [
        '--endpoint-url',
        String(env.AWS_ENDPOINT_URL),
        'lambda',
        'invoke',
        '--function-name',
        'pni-provisioner-dev-serviceCatalogResource',
        '--cli-binary-format',
        'raw-in-base64-out',
        '--payload',
        `file://${event}`,
        out,
      ],
      { env, timeout: 60_000 },
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ StatusCode: 200 });
    const answers = (await (await fetch(`${env.AWS_ENDPOINT_URL}/_sandbox/cfn-responses`)).json()) as {
      path: string;
      body: any;
    }[];
    expect(answers.find((a) => a.path === '/_sandbox/cfn-responses/awscli/1')?.body).toMatchObject({
      Status: 'SUCCESS',
      RequestId: 'awscli-1',
    });
  },
);
