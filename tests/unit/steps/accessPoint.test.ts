/** CreateAccessPoint (ENIs by slot, customer account, routes, find-before-create) and GetAccessPointStatus. */
import 'aws-sdk-client-mock-jest';
import { createAccessPoint, getAccessPointStatus } from '#lib/steps/provision.js';
import type { EniResult } from '#lib/contracts.js';
import {
  CUSTOMER_ACCOUNT,
  ENV,
  SUBNET_A,
  SUBNET_B,
  makeHarness,
  mutatingEc2Calls,
  provisionContext,
  seedRecord,
  startDynamo,
  type Dynamo,
  type Harness,
} from './deps.js';

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

const RID = 'pni-payments-usw2';
const GW = 'gw-ours1';
const eniIdOf = (slot: number) => `eni-${String(slot).padStart(17, '0')}`;

/** The Map's output order is not the slot order when some branches were retried. */
function enisOutOfOrder(): EniResult[] {
  return [5, 0, 50, 17, 1, 34].map((slot) => ({
    slot,
    eniId: eniIdOf(slot),
    privateIp: `10.0.1.${slot + 10}`,
    subnetId: slot < 17 ? SUBNET_A : SUBNET_B,
  }));
}
const apCtx = (over: Record<string, unknown> = {}, reqOver = {}) => ({
  ...provisionContext(h, {}, reqOver),
  resources: { gateway: { gatewayId: GW }, enis: enisOutOfOrder() },
  ...over,
});

describe('createAccessPoint', () => {
  test('creates with ENI ids sorted by slot, the customer account and the egress routes; records the id', async () => {
    await seedRecord(h, { gatewayId: GW, gatewayCreatedByUs: true });
    const out = await createAccessPoint(apCtx({}, { egressRoutes: ['10.10.0.0/16', '10.20.0.0/16'] }), h.deps);
    const creates = h.confluent.callsOf('createAccessPoint');
    expect(creates).toHaveLength(1);
    expect(creates[0].args[0]).toEqual({
      environmentId: ENV,
      gatewayId: GW,
      displayName: 'payments-usw2',
      networkInterfaces: [0, 1, 5, 17, 34, 50].map(eniIdOf),
      account: CUSTOMER_ACCOUNT,
      egressRoutes: ['10.10.0.0/16', '10.20.0.0/16'],
    });
    expect(out.accessPointId).toMatch(/^ap-/);
    expect((await h.store.get(RID))?.accessPointId).toBe(out.accessPointId);
    expect(mutatingEc2Calls()).toEqual([]);
  });

  test('re-invocation (id recorded) makes no second create', async () => {
    await seedRecord(h, { gatewayId: GW, gatewayCreatedByUs: true });
    const first = await createAccessPoint(apCtx(), h.deps);
    const second = await createAccessPoint(apCtx(), h.deps);
    expect(second).toEqual(first);
    expect(h.confluent.callsOf('createAccessPoint')).toHaveLength(1);
  });

  test('find-before-create adopts an access point of our name on our gateway created during this attempt', async () => {
    await seedRecord(h, { gatewayId: GW, gatewayCreatedByUs: true });
    h.clock.advance(30_000);
    const orphan = h.confluent.addAccessPoint({ gatewayId: GW, displayName: 'payments-usw2', phase: 'PROVISIONING' });
    const out = await createAccessPoint(apCtx(), h.deps);
    expect(out).toEqual({ accessPointId: orphan.id });
    expect(h.confluent.callsOf('createAccessPoint')).toHaveLength(0);
    expect(h.confluent.callsOf('listAccessPoints')[0].args).toEqual([
      ENV,
      { gatewayId: GW, displayName: 'payments-usw2' },
    ]);
  });

  test('fenced: once a rollback began -> ProvisioningStopped, no create', async () => {
    await seedRecord(h, { status: 'ROLLING_BACK', gatewayId: GW, gatewayCreatedByUs: true });
    await expect(createAccessPoint(apCtx(), h.deps)).rejects.toMatchObject({ name: 'ProvisioningStopped' });
    expect(h.confluent.callsOf('createAccessPoint')).toHaveLength(0);
    expect(h.confluent.callsOf('listAccessPoints')).toHaveLength(0);
  });

  test('an older access point of the same name is not adopted', async () => {
    h.confluent.addAccessPoint({ gatewayId: GW, displayName: 'payments-usw2', createdAt: '2026-01-01T00:00:00.000Z' });
    await seedRecord(h, { gatewayId: GW, gatewayCreatedByUs: true });
    await createAccessPoint(apCtx(), h.deps);
    expect(h.confluent.callsOf('createAccessPoint')).toHaveLength(1);
  });
});

describe('getAccessPointStatus', () => {
  const poll = (over: Record<string, unknown> = {}) => ({
    requestId: RID,
    environmentId: ENV,
    attempt: 0,
    accessPointId: 'ap-x1',
    ...over,
  });

  test('READY -> ready', async () => {
    h.confluent.addAccessPoint({ id: 'ap-x1', gatewayId: GW, phase: 'READY' });
    expect(await getAccessPointStatus(poll(), h.deps)).toEqual({ attempt: 1, ready: true, phase: 'READY' });
  });

  test('PROVISIONING -> not ready, attempt + 1', async () => {
    h.confluent.addAccessPoint({ id: 'ap-x1', gatewayId: GW, phase: 'PROVISIONING' });
    expect(await getAccessPointStatus(poll({ attempt: 7 }), h.deps)).toEqual({
      attempt: 8,
      ready: false,
      phase: 'PROVISIONING',
    });
  });

  test.each(['FAILED', 'ERROR', 'DISCONNECTED', 'DEGRADED'])(
    '%s -> AccessPointFailed naming the phase and the error',
    async (phase) => {
      h.confluent.addAccessPoint({
        id: 'ap-x1',
        gatewayId: GW,
        phase,
        errorMessage: 'ENI eni-1 is in use by another access point',
      });
      const err = await getAccessPointStatus(poll(), h.deps).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'AccessPointFailed' });
      expect((err as Error).message).toContain(phase);
      expect((err as Error).message).toContain('ENI eni-1 is in use by another access point');
    },
  );

  test('gone -> AccessPointFailed', async () => {
    await expect(getAccessPointStatus(poll(), h.deps)).rejects.toMatchObject({ name: 'AccessPointFailed' });
  });
});
