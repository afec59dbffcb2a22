import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SEED } from '#sandbox/seed.js';
import { ENV, gatewayBody, startHarness, type Harness } from './harness.js';

const GW = '/networking/v1/gateways';
const AP = '/networking/v1/access-points';
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('call faults', () => {
  it('injects a status on the Nth call for K calls (template form), with the documented body', async () => {
    h.faults.add({ service: 'confluent', action: 'POST /networking/v1/gateways', error: 500, onCall: 2, times: 2 });
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'a') })).status).toBe(202);
    const r = await h.api('POST', GW, { body: gatewayBody(ENV, 'b') });
    expect(r.status).toBe(500);
    expect(r.body.errors[0]).toMatchObject({ status: '500', code: 'internal_server_error' });
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'b') })).status).toBe(500);
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'b') })).status).toBe(202);
    expect(h.faults.list()[0]).toMatchObject({ matched: 4, fired: 2 });
    // an injected failure has no side effect: only a and the last b exist
    expect(h.emulator.snapshot().gateways).toHaveLength(2);
  });

  it('matches GET /{id} by template and by concrete path', async () => {
    const id = await h.createdGateway();
    h.faults.add({
      service: 'confluent',
      action: 'GET /networking/v1/gateways/{id}',
      error: 503,
      message: 'maintenance',
    });
    const r = await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } });
    expect(r.status).toBe(503);
    expect(r.body.errors[0].detail).toBe('maintenance');
    h.faults.add({ service: 'confluent', action: `GET /networking/v1/gateways/${id}`, error: 404 });
    expect((await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } })).status).toBe(404);
    expect((await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } })).status).toBe(200);
  });

  it('429: no body, Retry-After 1 and rate-limit headers; times -1 keeps failing', async () => {
    h.faults.add({ service: 'confluent', action: 'GET /networking/v1/access-points', error: 429, times: -1 });
    for (let i = 0; i < 3; i++) {
      const r = await h.api('GET', AP, { query: { environment: ENV } });
      expect(r.status).toBe(429);
      expect(r.text).toBe('');
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(r.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
      expect(r.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    }
    expect((await h.api('GET', GW, { query: { environment: ENV } })).status).toBe(200);
  });

  it.each([400, 401, 402, 403, 404, 409, 422, 502])('injects %d with a Failure body', async (status) => {
    h.faults.add({ service: 'confluent', action: 'DELETE /networking/v1/access-points/{id}', error: status });
    const r = await h.api('DELETE', `${AP}/ap-x`, { query: { environment: ENV } });
    expect(r.status).toBe(status);
    expect(r.body.errors[0].status).toBe(String(status));
    if (status === 401) expect(r.headers.get('www-authenticate')).toContain('Basic');
  });
});

describe('phase faults', () => {
  it.each(['FAILED', 'EXPIRED'])('gateway leaving PROVISIONING goes %s (once)', async (phase) => {
    h.faults.add({ service: 'confluent', resource: 'gateway', phase });
    const a = (await h.api('POST', GW, { body: gatewayBody(ENV, 'a') })).body.id as string;
    h.clock.advance(1_000);
    const r = await h.api('GET', `${GW}/${a}`, { query: { environment: ENV } });
    expect(r.body.status.phase).toBe(phase);
    expect(r.body.status.error_code).toBe(`GATEWAY_${phase}`);
    expect(typeof r.body.status.error_message).toBe('string');
    if (phase === 'EXPIRED') expect(r.body.status.cloud_gateway.account).toBe(SEED.confluent.gatewayAccountId);
    else expect(r.body.status.cloud_gateway.account).toBeUndefined();
    // an access point cannot join it
    expect((await h.api('POST', AP, { body: h.apBody(a, h.addEnis()) })).status).toBe(422);
    // the rule is consumed
    const b = (await h.api('POST', GW, { body: gatewayBody(ENV, 'b') })).body.id as string;
    h.clock.advance(1_000);
    expect((await h.api('GET', `${GW}/${b}`, { query: { environment: ENV } })).body.status.phase).toBe('CREATED');
    // it can still be deleted
    expect((await h.api('DELETE', `${GW}/${a}`, { query: { environment: ENV } })).status).toBe(204);
  });

  it.each(['FAILED', 'ERROR', 'DISCONNECTED'])(
    'access point leaving PROVISIONING goes %s, attaches nothing',
    async (phase) => {
      h.faults.add({ service: 'confluent', resource: 'accessPoint', phase });
      const gw = await h.createdGateway();
      const id = (await h.api('POST', AP, { body: h.apBody(gw, h.addEnis()) })).body.id as string;
      h.clock.advance(2_000);
      const r = await h.api('GET', `${AP}/${id}`, { query: { environment: ENV } });
      expect(r.body.status).toMatchObject({ phase, error_code: `ACCESS_POINT_${phase}` });
      expect(h.ec2.attached()).toEqual([]);
      expect((await h.api('GET', `${GW}/${gw}`, { query: { environment: ENV } })).body.status.phase).toBe('CREATED');
    },
  );

  it('when READY: a READY access point goes DEGRADED on the next read', async () => {
    const gw = await h.createdGateway();
    const id = (await h.api('POST', AP, { body: h.apBody(gw, h.addEnis()) })).body.id as string;
    h.clock.advance(2_000);
    expect((await h.api('GET', `${AP}/${id}`, { query: { environment: ENV } })).body.status.phase).toBe('READY');
    h.faults.add({ service: 'confluent', resource: 'accessPoint', phase: 'DEGRADED', when: 'READY' });
    const r = await h.api('GET', `${AP}/${id}`, { query: { environment: ENV } });
    expect(r.body.status).toMatchObject({ phase: 'DEGRADED', error_code: 'ACCESS_POINT_DEGRADED' });
  });

  it('when READY: a READY gateway goes FAILED', async () => {
    const gw = await h.createdGateway();
    await h.api('POST', AP, { body: h.apBody(gw, h.addEnis()) });
    h.faults.add({ service: 'confluent', resource: 'gateway', phase: 'FAILED', when: 'READY' });
    h.clock.advance(1_000);
    expect((await h.api('GET', `${GW}/${gw}`, { query: { environment: ENV } })).body.status.phase).toBe('CREATED');
    h.clock.advance(1_000);
    const r = await h.api('GET', `${GW}/${gw}`, { query: { environment: ENV } });
    expect(r.body.status).toMatchObject({ phase: 'FAILED', error_code: 'GATEWAY_FAILED' });
  });
});
