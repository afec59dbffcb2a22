/**
 * The sandbox console (/_sandbox/ui/) in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * the sample provisioning drawn to success with 51 ENIs in 3 AZs; then an ENI fault, the failure, the nested rollback
 * and an empty resource view. Assertions read the DOM only; screenshots go to artifacts/ (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Sandbox, PROJECT_ROOT } from '#sandbox/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(PROJECT_ROOT, 'artifacts');
const WAIT = { timeout: 45_000 };

let sb: Sandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM}: run "bash scripts/ensure-chromium.sh" (npm test and .ci/run do)`,
    );
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  sb = await Sandbox.start({ port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
});

afterAll(async () => {
  await browser?.close();
  await sb?.stop();
});

const state = (name: string) => page.locator(`g.state[data-state="${name}"]`);
const statusOf = (name: string) => state(name).getAttribute('data-status');

async function setProfile(body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${sb.url}/_sandbox/profile`, { method: 'POST', body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`profile refused: ${await r.text()}`);
}

async function attributes(selector: string, name: string): Promise<(string | null)[]> {
  return Promise.all((await page.locator(selector).all()).map((l) => l.getAttribute(name)));
}

async function openTab(name: 'graph' | 'resources' | 'events'): Promise<void> {
  await page.click(`[data-tab=${name}]`);
}

test('the console draws the sample provisioning to success, with 51 ENIs across 3 AZs', async () => {
  // A slow access point (4 s) keeps the execution running long enough to watch the graph update live.
  await setProfile({ name: 'fast', accessPointProvisionMs: 4000 });
  await page.goto(sb.consoleUrl);
  await page.getByRole('button', { name: 'Start provisioning (sample)' }).click();
  // The graph and the status pill come from the same poll: a running state means a running execution.
  await page.waitForSelector(
    ':is(g.state[data-state=WaitForAccessPoint], g.state[data-state=GetAccessPointStatus])[data-status=running]',
    WAIT,
  );
  expect(await statusOf('CreateAccessPoint')).toBe('succeeded');
  expect(await statusOf('RecordSucceeded')).toBe('notrun');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-running-graph.png'), fullPage: true });
  await page.waitForSelector('[data-testid=exec-status][data-status=SUCCEEDED]', WAIT);
  await setProfile({ name: 'fast' });
  await page.waitForSelector('g.state[data-state=RecordSucceeded][data-status=succeeded]', WAIT);

  // Every state of statemachine/provision.asl.json is drawn; the ones the run took are green.
  const asl = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'statemachine/provision.asl.json'), 'utf8'));
  expect(await page.locator('g.state').count()).toBeGreaterThanOrEqual(Object.keys(asl.States).length);
  for (const name of [
    'ValidateRequest',
    'ProvisionResources',
    'CreateEnis',
    'CreateEni',
    'GrantPermissions',
    'CreateAccessPoint',
    'RecordSucceeded',
  ]) {
    expect(await statusOf(name)).toBe('succeeded');
  }
  expect(await statusOf('Rollback')).toBe('notrun');
  expect(await state('CreateEnis').locator('.state-badge').textContent()).toContain('51/51');
  expect(await page.locator('tr[data-request="pni-sandbox-demo"] [data-testid=connection-status]').textContent()).toBe(
    'SUCCEEDED',
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-provisioned-graph.png'), fullPage: true });

  await openTab('resources');
  await expect(page.locator('[data-testid=live-count]').textContent()).resolves.toBe('51 ENIs live');
  expect(await page.locator('.az').count()).toBe(3);
  expect(await attributes('.az', 'data-az')).toEqual(['usw2-az1', 'usw2-az2', 'usw2-az3']);
  expect(await page.locator('[data-testid=az-eni-count]').allTextContents()).toEqual(['17', '17', '17']);
  expect(await page.locator('li.eni .perm-granted').count()).toBe(51);
  expect(await page.locator('[data-testid=gateway] .pill').textContent()).toBe('READY');
  expect(await page.locator('[data-testid=access-point] .pill').textContent()).toBe('READY');
  expect(await page.locator('[data-testid=security-group]').textContent()).toContain('9092');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-provisioned-resources.png'), fullPage: true });

  await openTab('events');
  const types = await attributes('li.event', 'data-type');
  expect(types[0]).toBe('PNI Provisioning Started');
  expect(types.at(-1)).toBe('PNI Provisioning Succeeded');
  await page.locator('li.event summary').first().click();
  expect(await page.locator('li.event pre').first().textContent()).toContain('"requestId": "pni-sandbox-demo"');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-provisioned-events.png'), fullPage: true });
});

test('an ENI fault from the console fails the provisioning, the graph shows the rollback, nothing is left', async () => {
  await page.getByRole('button', { name: 'Reset sandbox' }).click();
  await page.waitForSelector('text=No requests yet', WAIT);
  await page
    .getByRole('button', { name: /CreateNetworkInterface fails at call 26 with InsufficientFreeAddressesInSubnet/ })
    .click();
  await page.waitForSelector('[data-testid=fault-list] li[data-rule]', WAIT);
  expect(await page.locator('[data-testid=fault-list]').textContent()).toContain(
    'CreateNetworkInterface → InsufficientFreeAddressesInSubnet from call 26',
  );

  await openTab('graph');
  await page.getByRole('button', { name: 'Start provisioning (sample)' }).click();
  await page.waitForSelector('[data-testid=exec-status][data-status=FAILED]', WAIT);
  await page.waitForSelector('g.state[data-state=ProvisioningFailed][data-status=failed]', WAIT);
  expect(await page.locator('[data-testid=exec-error]').textContent()).toContain('InsufficientFreeAddressesInSubnet');
  expect(await statusOf('CreateEni')).toBe('failed');
  expect(await statusOf('ProvisionResources')).toBe('caught');
  expect(await statusOf('Rollback')).toBe('succeeded');
  expect(await statusOf('GrantPermissions')).toBe('notrun');
  expect(await page.locator('[data-testid=fault-list]').textContent()).toContain('fired 1');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-rollback-graph.png'), fullPage: true });

  await openTab('resources');
  await page.waitForSelector('[data-testid=resources-empty]', WAIT);
  expect(await page.locator('[data-testid=live-count]').textContent()).toBe('no live resources');
  expect(await page.locator('li.eni').count()).toBe(0);
  expect(await page.locator('[data-testid=leftovers]').count()).toBe(0);
  expect(await page.locator('[data-testid=removed]').textContent()).toMatch(
    /[1-9]\d* ENIs, gateway gw-\w+, securityGroup sg-/,
  );
  expect(await page.locator('tr[data-request="pni-sandbox-demo"] [data-testid=connection-status]').textContent()).toBe(
    'ROLLED_BACK',
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-rollback-resources.png'), fullPage: true });

  await openTab('events');
  const types = await attributes('li.event', 'data-type');
  expect(types.at(-1)).toBe('PNI Provisioning Failed');

  // The nested rollback is linked: open it and see the teardown machine's graph.
  await openTab('graph');
  await page.locator('#selected-links [data-testid=execution-link]').first().click();
  await page.waitForSelector('g.state[data-state=FinishTeardown][data-status=succeeded]', WAIT);
  expect(await page.locator('[data-testid=exec-status]').getAttribute('data-status')).toBe('SUCCEEDED');
  expect(await statusOf('DeleteEnis')).toBe('succeeded');
  expect(await page.locator('#selected-links').textContent()).toContain('Started by');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-rollback-teardown.png'), fullPage: true });
});
