export { applyTrail } from './apply';
export type { CustomResourceEvent, CustomResourceResponse } from './bootstrap';
export {
  customResourceEventSchema,
  customResourceResponse,
  sendCustomResourceResponse,
  trailFromProperties,
} from './bootstrap';
export type { TrailConnection, TrailContext } from './context';
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
export type { TrailChange } from './diff';
export { describeChange, diffTrail, driftMessage, formatValue } from './diff';
export type { AwsCallSite, TrailErrorDetails } from './errors';
export { callAws, TrailError, trailErrorFromAws } from './errors';
export type { HealthFinding, HealthReport } from './health';
export { checkTrailHealth, formatHealthReport } from './health';
export type { ObservedBucket, ObservedTopic, ObservedTrail } from './observe';
export { observeTrail, trailsInRegion } from './observe';
export type { CallKind, PacingOptions } from './pacing';
export {
  ARRIVAL_MARGIN_MS,
  LOOKUP_INTERVAL_MS,
  LOOKUP_SPACING_MS,
  PacedCloudTrail,
  READ_INTERVAL_MS,
  WRITE_INTERVAL_MS,
} from './pacing';
export type { PlannedCall, TrailCall, TrailPlan } from './plan';
export { planTrail } from './plan';
export type { PolicyDocument } from './policies';
export {
  allowsScopedCloudTrailPublish,
  allowsScopedCloudTrailWrite,
  bucketPolicy,
  bucketPolicyStatements,
  topicArn,
  topicPolicy,
  trailArn,
} from './policies';
