import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConfluentAccessDenied, ConfluentRequestFailed, ConfluentTransientError } from '#lib/errors.js';
import {
  ConfluentClient,
  gatewayAccount,
  isPniGateway,
  parseErrorBody,
  type AccessPoint,
  type ConfluentClientOptions,
  type ConfluentRetryInfo,
  type Gateway,
} from '#lib/confluent/index.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

const KEY = 'CKEYABCDEF123456';
const SECRET = 'sEcReT/very+long+secret+value==';
const ENV = 'env-abc123';

function gateway(id: string, over: Partial<Gateway> = {}): Gateway {
  return {
    api_version: 'networking/v1',
    kind: 'Gateway',
    id,
    metadata: { self: `https://api.confluent.cloud/networking/v1/gateways/${id}` },
    spec: {
      display_name: `name-${id}`,
      environment: { id: ENV, related: 'x', resource_name: 'y' },
      config: {
        kind: 'AwsPrivateNetworkInterfaceGatewaySpec',
        region: 'us-west-2',
        zones: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
      },
    },
    status: {
      phase: 'PROVISIONING',
      cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus', account: '000000000000' },
    },
    ...over,
  };
}

function accessPoint(id: string, gatewayId = 'gw-1'): AccessPoint {
  return {
    api_version: 'networking/v1',
    kind: 'AccessPoint',
    id,
    spec: {
      display_name: `ap-name-${id}`,
      environment: { id: ENV },
      gateway: { id: gatewayId },
      config: {
        kind: 'AwsPrivateNetworkInterface',
        network_interfaces: ['eni-1'],
        account: '123456789012',
        egress_routes: [],
      },
    },
    status: { phase: 'PROVISIONING' },
  };
}

let server: ScriptedServer;
let delays: number[];
let retries: ConfluentRetryInfo[];

function client(over: Partial<ConfluentClientOptions> = {}): ConfluentClient {
  return new ConfluentClient({
    baseUrl: server.baseUrl,
    credentials: async () => ({ key: KEY, secret: SECRET }),
    sleep: async (ms) => {
      delays.push(ms);
    },
    onRetry: (info) => retries.push(info),
    ...over,
  });
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  server = await startScriptedServer();
  delays = [];
  retries = [];
});

afterEach(async () => {
  jest.restoreAllMocks();
  await server.close();
});

