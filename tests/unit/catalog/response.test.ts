/** CloudFormation's answer: the body within 4 KB, the reason naming the field or the step, sent exactly once. */
import { CFN_RESPONSE_MAX_BYTES, responseBody } from '#lib/catalog/response.js';
import { answerFromRecord, failureReason, sendAnswer } from '#lib/catalog/answer.js';
import type { CatalogAnswer, CatalogAnswerStore } from '#lib/catalog/answers.js';
import type { RequestRecord } from '#lib/state.js';

const base = {
  PhysicalResourceId: 'sc-0123456789abcdef',
  StackId: 'arn:aws:cloudformation:us-west-2:111122223333:stack/s/1',
  RequestId: 'r-1',
  LogicalResourceId: 'PniConnection',
};

describe('response body', () => {
  test('a small answer is sent as it is', () => {
    const body = JSON.parse(responseBody({ ...base, Status: 'SUCCESS', Data: { Status: 'READY' } }));
    expect(body).toEqual({ ...base, Status: 'SUCCESS', Data: { Status: 'READY' } });
  });
  test('a long reason is cut to fit 4 KB, keeping its start', () => {
    const reason = `RequestInvalid in validateRequest: SubnetIds[1]: ${'x'.repeat(10_000)}`;
    const text = responseBody({ ...base, Status: 'FAILED', Reason: reason });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CFN_RESPONSE_MAX_BYTES);
    const body = JSON.parse(text);
    expect(body.Reason.startsWith('RequestInvalid in validateRequest: SubnetIds[1]: xxx')).toBe(true);
    expect(body.Reason.endsWith('...')).toBe(true);
    expect(Buffer.byteLength(text)).toBeGreaterThan(CFN_RESPONSE_MAX_BYTES - 10);
  });
  test('multi-byte and escaped characters are counted as bytes', () => {
    const text = responseBody({ ...base, Status: 'FAILED', Reason: `"é"\n`.repeat(2000) });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CFN_RESPONSE_MAX_BYTES);
    expect(JSON.parse(text).Status).toBe('FAILED');
  });
});

describe('reason', () => {
  test('names the failed step and, for an invalid request, the product property', () => {
    expect(
      failureReason({ name: 'RequestInvalid', message: '[validateRequest] subnetIds[1]: must be a subnet id' }),
    ).toBe('RequestInvalid in validateRequest: SubnetIds[1]: must be a subnet id');
    expect(
      failureReason(
        { name: 'Ec2RequestFailed', message: '[createEni] InsufficientFreeAddressesInSubnet: no' },
        'createEni',
        'ROLLED_BACK',
      ),
    ).toBe('Ec2RequestFailed in createEni: InsufficientFreeAddressesInSubnet: no (ROLLED_BACK)');
  });
  const rec = (fields: Partial<RequestRecord>) => ({ requestId: 'sc-1', ...fields }) as RequestRecord;
  test('from the record: Create, Delete, Update', () => {
    expect(
      answerFromRecord('Create', 'sc-1', rec({ status: 'SUCCEEDED', eniCount: 51, gatewayId: 'gw-1' })),
    ).toMatchObject({
      status: 'SUCCESS',
      data: { RequestId: 'sc-1', GatewayId: 'gw-1', EniCount: '51', Status: 'READY' },
    });
    expect(
      answerFromRecord(
        'Create',
        'sc-1',
        rec({ status: 'ROLLED_BACK', error: { name: 'AccessPointFailed', message: '[getAccessPointStatus] ERROR' } }),
      ).reason,
    ).toBe('AccessPointFailed in getAccessPointStatus: ERROR (connection sc-1 is ROLLED_BACK)');
    expect(answerFromRecord('Delete', 'sc-1', undefined)).toEqual({ status: 'SUCCESS' });
    expect(answerFromRecord('Delete', 'sc-1', rec({ status: 'TORN_DOWN' }))).toEqual({ status: 'SUCCESS' });
    expect(
      answerFromRecord(
        'Delete',
        'sc-1',
        rec({ status: 'TEARDOWN_FAILED', leftovers: [{ type: 'networkInterface', id: 'eni-1', reason: 'in use' }] }),
      ),
    ).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/TEARDOWN_FAILED: 1 resource\(s\) left: networkInterface eni-1/),
    });
    const updated = rec({
      status: 'SUCCEEDED',
      lastUpdate: { executionArn: 'arn:u1', status: 'SUCCEEDED', startedAt: 't' },
    });
    expect(answerFromRecord('Update', 'sc-1', updated, undefined, 'arn:u1').status).toBe('SUCCESS');
    // another execution's update is not this one's answer
    expect(answerFromRecord('Update', 'sc-1', updated, { name: 'RequestLocked', message: 'busy' }, 'arn:u2')).toEqual({
      status: 'FAILED',
      reason: 'RequestLocked: busy',
    });
  });
});

