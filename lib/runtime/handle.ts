import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Alert } from '../alerts';
import type { DriverEvent, Tally } from '../driver';
import { drive, tallyCounts } from '../driver';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { Input } from '../ingest';
import { formatOrigin } from '../ingest';
import type { AlertOutcome } from '../pipeline';
import { throwIfRetryable } from '../pipeline';
import type { FailureReport, FailureReporter } from './failures';
import { NO_FAILURE_QUEUE } from './failures';
import type { Logger } from './logger';
import { recordInvocation } from './metrics';
import type { Runtime } from './runtime';

/** Thrown when records could not be read for a reason a retry may fix (S3 throttling, a network error). */
export class ReadError extends TrailwatchError {
  override readonly name = 'ReadError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'read', { retryable: true, ...options });
  }
}

export interface InvocationSummary {
  readonly tally: Tally;
  readonly outcomes: readonly AlertOutcome[];
}

export interface InvocationOptions {
  readonly now?: () => number;
  /** Epoch ms by which every delivery must be settled: the Lambda's remaining time less a margin. */
  readonly deadlineAt?: number;
  /** Where poison records, data faults and refused events are reported by location. */
  readonly failures?: FailureReporter;
  readonly requestId?: string;
  /** Problems found before reading (a malformed item of the trigger's event), reported like any other. */
  readonly refused?: readonly FailureReport[];
  /** Where the invocation's counts are added; whoever made it flushes it (the logMetrics middleware). */
  readonly metrics?: Metrics;
}

/**
 * One invocation: the driver reads whatever the event carries, evaluates, alerts and delivers. A
 * record that throws is isolated (logged with its location, counted, sent to the failure queue)
 * and the others go on; data faults are reported the same way and not retried. Failures a retry
 * could fix (S3 unreachable, a destination down) are thrown after everything else was done, so
 * Lambda retries, and the delivery claims keep the retry from sending anything twice.
 */
export async function handleTrailEvent(
  inputs: readonly Input[],
  source: string,
  runtime: Runtime,
  log: Logger,
  options: InvocationOptions = {},
): Promise<InvocationSummary> {
  const now = options.now ?? Date.now;
  const outcomes: AlertOutcome[] = [];
  const reports: FailureReport[] = [...(options.refused ?? [])];
  const retryableReads: string[] = [];
  const base = { trigger: source, requestId: options.requestId };
  for (const refused of options.refused ?? [])
    log.error('refused part of the event', { location: refused.location, error: refused.error });

  const onEvent = (event: DriverEvent): void => {
    switch (event.kind) {
      case 'alert':
        if (event.outcome) {
          outcomes.push(event.outcome);
          logOutcome(event.outcome, log);
        }
        return;
      case 'problem': {
        const location = formatOrigin(event.origin);
        log.error('cannot read input', {
          origin: location,
          problem: event.message,
          retryable: event.retryable,
        });
        if (event.retryable) retryableReads.push(`${location}: ${event.message}`);
        else
          reports.push({
            ...base,
            kind: event.fault === 'data' ? 'data-fault' : 'unreadable-source',
            location,
            error: event.message,
          });
        return;
      }
      case 'skipped':
        log.debug('skipped input', { origin: formatOrigin(event.origin), reason: event.reason });
        return;
      case 'rule-error':
        log.error('rule failed on a record', {
          ruleId: event.rule.meta.id,
          eventID: event.record.eventID,
          origin: formatOrigin(event.origin),
          error: event.message,
        });
        return;
      case 'poison': {
        const location = formatOrigin(event.origin);
        log.error('record isolated: it could not be processed, the others went on', {
          origin: location,
          eventID: event.eventID,
          stage: event.stage,
          error: event.message,
        });
        reports.push({
          ...base,
          kind: 'poison-record',
          location,
          ...(event.eventID === undefined ? {} : { eventID: event.eventID }),
          stage: event.stage,
          error: event.message,
        });
        return;
      }
      case 'input-done':
        return;
    }
  };

  const tally = await drive(inputs, {
    engine: runtime.engine,
    pipeline: runtime.pipeline,
    actors: runtime.actors,
    read: { s3: runtime.s3 },
    handleAlerts: true,
    ...(options.deadlineAt === undefined ? {} : { deliveryDeadline: () => options.deadlineAt }),
    onEvent,
    now,
  });
  if (options.metrics) recordInvocation(options.metrics, tally, options.refused?.length ?? 0);
  log.info('invocation done', { source, ...tallyCounts(tally), refused: options.refused?.length ?? 0 });
  // Reports are kept before any retry is asked for: a report that cannot be kept fails the
  // invocation, so Lambda's own retries and OnFailure destination keep the event instead.
  await (options.failures ?? NO_FAILURE_QUEUE).report(reports);
  throwIfRetryable(outcomes);
  if (retryableReads.length > 0)
    throw new ReadError(`could not read ${retryableReads.length} input(s): ${retryableReads.join('; ')}`);
  return { tally, outcomes };
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

function logOutcome(outcome: AlertOutcome, log: Logger): void {
  if (outcome.status !== 'routed') {
    log.info(`alert ${outcome.status}`, describe(outcome.alert));
    return;
  }
  for (const delivery of outcome.deliveries) {
    const fields = { ...describe(outcome.alert), destination: delivery.destination };
    switch (delivery.status) {
      case 'sent':
        log.info('alert sent', fields);
        break;
      case 'already-sent':
        log.info('alert already sent', fields);
        break;
      case 'in-flight-elsewhere':
        log.info('alert being sent by another invocation', fields);
        break;
      case 'unknown':
        log.warn('alert sent, no answer: the receiver may have it', { ...fields, error: delivery.error });
        break;
      case 'failed':
        log.error('alert delivery failed', { ...fields, error: delivery.result.error });
        break;
      case 'unknown-destination':
        log.error('alert delivery failed', { ...fields, error: 'no such destination' });
        break;
    }
  }
}
