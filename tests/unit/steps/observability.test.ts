/**
 * Metrics (issue 12): one namespace, the stage as a dimension, published by the handler when the invocation ends
 * (succeeded or failed) and only when a step recorded something; the tracer is off outside Lambda.
 */
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { METRIC_NAMES } from '#lib/constants.js';

type Observability = typeof import('#lib/observability.js');
type HandlerModule = typeof import('#lib/handler.js');
let obs: Observability;
let handlerMod: HandlerModule;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'PniProvisionerTest';
  process.env.PNI_STAGE = 'unit';
  obs = await import('#lib/observability.js');
  handlerMod = await import('#lib/handler.js');
});
afterEach(() => {
  jest.restoreAllMocks();
  obs.metrics.clearMetrics();
});

const context = {
  functionName: 'pni-recordOutcome',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30000,
} as unknown as Context;

test('EMF: the namespace, service + stage dimensions, each metric with its unit', () => {
  obs.measure.provisioned(125_000, 51);
  obs.measure.leftovers(2);
  obs.measure.throttled();
  obs.measure.retried();
  const emf = obs.metrics.serializeMetrics();
  const [directive] = emf._aws.CloudWatchMetrics;
  expect(directive.Namespace).toBe('PniProvisionerTest');
  expect(directive.Dimensions).toEqual([['service', 'stage']]);
  expect(emf).toMatchObject({
    service: 'pni-provisioner',
    stage: 'unit',
    [METRIC_NAMES.provisioningDuration]: 125,
    [METRIC_NAMES.enisCreated]: 51,
    [METRIC_NAMES.leftovers]: 2,
    [METRIC_NAMES.throttledCalls]: 1,
    [METRIC_NAMES.retries]: 1,
  });
  const units = Object.fromEntries(directive.Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit]));
  expect(units[METRIC_NAMES.provisioningDuration]).toBe('Seconds');
  expect(units[METRIC_NAMES.enisCreated]).toBe('Count');
});

test('the handler publishes what the step recorded, also when the step fails; nothing when it recorded nothing', async () => {
  const publish = jest.spyOn(obs.metrics, 'publishStoredMetrics');
  await handlerMod.makeHandler('recordOutcome', async () => {
    obs.measure.leftovers(0);
    return 'ok';
  })({}, context);
  expect(publish).toHaveBeenCalledTimes(1);

  await expect(
    handlerMod.makeHandler('finishTeardown', async () => {
      obs.measure.leftovers(3);
      throw new Error('boom');
    })({}, context),
  ).rejects.toThrow('[finishTeardown] boom');
  expect(publish).toHaveBeenCalledTimes(2);

  await handlerMod.makeHandler('getGatewayStatus', async () => 'nothing measured')({}, context);
  expect(publish).toHaveBeenCalledTimes(2);
});

test('the tracer is off outside Lambda (the sandbox, tests)', () => {
  expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
  expect(obs.tracer.isTracingEnabled()).toBe(false);
});