describe('sending', () => {
  const item = {
    pk: 'REQUEST#sc-1',
    sk: 'CFN#1',
    requestId: 'sc-1',
    kind: 'Create',
    cfnRequestId: 'r-1',
    stackId: base.StackId,
    logicalResourceId: 'PniConnection',
    responseUrl: 'https://s3.example/presigned',
    state: 'PENDING',
    sendAttempts: 0,
    receivedAt: 't',
    updatedAt: 't',
  } as CatalogAnswer;
  function fakeStore() {
    let state = 'PENDING';
    const calls: string[] = [];
    const store = {
      claim: async () => {
        calls.push('claim');
        if (state !== 'PENDING') return false;
        state = 'SENDING';
        return true;
      },
      answered: async () => {
        calls.push('answered');
        state = 'ANSWERED';
      },
      unclaim: async () => {
        calls.push('unclaim');
        state = 'PENDING';
      },
    };
    return { store: store as unknown as CatalogAnswerStore, calls, state: () => state };
  }
  const deps = (answers: CatalogAnswerStore, respond: (url: string, body: string) => Promise<number>) => ({
    answers,
    respond,
    now: () => new Date('2026-12-04T16:00:00Z'),
    sleep: async () => undefined,
  });

  test('exactly once: a second sender finds it claimed', async () => {
    const s = fakeStore();
    const bodies: string[] = [];
    const d = deps(s.store, async (_u, b) => {
      bodies.push(b);
      return 200;
    });
    expect(await sendAnswer(d, item, { status: 'SUCCESS' })).toBe(true);
    expect(await sendAnswer(d, item, { status: 'SUCCESS' })).toBe(false);
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0])).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'sc-1', RequestId: 'r-1' });
  });
  test('a failed PUT is retried; when it keeps failing the answer goes back to PENDING and the step fails transiently', async () => {
    const s = fakeStore();
    let n = 0;
    const flaky = deps(s.store, async () => (++n === 1 ? 503 : 200));
    expect(await sendAnswer(flaky, item, { status: 'FAILED', reason: 'x' })).toBe(true);
    expect(n).toBe(2);
    const s2 = fakeStore();
    const down = deps(s2.store, async () => {
      throw new Error('connect ECONNREFUSED');
    });
    await expect(sendAnswer(down, item, { status: 'SUCCESS' })).rejects.toMatchObject({
      name: 'AwsServiceUnavailable',
    });
    expect(s2.state()).toBe('PENDING');
  });
  test('a 4xx from the ResponseURL (expired) is final: recorded, not retried', async () => {
    const s = fakeStore();
    let n = 0;
    expect(
      await sendAnswer(
        deps(s.store, async () => {
          n += 1;
          return 403;
        }),
        item,
        { status: 'SUCCESS' },
      ),
    ).toBe(true);
    expect(n).toBe(1);
    expect(s.state()).toBe('ANSWERED');
  });
});
