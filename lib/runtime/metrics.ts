import type { Tally } from '../driver';
import { recordsRead } from '../driver';

/**
 * CloudWatch embedded metric format: one JSON log line per invocation that CloudWatch turns into
 * metrics, with no API call and no extra latency. The stack's alarms watch these names.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const METRICS_NAMESPACE = 'trailwatch';

/** EMF allows at most 100 values per metric in one document. */
const MAX_VALUES = 100;

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

export function emfDocument(
  source: string,
  tally: Tally,
  now: number = Date.now(),
  refusedEvents = 0,
): Record<string, unknown> {
  const counts = invocationMetrics(tally, refusedEvents);
  const latencies = tally.latenciesMs.slice(0, MAX_VALUES);
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Source']],
          Metrics: [
            ...Object.keys(counts).map((name) => ({ Name: name, Unit: 'Count' })),
            ...(latencies.length > 0 ? [{ Name: 'NotificationLatency', Unit: 'Milliseconds' }] : []),
          ],
        },
      ],
    },
    Source: source,
    ...counts,
    ...(latencies.length > 0 ? { NotificationLatency: latencies } : {}),
  };
}
