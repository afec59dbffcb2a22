/**
 * What the console is served and reads, without a browser: its files, the read-only GET /_sandbox/records, the
 * samples, and the page's history model (sandbox/ui/static/history.js) on a real execution history.
 */
import { Sandbox } from '#sandbox/server.js';
import { indexMachine } from '#sandbox/ui/static/asl.js';
import { stateRuns } from '#sandbox/ui/static/history.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await Sandbox.start({ port: 0 });
});
afterAll(async () => {
  await sb?.stop();
});

const get = (path: string) => fetch(`${sb.url}${path}`, { redirect: 'manual' });

test('the console page, its modules and the vendored graph layout are served; nothing outside its folder is', async () => {
  const page = await get('/_sandbox/ui/');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(await page.text()).toContain('PNI sandbox console');
  expect((await get('/_sandbox/ui')).headers.get('location')).toBe('/_sandbox/ui/');
  for (const file of [
    'app.js',
    'api.js',
    'asl.js',
    'graph.js',
    'history.js',
    'resources.js',
    'events.js',
    'faults.js',
    'dom.js',
    'console.css',
  ]) {
    expect([file, (await get(`/_sandbox/ui/${file}`)).status]).toEqual([file, 200]);
  }
  const dagre = await get('/_sandbox/ui/vendor/dagre.esm.js');
  expect(dagre.status).toBe(200);
  expect(dagre.headers.get('content-type')).toContain('javascript');
  for (const bad of [
    '/_sandbox/ui/../server.ts',
    '/_sandbox/ui/%2e%2e/server.ts',
    '/_sandbox/ui/vendor/../../package.json',
    '/_sandbox/ui/nope.js',
  ]) {
    expect([bad, (await get(bad)).status]).toEqual([bad, 404]);
  }
  expect((await fetch(`${sb.url}/_sandbox/ui/app.js`, { method: 'POST' })).status).toBe(404);
  const samples = (await (await get('/_sandbox/ui/samples')).json()) as {
    provision: { requestId: string };
    teardown: { requestId: string };
  };
  expect(samples.provision.requestId).toBe('pni-sandbox-demo');
  expect(samples.teardown).toEqual({ requestId: 'pni-sandbox-demo' });
});

test('GET /_sandbox/records reads the state table; the history model colours a rollback run', async () => {
  expect(await (await get('/_sandbox/records')).json()).toEqual({ table: 'pni-provisioner-sandbox-state', items: [] });
  const samples = (await (await get('/_sandbox/ui/samples')).json()) as { provision: unknown };
  sb.faults.add({
    service: 'ec2',
    action: 'CreateNetworkInterface',
    error: 'InsufficientFreeAddressesInSubnet',
    onCall: 26,
  });
  sb.faults.add({ service: 'lambda', action: 'createSecurityGroup', error: 'Lambda.ServiceException', times: 2 });
  const machineArn = sb.stepFunctions.stateMachineArn('provision');
  const { executionArn } = sb.stepFunctions.startExecution({
    stateMachineArn: machineArn,
    name: 'pni-sandbox-demo',
    input: JSON.stringify(samples.provision),
  });
  const done = await sb.stepFunctions.waitForExecution(executionArn);
  expect(done.status).toBe('FAILED');

  const { items } = (await (await get('/_sandbox/records')).json()) as {
    items: { pk: string; sk: string; status: string }[];
  };
  expect(items.find((i) => i.sk === 'META')).toMatchObject({ pk: 'REQUEST#pni-sandbox-demo', status: 'ROLLED_BACK' });
  expect(items.filter((i) => i.sk.startsWith('ENI#')).length).toBeGreaterThan(0);

  const definition = JSON.parse(String(sb.stepFunctions.describeStateMachine(machineArn).definition));
  const machine = indexMachine(definition);
  const runs = stateRuns(
    machine,
    sb.stepFunctions.getExecutionHistory(executionArn, { maxResults: 1000 }).events,
    done.status,
  );
  const status = (name: string) => runs.get(name)?.status;
  expect(status('ValidateRequest')).toBe('succeeded');
  expect(status('CreateSecurityGroup')).toBe('succeeded');
  expect(runs.get('CreateSecurityGroup')?.retries).toBe(2);
  expect(status('CreateEni')).toBe('failed');
  expect(runs.get('CreateEnis')?.iterations?.failed).toBe(1);
  expect(status('ProvisionResources')).toBe('caught');
  expect(status('Rollback')).toBe('succeeded');
  expect(runs.get('Rollback')?.child).toMatch(/:execution:pni-provisioner-dev-teardown:/);
  expect(status('ProvisioningFailed')).toBe('failed');
  expect(status('GrantPermissions')).toBe('notrun');
});
