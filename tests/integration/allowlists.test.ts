/**
 * Issue 8, who may ask: a stack deployed with allowlists of Confluent environments and VPC ids (deploy parameters
 * allowedEnvironmentIds / allowedVpcIds -> ALLOWED_ENVIRONMENT_IDS / ALLOWED_VPC_IDS) refuses any other request with
 * RequestNotAllowed naming the field, a REJECTED record and nothing created. (Its own sandbox: handler configuration
 * is read once per process.)
 */
import { SEED } from '#sandbox/seed.js';
import { causeMessage } from '#lib/stepErrors.js';
import { Harness, eventsFor, expectSandboxEmpty, sampleRequest } from './harness.js';

const [env1, env2] = SEED.confluent.environments;
let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ env: { ALLOWED_ENVIRONMENT_IDS: env2, ALLOWED_VPC_IDS: ` ${SEED.vpc.vpcId} ,` } });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(async () => {
  await h.reset();
});

test.each([
  [
    'an environment not on the list',
    { requestId: 'pni-allow-env', environmentId: env1, vpcId: SEED.vpc.vpcId } as Record<string, unknown>,
    'environmentId',
  ],
  [
    'a VPC not on the list',
    {
      requestId: 'pni-allow-vpc',
      environmentId: env2,
      vpcId: 'vpc-0f9e8d7c6b5a49382',
      subnetIds: ['subnet-0f6f6f6f6f6f6f6f6', 'subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2'],
    } as Record<string, unknown>,
    'vpcId',
  ],
])('%s: RequestNotAllowed, REJECTED, nothing created, the refusal announced', async (_what, over, field) => {
  const done = await h.run('provision', sampleRequest(over));
  expect({ status: done.status, error: done.error }).toEqual({ status: 'FAILED', error: 'RequestNotAllowed' });
  expect(causeMessage(done.cause)).toMatch(
    new RegExp(`^\\[validateRequest\\] ${field}: .* is not served by this deployment`),
  );
  const state = await h.state();
  expectSandboxEmpty(state);
  // Only the refusal is announced (PNI Provisioning Rejected), naming the field.
  const events = eventsFor(state, String(over.requestId));
  expect(events.map((e) => e.type)).toEqual(['PNI Provisioning Rejected']);
  expect(events[0].detail).toMatchObject({ error: { name: 'RequestNotAllowed' }, errors: [{ field }] });
  expect(await h.record(String(over.requestId))).toMatchObject({
    status: 'REJECTED',
    error: { name: 'RequestNotAllowed' },
  });
  expect(await h.lockHolder(String(over.environmentId), String(over.vpcId))).toBeUndefined();
});

test('an allowed environment and VPC are served', async () => {
  const done = await h.run('provision', sampleRequest({ requestId: 'pni-allow-ok', environmentId: env2 }));
  expect(done.status).toBe('SUCCEEDED');
  expect((await h.state()).ec2.networkInterfaces).toHaveLength(51);
});
