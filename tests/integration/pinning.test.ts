/**
 * Issue 8: the Confluent endpoint is pinned. A stack configured with a foreign Confluent host refuses to start any
 * work: no Confluent call, nothing created, no record; the execution fails with ConfigError naming the rule.
 * (Its own sandbox: handler configuration is read once per process.)
 */
import { Harness, expectSandboxEmpty, sampleRequest } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ env: { CONFLUENT_API_URL: 'https://confluent.evil.example' } });
});
afterAll(async () => {
  await h.stop();
});

test('a foreign https host without CONFLUENT_API_URL_OVERRIDE: ConfigError, nothing created, no record, no event', async () => {
  const done = await h.run('provision', sampleRequest({ requestId: 'pni-pinned' }));
  expect(done.status).toBe('FAILED');
  expect(done.error).toBe('ConfigError');
  expect(done.cause).toMatch(/CONFLUENT_API_URL must be https:\/\/api\.confluent\.cloud/);
  const state = await h.state();
  expectSandboxEmpty(state);
  expect(state.events.filter((e) => e.Source === 'pni.provisioner')).toEqual([]);
  expect(await h.record('pni-pinned')).toBeUndefined();
});
