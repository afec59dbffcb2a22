/**
 * Every polling loop has a deadline: a gateway or access point that never becomes ready, or an access point
 * that never finishes deleting, ends the wait and is handled (rollback, or TEARDOWN_FAILED with the leftovers).
 * Deadlines here are 3 polls (a fresh sandbox with short deadlines; handler config is read once per process).
 */
import { Harness, eventsFor, expectSandboxEmpty, sampleRequest } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({
    env: { GATEWAY_DEADLINE_SECONDS: '90', ACCESS_POINT_DEADLINE_SECONDS: '180', DELETION_DEADLINE_SECONDS: '45' },
  });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(async () => {
  await h.reset();
  h.sb.setProfile('fast');
});

test('a gateway that never reports its account before the deadline: GatewayTimeout, rolled back', async () => {
  h.sb.setProfile('fast', { gatewayProvisionMs: 600_000 });
  const done = await h.run('provision', sampleRequest({ requestId: 'pni-gw-slow' }));
  expect(done.status).toBe('FAILED');
  expect(done.error).toBe('GatewayTimeout');
  expectSandboxEmpty(await h.state());
  expect(await h.record('pni-gw-slow')).toMatchObject({
    status: 'ROLLED_BACK',
    failedStep: 'getGatewayStatus',
    error: { name: 'GatewayTimeout' },
  });
});

test('an access point that is never READY before the deadline: AccessPointTimeout, rolled back', async () => {
  h.sb.setProfile('fast', { accessPointProvisionMs: 600_000 });
  const done = await h.run('provision', sampleRequest({ requestId: 'pni-ap-slow' }));
  expect(done.status).toBe('FAILED');
  expect(done.error).toBe('AccessPointTimeout');
  const state = await h.state();
  expectSandboxEmpty(state);
  expect(eventsFor(state, 'pni-ap-slow').find((e) => e.type === 'PNI Provisioning Failed')!.detail).toMatchObject({
    failedStep: 'getAccessPointStatus',
    rollback: { outcome: 'ROLLED_BACK' },
  });
});

test('an access point that does not finish deleting before the deadline: permissions stay (never revoked under it), TEARDOWN_FAILED; a later teardown finishes', async () => {
  expect((await h.run('provision', sampleRequest({ requestId: 'pni-ap-stuck' }))).status).toBe('SUCCEEDED');
  // Deleting takes 3 s; the deletion deadline is 3 polls of 15 ms (scaled): the teardown gives up long before.
  h.sb.setProfile('fast', { deprovisionMs: 3000 });
  const td = await h.run('teardown', { requestId: 'pni-ap-stuck' });
  expect(td.status).toBe('FAILED');
  expect(td.error).toBe('TeardownFailed');
  let s = await h.state();
  expect(s.confluent.accessPoints.map((a) => a.status.phase)).toEqual(['DEPROVISIONING']);
  expect(s.ec2.networkInterfacePermissions).toHaveLength(51);
  expect(s.ec2.networkInterfaces).toHaveLength(51);
  const rec = await h.record('pni-ap-stuck');
  expect(rec!.status).toBe('TEARDOWN_FAILED');
  expect(rec!.leftovers.find((l: { type: string }) => l.type === 'accessPoint')).toMatchObject({
    reason: expect.stringMatching(/AccessPointDeletionTimeout/),
  });
  expect(eventsFor(s, 'pni-ap-stuck').at(-1)).toMatchObject({ type: 'PNI Teardown Failed' });

  // Later, once Confluent has finished deleting it, running the teardown again finishes the job.
  for (let i = 0; i < 400 && (await h.state()).confluent.accessPoints.length > 0; i++)
    await new Promise((r) => setTimeout(r, 25));
  h.sb.setProfile('fast');
  const again = await h.run('teardown', { requestId: 'pni-ap-stuck' });
  expect({ status: again.status, leftovers: (await h.record('pni-ap-stuck'))!.leftovers }).toEqual({
    status: 'SUCCEEDED',
    leftovers: [],
  });
  s = await h.state();
  expectSandboxEmpty(s);
  expect(await h.record('pni-ap-stuck')).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
});
