/** The thin-handler wrapper: errors leave with their explicit name and one `[functionKey] ` prefix. */
import type { Context } from 'aws-lambda';
import { Ec2RequestFailed, GatewayFailed, RequestInvalid } from '#lib/errors.js';
import { awsError } from './deps.js';

type HandlerModule = typeof import('#lib/handler.js');
let mod: HandlerModule;

beforeAll(async () => {
  // The Powertools logger reads its level when the module loads: keep the test output quiet.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  mod = await import('#lib/handler.js');
});

const context = {
  functionName: 'pni-createEni',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:pni-createEni',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/pni-createEni',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as unknown as Context;

describe('namedError', () => {
  test('a named project error keeps its name; the message is prefixed with [functionKey]', () => {
    const e = mod.namedError('getGatewayStatus', new GatewayFailed('gateway gw-1 is FAILED'));
    expect(e).toBeInstanceOf(GatewayFailed);
    expect(e.name).toBe('GatewayFailed');
    expect(e.message).toBe('[getGatewayStatus] gateway gw-1 is FAILED');
  });

  test('the prefix is added once (a re-wrapped error is not prefixed again)', () => {
    const e = mod.namedError(
      'createEni',
      new Ec2RequestFailed('InsufficientFreeAddressesInSubnet', 'creating ENI in subnet-1: no room'),
    );
    const again = mod.namedError('createEni', e);
    expect(again.message).toBe('[createEni] InsufficientFreeAddressesInSubnet: creating ENI in subnet-1: no room');
    expect(again.name).toBe('Ec2RequestFailed');
  });

  test('a message that merely starts with "[" still gets the step prefix (else the failed step is lost)', () => {
    const e = mod.namedError('createEni', new Error('[object Object] is not a valid ENI id'));
    expect(e.message).toBe('[createEni] [object Object] is not a valid ENI id');
  });

  test('RequestInvalid keeps its field in the message', () => {
    const e = mod.namedError('validateRequest', new RequestInvalid('subnetIds[1]', 'subnet x was not found'));
    expect(e.name).toBe('RequestInvalid');
    expect(e.message).toBe('[validateRequest] subnetIds[1]: subnet x was not found');
  });

  test.each([
    ['ThrottlingException', 400],
    ['ProvisionedThroughputExceededException', 400],
    ['InternalServerError', 500],
  ])('a retryable AWS SDK error (%s) becomes AwsServiceUnavailable', (name, status) => {
    const raw = awsError(name, { status, message: 'slow down' });
    const e = mod.namedError('recordOutcome', raw);
    expect(e.name).toBe('AwsServiceUnavailable');
    expect(e.message).toBe('[recordOutcome] slow down');
    expect((e as Error & { cause?: unknown }).cause).toBe(raw);
  });

  test('a permanent AWS SDK error keeps its SDK name', () => {
    const e = mod.namedError('recordOutcome', awsError('ValidationException', { status: 400, message: 'bad key' }));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toBe('[recordOutcome] bad key');
  });

  test('a plain Error and a thrown non-Error become UnexpectedError; a built-in subclass keeps its name', () => {
    const e = mod.namedError('createEni', new TypeError('x is undefined'));
    expect(e.name).toBe('TypeError');
    const plain = mod.namedError('createEni', new Error('boom'));
    expect(plain.name).toBe('UnexpectedError');
    expect(plain.message).toBe('[createEni] boom');
    const str = mod.namedError('createEni', 'a string');
    expect(str.name).toBe('UnexpectedError');
    expect(str.message).toBe('[createEni] a string');
  });
});

describe('makeHandler', () => {
  test('returns the step result', async () => {
    const handler = mod.makeHandler('createEni', async (input: { n: number }) => ({ doubled: input.n * 2 }));
    await expect(handler({ n: 21 }, context)).resolves.toEqual({ doubled: 42 });
  });

  test('a failing step leaves with its name and the prefix', async () => {
    const handler = mod.makeHandler('getGatewayStatus', async () => {
      throw new GatewayFailed('gateway gw-1 is EXPIRED');
    });
    const err = await handler({}, context).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'GatewayFailed', message: '[getGatewayStatus] gateway gw-1 is EXPIRED' });
  });

  test('a retryable AWS error from a step leaves as AwsServiceUnavailable', async () => {
    const handler = mod.makeHandler('recordOutcome', async () => {
      throw awsError('ThrottlingException', { message: 'Rate exceeded' });
    });
    await expect(handler({}, context)).rejects.toMatchObject({
      name: 'AwsServiceUnavailable',
      message: '[recordOutcome] Rate exceeded',
    });
  });
});

describe('dropped connections are transient', () => {
  test('a socket hang up the SDK hands on as a plain Error becomes AwsServiceUnavailable (retried by the state machine)', () => {
    const e = mod.namedError('getGatewayStatus', new Error('AWS SDK error wrapper for TimeoutError: socket hang up'));
    expect(e.name).toBe('AwsServiceUnavailable');
    expect(e.message).toBe('[getGatewayStatus] AWS SDK error wrapper for TimeoutError: socket hang up');
    expect(mod.namedError('x', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).name).toBe(
      'AwsServiceUnavailable',
    );
  });

  test('an ordinary error stays permanent', () => {
    expect(mod.namedError('x', new Error('the socket was fine, the input was not')).name).toBe('UnexpectedError');
  });
});
