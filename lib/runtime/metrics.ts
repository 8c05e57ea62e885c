/**
 * CloudWatch embedded metric format: one JSON log line per invocation that CloudWatch turns into
 * metrics, with no API call and no extra latency.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const METRICS_NAMESPACE = 'trailwatch';

export interface InvocationMetrics {
  recordsRead: number;
  recordsSkipped: number;
  alerts: number;
  notificationsSent: number;
  deliveriesFailed: number;
  /** Milliseconds from each alert's eventTime to its notification being sent. */
  latenciesMs: number[];
}

export function emptyMetrics(): InvocationMetrics {
  return {
    recordsRead: 0,
    recordsSkipped: 0,
    alerts: 0,
    notificationsSent: 0,
    deliveriesFailed: 0,
    latenciesMs: [],
  };
}

/** EMF allows at most 100 values per metric in one document. */
const MAX_VALUES = 100;

export function emfDocument(
  source: string,
  metrics: InvocationMetrics,
  now: number = Date.now(),
): Record<string, unknown> {
  const count = (name: string) => ({ Name: name, Unit: 'Count' });
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Source']],
          Metrics: [
            count('RecordsRead'),
            count('RecordsSkipped'),
            count('Alerts'),
            count('NotificationsSent'),
            count('DeliveriesFailed'),
            ...(metrics.latenciesMs.length > 0
              ? [{ Name: 'NotificationLatency', Unit: 'Milliseconds' }]
              : []),
          ],
        },
      ],
    },
    Source: source,
    RecordsRead: metrics.recordsRead,
    RecordsSkipped: metrics.recordsSkipped,
    Alerts: metrics.alerts,
    NotificationsSent: metrics.notificationsSent,
    DeliveriesFailed: metrics.deliveriesFailed,
    ...(metrics.latenciesMs.length > 0
      ? { NotificationLatency: metrics.latenciesMs.slice(0, MAX_VALUES) }
      : {}),
  };
}
