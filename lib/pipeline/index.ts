export { createDestinations, createStateStore, defaultNotifierContext, USER_AGENT } from './destinations';
export type { AlertOutcome, Delivery, PipelineOptions } from './pipeline';
export { AlertPipeline, DeliveryError, dedupKey, failuresToRetry, throwIfRetryable } from './pipeline';
export { routeAlert } from './routing';
export type { ActiveSuppression } from './suppressions';
export { compileSuppressions, findSuppression } from './suppressions';
