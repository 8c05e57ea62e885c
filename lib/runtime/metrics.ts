import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tally } from '../driver';
import { recordsRead } from '../driver';
import type { LogSink } from './logger';

/**
 * CloudWatch embedded metric format, written by Powertools for AWS Lambda's Metrics: one JSON log
 * line per invocation that CloudWatch turns into metrics, with no API call and no extra latency.
 * The stack's alarms (deploy/variables.cjs) watch these names in this namespace, by `Source`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const METRICS_NAMESPACE = 'trailwatch';
/** The one dimension of every metric: the trigger (`s3`, `sns`, `logs`, `eventbridge`). */
export const SOURCE_DIMENSION = 'Source';
/** Invocations that ended in an error (error-mapping middleware, lambda.ts), counted once each. */
export const INVOCATION_ERRORS_METRIC = 'InvocationErrors';

/** The invocation's counts, by metric name. */
export function invocationMetrics(tally: Tally, refusedEvents = 0): Record<string, number> {
  const n = tally.notifications;
  return {
    RecordsRead: recordsRead(tally),
    // Read problems of any kind and records dropped before evaluation.
    RecordsSkipped: tally.problems,
    // Corrupt objects, batches or records: a retry would not fix them.
    DataFaults: tally.dataFaults,
    // Records whose evaluation, alerting or delivery threw: isolated, reported to the failure queue.
    PoisonRecords: tally.poisonRecords,
    // Trigger events (or items of them) refused: forged sources, accounts not served, wrong shapes.
    RefusedEvents: refusedEvents,
    Alerts: tally.alerts,
    NotificationsSent: n.sent,
    DeliveriesFailed: n.failed,
    // Sent with no answer before the timeout: the receiver may or may not have the alert.
    DeliveriesUnknown: n.unknown,
  };
}

/**
 * A Metrics that writes its EMF documents to a sink instead of stdout (a test reads them).
 * Powertools prints through a console of its own that cannot be replaced, so the flush is done here
 * from its public parts: the serialized document, then the same clearing Powertools does.
 */
class SinkMetrics extends Metrics {
  readonly #sink: LogSink;

  constructor(sink: LogSink) {
    super({ namespace: METRICS_NAMESPACE });
    this.#sink = sink;
  }

  override publishStoredMetrics(): this {
    if (this.hasStoredMetrics()) this.#sink(JSON.stringify(this.serializeMetrics()));
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }
}

/**
 * One function's metrics, flushed after each invocation by Powertools' `logMetrics` middleware.
 * Powertools adds a `service` dimension by default; it is cleared so every metric keeps the one
 * dimension set, [Source], that the alarms name (a metric with another dimension set is another
 * metric to CloudWatch, and the alarms would watch nothing).
 */
export function createMetrics(source: string, sink?: LogSink): Metrics {
  const metrics = sink ? new SinkMetrics(sink) : new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [SOURCE_DIMENSION]: source });
  return metrics;
}

/** Adds an invocation's counts and notification latencies to the metrics of its flush. */
export function recordInvocation(metrics: Metrics, tally: Tally, refusedEvents = 0): void {
  for (const [name, value] of Object.entries(invocationMetrics(tally, refusedEvents)))
    metrics.addMetric(name, MetricUnit.Count, value);
  // Powertools flushes on its own at EMF's 100 values per metric, so no latency is dropped.
  for (const latency of tally.latenciesMs)
    metrics.addMetric('NotificationLatency', MetricUnit.Milliseconds, latency);
}
