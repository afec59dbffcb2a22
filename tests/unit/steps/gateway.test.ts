/** CreateGateway (find-before-create, record the id at once) and GetGatewayStatus (phases -> ready / GatewayFailed). */
import 'aws-sdk-client-mock-jest';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createGateway, getGatewayStatus, recordPhase } from '#lib/steps/provision.js';
import {
  CONFLUENT_ACCOUNT,
  ENV,
  EXEC_ARN,
  REGION,
  ebMock,
  makeHarness,
  mutatingEc2Calls,
  provisionContext,
  publishedEvents,
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

describe('createGateway', () => {
  test('creates once with the deterministic name, region and AZ ids, and records the id immediately', async () => {
    await seedRecord(h);
    const ctx = provisionContext(h);
    const out = await createGateway(ctx, h.deps);

    const creates = h.confluent.callsOf('createGateway');
    expect(creates).toHaveLength(1);
    expect(creates[0].args[0]).toEqual({
      environmentId: ENV,
      displayName: 'payments-usw2',
      region: REGION,
      zones: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
    });
    expect(out).toEqual({ gatewayId: expect.stringMatching(/^gw-/), createdByUs: true });
    const rec = await h.store.get(RID);
    expect(rec).toMatchObject({ gatewayId: out.gatewayId, gatewayCreatedByUs: true });
    expect(mutatingEc2Calls()).toEqual([]);
  });

  test('the display name defaults to pni-<requestId>', async () => {
    await seedRecord(h, {}, { gateway: {} });
    await createGateway(provisionContext(h, {}, { gateway: {} }), h.deps);
    expect(h.confluent.callsOf('createGateway')[0].args[0]).toMatchObject({ displayName: `pni-${RID}` });
  });

  test('re-invocation with the recorded id makes no second create', async () => {
    await seedRecord(h);
    const ctx = provisionContext(h);
    const first = await createGateway(ctx, h.deps);
    h.clock.advance(60_000);
    const second = await createGateway(ctx, h.deps);
    expect(second).toEqual(first);
    expect(h.confluent.callsOf('createGateway')).toHaveLength(1);
    expect(h.confluent.gateways.size).toBe(1);
  });

  test('find-before-create adopts a gateway of our name created during this attempt (crash after the side effect)', async () => {
    await seedRecord(h); // attemptStartedAt = T0
    h.clock.advance(5_000);
    const orphan = h.confluent.addGateway({ displayName: 'payments-usw2', phase: 'PROVISIONING', account: null });
    h.clock.advance(5_000);
    const out = await createGateway(provisionContext(h), h.deps);
    expect(out).toEqual({ gatewayId: orphan.id, createdByUs: true });
    expect(h.confluent.callsOf('createGateway')).toHaveLength(0);
    expect(await h.store.get(RID)).toMatchObject({ gatewayId: orphan.id, gatewayCreatedByUs: true });
  });

  test('find-before-create ignores an older gateway of the same name and one that is DEPROVISIONING', async () => {
    const old = h.confluent.addGateway({ displayName: 'payments-usw2', createdAt: '2026-02-01T00:00:00.000Z' });
    const dying = h.confluent.addGateway({ displayName: 'payments-usw2', phase: 'DEPROVISIONING' });
    await seedRecord(h);
    const out = await createGateway(provisionContext(h), h.deps);
    expect(h.confluent.callsOf('createGateway')).toHaveLength(1);
    expect(out.gatewayId).not.toBe(old.id);
    expect(out.gatewayId).not.toBe(dying.id);
  });

  test('gateway.existingId: no create, createdByUs false, recorded', async () => {
    await seedRecord(h, {}, { gateway: { existingId: 'gw-shared1' } });
    const out = await createGateway(provisionContext(h, {}, { gateway: { existingId: 'gw-shared1' } }), h.deps);
    expect(out).toEqual({ gatewayId: 'gw-shared1', createdByUs: false });
    expect(h.confluent.callsOf('createGateway')).toHaveLength(0);
    expect(await h.store.get(RID)).toMatchObject({ gatewayId: 'gw-shared1', gatewayCreatedByUs: false });
  });

  test.each([
    ['PROVISIONING', 'arn:aws:states:us-west-2:111122223333:execution:pni-provision:someone-else'],
    ['ROLLING_BACK', EXEC_ARN],
  ])('fenced: a record %s owned by %s -> ProvisioningStopped, no create, record untouched', async (status, owner) => {
    await seedRecord(h, { status: status as 'PROVISIONING', executionArn: owner });
    await expect(createGateway(provisionContext(h), h.deps)).rejects.toMatchObject({ name: 'ProvisioningStopped' });
    expect(h.confluent.callsOf('createGateway')).toHaveLength(0);
    expect((await h.store.get(RID))?.gatewayId).toBeUndefined();
  });
});

describe('getGatewayStatus', () => {
  const poll = (over: Record<string, unknown> = {}) => ({
    requestId: RID,
    environmentId: ENV,
    attempt: 3,
    gatewayId: 'gw-x1',
    ...over,
  });

  test('PROVISIONING -> not ready, attempt + 1', async () => {
    await seedRecord(h);
    h.confluent.addGateway({ id: 'gw-x1', phase: 'PROVISIONING', account: null });
    expect(await getGatewayStatus(poll(), h.deps)).toEqual({ attempt: 4, ready: false, phase: 'PROVISIONING' });
  });

  test('CREATED with the account -> ready, and the account is recorded', async () => {
    await seedRecord(h);
    h.confluent.addGateway({ id: 'gw-x1', phase: 'CREATED' });
    expect(await getGatewayStatus(poll(), h.deps)).toEqual({
      attempt: 4,
      ready: true,
      phase: 'CREATED',
      account: CONFLUENT_ACCOUNT,
    });
    expect((await h.store.get(RID))?.confluentAccount).toBe(CONFLUENT_ACCOUNT);
  });

  test('CREATED without the account (or a malformed one) -> not ready', async () => {
    await seedRecord(h);
    h.confluent.addGateway({ id: 'gw-x1', phase: 'CREATED', account: null });
    h.confluent.addGateway({ id: 'gw-x2', phase: 'CREATED', account: '1234' });
    expect(await getGatewayStatus(poll(), h.deps)).toEqual({ attempt: 4, ready: false, phase: 'CREATED' });
    expect(await getGatewayStatus(poll({ gatewayId: 'gw-x2' }), h.deps)).toEqual({
      attempt: 4,
      ready: false,
      phase: 'CREATED',
    });
    expect((await h.store.get(RID))?.confluentAccount).toBeUndefined();
  });

  test.each([
    ['FAILED', 'quota exceeded in region'],
    ['EXPIRED', 'no access point was attached in time'],
    ['SOMETHING_NEW', 'a phase we do not know'],
  ])('%s -> GatewayFailed naming the phase and the error message', async (phase, message) => {
    await seedRecord(h);
    h.confluent.addGateway({ id: 'gw-x1', phase, account: null, errorCode: 'E42', errorMessage: message });
    const err = await getGatewayStatus(poll(), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'GatewayFailed' });
    expect((err as Error).message).toContain(phase);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).toContain('gw-x1');
  });

  test('a gateway that is gone -> GatewayFailed', async () => {
    await seedRecord(h);
    const err = await getGatewayStatus(poll({ gatewayId: 'gw-gone' }), h.deps).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'GatewayFailed' });
    expect((err as Error).message).toContain('gw-gone');
  });

  test('the poll payload from the ASL carries no executionArn; the account update still succeeds', async () => {
    await seedRecord(h, { executionArn: EXEC_ARN });
    h.confluent.addGateway({ id: 'gw-x1', phase: 'READY' });
    expect(await getGatewayStatus(poll(), h.deps)).toMatchObject({ ready: true, phase: 'READY' });
  });
});

