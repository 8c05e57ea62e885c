export type { CrossAccountPolicies, CrossAccountRequest, PolicyStatement } from './cross-account';
export { CrossAccountInputError, crossAccountPolicies, crossAccountText } from './cross-account';
export type { QueueHandlerDependencies } from './handler';
export { createQueueHandler, MESSAGE_CONCURRENCY, QUEUE_SOURCE } from './handler';
export { limitConcurrency } from './limit';
export type { QueueMessage } from './messages';
export { messageInput, messageSource, parseQueueBatch, receiveCount, SQS_BATCH_EVENT } from './messages';
export type { QueueRef, RedriveOutcome, RedrivePath, RedriveRequest } from './redrive';
export {
  MOVE_TASK_MAX_PER_SECOND,
  moveTaskUnavailable,
  REDRIVE_VISIBILITY_SECONDS,
  RedriveError,
  redrive,
} from './redrive';
