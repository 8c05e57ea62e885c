import { createTrailHandler } from '../lib/runtime';

/** Triggered by CloudTrail's SNS delivery notifications, and S3 events sent through SNS. */
export const handler = createTrailHandler('sns');
