/**
 * The one configured logger, metrics and tracer (Powertools), and the service's metric vocabulary.
 *   logger   level from POWERTOOLS_LOG_LEVEL; the sandbox sets SILENT.
 *   metrics  EMF in the POWERTOOLS_METRICS_NAMESPACE namespace (serverless.yml: PniProvisioner), dimensions
 *            service + stage (PNI_STAGE); published at the end of each invocation (handler.ts), only when a step
 *            recorded something. The sandbox and the tests set POWERTOOLS_METRICS_DISABLED (nothing on stdout).
 *   tracer   X-Ray; Powertools enables it only inside Lambda (AWS_EXECUTION_ENV), so it is a no-op in the sandbox.
 * Read once, at the first import (cold start).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRIC_NAMES } from './constants.js';
import { metricsConfig, serviceName } from './config.js';

const service = serviceName();
const { namespace, stage } = metricsConfig();

export const logger = new Logger({ serviceName: service });

export const metrics = new Metrics({ serviceName: service, namespace, defaultDimensions: { stage } });

export const tracer = new Tracer({ serviceName: service });

/** What the steps record; every name is in METRIC_NAMES (the dashboard in serverless.yml shows each). */
export const measure = {
  /** A provisioning reached SUCCEEDED: its duration (attempt start to now) and the ENIs it created. */
  provisioned(durationMs: number, enis: number): void {
    metrics.addMetric(METRIC_NAMES.provisioningDuration, MetricUnit.Seconds, Math.max(0, durationMs) / 1000);
    metrics.addMetric(METRIC_NAMES.enisCreated, MetricUnit.Count, enis);
  },
  /** Resources a rollback or teardown could not remove (0 counts too: the metric then shows clean runs). */
  leftovers(count: number): void {
    metrics.addMetric(METRIC_NAMES.leftovers, MetricUnit.Count, count);
  },
  /** One call an API throttled (EC2 RequestLimitExceeded, Confluent 429). */
  throttled(): void {
    metrics.addMetric(METRIC_NAMES.throttledCalls, MetricUnit.Count, 1);
  },
  /** One call retried inside a step (Confluent 429/5xx, EC2 throttling backoff). */
  retried(): void {
    metrics.addMetric(METRIC_NAMES.retries, MetricUnit.Count, 1);
  },
};
