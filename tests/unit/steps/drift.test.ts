/**
 * (day 2) The scheduled drift run's listing: every SUCCEEDED connection exactly once, a page of the byStatus index at a
 * time (DRIFT_PAGE_SIZE), other statuses left out; the one-connection mode; the one-live-connection lookup.
 */
import { DRIFT_MAX_PAGES, DRIFT_PAGE_SIZE, LIVE_CONNECTION_STATUSES } from '#lib/constants.js';
import { listConnections } from '#lib/steps/drift.js';
import type { Status } from '#lib/constants.js';
import { ENV, VPC, makeHarness, startDynamo, type Dynamo, type Harness } from './deps.js';

let d: Dynamo;
let h: Harness;
beforeAll(async () => {
  d = await startDynamo();
});
afterAll(async () => {
  await d.close();
});
beforeEach(async () => {
  h = await makeHarness(d);
});

async function record(requestId: string, status: Status, over: { environmentId?: string; vpcId?: string } = {}) {
  await h.store.create({
    requestId,
    status,
    source: 'console',
    executionArn: `arn:aws:states:us-west-2:111122223333:execution:p:${requestId}`,
    attempt: 1,
    attemptStartedAt: '2026-01-01T00:00:00.000Z',
    environmentId: over.environmentId ?? ENV,
    vpcId: over.vpcId ?? VPC,
    region: 'us-west-2',
  });
}

test('pages through every SUCCEEDED connection exactly once, and nothing else', async () => {
  const ids = Array.from({ length: 2 * DRIFT_PAGE_SIZE + 3 }, (_, i) => `pni-ok-${String(i).padStart(2, '0')}`);
  for (const id of ids) await record(id, 'SUCCEEDED', { vpcId: `vpc-${String(ids.indexOf(id)).padStart(17, '0')}` });
  await record('pni-gone', 'TORN_DOWN');
  await record('pni-bad', 'REJECTED');

  const seen: string[] = [];
  let state: Parameters<typeof listConnections>[0] = { scheduled: true } as never;
  let pages = 0;
  for (;;) {
    const out = await listConnections(state, h.deps);
    pages += 1;
    expect(out.page.pages).toBe(pages);
    expect(out.page.requestIds.length).toBeLessThanOrEqual(DRIFT_PAGE_SIZE);
    expect(out.limits).toEqual({ driftMaxPages: DRIFT_MAX_PAGES });
    seen.push(...out.page.requestIds);
    if (!out.page.nextToken) break;
    state = out;
  }
  expect(pages).toBeGreaterThanOrEqual(3);
  expect([...seen].sort()).toEqual(ids);
});

test('one connection when a requestId is given', async () => {
  expect(await listConnections({ requestId: 'pni-one' }, h.deps)).toEqual({
    requestId: 'pni-one',
    page: { requestIds: ['pni-one'], pages: 1 },
    limits: { driftMaxPages: DRIFT_MAX_PAGES },
  });
});

test('liveConnection: SUCCEEDED or PROVISIONING of another request on the same pair, nothing else', async () => {
  await record('pni-torn', 'TORN_DOWN');
  await record('pni-other-vpc', 'SUCCEEDED', { vpcId: 'vpc-0fedcba987654321f' });
  await record('pni-other-env', 'PROVISIONING', { environmentId: 'env-zzz' });
  expect(await h.store.liveConnection(ENV, VPC, 'pni-new', LIVE_CONNECTION_STATUSES)).toBeUndefined();
  await record('pni-live', 'PROVISIONING');
  expect(await h.store.liveConnection(ENV, VPC, 'pni-new', LIVE_CONNECTION_STATUSES)).toMatchObject({
    requestId: 'pni-live',
  });
  expect(await h.store.liveConnection(ENV, VPC, 'pni-live', LIVE_CONNECTION_STATUSES)).toBeUndefined();
});
