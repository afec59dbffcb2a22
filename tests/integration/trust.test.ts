/**
 * Issue 8: promises under hostile or unlucky conditions that do not fit the fault matrix's rows: a spoofed rollback,
 * foreign resources carrying our tag, allowlists. Every assertion reads the sandbox's own state, the record and the
 * events.
 */
import { Harness, eventsFor, sampleRequest } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(async () => {
  await h.reset();
  h.sb.setProfile('fast');
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, tries = 2000): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('rollback is claimed, not asserted', () => {
  test('a hand-started "rollback" naming the running provisioning is refused, changes nothing, and provisioning succeeds', async () => {
    const requestId = 'pni-spoofed-rollback';
    h.sb.setProfile('fast', { accessPointProvisionMs: 1500 });
    const provisioning = await h.start('provision', sampleRequest({ requestId }));
    await waitFor('the access point to be recorded and provisioning', async () =>
      (await h.record(requestId))?.accessPointId
        ? (await h.state()).confluent.accessPoints.some((a) => a.status.phase === 'PROVISIONING')
        : false,
    );
    const before = await h.record(requestId);
    const stateBefore = await h.state();

    const spoof = await h.run('teardown', {
      requestId,
      mode: 'rollback',
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: provisioning,
    });
    expect(spoof.status).toBe('FAILED');
    expect(spoof.error).toBe('RequestInvalid');
    expect(spoof.cause).toMatch(/no rollback claimed: nothing was changed/);

    // Nothing changed: the record (same version), the sandbox's resources.
    expect(await h.record(requestId)).toEqual(before);
    const stateAfter = await h.state();
    expect(stateAfter.ec2.networkInterfaces).toHaveLength(stateBefore.ec2.networkInterfaces.length);
    expect(stateAfter.ec2.networkInterfacePermissions).toHaveLength(51);
    expect(stateAfter.confluent.accessPoints.map((a) => a.id)).toEqual(
      stateBefore.confluent.accessPoints.map((a) => a.id),
    );

    const done = await h.wait(provisioning);
    expect(done.status).toBe('SUCCEEDED');
    const s = await h.state();
    expect(s.ec2.networkInterfaces).toHaveLength(51);
    expect(s.confluent.accessPoints.map((a) => a.status.phase)).toEqual(['READY']);
    expect(await h.record(requestId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(eventsFor(s, requestId).map((e) => e.type)).toEqual([
      'PNI Provisioning Started',
      ...eventsFor(s, requestId)
        .filter((e) => e.type === 'PNI Provisioning Phase Changed')
        .map(() => 'PNI Provisioning Phase Changed'),
      'PNI Provisioning Succeeded',
    ]);
  });

  test('a real rollback claims the record (ROLLING_BACK, owned by the provisioning) before its nested teardown runs', async () => {
    const requestId = 'pni-claimed-rollback';
    await h.faults({ service: 'confluent', action: 'POST /networking/v1/access-points', error: 422 });
    const done = await h.run('provision', sampleRequest({ requestId }));
    expect(done.status).toBe('FAILED');
    const s = await h.state();
    const teardowns = s.executions.filter((e) => e.stateMachineArn === h.teardownArn);
    expect(teardowns).toHaveLength(1);
    expect(teardowns[0].status).toBe('SUCCEEDED');
    expect(await h.record(requestId)).toMatchObject({
      status: 'ROLLED_BACK',
      executionArn: done.executionArn,
      teardownExecutionArn: teardowns[0].executionArn,
    });
  });
});
