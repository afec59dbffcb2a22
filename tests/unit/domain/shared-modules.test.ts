/** The small shared modules of functions/lib: step-error prefix, table keys, record narrowing, answer fields. */
import { causeMessage, stepOf, withStepPrefix } from '#lib/stepErrors.js';
import { eniKey, lockKey, requestKey } from '#lib/tableKeys.js';
import { claimed, isClaimed, type RequestRecord } from '#lib/state.js';
import { present } from '#lib/errors.js';
import { REQUEST_ID_PATTERN, causeMessage as publicCauseMessage, requestKey as publicRequestKey } from '#lib/public.js';

describe('stepErrors', () => {
  test('the prefix written by the handler is the one parsed back, and only the first step is kept', () => {
    const once = withStepPrefix('createEni', 'InsufficientFreeAddressesInSubnet: no room');
    expect(once).toBe('[createEni] InsufficientFreeAddressesInSubnet: no room');
    expect(withStepPrefix('recordOutcome', once)).toBe(once);
    expect(stepOf(once)).toBe('createEni');
    expect(stepOf('no prefix')).toBeUndefined();
  });
  test("causeMessage reads plain text and Lambda's JSON cause", () => {
    expect(causeMessage('[createEni] boom')).toBe('[createEni] boom');
    expect(causeMessage(JSON.stringify({ errorType: 'X', errorMessage: '[createEni] boom' }))).toBe('[createEni] boom');
    expect(causeMessage(undefined)).toBe('');
    expect(publicCauseMessage).toBe(causeMessage);
  });
});

describe('tableKeys', () => {
  test('REQUEST#<id>/META, REQUEST#<id>/ENI#<nnn>, LOCK#<env>#<vpc>/LOCK', () => {
    expect(requestKey('r1')).toEqual({ pk: 'REQUEST#r1', sk: 'META' });
    expect(eniKey('r1', 4)).toEqual({ pk: 'REQUEST#r1', sk: 'ENI#004' });
    expect(lockKey('env-a', 'vpc-b')).toEqual({ pk: 'LOCK#env-a#vpc-b', sk: 'LOCK' });
    expect(publicRequestKey).toBe(requestKey);
    expect(REQUEST_ID_PATTERN.test('pni-payments-usw2')).toBe(true);
  });
});

describe('claimed records', () => {
  const base = {
    ...requestKey('r1'),
    requestId: 'r1',
    status: 'REJECTED',
    source: 'console',
    executionArn: 'arn:x',
    attempt: 1,
    attemptStartedAt: '2026-01-01T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  } as RequestRecord;
  test('a record rejected before any claim is not claimed: claimed() fails with RecordIncomplete', () => {
    expect(isClaimed(base)).toBe(false);
    expect(() => claimed(base)).toThrow(expect.objectContaining({ name: 'RecordIncomplete' }));
  });
  test('a record with request, environment, VPC and region is claimed', () => {
    const rec = {
      ...base,
      status: 'PROVISIONING',
      request: {} as RequestRecord['request'],
      environmentId: 'env-a',
      vpcId: 'vpc-b',
      region: 'us-west-2',
    } as RequestRecord;
    expect(claimed(rec).environmentId).toBe('env-a');
  });
});

test('present() passes values through and names a missing field with UnexpectedResponse', () => {
  expect(present('gw-1', 'the gateway id')).toBe('gw-1');
  expect(() => present(undefined, 'the gateway id')).toThrow(
    expect.objectContaining({ name: 'UnexpectedResponse', message: 'the gateway id is missing from the answer' }),
  );
});
