/**
 * (day 2) FinishRepair's last resort: after FinishRepair failed for good, the ReleaseRepairLock state calls it again
 * with `finishError`. Nothing is re-checked, the failure is recorded when the record can be written, and the
 * (environment, VPC) lock is released even when it cannot, so a failed repair never leaves the pair locked.
 */
import { jest } from '@jest/globals';
import { REPAIR_LOCK_PREFIX } from '#lib/constants.js';
import { finishRepair, type FinishRepairInput } from '#lib/steps/repair.js';
import { ENV, VPC, makeHarness, publishedEvents, startDynamo, type Dynamo, type Harness } from './deps.js';

const ID = 'pni-repair-me';
const HOLDER = `${REPAIR_LOCK_PREFIX}${ID}`;
const ARN = 'arn:aws:states:us-west-2:111122223333:execution:pni-repair:r-1';

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
  await h.store.create({
    requestId: ID,
    status: 'SUCCEEDED',
    source: 'console',
    executionArn: 'arn:aws:states:us-west-2:111122223333:execution:p:pni-repair-me',
    attempt: 1,
    attemptStartedAt: '2026-01-01T00:00:00.000Z',
    environmentId: ENV,
    vpcId: VPC,
    region: 'us-west-2',
    accessPointId: 'ap-abc',
  });
  expect((await h.store.acquireLock(ENV, VPC, HOLDER)).acquired).toBe(true);
});

function input(over: Partial<FinishRepairInput> = {}): FinishRepairInput {
  return {
    requestId: ID,
    executionArn: ARN,
    noop: false,
    environmentId: ENV,
    accessPointId: 'ap-abc',
    lockHolder: HOLDER,
    limits: h.deps.config.limits,
    repair: { patched: false, repaired: ['restored 1 ingress rule'], unrepaired: [] },
    finishError: { Error: 'Ec2Throttled', Cause: '[finishRepair] Rate exceeded' },
    ...over,
  };
}

test('records the failure without re-checking, releases the lock and announces PNI Repair Failed', async () => {
  const out = await finishRepair(input(), h.deps);
  expect(out).toMatchObject({ outcome: 'FAILED', differences: [], error: { name: 'Ec2Throttled' } });
  expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
  const rec = await h.store.get(ID);
  expect(rec?.lastRepair).toMatchObject({ outcome: 'FAILED', error: { name: 'Ec2Throttled' }, executionArn: ARN });
  expect(rec?.lastDriftCheck).toBeUndefined();
  expect(publishedEvents().map((e) => e.detailType)).toEqual(['PNI Repair Failed']);
});

test('releases the lock even when the failure cannot be recorded', async () => {
  const update = jest.spyOn(h.store, 'update').mockRejectedValue(new Error('DynamoDB is unavailable'));
  await finishRepair(input(), h.deps);
  expect(update).toHaveBeenCalled();
  expect(await h.store.lockHolder(ENV, VPC)).toBeUndefined();
  expect(publishedEvents().map((e) => e.detailType)).toEqual(['PNI Repair Failed']);
});

test('without finishError a failure fails the step (the Task retries it, then ReleaseRepairLock); the lock stays held', async () => {
  // the record has no complete connection: the re-check throws ConnectionNotLive
  await expect(finishRepair(input({ finishError: undefined }), h.deps)).rejects.toMatchObject({
    name: 'ConnectionNotLive',
  });
  expect(await h.store.lockHolder(ENV, VPC)).toBe(HOLDER);
  expect(publishedEvents()).toEqual([]);
});
