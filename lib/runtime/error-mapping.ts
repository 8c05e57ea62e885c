import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { DeliveryError } from '../pipeline';
import type { LambdaContext } from './events';
import { TriggerEventError } from './events';
import { FailureQueueError } from './failures';
import { ReadError } from './handle';
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

export function classifyInvocationError(error: unknown): InvocationErrorKind {
  if (error instanceof ReadError || error instanceof DeliveryError || error instanceof FailureQueueError)
    return 'retryable';
  if (error instanceof TriggerEventError) return 'wrong-event';
  return 'unexpected';
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
        error: error instanceof Error ? error.message : String(error),
        ...(kind === 'unexpected' && error instanceof Error && error.stack ? { stack: error.stack } : {}),
      });
      metrics.addMetric(INVOCATION_ERRORS_METRIC, MetricUnit.Count, 1);
    },
  };
}
