import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SEED } from '#sandbox/seed.js';
import { ENV, ENV2, eniId, startHarness, type Harness } from './harness.js';

const GW = '/networking/v1/gateways';
const AP = '/networking/v1/access-points';
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function getAp(id: string) {
  return h.api('GET', `${AP}/${id}`, { query: { environment: ENV } });
}
async function getGw(id: string) {
  return h.api('GET', `${GW}/${id}`, { query: { environment: ENV } });
}

describe('create and provision', () => {
  it('202 PROVISIONING, then READY: ENIs attached by Confluent and the gateway READY', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const r = await h.api('POST', AP, { body: h.apBody(gw, enis, { egress_routes: ['10.10.0.0/16'] }) });
    expect(r.status).toBe(202);
    const id = r.body.id as string;
    expect(id).toMatch(/^ap-[a-z0-9]+$/);
    expect(r.headers.get('location')).toBe(`${h.url}${AP}/${id}`);
    expect(r.body).toMatchObject({
      api_version: 'networking/v1',
      kind: 'AccessPoint',
      id,
      metadata: {
        self: `${h.url}${AP}/${id}`,
        resource_name: `crn://confluent.cloud/organization=${SEED.confluent.organizationId}/environment=${ENV}/gateway=${gw}/access-point=${id}`,
      },
      spec: {
        display_name: 'ap',
        config: {
          kind: 'AwsPrivateNetworkInterface',
          network_interfaces: enis,
          account: SEED.accountId,
          egress_routes: ['10.10.0.0/16'],
        },
        environment: { id: ENV },
        gateway: {
          id: gw,
          related: `${h.url}${GW}/${gw}`,
          resource_name: `crn://confluent.cloud/organization=${SEED.confluent.organizationId}/environment=${ENV}/gateway=${gw}`,
        },
      },
      status: { phase: 'PROVISIONING' },
    });
    expect((await getGw(gw)).body.status.phase).toBe('CREATED');
    expect(h.ec2.attached()).toEqual([]);

    h.clock.advance(1_999);
    expect((await getAp(id)).body.status.phase).toBe('PROVISIONING');
    h.clock.advance(1);
    const ready = await getAp(id);
    expect(ready.body.status).toEqual({ phase: 'READY' });
    expect(h.ec2.attached()).toEqual([...enis].sort());
    expect(h.ec2.calls.filter((c) => c.startsWith('attach'))).toHaveLength(51);
    expect(h.ec2.calls[0]).toBe(`attach ${enis[0]} ${SEED.confluent.gatewayAccountId}`);
    expect((await getGw(gw)).body.status.phase).toBe('READY');
  });

  it('returns egress_routes as an empty list when none were given', async () => {
    const gw = await h.createdGateway();
    const r = await h.api('POST', AP, { body: h.apBody(gw, h.addEnis()) });
    expect(r.body.spec.config.egress_routes).toEqual([]);
  });

  const errorCases: [string, (h: Harness, enis: string[]) => void, string, RegExp][] = [
    [
      'missing permission',
      (hh, enis) => {
        hh.ec2.perms.delete(`us-west-2/${enis[7]}`);
      },
      'NETWORK_INTERFACE_PERMISSION_MISSING',
      /eni-0+7 .*INSTANCE-ATTACH/,
    ],
    [
      'permission to another account',
      (hh, enis) => {
        hh.ec2.addEni(enis[3], 'usw2-az1', { permission: { awsAccountId: '123412341234' } });
      },
      'NETWORK_INTERFACE_PERMISSION_MISSING',
      /eni-0+3 /,
    ],
    [
      'permission still pending',
      (hh, enis) => {
        hh.ec2.addEni(enis[3], 'usw2-az1', { permission: { state: 'pending' } });
      },
      'NETWORK_INTERFACE_PERMISSION_MISSING',
      /eni-0+3 /,
    ],
    [
      'ENI in the wrong AZ',
      (hh, enis) => {
        hh.ec2.addEni(enis[5], 'usw2-az4');
      },
      'NETWORK_INTERFACE_ZONE_MISMATCH',
      /eni-0+5 .*usw2-az4/,
    ],
    [
      'unknown ENI',
      (hh, enis) => {
        hh.ec2.enis.delete(`us-west-2/${enis[50]}`);
      },
      'NETWORK_INTERFACE_NOT_FOUND',
      /eni-0+32 .*not found/,
    ],
    [
      'ENI owned by another account',
      (hh, enis) => {
        hh.ec2.addEni(enis[1], 'usw2-az2', { ownerId: '222233334444' });
      },
      'NETWORK_INTERFACE_ACCOUNT_MISMATCH',
      /eni-0+1 /,
    ],
  ];
  it.each(errorCases)('goes to ERROR on %s, attaches nothing', async (_name, breakIt, code, message) => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    breakIt(h, enis);
    const id = (await h.api('POST', AP, { body: h.apBody(gw, enis) })).body.id as string;
    h.clock.advance(2_000);
    const r = await getAp(id);
    expect(r.body.status.phase).toBe('ERROR');
    expect(r.body.status.error_code).toBe(code);
    expect(r.body.status.error_message).toMatch(message);
    expect(h.ec2.calls).toEqual([]);
    expect((await getGw(gw)).body.status.phase).toBe('CREATED');
  });

  it('accepts permission values case-insensitively', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    h.ec2.addEni(enis[0], 'usw2-az1', { permission: { permission: 'instance-attach', state: 'granted' } });
    const id = (await h.api('POST', AP, { body: h.apBody(gw, enis) })).body.id as string;
    h.clock.advance(2_000);
    expect((await getAp(id)).body.status.phase).toBe('READY');
  });
});

