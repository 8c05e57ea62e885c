export type { QueueHandlerDependencies } from './handler';
export { createQueueHandler, MESSAGE_CONCURRENCY, QUEUE_SOURCE } from './handler';
export { limitConcurrency } from './limit';
export type { QueueMessage } from './messages';
export { messageInput, messageSource, parseQueueBatch, receiveCount, SQS_BATCH_EVENT } from './messages';
