import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { formatLocation, TrailwatchError } from '../errors';
import type { LambdaContext } from './events';
import { TriggerEventError } from './events';
import type { Logger } from './logger';
import { INVOCATION_ERRORS_METRIC } from './metrics';

/** How a failed invocation is told apart in its log line. */
export type InvocationErrorKind =
  /** S3 unreadable for now, a destination down, the failure queue refusing: a retry may succeed. */
  | 'retryable'
  /** The event is not one this function takes: no item of it can be located and reported. */
  | 'wrong-event'
  /** Anything else is a fault of trailwatch itself. */
  | 'unexpected';

/**
 * Told apart by class and by the base's `retryable`, never by text: S3 unreadable for now
 * (ReadError), a destination down (DeliveryError), the failure queue refusing, and any other
 * TrailwatchError that says a retry may help (an unreachable or throttled state table, a throttled
 * secret) are retryable.
 */
export function classifyInvocationError(error: unknown): InvocationErrorKind {
  if (error instanceof TriggerEventError) return 'wrong-event';
  if (error instanceof TrailwatchError && error.retryable) return 'retryable';
  return 'unexpected';
}

/** A TrailwatchError's code and location, as fields of the log line, for queries by kind and place. */
function errorFacts(error: unknown): Record<string, string> {
  if (!(error instanceof TrailwatchError)) return {};
  const where = error.location === undefined ? '' : formatLocation(error.location);
  return { errorCode: error.code, ...(where === '' ? {} : { errorLocation: where }) };
}

/**
 * The middy middleware that maps an invocation's error to one log line (its kind, its message:
 * the located inputs, deliveries or queue it names) and one InvocationErrors metric, then lets
 * middy rethrow it. Every kind is rethrown: a retryable one so that Lambda retries it (the
 * delivery claims keep the retry from sending twice), a wrong event and an unexpected fault so that
 * after Lambda's retries the OnFailure destination (the function's failure queue) keeps the whole
 * event, since no location inside it can be reported instead.
 */
export function mapInvocationErrors(
  log: Logger,
  metrics: Metrics,
): MiddlewareObj<unknown, unknown, Error, LambdaContext> {
  return {
    name: 'mapInvocationErrors',
    onError: (request) => {
      const error = request.error;
      const kind = classifyInvocationError(error);
      log.error('invocation failed', {
        errorKind: kind,
        rethrown: true,
        errorName: error instanceof Error ? error.name : typeof error,
        ...errorFacts(error),
        error: error instanceof Error ? error.message : String(error),
        ...(kind === 'unexpected' && error instanceof Error && error.stack ? { stack: error.stack } : {}),
      });
      metrics.addMetric(INVOCATION_ERRORS_METRIC, MetricUnit.Count, 1);
    },
  };
}
