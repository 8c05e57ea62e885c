import { createTrailHandler } from '../lib/runtime';

/** Triggered by S3 ObjectCreated notifications from the trail bucket. */
export const handler = createTrailHandler('s3');
