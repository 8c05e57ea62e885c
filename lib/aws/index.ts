export type { AwsErrorFacts, AwsErrorKind } from './errors';
export { awsErrorFacts } from './errors';
export { loadedOnce } from './load';

/** Used when neither the caller nor the environment names a region. */
export const FALLBACK_REGION = 'us-east-1';

/**
 * The region of an AWS client: the one asked for, else the environment's (`AWS_REGION`, which
 * Lambda sets, then `AWS_DEFAULT_REGION`, which the AWS CLI reads), else `us-east-1`.
 */
export function resolveRegion(explicit?: string): string {
  return explicit ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? FALLBACK_REGION;
}