describe('delete', () => {
  it('DEPROVISIONING, then 404 and the ENIs detached; the gateway goes back to CREATED', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const id = (await h.api('POST', AP, { body: h.apBody(gw, enis) })).body.id as string;
    h.clock.advance(2_000);
    expect((await getAp(id)).body.status.phase).toBe('READY');

    expect((await h.api('DELETE', `${GW}/${gw}`, { query: { environment: ENV } })).status).toBe(409);

    expect((await h.api('DELETE', `${AP}/${id}`, { query: { environment: ENV } })).status).toBe(204);
    const d = await getAp(id);
    expect(d.body.status.phase).toBe('DEPROVISIONING');
    expect(h.ec2.attached()).toHaveLength(51);
    expect((await getGw(gw)).body.status.phase).toBe('CREATED');
    h.clock.advance(499);
    expect((await getAp(id)).status).toBe(200);
    h.clock.advance(1);
    const gone = await getAp(id);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      errors: [{ id: expect.any(String), status: '404', detail: `access point ${id} not found`, source: {} }],
    });
    expect(h.ec2.attached()).toEqual([]);
    expect(h.ec2.calls.filter((c) => c.startsWith('detach'))).toHaveLength(51);

    expect((await h.api('DELETE', `${GW}/${gw}`, { query: { environment: ENV } })).status).toBe(204);
  });
});

