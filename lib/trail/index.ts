export type { CallKind, PacingOptions } from './aws';
export {
  ARRIVAL_MARGIN_MS,
  explainAwsError,
  LOOKUP_INTERVAL_MS,
  LOOKUP_SPACING_MS,
  PacedCloudTrail,
  READ_INTERVAL_MS,
  TrailError,
  WRITE_INTERVAL_MS,
} from './aws';
export type { CustomResourceEvent, CustomResourceResponse } from './bootstrap';
export {
  customResourceEventSchema,
  customResourceResponse,
  sendCustomResourceResponse,
  trailFromProperties,
} from './bootstrap';
export type { TrailConnection } from './context';
export { connectTrail } from './context';
export type { DesiredTrail, EventSelector, TrailSettings } from './desired';
export {
  bucketNameProblem,
  DEFAULT_STALE_AFTER_MINUTES,
  desiredTrail,
  MAX_DATA_RESOURCES,
  MAX_EVENT_SELECTORS,
  MAX_TRAILS_PER_REGION,
  trailNameProblem,
  trailSchema,
} from './desired';
export type { HealthFinding, HealthReport } from './health';
export { checkTrailHealth, formatHealthReport } from './health';
export type { ObservedTrail, PolicyDocument, TrailCall, TrailChange, TrailContext } from './manage';
export {
  allowsScopedCloudTrailWrite,
  applyTrail,
  bucketPolicyStatements,
  observeTrail,
  planTrail,
  trailArn,
} from './manage';