describe('recordPhase', () => {
  test('records the phase (and the account) and publishes Phase Changed with the ids known so far', async () => {
    await seedRecord(h, { gatewayId: 'gw-x1', gatewayCreatedByUs: true });
    await recordPhase(
      {
        requestId: RID,
        executionArn: EXEC_ARN,
        phase: 'GATEWAY_READY',
        details: { gatewayId: 'gw-x1', confluentAccount: CONFLUENT_ACCOUNT },
      },
      h.deps,
    );
    expect(await h.store.get(RID)).toMatchObject({ phase: 'GATEWAY_READY', confluentAccount: CONFLUENT_ACCOUNT });
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const [ev] = publishedEvents();
    expect(ev.detailType).toBe('PNI Provisioning Phase Changed');
    expect(ev.detail).toMatchObject({
      version: '1',
      requestId: RID,
      phase: 'GATEWAY_READY',
      gatewayId: 'gw-x1',
      confluentAccount: CONFLUENT_ACCOUNT,
      executionArn: EXEC_ARN,
    });
  });

  test('fenced: after a rollback began, no phase is recorded and nothing is published', async () => {
    await seedRecord(h, { status: 'ROLLING_BACK' });
    await expect(
      recordPhase({ requestId: RID, executionArn: EXEC_ARN, phase: 'ENIS_CREATED' }, h.deps),
    ).rejects.toMatchObject({ name: 'ProvisioningStopped' });
    expect((await h.store.get(RID))?.phase).toBeUndefined();
    expect(ebMock).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