describe('validation', () => {
  it('422 for 50 ENIs', async () => {
    const gw = await h.createdGateway();
    const r = await h.api('POST', AP, { body: h.apBody(gw, h.addEnis(0, 50)) });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({
      status: '422',
      code: 'invalid_configuration',
      source: { pointer: '/spec/config/network_interfaces' },
    });
  });

  it('422 for duplicate ENIs and malformed ENI ids', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    expect((await h.api('POST', AP, { body: h.apBody(gw, [...enis, enis[0]]) })).status).toBe(422);
    const bad = await h.api('POST', AP, { body: h.apBody(gw, [...enis.slice(1), 'usw2-az1']) });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].source.pointer).toBe('/spec/config/network_interfaces/50');
  });

  it('422 for 6 egress routes, a forbidden CIDR (named), a non-CIDR', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const six = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16', '10.5.0.0/16', '10.6.0.0/16'];
    expect((await h.api('POST', AP, { body: h.apBody(gw, enis, { egress_routes: six }) })).status).toBe(422);
    expect((await h.api('POST', AP, { body: h.apBody(gw, enis, { egress_routes: six.slice(0, 5) }) })).status).toBe(
      202,
    );
    h.emulator.reset();
  });

  it.each([
    ['240.0.0.0/4', '240.0.0.0/4'],
    ['241.1.0.0/16', '240.0.0.0/4'],
    ['172.17.5.0/24', '172.17.0.0/16'],
    ['172.23.0.0/16', '172.23.0.0/16'],
    ['10.100.0.0/16', '10.100.0.0/16'],
    ['10.0.0.0/8', '10.100.0.0/16'],
    ['10.255.255.0/24', '10.255.0.0/16'],
    ['0.0.0.0/0', '240.0.0.0/4'],
  ])('422 for the forbidden route %s', async (route, reserved) => {
    const gw = await h.createdGateway();
    const r = await h.api('POST', AP, { body: h.apBody(gw, h.addEnis(), { egress_routes: ['10.10.0.0/16', route] }) });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].detail).toContain(route);
    expect(r.body.errors[0].detail).toContain(reserved);
    expect(r.body.errors[0].source.pointer).toBe('/spec/config/egress_routes/1');
  });

  it('accepts routes next to the forbidden ranges', async () => {
    const gw = await h.createdGateway();
    const r = await h.api('POST', AP, {
      body: h.apBody(gw, h.addEnis(), {
        egress_routes: ['172.16.0.0/16', '172.18.0.0/15', '10.101.0.0/16', '224.0.0.0/4'],
      }),
    });
    expect(r.status).toBe(202);
  });

  it.each([
    ['a 13-digit account', { account: '1234567890123' }, 422, '/spec/config/account'],
    ['a non-numeric account', { account: 'abcdefghijkl' }, 422, '/spec/config/account'],
    ['no account', { account: undefined }, 422, '/spec/config/account'],
    ['a numeric account', { account: 123456789012 }, 400, '/spec/config/account'],
    ['a non-CIDR route', { egress_routes: ['10.0.0.0'] }, 422, '/spec/config/egress_routes/0'],
    ['an IPv6 route', { egress_routes: ['fd00::/8'] }, 422, '/spec/config/egress_routes/0'],
    ['routes not an array', { egress_routes: '10.0.0.0/16' }, 400, '/spec/config/egress_routes'],
    ['another access point kind', { kind: 'AwsEgressPrivateLinkEndpoint' }, 422, '/spec/config/kind'],
    ['an unknown kind', { kind: 'Whatever' }, 400, '/spec/config/kind'],
    ['ENIs not strings', { network_interfaces: [1, 2] }, 400, '/spec/config/network_interfaces/0'],
  ])('rejects %s', async (_name, extra, status, pointer) => {
    const gw = await h.createdGateway();
    const r = await h.api('POST', AP, { body: h.apBody(gw, h.addEnis(), extra) });
    expect(r.status).toBe(status);
    expect(r.body.errors[0].source).toEqual({ pointer });
  });

  it('400 without gateway or environment, 403 for an unknown environment', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const body = h.apBody(gw, enis) as { spec: Record<string, unknown> };
    expect((await h.api('POST', AP, { body: { spec: { ...body.spec, gateway: undefined } } })).status).toBe(400);
    expect((await h.api('POST', AP, { body: { spec: { ...body.spec, environment: undefined } } })).status).toBe(400);
    expect((await h.api('POST', AP, { body: h.apBody(gw, enis, {}, 'env-unknown') })).status).toBe(403);
  });

  it('gateway: 422 unknown or in another environment, 409 while PROVISIONING, 422 while DEPROVISIONING', async () => {
    const enis = h.addEnis();
    expect((await h.api('POST', AP, { body: h.apBody('gw-none', enis) })).status).toBe(422);
    const other = await h.createdGateway(ENV2);
    const r = await h.api('POST', AP, { body: h.apBody(other, enis) });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].source).toEqual({ pointer: '/spec/gateway/id' });

    const prov = (
      await h.api('POST', GW, {
        body: {
          spec: {
            display_name: 'p',
            environment: { id: ENV },
            config: {
              kind: 'AwsPrivateNetworkInterfaceGatewaySpec',
              region: 'us-west-2',
              zones: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
            },
          },
        },
      })
    ).body.id as string;
    const c = await h.api('POST', AP, { body: h.apBody(prov, enis) });
    expect(c.status).toBe(409);
    expect(c.headers.get('location')).toBe(`${h.url}${GW}/${prov}`);
    h.clock.advance(1_000);
    await h.api('DELETE', `${GW}/${prov}`, { query: { environment: ENV } });
    expect((await h.api('POST', AP, { body: h.apBody(prov, enis) })).status).toBe(422);
  });

  it('409 resource_already_exists with Location when an ENI is in another access point; allowed once it is gone', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const first = (await h.api('POST', AP, { body: h.apBody(gw, enis) })).body.id as string;
    const more = h.addEnis(1, 50);
    const r = await h.api('POST', AP, { body: h.apBody(gw, [...more, enis[10]]) });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({ status: '409', code: 'resource_already_exists' });
    expect(r.body.errors[0].detail).toContain(enis[10]);
    expect(r.headers.get('location')).toBe(`${h.url}${AP}/${first}`);

    await h.api('DELETE', `${AP}/${first}`, { query: { environment: ENV } });
    expect((await h.api('POST', AP, { body: h.apBody(gw, [...more, enis[10]]) })).status).toBe(409);
    h.clock.advance(500);
    expect((await h.api('POST', AP, { body: h.apBody(gw, [...more, enis[10]]) })).status).toBe(202);
  });

  it('allows duplicate display names', async () => {
    const gw = await h.createdGateway();
    expect((await h.api('POST', AP, { body: h.apBody(gw, h.addEnis(0)) })).status).toBe(202);
    expect((await h.api('POST', AP, { body: h.apBody(gw, h.addEnis(1)) })).status).toBe(202);
  });
});

