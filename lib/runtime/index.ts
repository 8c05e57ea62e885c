export type { InvocationErrorKind } from './error-mapping';
export { classifyInvocationError, mapInvocationErrors } from './error-mapping';
export type { LambdaContext, Trigger } from './events';
export { ParsedTrigger, parseTriggerEvent, splitEvent, TRIGGER_SCHEMAS, TriggerEventError } from './events';
export type { FailureReport, FailureReporter } from './failures';
export { FailureQueueError, failureReporterFor, NO_FAILURE_QUEUE, SqsFailureReporter } from './failures';
export type { InvocationOptions, InvocationSummary } from './handle';
export { handleTrailEvent, ReadError } from './handle';
export type { HandlerDependencies, HandlerResult } from './lambda';
export { createTrailHandler, handlerBase } from './lambda';
export type { Logger, LogLevel, LogSink } from './logger';
export { createLogger, SERVICE_NAME } from './logger';
export {
  createMetrics,
  INVOCATION_ERRORS_METRIC,
  invocationMetrics,
  METRICS_NAMESPACE,
  recordInvocation,
  SOURCE_DIMENSION,
} from './metrics';
export type { Runtime, RuntimeEnvironment, RuntimeOverrides } from './runtime';
export { ColdStartError, createRuntime, withDeploymentDefaults } from './runtime';
