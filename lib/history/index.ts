export type {
  BacktestObject,
  BacktestOptions,
  BacktestProgress,
  BacktestReport,
  BacktestSource,
  RuleReport,
  TopPerson,
} from './backtest';
export {
  BacktestListingError,
  DEFAULT_BACKTEST_CONCURRENCY,
  MAX_LISTED_DAYS,
  MAX_LISTED_PROBLEMS,
  planBacktest,
  rankTop,
  runBacktest,
  TOP_PEOPLE,
  TOP_PRINCIPALS,
} from './backtest';
export { CHART_RULES, escapeHtml, renderBacktestHtml, stackedBarChart, topPersonText } from './html';
export type { LookupAttribute, LookupAttributeKey, LookupQuery, LookupResult, ResumePoint } from './lookup';
export {
  cliEvent,
  cliTimestamp,
  DEFAULT_LOOKUP_ITEMS,
  decodeResumeToken,
  EVENT_HISTORY_DAYS,
  encodeResumeToken,
  LOOKUP_ATTRIBUTE_KEYS,
  LookupQueryError,
  lookupEvents,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_RESULTS_PER_CALL,
  parseLookupAttributes,
  RepeatedNextTokenError,
  StartingTokenError,
} from './lookup';
