export type { CloudTrailRecord, InsightDetails, SessionContext, UserIdentity } from './types';
export { INSIGHT_EVENT_TYPE } from './types';
export type { RecordCheck } from './validate';
export {
  checkRecord,
  describeType,
  isInsightEvent,
  isIsoEventTime,
  REQUIRED_INSIGHT_FIELDS,
  REQUIRED_RECORD_FIELDS,
} from './validate';
