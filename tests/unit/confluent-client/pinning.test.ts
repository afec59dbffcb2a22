/** Issue 8: the Confluent endpoint is pinned (configuration) and redirects are refused (client). */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CONFLUENT_CLOUD_API_URL, confluentApiUrl, readConfig } from '#lib/config.js';
import { ConfluentClient } from '#lib/confluent/index.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

describe('confluentApiUrl', () => {
  it.each([
    ['https://api.confluent.cloud', undefined, CONFLUENT_CLOUD_API_URL],
    ['https://api.confluent.cloud/', undefined, CONFLUENT_CLOUD_API_URL],
    ['http://127.0.0.1:4566', undefined, 'http://127.0.0.1:4566'],
    ['http://localhost:4566/', undefined, 'http://localhost:4566'],
    ['https://confluent.internal.example.com/proxy', 'true', 'https://confluent.internal.example.com/proxy'],
  ])('%s (override %s) is accepted as %s', (raw, override, expected) => {
    expect(confluentApiUrl(raw, override)).toBe(expected);
  });

  it.each([
    [
      'another https host without the override',
      'https://evil.example.com',
      undefined,
      /must be https:\/\/api\.confluent\.cloud/,
    ],
    ['http to a non-loopback host', 'http://api.confluent.cloud', undefined, /must be https:\/\/api\.confluent\.cloud/],
    [
      'http to another host even with the override',
      'http://evil.example.com',
      'true',
      /plain http is accepted only on a loopback host/,
    ],
    ['another scheme', 'file:///etc/passwd', 'true', /must be/],
    ['credentials in the URL', 'https://user:pw@api.confluent.cloud', undefined, /must not carry credentials/],
    ['a query', 'https://api.confluent.cloud?x=1', undefined, /must not carry/],
    ['a look-alike host', 'https://api.confluent.cloud.evil.example', undefined, /must be/],
    ['not a URL', 'api.confluent.cloud', undefined, /not a URL/],
  ])('%s is refused (ConfigError)', (_what, raw, override, message) => {
    expect(() => confluentApiUrl(raw, override)).toThrow(message);
    try {
      confluentApiUrl(raw, override);
    } catch (err) {
      expect((err as Error).name).toBe('ConfigError');
      expect((err as Error).message).not.toContain('pw@');
    }
  });

  it('readConfig applies it (cold start fails on a foreign host)', () => {
    const env = { STATE_TABLE: 't', CONFLUENT_SECRET_ARN: 'arn:x', CONFLUENT_API_URL: 'https://evil.example.com' };
    expect(() => readConfig(env)).toThrow(/CONFLUENT_API_URL must be/);
    expect(readConfig({ ...env, CONFLUENT_API_URL_OVERRIDE: 'true' }).confluentApiUrl).toBe('https://evil.example.com');
  });
});

describe('redirects are refused', () => {
  let server: ScriptedServer;
  let target: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
    target = await startScriptedServer();
  });
  afterEach(async () => {
    await server.close();
    await target.close();
  });

  it.each([301, 302, 307, 308])(
    '%i: ConfluentRequestFailed, the Location is never called, no retry',
    async (status) => {
      server.script({ status, headers: { location: `${target.baseUrl}/networking/v1/gateways/gw-1` } });
      const c = new ConfluentClient({
        baseUrl: server.baseUrl,
        credentials: async () => ({ key: 'K', secret: 'S' }),
        sleep: async () => undefined,
      });
      let err: Error | undefined;
      try {
        await c.getGateway('env-1', 'gw-1');
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name).toBe('ConfluentRequestFailed');
      expect(err?.message).toMatch(/redirect .*refused/);
      expect(server.requests).toHaveLength(1);
      expect(target.requests).toHaveLength(0);
    },
  );
});