describe('PATCH', () => {
  it('updates display_name and egress_routes; account and gateway are immutable', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const id = (await h.api('POST', AP, { body: h.apBody(gw, enis) })).body.id as string;
    h.clock.advance(2_000);
    const r = await h.api('PATCH', `${AP}/${id}`, {
      body: {
        spec: {
          display_name: 'new',
          environment: { id: ENV },
          config: { kind: 'AwsPrivateNetworkInterface', egress_routes: ['10.9.0.0/16'] },
        },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.spec.display_name).toBe('new');
    expect(r.body.spec.config.egress_routes).toEqual(['10.9.0.0/16']);
    expect(r.body.spec.config.network_interfaces).toEqual(enis);
    expect(r.body.status.phase).toBe('READY');

    const env = { id: ENV };
    const bad = async (spec: Record<string, unknown>): Promise<number> =>
      (await h.api('PATCH', `${AP}/${id}`, { body: { spec: { environment: env, ...spec } } })).status;
    expect(await bad({ config: { kind: 'AwsPrivateNetworkInterface', account: '000000000000' } })).toBe(422);
    expect(await bad({ gateway: { id: 'gw-other' } })).toBe(422);
    expect(await bad({ config: { kind: 'AwsPrivateNetworkInterface', egress_routes: ['10.100.0.0/16'] } })).toBe(422);
    expect(await bad({ config: { kind: 'AwsPrivateNetworkInterface', network_interfaces: enis.slice(1) } })).toBe(422);
    expect(await bad({ config: { egress_routes: [] } })).toBe(400);
    expect((await h.api('PATCH', `${AP}/${id}`, { body: { spec: { display_name: 'x' } } })).status).toBe(400);
    expect((await h.api('PATCH', `${AP}/ap-none`, { body: { spec: { environment: env } } })).status).toBe(404);
  });

  it('new network_interfaces: removed ENIs detached, re-provisioned, new ones attached', async () => {
    const gw = await h.createdGateway();
    const enis = h.addEnis();
    const id = (await h.api('POST', AP, { body: h.apBody(gw, enis) })).body.id as string;
    h.clock.advance(2_000);
    expect((await getAp(id)).body.status.phase).toBe('READY');
    const replacement = eniId(0, 7);
    h.ec2.addEni(replacement, 'usw2-az1');
    const next = [...enis.slice(1), replacement];
    const r = await h.api('PATCH', `${AP}/${id}`, {
      body: {
        spec: { environment: { id: ENV }, config: { kind: 'AwsPrivateNetworkInterface', network_interfaces: next } },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.status.phase).toBe('PROVISIONING');
    expect(h.ec2.calls).toContain(`detach ${enis[0]}`);
    h.clock.advance(2_000);
    expect((await getAp(id)).body.status.phase).toBe('READY');
    expect(h.ec2.attached()).toEqual([...next].sort());
  });
});

describe('list', () => {
  it('pages with page_size=1 to the end; default page size 10; filters', async () => {
    const gw = await h.createdGateway();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await h.api('POST', AP, { body: h.apBody(gw, h.addEnis(i), {}) });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    const first = await h.api('GET', AP, { query: { environment: ENV } });
    expect(first.body.kind).toBe('AccessPointList');
    expect(first.body.data).toHaveLength(10);
    expect(first.body.metadata.total_size).toBe(12);
    const second = await h.api('GET', first.body.metadata.next);
    expect(second.body.data.map((a: { id: string }) => a.id)).toEqual(ids.slice(10));
    expect(second.body.metadata.next).toBeUndefined();

    const seen: string[] = [];
    let next: string | undefined = `${AP}?environment=${ENV}&page_size=1&spec.gateway=${gw}`;
    while (next) {
      const r = await h.api('GET', next);
      expect(r.body.data.length).toBeLessThanOrEqual(1);
      seen.push(...r.body.data.map((a: { id: string }) => a.id));
      next = r.body.metadata.next;
    }
    expect(seen).toEqual(ids);

    const byId = await h.api('GET', AP, { query: { environment: ENV, id: [ids[3], ids[5]] } });
    expect(byId.body.data.map((a: { id: string }) => a.id)).toEqual([ids[3], ids[5]]);
    expect((await h.api('GET', AP, { query: { environment: ENV, 'spec.gateway': 'gw-x' } })).body.data).toEqual([]);
    expect(
      (await h.api('GET', AP, { query: { environment: ENV, 'spec.display_name': 'ap' } })).body.metadata.total_size,
    ).toBe(12);
    expect((await h.api('GET', AP, { query: { environment: ENV2 } })).body.data).toEqual([]);
    expect((await h.api('GET', AP, { query: { environment: ENV, 'status.phase': 'READY' } })).status).toBe(400);
    expect(h.emulator.snapshot().accessPoints).toHaveLength(12);
  });
});
