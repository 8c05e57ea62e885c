import type { Alert } from '../alerts';
import { formatOrigin, readRecordBatches } from '../ingest';
import type { AlertOutcome } from '../pipeline';
import { throwIfRetryable } from '../pipeline';
import type { Logger } from './logger';
import type { InvocationMetrics } from './metrics';
import { emfDocument, emptyMetrics } from './metrics';
import type { Runtime } from './runtime';

/** Thrown when records could not be read for a reason a retry may fix (S3 throttling, a network error). */
export class ReadError extends Error {
  override readonly name = 'ReadError';
}

export interface InvocationSummary {
  readonly metrics: InvocationMetrics;
  readonly outcomes: readonly AlertOutcome[];
}

/**
 * One invocation: read whatever the event carries, evaluate, alert, deliver. Data faults are
 * logged with their location and counted; failures a retry could fix are thrown after everything
 * else was done, so Lambda retries (idempotency records keep the retry from sending twice).
 */
export async function handleTrailEvent(
  event: unknown,
  source: string,
  runtime: Runtime,
  log: Logger,
  now: () => number = Date.now,
): Promise<InvocationSummary> {
  const metrics = emptyMetrics();
  const outcomes: AlertOutcome[] = [];
  const retryableReads: string[] = [];
  const input = { kind: 'payload' as const, name: `${source} event`, value: event };
  // A record ruled out from its text was still read: it counts.
  const mayMatch = (text: string): boolean => {
    if (runtime.engine.mayMatchText(text)) return true;
    metrics.recordsRead++;
    return false;
  };
  for await (const batch of readRecordBatches([input], { mayMatch, s3: runtime.s3 })) {
    for (const result of batch) {
      if (result.kind === 'problem') {
        metrics.recordsSkipped++;
        log.error('cannot read input', {
          origin: formatOrigin(result.origin),
          problem: result.message,
          retryable: result.retryable === true,
        });
        if (result.retryable) retryableReads.push(`${formatOrigin(result.origin)}: ${result.message}`);
        continue;
      }
      if (result.kind === 'skipped') {
        log.debug('skipped input', { origin: formatOrigin(result.origin), reason: result.reason });
        continue;
      }
      metrics.recordsRead++;
      for (const evaluation of runtime.engine.evaluate(result.record, result.raw)) {
        if (evaluation.kind === 'error') {
          log.error('rule failed on a record', {
            ruleId: evaluation.rule.meta.id,
            eventID: result.record.eventID,
            error: evaluation.message,
          });
          continue;
        }
        for (const alert of await runtime.pipeline.alertsFor(evaluation.rule, result.record, result.origin)) {
          metrics.alerts++;
          const outcome = await runtime.pipeline.handleAlert(alert);
          outcomes.push(outcome);
          record(outcome, metrics, log, now());
        }
      }
    }
  }
  log.raw(emfDocument(source, metrics, now()));
  log.info('invocation done', { source, ...countsOf(metrics) });
  throwIfRetryable(outcomes);
  if (retryableReads.length > 0)
    throw new ReadError(`could not read ${retryableReads.length} input(s): ${retryableReads.join('; ')}`);
  return { metrics, outcomes };
}

function countsOf(metrics: InvocationMetrics): Record<string, number> {
  const { latenciesMs: _latencies, ...counts } = metrics;
  return counts;
}

function describe(alert: Alert): Record<string, unknown> {
  return {
    alertId: alert.id,
    ruleId: alert.rule.id,
    level: alert.level,
    eventID: alert.facts.eventID,
    kind: alert.kind,
  };
}

function record(outcome: AlertOutcome, metrics: InvocationMetrics, log: Logger, now: number): void {
  if (outcome.status !== 'routed') {
    log.info(`alert ${outcome.status}`, describe(outcome.alert));
    return;
  }
  for (const delivery of outcome.deliveries) {
    if (delivery.status === 'sent') {
      metrics.notificationsSent++;
      const latency = now - Date.parse(outcome.alert.facts.eventTime);
      if (Number.isFinite(latency)) metrics.latenciesMs.push(latency);
      log.info('alert sent', { ...describe(outcome.alert), destination: delivery.destination });
    } else if (delivery.status === 'already-sent') {
      log.info('alert already sent', { ...describe(outcome.alert), destination: delivery.destination });
    } else {
      metrics.deliveriesFailed++;
      const error = delivery.status === 'failed' ? delivery.result.error : 'no such destination';
      log.error('alert delivery failed', {
        ...describe(outcome.alert),
        destination: delivery.destination,
        error,
      });
    }
  }
}
