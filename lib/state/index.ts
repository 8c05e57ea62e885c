export type { DynamoStateSettings } from './dynamodb';
export {
  DynamoStateStore,
  STATE_CONNECT_TIMEOUT_MS,
  STATE_MAX_ATTEMPTS,
  STATE_REQUEST_TIMEOUT_MS,
  TTL_ATTRIBUTE,
} from './dynamodb';
export type { StateStoreProblem } from './errors';
export { classifyStateError, StateStoreError } from './errors';
export { MemoryStateStore } from './memory';
export type { ClaimDecision, DedupDecision, DeliveryClaim, StateStore, WindowEntry } from './types';
export { DELIVERY_RECORD_TTL_MS, pruneWindow } from './types';
