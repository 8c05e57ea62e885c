/**
 * The trail bootstrap function, kept apart from the ingest runtime: it needs the CloudTrail, S3,
 * SNS and STS clients at load, and the ingest handlers must not pay for them on a cold start.
 */
export type { TrailHandlerDependencies } from './handler';
export { createTrailBootstrapHandler, healthAlert, TRAIL_HEALTH_RULE_ID } from './handler';
