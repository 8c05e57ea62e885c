export type { DynamoStateSettings } from './dynamodb';
export { DynamoStateStore, TTL_ATTRIBUTE } from './dynamodb';
export type { StateStoreProblem } from './errors';
export { classifyStateError, StateStoreError } from './errors';
export { MemoryStateStore } from './memory';
export {
  isConditionalCheckFailure,
  partitionKey,
  STATE_CONNECT_TIMEOUT_MS,
  STATE_MAX_ATTEMPTS,
  STATE_REQUEST_TIMEOUT_MS,
  StateTable,
  textDigest,
} from './table';
export type {
  ClaimDecision,
  DedupDecision,
  DeliveryClaim,
  StateStore,
  ThreadParent,
  ThreadParentWrite,
  ThreadRepeat,
  WindowEntry,
  WindowKeeping,
} from './types';
export { DELIVERY_RECORD_TTL_MS, pruneWindow } from './types';
