/**
 * History on Athena: the CloudTrail table the stack creates (./table), one query's API flow
 * (./query), what a scan costs (./cost), and the errors a query ends with (./errors).
 */

export type { AthenaBacktestInput, AthenaBacktestOptions } from './backtest';
export { athenaBacktestInput } from './backtest';
export type { ScanCost } from './cost';
export {
  BILLING_INCREMENT_BYTES,
  BYTES_PER_TB,
  formatBytes,
  formatCost,
  MINIMUM_BILLED_BYTES,
  PRICE_PER_TB_SCANNED_USD,
  queryCost,
  totalCost,
} from './cost';
export type { AthenaDialectOptions } from './dialect';
export { createAthenaDialect, PATH_COLUMN, SELECT_LIST } from './dialect';
export type { AthenaHuntOptions, AthenaHuntResult } from './engine';
export { athenaEngine, runAthenaHunt } from './engine';
export type { AthenaErrorCode } from './errors';
export { AthenaQueryError } from './errors';
export type { AthenaEngineOptions } from './flags';
export { ATHENA_FLAGS, athenaEngineOptions, athenaSettingsInput } from './flags';
export { javaRegex } from './java-regex';
export type { AthenaTarget, QueryOptions, QueryResult, Row } from './query';
export {
  CALL_RETRIES,
  CLIENT_REQUEST_TOKEN_MIN_LENGTH,
  DEFAULT_QUERY_TIMEOUT_MS,
  FIRST_POLL_MS,
  GET_QUERY_RESULTS_MAX_RESULTS,
  MAX_POLL_MS,
  queryRows,
  runQuery,
  START_ATTEMPTS,
} from './query';
export type { AthenaRecord } from './records';
export { AthenaRowError, recordFromRow } from './records';
export type { AthenaSettings, AthenaSettingsInput } from './settings';
export { AthenaSettingsError, createAthenaClient, DEFAULT_STACK, resolveAthenaSettings } from './settings';
export type { ColumnType, Field } from './table';
export { CLOUDTRAIL_COLUMNS, CLOUDTRAIL_TABLE_NAME, columnName, hiveType, PARTITION_COLUMNS } from './table';
