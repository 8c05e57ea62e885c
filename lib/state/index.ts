export type { DynamoStateSettings } from './dynamodb';
export { DynamoStateStore, TTL_ATTRIBUTE } from './dynamodb';
export { MemoryStateStore } from './memory';
export type { DedupDecision, StateStore, WindowEntry } from './types';
export { DELIVERY_RECORD_TTL_MS, pruneWindow } from './types';