describe('requests', () => {
  it('sends Basic auth, Accept JSON, and environment in the query for GET (URL-encoded)', async () => {
    server.script({ status: 200, body: gateway('gw-1') });
    const g = await client().getGateway('env a/b&c', 'gw-1/x');
    expect(g?.id).toBe('gw-1');
    const [req] = server.requests;
    expect(req.method).toBe('GET');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`);
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['content-type']).toBeUndefined();
    expect(req.bodyText).toBe('');
    expect(req.url).toBe('/networking/v1/gateways/gw-1%2Fx?environment=env%20a%2Fb%26c');
    expect(req.query.get('environment')).toBe('env a/b&c');
  });

  it('resolves credentials on every request', async () => {
    let n = 0;
    const c = client({ credentials: async () => ({ key: `k${++n}`, secret: 's' }) });
    server.script({ status: 200, body: gateway('gw-1') }, { status: 200, body: gateway('gw-1') });
    await c.getGateway(ENV, 'gw-1');
    await c.getGateway(ENV, 'gw-1');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('k1:s').toString('base64')}`,
      `Basic ${Buffer.from('k2:s').toString('base64')}`,
    ]);
  });

  it('keeps a path prefix of baseUrl', async () => {
    server.script({ status: 200, body: gateway('gw-1') });
    await client({ baseUrl: `${server.baseUrl}/confluent/` }).getGateway(ENV, 'gw-1');
    expect(server.requests[0].pathname).toBe('/confluent/networking/v1/gateways/gw-1');
  });

  it('createGateway POSTs the reference body with environment in spec and no query; 202 parses the object', async () => {
    server.script({
      status: 202,
      headers: { location: 'https://api.confluent.cloud/networking/v1/gateways/gw-9' },
      body: gateway('gw-9'),
    });
    const g = await client().createGateway({
      environmentId: ENV,
      displayName: 'pni-gw',
      region: 'us-west-2',
      zones: ['usw2-az1', 'usw2-az2'],
    });
    expect(g.id).toBe('gw-9');
    expect(g.status?.phase).toBe('PROVISIONING');
    expect(gatewayAccount(g)).toBe('000000000000');
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/networking/v1/gateways');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.body).toEqual({
      spec: {
        display_name: 'pni-gw',
        environment: { id: ENV },
        config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: 'us-west-2', zones: ['usw2-az1', 'usw2-az2'] },
      },
    });
  });

  it('createAccessPoint POSTs the reference body; 202 parses the object', async () => {
    server.script({ status: 202, body: accessPoint('ap-1', 'gw-9') });
    const enis = Array.from({ length: 51 }, (_, i) => `eni-${i}`);
    const ap = await client().createAccessPoint({
      environmentId: ENV,
      gatewayId: 'gw-9',
      displayName: 'pni-ap',
      networkInterfaces: enis,
      account: '123456789012',
      egressRoutes: ['10.0.0.0/16'],
    });
    expect(ap.id).toBe('ap-1');
    expect(ap.status?.phase).toBe('PROVISIONING');
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/networking/v1/access-points');
    expect(req.body).toEqual({
      spec: {
        display_name: 'pni-ap',
        environment: { id: ENV },
        gateway: { id: 'gw-9' },
        config: {
          kind: 'AwsPrivateNetworkInterface',
          network_interfaces: enis,
          account: '123456789012',
          egress_routes: ['10.0.0.0/16'],
        },
      },
    });
  });

  it('updateAccessPoint PATCHes only the given fields, environment in spec, no query', async () => {
    server.script(
      { status: 200, body: accessPoint('ap-1') },
      { status: 200, body: accessPoint('ap-1') },
      { status: 200, body: accessPoint('ap-1') },
    );
    const c = client();
    await c.updateAccessPoint(ENV, 'ap-1', { egressRoutes: [] });
    await c.updateAccessPoint(ENV, 'ap-1', { displayName: 'renamed' });
    await c.updateAccessPoint(ENV, 'ap-1', {
      displayName: 'x',
      networkInterfaces: ['eni-a'],
      egressRoutes: ['10.1.0.0/16'],
    });
    for (const r of server.requests) {
      expect(r.method).toBe('PATCH');
      expect(r.url).toBe('/networking/v1/access-points/ap-1');
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(server.requests.map((r) => r.body)).toEqual([
      { spec: { environment: { id: ENV }, config: { kind: 'AwsPrivateNetworkInterface', egress_routes: [] } } },
      { spec: { environment: { id: ENV }, display_name: 'renamed' } },
      {
        spec: {
          environment: { id: ENV },
          display_name: 'x',
          config: { kind: 'AwsPrivateNetworkInterface', egress_routes: ['10.1.0.0/16'], network_interfaces: ['eni-a'] },
        },
      },
    ]);
  });

  it('DELETE puts environment in the query; 204 -> deleting', async () => {
    server.script({ status: 204 }, { status: 204 });
    const c = client();
    await expect(c.deleteGateway(ENV, 'gw-1')).resolves.toBe('deleting');
    await expect(c.deleteAccessPoint(ENV, 'ap-1')).resolves.toBe('deleting');
    expect(server.requests.map((r) => [r.method, r.url, r.bodyText, r.headers['content-type']])).toEqual([
      ['DELETE', `/networking/v1/gateways/gw-1?environment=${ENV}`, '', undefined],
      ['DELETE', `/networking/v1/access-points/ap-1?environment=${ENV}`, '', undefined],
    ]);
  });
});

