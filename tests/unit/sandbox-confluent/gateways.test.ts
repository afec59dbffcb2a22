import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SEED } from '#sandbox/seed.js';
import { ENV, ENV2, ZONES, gatewayBody, startHarness, type Harness } from './harness.js';

const GW = '/networking/v1/gateways';
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('auth', () => {
  it('answers 401 with WWW-Authenticate without credentials', async () => {
    const r = await h.api('GET', GW, { query: { environment: ENV }, auth: null });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(
      'Basic error="invalid_key", error_description="The API Key is invalid"',
    );
    expect(r.body.errors[0]).toMatchObject({ status: '401', code: 'user_unauthenticated' });
  });

  it('answers 401 for a wrong secret and a non-Basic scheme', async () => {
    const bad = `Basic ${Buffer.from(`${SEED.confluent.apiKey}:nope`).toString('base64')}`;
    expect((await h.api('GET', GW, { query: { environment: ENV }, auth: bad })).status).toBe(401);
    expect((await h.api('GET', GW, { query: { environment: ENV }, auth: 'Bearer abc' })).status).toBe(401);
  });

  it('accepts the seed API key', async () => {
    const r = await h.api('GET', GW, { query: { environment: ENV } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      api_version: 'networking/v1',
      kind: 'GatewayList',
      data: [],
      metadata: { total_size: 0 },
    });
  });
});

describe('create, get, phases', () => {
  it('creates a gateway: 202 + Location + PROVISIONING without account, then CREATED with account', async () => {
    const r = await h.api('POST', GW, { body: gatewayBody(ENV, 'pni-gw') });
    expect(r.status).toBe(202);
    const id = r.body.id as string;
    expect(id).toMatch(/^gw-[a-z0-9]+$/);
    expect(r.headers.get('location')).toBe(`${h.url}${GW}/${id}`);
    expect(r.body).toMatchObject({
      api_version: 'networking/v1',
      kind: 'Gateway',
      id,
      metadata: {
        self: `${h.url}${GW}/${id}`,
        resource_name: `crn://confluent.cloud/organization=${SEED.confluent.organizationId}/environment=${ENV}/gateway=${id}`,
        created_at: new Date(h.clock.t).toISOString(),
      },
      spec: {
        display_name: 'pni-gw',
        environment: {
          id: ENV,
          related: `${h.url}/v2/environments/${ENV}`,
          resource_name: `crn://confluent.cloud/organization=${SEED.confluent.organizationId}/environment=${ENV}`,
        },
        config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: 'us-west-2', zones: ZONES },
      },
      status: { phase: 'PROVISIONING', cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus' } },
    });
    expect(r.body.status.cloud_gateway.account).toBeUndefined();

    h.clock.advance(999);
    let g = await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } });
    expect(g.body.status.phase).toBe('PROVISIONING');
    h.clock.advance(1);
    g = await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } });
    expect(g.status).toBe(200);
    expect(g.body.status).toEqual({
      phase: 'CREATED',
      cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus', account: SEED.confluent.gatewayAccountId },
    });
    expect(h.emulator.snapshot().gateways).toEqual([g.body]);
  });

  it('requires the environment query parameter and scopes ids to it', async () => {
    const id = await h.createdGateway();
    const r = await h.api('GET', `${GW}/${id}`);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].source).toEqual({ parameter: 'environment' });
    expect((await h.api('GET', `${GW}/${id}`, { query: { environment: ENV2 } })).status).toBe(404);
    expect((await h.api('GET', `${GW}/${id}`, { query: { environment: 'env-nope' } })).status).toBe(403);
    expect((await h.api('GET', GW)).status).toBe(400);
  });

  it('answers the Terraform-fixture 404 body for an unknown gateway', async () => {
    const r = await h.api('GET', `${GW}/gw-zzz`, { query: { environment: ENV } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      errors: [{ id: expect.any(String), status: '404', detail: 'gateway gw-zzz not found', source: {} }],
    });
  });

  it('PATCH changes display_name only', async () => {
    const id = await h.createdGateway();
    h.clock.advance(5);
    const r = await h.api('PATCH', `${GW}/${id}`, {
      body: { spec: { display_name: 'renamed', environment: { id: ENV } } },
    });
    expect(r.status).toBe(200);
    expect(r.body.spec.display_name).toBe('renamed');
    expect(r.body.metadata.updated_at).toBe(new Date(h.clock.t).toISOString());
    const bad = await h.api('PATCH', `${GW}/${id}`, {
      body: {
        spec: {
          environment: { id: ENV },
          config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: 'us-east-1', zones: ZONES },
        },
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].source).toEqual({ pointer: '/spec/config' });
    const same = await h.api('PATCH', `${GW}/${id}`, {
      body: {
        spec: {
          environment: { id: ENV },
          config: { zones: [...ZONES].reverse(), region: 'us-west-2', kind: 'AwsPrivateNetworkInterfaceGatewaySpec' },
        },
      },
    });
    expect(same.status).toBe(200);
    expect((await h.api('PATCH', `${GW}/${id}`, { body: { spec: { display_name: 'x' } } })).status).toBe(400);
    expect(
      (await h.api('PATCH', `${GW}/gw-none`, { body: { spec: { display_name: 'x', environment: { id: ENV } } } }))
        .status,
    ).toBe(404);
  });

  it('DELETE: 204, DEPROVISIONING with deleted_at, then 404', async () => {
    const id = await h.createdGateway();
    const d = await h.api('DELETE', `${GW}/${id}`, { query: { environment: ENV } });
    expect(d.status).toBe(204);
    const g = await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } });
    expect(g.body.status.phase).toBe('DEPROVISIONING');
    expect(g.body.metadata.deleted_at).toBe(new Date(h.clock.t).toISOString());
    h.clock.advance(500);
    const gone = await h.api('GET', `${GW}/${id}`, { query: { environment: ENV } });
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0].detail).toBe(`gateway ${id} not found`);
    expect(h.emulator.snapshot().gateways).toEqual([]);
    expect((await h.api('DELETE', `${GW}/${id}`, { query: { environment: ENV } })).status).toBe(404);
    expect((await h.api('DELETE', `${GW}/${id}`)).status).toBe(400);
  });
});

