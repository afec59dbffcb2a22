/**
 * Issue 8: promises under hostile or unlucky conditions that do not fit the fault matrix's rows: a spoofed rollback,
 * foreign resources carrying our tag, allowlists. Every assertion reads the sandbox's own state, the record and the
 * events.
 */
import { CreateNetworkInterfaceCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { Harness, credentials, eventsFor, sampleRequest } from './harness.js';

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

describe('ownership before every delete', () => {
  test('ENIs of someone else carrying our request tag are reported, never deleted; ours all go', async () => {
    const requestId = 'pni-foreign-eni';
    expect((await h.run('provision', sampleRequest({ requestId }))).status).toBe('SUCCEEDED');
    const ec2 = new EC2Client({ endpoint: h.sb.url, region: SEED.region, credentials });
    const ourTags = [
      { Key: 'pni:request-id', Value: requestId },
      { Key: 'pni:managed-by', Value: 'pni-provisioner' },
    ];
    const create = async (subnetId: string) =>
      (
        await ec2.send(
          new CreateNetworkInterfaceCommand({
            SubnetId: subnetId,
            Description: "someone else's ENI with our tag",
            TagSpecifications: [{ ResourceType: 'network-interface', Tags: ourTags }],
          }),
        )
      ).NetworkInterface?.NetworkInterfaceId;
    const otherVpc = await create('subnet-0f6f6f6f6f6f6f6f6'); // another VPC
    const defaultSg = await create(SEED.subnets[0].subnetId); // our subnet, but the VPC's default security group
    ec2.destroy();

    const td = await h.run('teardown', { requestId });
    expect(td.status).toBe('SUCCEEDED');
    const s = await h.state();
    // Ours are gone; the two foreign ENIs are still there.
    expect(s.ec2.networkInterfaces.map((e) => e.NetworkInterfaceId).sort()).toEqual([otherVpc, defaultSg].sort());
    expect(s.ec2.networkInterfacePermissions).toEqual([]);
    expect(s.confluent.accessPoints).toEqual([]);
    expect(s.confluent.gateways).toEqual([]);
    const rec = await h.record(requestId);
    expect(rec).toMatchObject({ status: 'TORN_DOWN', leftovers: [] });
    const notOwned = rec?.notOwned as { type: string; id: string; reason: string }[];
    expect(notOwned.map((n) => n.id).sort()).toEqual([otherVpc, defaultSg].sort());
    expect(notOwned.find((n) => n.id === otherVpc)?.reason).toMatch(/not in the request's VPC/);
    expect(notOwned.find((n) => n.id === defaultSg)?.reason).toMatch(/not in the request's security group/);
    const ev = eventsFor(s, requestId).find((e) => e.type === 'PNI Teardown Succeeded');
    expect(ev?.detail.notOwned).toEqual(notOwned);
  });
});
