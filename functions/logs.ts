import { createTrailHandler } from '../lib/runtime';

/** Triggered by the CloudWatch Logs subscription on the trail's log group. */
export const handler = createTrailHandler('logs');