describe('quota', () => {
  it('answers 402 quota_exceeded for a third PNI gateway in an environment, not in another one', async () => {
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'a') })).status).toBe(202);
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'b') })).status).toBe(202);
    const r = await h.api('POST', GW, { body: gatewayBody(ENV, 'c') });
    expect(r.status).toBe(402);
    expect(r.body.errors[0]).toMatchObject({ status: '402', code: 'quota_exceeded' });
    expect(r.body.errors[0].detail).toMatch(/^The request would exceed the quota: gateways_per_region_per_environment/);
    expect((await h.api('POST', GW, { body: gatewayBody(ENV2, 'c') })).status).toBe(202);
  });

  it('frees the slot once a deleted gateway is gone', async () => {
    const a = (await h.api('POST', GW, { body: gatewayBody(ENV, 'a') })).body.id as string;
    await h.api('POST', GW, { body: gatewayBody(ENV, 'b') });
    await h.api('DELETE', `${GW}/${a}`, { query: { environment: ENV } });
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'c') })).status).toBe(402);
    h.clock.advance(500);
    expect((await h.api('POST', GW, { body: gatewayBody(ENV, 'c') })).status).toBe(202);
  });
});

describe('create validation', () => {
  const cases: [string, unknown, number, string | undefined][] = [
    ['invalid JSON', '{', 400, undefined],
    ['no spec', {}, 400, '/spec'],
    [
      'no environment',
      { spec: { config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: 'us-west-2', zones: ZONES } } },
      400,
      '/spec/environment',
    ],
    ['no config', { spec: { environment: { id: ENV } } }, 400, '/spec/config'],
    ['zones not an array', gatewayBody(ENV, 'x', { zones: 'usw2-az1' }), 400, '/spec/config/zones'],
    ['region not a string', gatewayBody(ENV, 'x', { region: 5 }), 400, '/spec/config/region'],
    ['unknown kind', gatewayBody(ENV, 'x', { kind: 'Nope' }), 400, '/spec/config/kind'],
    [
      'other gateway type',
      gatewayBody(ENV, 'x', { kind: 'AwsEgressPrivateLinkGatewaySpec' }),
      422,
      '/spec/config/kind',
    ],
    ['two zones', gatewayBody(ENV, 'x', { zones: ZONES.slice(0, 2) }), 422, '/spec/config/zones'],
    ['four zones', gatewayBody(ENV, 'x', { zones: [...ZONES, 'usw2-az4'] }), 422, '/spec/config/zones'],
    [
      'duplicate zones',
      gatewayBody(ENV, 'x', { zones: ['usw2-az1', 'usw2-az1', 'usw2-az2'] }),
      422,
      '/spec/config/zones',
    ],
    [
      'zone names',
      gatewayBody(ENV, 'x', { zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] }),
      422,
      '/spec/config/zones/0',
    ],
    [
      'zones of another region',
      gatewayBody(ENV, 'x', { zones: ['use1-az1', 'use1-az2', 'use1-az4'] }),
      422,
      '/spec/config/zones/0',
    ],
    ['bad region', gatewayBody(ENV, 'x', { region: 'mars' }), 422, '/spec/config/region'],
  ];
  it.each(cases)('%s -> %d', async (_name, body, status, pointer) => {
    const r = await h.api('POST', GW, typeof body === 'string' ? { rawBody: body } : { body });
    expect(r.status).toBe(status);
    expect(r.body.errors[0].status).toBe(String(status));
    if (pointer) expect(r.body.errors[0].source).toEqual({ pointer });
  });

  it('answers 403 for an unknown environment', async () => {
    const r = await h.api('POST', GW, { body: gatewayBody('env-unknown') });
    expect(r.status).toBe(403);
    expect(r.body.errors[0].code).toBe('user_unauthorized');
  });

  it('accepts zones of another region when they match it', async () => {
    const r = await h.api('POST', GW, {
      body: gatewayBody(ENV, 'x', { region: 'ap-southeast-1', zones: ['apse1-az1', 'apse1-az2', 'apse1-az3'] }),
    });
    expect(r.status).toBe(202);
  });
});