describe('gone', () => {
  it('404 -> undefined on get and gone on delete', async () => {
    const notFound = {
      status: 404,
      body: { errors: [{ id: 'x', status: '404', detail: 'access point ap-1 not found', source: {} }] },
    };
    server.script(notFound, notFound, notFound, notFound);
    const c = client();
    await expect(c.getGateway(ENV, 'gw-1')).resolves.toBeUndefined();
    await expect(c.getAccessPoint(ENV, 'ap-1')).resolves.toBeUndefined();
    await expect(c.deleteGateway(ENV, 'gw-1')).resolves.toBe('gone');
    await expect(c.deleteAccessPoint(ENV, 'ap-1')).resolves.toBe('gone');
    expect(delays).toEqual([]);
  });

  it('403 is ConfluentAccessDenied on reads, deletes and lists, never gone (issue 8)', async () => {
    const forbidden = {
      status: 403,
      body: { errors: [{ status: '403', code: 'user_unauthorized', detail: 'Forbidden Access' }] },
    };
    server.script(forbidden, forbidden, forbidden, forbidden, forbidden);
    const c = client();
    const err = await caught(c.getAccessPoint(ENV, 'ap-1'));
    expect(err).toBeInstanceOf(ConfluentAccessDenied);
    expect(err).toBeInstanceOf(ConfluentRequestFailed);
    expect(err.name).toBe('ConfluentAccessDenied');
    expect((err as ConfluentRequestFailed).status).toBe(403);
    expect(err.message).toBe(
      'Confluent GET /networking/v1/access-points/ap-1 answered 403 user_unauthorized (access denied: the API key lacks a role on this environment): Forbidden Access',
    );
    await expect(c.deleteGateway(ENV, 'gw-1')).rejects.toMatchObject({ name: 'ConfluentAccessDenied' });
    await expect(c.getGateway(ENV, 'gw-1')).rejects.toMatchObject({ name: 'ConfluentAccessDenied' });
    await expect(c.deleteAccessPoint(ENV, 'ap-1')).rejects.toMatchObject({ name: 'ConfluentAccessDenied' });
    await expect(c.listGateways(ENV)).rejects.toMatchObject({ name: 'ConfluentAccessDenied' });
    expect(delays).toEqual([]);
  });

  it('403 with "invalid API key" is access denied too', async () => {
    const bad = {
      status: 403,
      body: { errors: [{ status: '403', code: 'user_unauthorized', detail: 'Invalid API Key provided' }] },
    };
    server.script(bad);
    const err = await caught(client().getGateway(ENV, 'gw-1'));
    expect(err.name).toBe('ConfluentAccessDenied');
    expect((err as ConfluentRequestFailed).code).toBe('user_unauthorized');
  });

  it('404 on PATCH is a ConfluentRequestFailed (only reads and deletes map to gone)', async () => {
    server.script({ status: 404, body: { errors: [{ status: '404', title: 'Not Found' }] } });
    const err = await caught(client().updateAccessPoint(ENV, 'ap-1', { displayName: 'x' }));
    expect(err).toBeInstanceOf(ConfluentRequestFailed);
    expect(err.message).toBe('Confluent PATCH /networking/v1/access-points/ap-1 answered 404: Not Found');
  });
});

