import { createTrailHandler } from '../lib/runtime';

/** Triggered by EventBridge: CloudTrail API calls and console sign-ins, within seconds. */
export const handler = createTrailHandler('eventbridge');