describe('list', () => {
  it('pages with page_size=1 following metadata.next to the end', async () => {
    const ids = [
      (await h.api('POST', GW, { body: gatewayBody(ENV, 'a') })).body.id,
      (await h.api('POST', GW, { body: gatewayBody(ENV, 'b') })).body.id,
    ];
    await h.api('POST', GW, { body: gatewayBody(ENV2, 'other') });
    const seen: string[] = [];
    let next: string | undefined = `${GW}?environment=${ENV}&page_size=1`;
    let pages = 0;
    while (next) {
      const r = await h.api('GET', next);
      expect(r.status).toBe(200);
      expect(r.body.kind).toBe('GatewayList');
      expect(r.body.metadata.total_size).toBe(2);
      expect(r.body.data).toHaveLength(1);
      seen.push(...r.body.data.map((g: { id: string }) => g.id));
      next = r.body.metadata.next;
      if (next) expect(next.startsWith(`${h.url}${GW}?`)).toBe(true);
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(ids);
  });

  it('filters by id, display_name, region, gateway_type and status.phase (lowercase, active=READY)', async () => {
    const a = await h.createdGateway(ENV, 'a');
    const b = (await h.api('POST', GW, { body: gatewayBody(ENV, 'b') })).body.id as string;
    const q = async (query: Record<string, string | string[]>): Promise<string[]> => {
      const r = await h.api('GET', GW, { query: { environment: ENV, ...query } });
      expect(r.status).toBe(200);
      return r.body.data.map((g: { id: string }) => g.id);
    };
    expect(await q({ id: [a, 'gw-x'] })).toEqual([a]);
    expect(await q({ id: `${a},${b}` })).toEqual([a, b]);
    expect(await q({ 'spec.display_name': 'b' })).toEqual([b]);
    expect(await q({ 'spec.config.region': 'us-west-2' })).toEqual([a, b]);
    expect(await q({ 'spec.config.region': 'eu-west-1' })).toEqual([]);
    expect(await q({ gateway_type: 'AwsPrivateNetworkInterface' })).toEqual([a, b]);
    expect(await q({ gateway_type: 'AwsEgressPrivateLink' })).toEqual([]);
    expect(await q({ 'status.phase': 'created' })).toEqual([a]);
    expect(await q({ 'status.phase': ['provisioning', 'CREATED'] })).toEqual([a, b]);
    expect(await q({ 'status.phase': 'active' })).toEqual([]);
  });

  it('rejects unknown filters and bad page parameters', async () => {
    const r = await h.api('GET', GW, { query: { environment: ENV, num_doors: '4' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 'invalid_filter', source: { parameter: 'num_doors' } });
    expect((await h.api('GET', GW, { query: { environment: ENV, page_size: '101' } })).status).toBe(400);
    expect((await h.api('GET', GW, { query: { environment: ENV, page_size: '0' } })).status).toBe(400);
    expect((await h.api('GET', GW, { query: { environment: ENV, page_token: 'garbage' } })).status).toBe(400);
    expect((await h.api('GET', GW, { query: { environment: 'env-nope' } })).status).toBe(403);
  });
});

describe('misc', () => {
  it('answers 404 for unknown paths and 405 for unknown methods', async () => {
    expect((await h.api('GET', '/networking/v1/dns-records', { query: { environment: ENV } })).status).toBe(404);
    const r = await h.api('PUT', `${GW}/gw-1`, { body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });

  it('X-RateLimit-Reset is relative seconds', async () => {
    const r = await h.api('GET', GW, { query: { environment: ENV } });
    const reset = Number(r.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60);
  });

  it('adds profile().confluentLatencyMs per call', async () => {
    h.profile.confluentLatencyMs = 60;
    const t0 = Date.now();
    await h.api('GET', GW, { query: { environment: ENV } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('reset() forgets everything', async () => {
    await h.createdGateway();
    h.emulator.reset();
    expect(h.emulator.snapshot()).toEqual({ gateways: [], accessPoints: [] });
  });
});
