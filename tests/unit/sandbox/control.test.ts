/** The control API's route table: exact paths, trailing slashes, `/*` prefixes, added routes, 404. */
import { ControlApi, json } from '#sandbox/control.js';
import type { Sandbox } from '#sandbox/server.js';
import type { SandboxRequest } from '#sandbox/types.js';

const req = (method: string, path: string, body = ''): SandboxRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers: {},
  body: Buffer.from(body),
});

const fakeSandbox = { profile: { name: 'fast' } } as unknown as Sandbox;

describe('ControlApi', () => {
  it('answers the built-in routes, trailing slash or not, and 404s the rest', async () => {
    const api = new ControlApi(fakeSandbox);
    const health = await api.handle(req('GET', '/_sandbox/health/'));
    expect(health.status).toBe(200);
    expect(JSON.parse(String(health.body))).toEqual({ ok: true, profile: 'fast' });
    const missing = await api.handle(req('PUT', '/_sandbox/health'));
    expect(missing.status).toBe(404);
    expect(JSON.parse(String(missing.body))).toEqual({ message: 'unknown control route PUT /_sandbox/health' });
  });

  it('serves a subtree with a "/*" route and lets an added route win', async () => {
    const api = new ControlApi(fakeSandbox);
    api.add({ method: 'GET', path: '/_sandbox/ui/*', handle: (r) => json(200, { path: r.path }) });
    api.add({ method: 'GET', path: '/_sandbox/health', handle: () => json(200, { overridden: true }) });
    expect(JSON.parse(String((await api.handle(req('GET', '/_sandbox/ui/app.js'))).body))).toEqual({
      path: '/_sandbox/ui/app.js',
    });
    expect((await api.handle(req('GET', '/_sandbox/ui'))).status).toBe(200);
    expect(JSON.parse(String((await api.handle(req('GET', '/_sandbox/health'))).body))).toEqual({ overridden: true });
  });
});
