/**
 * Issue 8: the Confluent secret never leaks. With the good secret and with malformed ones (stored through the
 * sandbox's Secrets Manager PutSecretValue), the secret's text appears nowhere: not in the logs, not in the execution
 * history, not in the state record, not in the events. A malformed secret fails with a fixed message.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { CONFLUENT_SECRET_INVALID_MESSAGE } from '#lib/confluent/credentials.js';
import { SEED } from '#sandbox/seed.js';
import { Harness, credentials, expectSandboxEmpty, sampleRequest } from './harness.js';

let h: Harness;
let sm: SecretsManagerClient;
let logs: string[] = [];
const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  // Log everything the handlers log (the sandbox default is SILENT).
  h = await Harness.start({ env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
  sm = new SecretsManagerClient({ endpoint: h.sb.url, region: SEED.region, credentials, maxAttempts: 1 });
});
afterAll(async () => {
  sm.destroy();
  await h.stop();
});
beforeEach(async () => {
  await h.reset();
  logs = [];
  const capture =
    (orig: typeof writes.out) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      logs.push(String(chunk));
      return (orig as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(writes.out) as typeof process.stdout.write;
  process.stderr.write = capture(writes.err) as typeof process.stderr.write;
});
afterEach(() => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
});

/** Everything the workflow wrote about a request, as one text to search. */
async function everything(requestId: string): Promise<{ text: string; logs: string }> {
  const state = await h.state();
  const histories = await Promise.all(
    state.executions.map((e) =>
      h.sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1000 })),
    ),
  );
  const text = JSON.stringify({
    executions: state.executions,
    histories: histories.map((x) => x.events),
    record: await h.record(requestId),
    enis: await h.eniRecords(requestId),
    events: state.events,
  });
  return { text, logs: logs.join('') };
}

function expectAbsent(where: { text: string; logs: string }, needles: string[]): void {
  for (const needle of needles) {
    expect({ needle, inWorkflow: where.text.includes(needle) }).toEqual({ needle, inWorkflow: false });
    expect({ needle, inLogs: where.logs.includes(needle) }).toEqual({ needle, inLogs: false });
  }
}

test('the good secret: provisioning and teardown never show the key, the secret or the Basic token', async () => {
  const requestId = 'pni-secret-good';
  expect((await h.run('provision', sampleRequest({ requestId }))).status).toBe('SUCCEEDED');
  expect((await h.run('teardown', { requestId })).status).toBe('SUCCEEDED');
  const where = await everything(requestId);
  expect(where.text).toContain(requestId); // the search reads real content
  expectAbsent(where, [
    SEED.confluent.apiSecret,
    SEED.confluent.apiKey,
    Buffer.from(`${SEED.confluent.apiKey}:${SEED.confluent.apiSecret}`).toString('base64'),
  ]);
});

test.each([
  ['not JSON', 'MALFORMED-hunter2-SECRET {"key": "K", "secret": "S"', ['MALFORMED', 'hunter2']],
  ['JSON of the wrong shape', '{"apiKey": "KEY-hunter3", "apiSecret": "SECRET-hunter3"}', ['hunter3']],
  ['an empty secret', '{"key": "KEY-hunter4", "secret": ""}', ['hunter4']],
])(
  'a malformed secret (%s): a fixed message, REJECTED, nothing created, no part of it anywhere',
  async (_what, value, needles) => {
    const requestId = `pni-secret-bad-${value.length}`;
    await sm.send(new PutSecretValueCommand({ SecretId: SEED.confluentSecretArn, SecretString: value }));
    const done = await h.run('provision', sampleRequest({ requestId }));
    expect({ status: done.status, error: done.error }).toEqual({ status: 'FAILED', error: 'ConfluentSecretInvalid' });
    expect(JSON.parse(done.cause ?? '{}').errorMessage).toBe(`[validateRequest] ${CONFLUENT_SECRET_INVALID_MESSAGE}`);
    expect(await h.record(requestId)).toMatchObject({
      status: 'REJECTED',
      error: { name: 'ConfluentSecretInvalid', message: `[validateRequest] ${CONFLUENT_SECRET_INVALID_MESSAGE}` },
    });
    const state = await h.state();
    expectSandboxEmpty(state);
    const where = await everything(requestId);
    expect(where.logs).toContain('ConfluentSecretInvalid'); // the logs were captured
    expectAbsent(where, [value, ...needles]);
  },
);
