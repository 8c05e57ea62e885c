export { mapOrdered } from './concurrency';
export type { ProblemFault } from './faults';
export { classifyReadError, isTransient } from './faults';
export type { FolderEntry, WalkOptions } from './files';
export { filesUnder } from './files';
export { InputFormatError } from './gzip';
export type { FramedItem, FramerOptions, FramerOutput, FramingError } from './json-framer';
export {
  DEFAULT_MAX_RECORD_BYTES,
  JsonFramer,
  MAX_NESTING_DEPTH,
  STREAMED_ARRAY_KEYS,
} from './json-framer';
export type { LogFileKey, LogFileKind } from './log-file-key';
export { decodeS3EventKey, isFolderMarker, parseLogFileKey } from './log-file-key';
export type { Origin } from './origin';
export { formatOrigin } from './origin';
export type { Input, ReadOptions, ReadResult } from './read';
export {
  DEFAULT_MAX_PROBLEMS_PER_SOURCE,
  describeError,
  parseInputArg,
  readRecordBatches,
  readRecords,
} from './read';
export type { DayOfObjects, LayoutFilter, ListedObject, S3Settings } from './s3';
export {
  createS3Client,
  DELIVERY_LAG_MS,
  daysBetween,
  keyMayMatch,
  LISTING_CONCURRENCY,
  listLogObjects,
  listLogObjectsByDay,
  walkLayout,
  walkLayoutByDay,
} from './s3';
export { DELIVERY_SHAPES } from './shapes/registry';
export type { DeliveryShape, Expansion, S3ObjectRef } from './shapes/types';
