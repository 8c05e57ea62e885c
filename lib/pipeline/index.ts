export type { DeliverOptions, Delivery, RetryableDelivery } from './delivery';
export {
  ABORT_GRACE_MS,
  DEADLINE_SAFETY_MARGIN_MS,
  DELIVERY_LEASE_MS,
  DeliveryError,
  deadlineFromRemaining,
  failuresToRetry,
  LEASE_AFTER_DEADLINE_MS,
  MAX_SENDS_PER_DELIVERY,
  throwIfRetryable,
} from './delivery';
export { createDestinations, createStateStore, defaultNotifierContext, USER_AGENT } from './destinations';
export type { AlertOutcome, PipelineOptions } from './pipeline';
export { AlertPipeline, dedupKey } from './pipeline';
export { routeAlert } from './routing';
export type { ActiveSuppression } from './suppressions';
export { compileSuppressions, findSuppression } from './suppressions';