describe('request errors', () => {
  it('409 -> ConfluentRequestFailed with errors[0].detail, not retried', async () => {
    server.script({
      status: 409,
      headers: { location: 'https://api.confluent.cloud/networking/v1/gateways/gw-0' },
      body: {
        errors: [
          {
            id: '1',
            status: '409',
            code: 'resource_already_exists',
            title: 'Conflict',
            detail: 'gateway already exists',
          },
        ],
      },
    });
    const err = await caught(
      client().createGateway({ environmentId: ENV, displayName: 'n', region: 'us-west-2', zones: ['a'] }),
    );
    expect(err).toBeInstanceOf(ConfluentRequestFailed);
    const e = err as ConfluentRequestFailed;
    expect(e.status).toBe(409);
    expect(e.code).toBe('resource_already_exists');
    expect(e.message).toBe(
      'Confluent POST /networking/v1/gateways answered 409 resource_already_exists: gateway already exists',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('422 -> ConfluentRequestFailed with detail (and resolution)', async () => {
    server.script({
      status: 422,
      body: {
        errors: [
          {
            status: '422',
            code: 'invalid_configuration',
            detail: 'network_interfaces must have at least 51 items',
            resolution: 'Create more ENIs.',
            source: { pointer: '/spec/config' },
          },
          { status: '422', detail: 'second' },
        ],
      },
    });
    const err = (await caught(
      client().createAccessPoint({
        environmentId: ENV,
        gatewayId: 'gw-1',
        displayName: 'a',
        networkInterfaces: ['eni-1'],
        account: '123456789012',
        egressRoutes: [],
      }),
    )) as ConfluentRequestFailed;
    expect(err).toBeInstanceOf(ConfluentRequestFailed);
    expect(err.status).toBe(422);
    expect(err.code).toBe('invalid_configuration');
    expect(err.message).toBe(
      'Confluent POST /networking/v1/access-points answered 422 invalid_configuration: network_interfaces must have at least 51 items (resolution: Create more ENIs.)',
    );
    expect(delays).toEqual([]);
  });

  it('400 with a top-level {message}', async () => {
    server.script({ status: 400, body: { message: 'bad filter', code: 'invalid_filter' } });
    const err = (await caught(client().listGateways(ENV))) as ConfluentRequestFailed;
    expect(err).toBeInstanceOf(ConfluentRequestFailed);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_filter');
    expect(err.message).toBe('Confluent GET /networking/v1/gateways answered 400 invalid_filter: bad filter');
  });

  it('400 with {error:{message}}', async () => {
    server.script({ status: 400, body: { error: { code: 400, message: 'malformed request' } } });
    const err = (await caught(client().listAccessPoints(ENV))) as ConfluentRequestFailed;
    expect(err).toBeInstanceOf(ConfluentRequestFailed);
    expect(err.code).toBeUndefined();
    expect(err.message).toBe('Confluent GET /networking/v1/access-points answered 400: malformed request');
  });

  it('401 and 402 are request failures, 501 is not retried', async () => {
    server.script(
      {
        status: 401,
        headers: { 'www-authenticate': 'Basic error="invalid_key"' },
        body: { errors: [{ code: 'user_unauthenticated', detail: 'bad creds' }] },
      },
      { status: 402, body: { errors: [{ code: 'quota_exceeded', detail: 'The request would exceed the quota' }] } },
      { status: 501, body: 'not implemented' },
    );
    const c = client();
    const e401 = (await caught(c.getGateway(ENV, 'gw-1'))) as ConfluentRequestFailed;
    expect([e401.name, e401.status, e401.code]).toEqual(['ConfluentRequestFailed', 401, 'user_unauthenticated']);
    const e402 = (await caught(
      c.createGateway({ environmentId: ENV, displayName: 'n', region: 'r', zones: [] }),
    )) as ConfluentRequestFailed;
    expect([e402.name, e402.status, e402.code]).toEqual(['ConfluentRequestFailed', 402, 'quota_exceeded']);
    const e501 = (await caught(c.getGateway(ENV, 'gw-1'))) as ConfluentRequestFailed;
    expect([e501.name, e501.status]).toEqual(['ConfluentRequestFailed', 501]);
    expect(e501.message).toBe('Confluent GET /networking/v1/gateways/gw-1 answered 501: not implemented');
    expect(server.requests).toHaveLength(3);
  });

  it('never puts the key or the secret into error messages', async () => {
    const echo = (r: { headers: Record<string, unknown> }) => {
      const auth = String(r.headers.authorization);
      const decoded = Buffer.from(auth.replace('Basic ', ''), 'base64').toString('utf8');
      return { detail: `auth ${auth} decoded ${decoded} key ${KEY} secret ${SECRET}` };
    };
    server.script(
      (r) => ({ status: 422, body: { errors: [{ code: 'x', ...echo(r) }] } }),
      (r) => ({ status: 400, body: `plain text ${JSON.stringify(echo(r))}` }),
      (r) => ({ status: 503, body: { errors: [echo(r)] } }),
    );
    const c = client({ maxAttempts: 1 });
    const errors = [
      await caught(c.createGateway({ environmentId: ENV, displayName: 'n', region: 'r', zones: [] })),
      await caught(c.getGateway(ENV, 'gw-1')),
      await caught(c.getGateway(ENV, 'gw-1')),
    ];
    const b64 = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
    expect(errors.map((e) => e.name)).toEqual([
      'ConfluentRequestFailed',
      'ConfluentRequestFailed',
      'ConfluentTransientError',
    ]);
    for (const e of errors) {
      const all = `${e.message} ${String(e.stack)} ${JSON.stringify(e)}`;
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(KEY);
      expect(all).not.toContain(b64);
      expect(e.message).toContain('***');
    }
  });
});

describe('retries', () => {
  it('429 with Retry-After then 200: waits Retry-After seconds', async () => {
    server.script({ status: 429, headers: { 'retry-after': '7' } }, { status: 200, body: gateway('gw-1') });
    const g = await client().getGateway(ENV, 'gw-1');
    expect(g?.id).toBe('gw-1');
    expect(delays).toEqual([7000]);
    expect(retries).toEqual([
      { method: 'GET', path: '/networking/v1/gateways/gw-1', status: 429, attempt: 1, delayMs: 7000 },
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('Retry-After is capped by maxRetryDelayMs', async () => {
    server.script(
      { status: 429, headers: { 'retry-after': '120' }, body: 'slow down' },
      { status: 200, body: gateway('gw-1') },
    );
    await client({ maxRetryDelayMs: 5000 }).getGateway(ENV, 'gw-1');
    expect(delays).toEqual([5000]);
  });

  it('429 without Retry-After uses X-RateLimit-Reset (relative seconds)', async () => {
    server.script(
      { status: 429, headers: { 'x-ratelimit-reset': '3', 'x-ratelimit-remaining': '0' } },
      { status: 204 },
    );
    await expect(client().deleteGateway(ENV, 'gw-1')).resolves.toBe('deleting');
    expect(delays).toEqual([3000]);
  });

  it('429 with neither header backs off with jitter', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    server.script({ status: 429, body: '<html>too many</html>' }, { status: 200, body: gateway('gw-1') });
    await client({ baseDelayMs: 1000 }).getGateway(ENV, 'gw-1');
    expect(delays).toEqual([500]);
  });

  it('429 three times -> ConfluentTransientError(429) after 3 attempts', async () => {
    server.script(
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after': '3' }, body: 'not json' },
    );
    const err = (await caught(client().listGateways(ENV))) as ConfluentTransientError;
    expect(err).toBeInstanceOf(ConfluentTransientError);
    expect(err.name).toBe('ConfluentTransientError');
    expect(err.transient).toBe(true);
    expect(err.status).toBe(429);
    expect(err.message).toBe('Confluent GET /networking/v1/gateways answered 429 after 3 attempt(s): not json');
    expect(delays).toEqual([1000, 2000]);
    expect(server.requests).toHaveLength(3);
  });

  it('500 then success', async () => {
    server.script({ status: 500, body: { errors: [{ detail: 'boom' }] } }, { status: 202, body: accessPoint('ap-1') });
    const ap = await client().createAccessPoint({
      environmentId: ENV,
      gatewayId: 'gw-1',
      displayName: 'a',
      networkInterfaces: ['eni-1'],
      account: '123456789012',
      egressRoutes: [],
    });
    expect(ap.id).toBe('ap-1');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].body).toEqual(server.requests[0].body);
    expect(retries.map((r) => [r.status, r.attempt])).toEqual([[500, 1]]);
  });

  it('503 exhausted -> ConfluentTransientError with the parsed detail; backoff is exponential with full jitter', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const unavailable = { status: 503, body: { errors: [{ status: '503', detail: 'service unavailable' }] } };
    server.script(unavailable, unavailable, unavailable, unavailable);
    const err = (await caught(
      client({ maxAttempts: 4, baseDelayMs: 100, maxRetryDelayMs: 300 }).getAccessPoint(ENV, 'ap-1'),
    )) as ConfluentTransientError;
    expect(err).toBeInstanceOf(ConfluentTransientError);
    expect(err.status).toBe(503);
    expect(err.message).toBe(
      'Confluent GET /networking/v1/access-points/ap-1 answered 503 after 4 attempt(s): service unavailable',
    );
    expect(delays).toEqual([99, 199, 299]); // ceilings 100, 200, min(400, 300)
    expect(server.requests).toHaveLength(4);
  });

  it('a network error (socket closed) is retried', async () => {
    server.script('destroy', { status: 200, body: gateway('gw-1') });
    const g = await client().getGateway(ENV, 'gw-1');
    expect(g?.id).toBe('gw-1');
    expect(server.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0].status).toBeUndefined();
    expect(retries[0].attempt).toBe(1);
  });

  it('network errors exhausted -> ConfluentTransientError(0)', async () => {
    server.script('destroy', 'destroy');
    const err = (await caught(client({ maxAttempts: 2 }).deleteAccessPoint(ENV, 'ap-1'))) as ConfluentTransientError;
    expect(err).toBeInstanceOf(ConfluentTransientError);
    expect(err.status).toBe(0);
    expect(err.message).toMatch(
      /^Confluent DELETE \/networking\/v1\/access-points\/ap-1 failed after 2 attempt\(s\): /,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('a timeout is retried', async () => {
    server.script('hang', { status: 200, body: accessPoint('ap-1') });
    const ap = await client({ timeoutMs: 200 }).getAccessPoint(ENV, 'ap-1');
    expect(ap?.id).toBe('ap-1');
    expect(server.requests).toHaveLength(2);
  });

  it('a timeout exhausted says so', async () => {
    server.script('hang');
    const err = await caught(client({ timeoutMs: 100, maxAttempts: 1 }).getGateway(ENV, 'gw-1'));
    expect(err).toBeInstanceOf(ConfluentTransientError);
    expect(err.message).toBe(
      'Confluent GET /networking/v1/gateways/gw-1 failed after 1 attempt(s): timed out after 100 ms',
    );
  });

  it('an unusable 2xx body is a transient error, not retried', async () => {
    server.script({ status: 202, body: 'oops' });
    const err = await caught(client().createGateway({ environmentId: ENV, displayName: 'n', region: 'r', zones: [] }));
    expect(err).toBeInstanceOf(ConfluentTransientError);
    expect(err.message).toBe('Confluent POST /networking/v1/gateways answered 202 with an unusable body: not JSON');
    expect(server.requests).toHaveLength(1);
  });
});

describe('pagination', () => {
  it('follows metadata.next across 3 pages, resending filters, page_size=100 and the page_token', async () => {
    const next = (t: string) =>
      `https://api.confluent.cloud/networking/v1/gateways?environment=${ENV}&page_size=100&page_token=${t}`;
    server.script(
      {
        status: 200,
        body: {
          api_version: 'networking/v1',
          kind: 'GatewayList',
          metadata: { next: next('tok%2B1') },
          data: [gateway('gw-1'), gateway('gw-2')],
        },
      },
      {
        status: 200,
        body: {
          api_version: 'networking/v1',
          kind: 'GatewayList',
          metadata: { next: next('tok2') },
          data: [gateway('gw-3')],
        },
      },
      {
        status: 200,
        body: { api_version: 'networking/v1', kind: 'GatewayList', metadata: { next: '' }, data: [gateway('gw-4')] },
      },
    );
    const list = await client().listGateways(ENV, { gatewayType: 'AwsPrivateNetworkInterface' });
    expect(list.map((g) => g.id)).toEqual(['gw-1', 'gw-2', 'gw-3', 'gw-4']);
    expect(server.requests.map((r) => r.url)).toEqual([
      `/networking/v1/gateways?environment=${ENV}&gateway_type=AwsPrivateNetworkInterface&page_size=100`,
      `/networking/v1/gateways?environment=${ENV}&gateway_type=AwsPrivateNetworkInterface&page_size=100&page_token=tok%2B1`,
      `/networking/v1/gateways?environment=${ENV}&gateway_type=AwsPrivateNetworkInterface&page_size=100&page_token=tok2`,
    ]);
    expect(server.requests[1].query.get('page_token')).toBe('tok+1');
  });

  it('stops when next is missing or null', async () => {
    server.script(
      { status: 200, body: { kind: 'AccessPointList', metadata: { next: null }, data: [accessPoint('ap-1')] } },
      { status: 200, body: { kind: 'AccessPointList', metadata: {}, data: [] } },
    );
    const c = client();
    expect((await c.listAccessPoints(ENV)).map((a) => a.id)).toEqual(['ap-1']);
    expect(await c.listAccessPoints(ENV)).toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it('sends access point filters and filters again on the client side', async () => {
    server.script({
      status: 200,
      body: { kind: 'AccessPointList', metadata: {}, data: [accessPoint('ap-1', 'gw-1'), accessPoint('ap-2', 'gw-2')] },
    });
    const list = await client().listAccessPoints(ENV, { gatewayId: 'gw-1', displayName: 'ap-name-ap-1' });
    expect(list.map((a) => a.id)).toEqual(['ap-1']);
    expect(server.requests[0].url).toBe(
      `/networking/v1/access-points?environment=${ENV}&spec.display_name=ap-name-ap-1&spec.gateway=gw-1&page_size=100`,
    );
  });

  it('sends gateway display name and id filters', async () => {
    server.script({
      status: 200,
      body: { kind: 'GatewayList', metadata: {}, data: [gateway('gw-1'), gateway('gw-2')] },
    });
    const list = await client().listGateways(ENV, { displayName: 'name-gw-2', id: 'gw-2' });
    expect(list.map((g) => g.id)).toEqual(['gw-2']);
    expect(server.requests[0].url).toBe(
      `/networking/v1/gateways?environment=${ENV}&id=gw-2&spec.display_name=name-gw-2&page_size=100`,
    );
  });

  it('a repeated page_token throws instead of looping', async () => {
    const page = {
      status: 200,
      body: {
        kind: 'GatewayList',
        metadata: { next: `${server.baseUrl}/networking/v1/gateways?page_token=same` },
        data: [gateway('gw-1')],
      },
    };
    server.script(page, page, page);
    const err = await caught(client().listGateways(ENV));
    expect(err).toBeInstanceOf(ConfluentTransientError);
    expect(err.message).toContain('repeats page_token same');
    expect(server.requests).toHaveLength(2);
  });

  it('a next link without page_token throws instead of truncating', async () => {
    server.script({
      status: 200,
      body: {
        kind: 'GatewayList',
        metadata: { next: 'https://api.confluent.cloud/networking/v1/gateways?x=1' },
        data: [],
      },
    });
    await expect(client().listGateways(ENV)).rejects.toBeInstanceOf(ConfluentTransientError);
  });

  it('retries a page that answered 503', async () => {
    server.script(
      {
        status: 200,
        body: {
          kind: 'GatewayList',
          metadata: { next: 'https://x/networking/v1/gateways?page_token=p2' },
          data: [gateway('gw-1')],
        },
      },
      { status: 503 },
      { status: 200, body: { kind: 'GatewayList', metadata: {}, data: [gateway('gw-2')] } },
    );
    const list = await client().listGateways(ENV);
    expect(list.map((g) => g.id)).toEqual(['gw-1', 'gw-2']);
    expect(server.requests[2].query.get('page_token')).toBe('p2');
  });
});

describe('helpers', () => {
  it('parseErrorBody handles every shape', () => {
    expect(parseErrorBody(409, JSON.stringify({ errors: [{ code: 'c', detail: 'd' }] }))).toEqual({
      code: 'c',
      detail: 'd',
    });
    expect(parseErrorBody(404, JSON.stringify({ errors: [{ status: '404', title: 'Not Found' }] }))).toEqual({
      detail: 'Not Found',
    });
    expect(parseErrorBody(400, JSON.stringify({ errors: [{ code: 'only_code' }] }))).toEqual({
      code: 'only_code',
      detail: 'only_code',
    });
    expect(parseErrorBody(400, JSON.stringify({ message: 'm' }))).toEqual({ detail: 'm' });
    expect(parseErrorBody(400, JSON.stringify({ error: { message: 'em', code: 'ec' } }))).toEqual({
      code: 'ec',
      detail: 'em',
    });
    expect(parseErrorBody(400, JSON.stringify({ error: 'plain' }))).toEqual({ detail: 'plain' });
    expect(parseErrorBody(400, JSON.stringify({ errors: [], message: 'fallback' }))).toEqual({ detail: 'fallback' });
    expect(parseErrorBody(502, '<html>\n bad gateway \n</html>')).toEqual({ detail: '<html> bad gateway </html>' });
    expect(parseErrorBody(429, '')).toEqual({ detail: 'HTTP 429' });
    expect(parseErrorBody(500, 'null')).toEqual({ detail: 'null' });
    expect(parseErrorBody(500, 'x'.repeat(5000)).detail.length).toBeLessThan(1100);
  });

  it('isPniGateway and gatewayAccount', () => {
    expect(isPniGateway(gateway('gw-1'))).toBe(true);
    expect(
      isPniGateway({ id: 'gw-2', spec: { config: { kind: 'AwsEgressPrivateLinkGatewaySpec', region: 'r' } } }),
    ).toBe(false);
    expect(
      isPniGateway({
        id: 'gw-3',
        status: { phase: 'CREATED', cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus' } },
      }),
    ).toBe(true);
    expect(gatewayAccount(gateway('gw-1'))).toBe('000000000000');
    expect(
      gatewayAccount({
        id: 'gw-4',
        status: {
          phase: 'PROVISIONING',
          cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus', account: '' },
        },
      }),
    ).toBeUndefined();
    expect(
      gatewayAccount({
        id: 'gw-5',
        status: {
          phase: 'PROVISIONING',
          cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus', account: '12345' },
        },
      }),
    ).toBeUndefined();
    expect(gatewayAccount({ id: 'gw-6', status: { phase: 'SOMETHING_NEW' } })).toBeUndefined();
    expect(gatewayAccount({ id: 'gw-7' })).toBeUndefined();
  });
});
