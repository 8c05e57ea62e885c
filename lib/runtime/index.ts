export type { FailureReport, FailureReporter } from './failures';
export { FailureQueueError, failureReporterFor, NO_FAILURE_QUEUE, SqsFailureReporter } from './failures';
export type { InvocationOptions, InvocationSummary } from './handle';
export { handleTrailEvent, ReadError } from './handle';
export type { HandlerDependencies, HandlerResult, Trigger } from './lambda';
export {
  createTrailHandler,
  splitEvent,
  TRIGGER_SCHEMAS,
  TriggerEventError,
} from './lambda';
export type { Logger, LogLevel } from './logger';
export { createLogger } from './logger';
export { emfDocument, invocationMetrics, METRICS_NAMESPACE } from './metrics';
export type { Runtime, RuntimeEnvironment, RuntimeOverrides } from './runtime';
export { ColdStartError, createRuntime, withDeploymentDefaults } from './runtime';
