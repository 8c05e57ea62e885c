/**
 * When and how the direct GetObject (`s3-get.ts`) may stand in for the SDK's S3 client: its
 * settings, the credentials it signs with, and the regions and buckets it can address.
 */

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where and as whom the direct GetObject is sent. */
export interface DirectS3 {
  readonly region: string;
  /** An S3-compatible endpoint (moto_server, MinIO): path-style addressing, as the SDK client is set up. */
  readonly endpoint?: URL;
  readonly credentials: S3Credentials;
  readonly retry?: RetryPolicy;
  /** A socket silent this long fails the request (or the body being read) as a network timeout. */
  readonly idleTimeoutMs?: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The wait before the next attempt after `attempt` (1-based) failed. */
  readonly delayMs: (attempt: number, throttled: boolean) => number;
}

/**
 * Regions whose S3 endpoints are `s3.<region>.amazonaws.com` (aws and aws-us-gov partitions) or
 * `s3.<region>.amazonaws.com.cn` (aws-cn). Other partitions (ISO, the European Sovereign Cloud) go
 * through the SDK, which knows their endpoints.
 * https://docs.aws.amazon.com/general/latest/gr/s3.html
 */
export const STANDARD_REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;
export const CHINA_REGION = /^cn-[a-z]+-\d{1,2}$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The direct request's settings, when it would do what the SDK's client would; undefined sends
 * the caller to the SDK. The SDK reads static credentials from the environment first unless a
 * profile is named (`AWS_PROFILE` set skips them); it reads endpoint, FIPS and dual-stack settings
 * from the environment too, which the direct request does not follow.
 */
export function directS3(
  settings: { readonly endpoint?: string; readonly region: string },
  env: Env = process.env,
): DirectS3 | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey || env.AWS_PROFILE) return undefined;
  if (env.AWS_USE_FIPS_ENDPOINT === 'true' || env.AWS_USE_DUALSTACK_ENDPOINT === 'true') return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN;
  const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  if (settings.endpoint !== undefined) {
    const endpoint = parseEndpoint(settings.endpoint);
    if (endpoint === undefined || !regionServed(settings.region, true)) return undefined;
    return { region: settings.region, endpoint, credentials };
  }
  if (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL) return undefined;
  if (!regionServed(settings.region, false)) return undefined;
  return { region: settings.region, credentials };
}

/**
 * A region is a label of the S3 host name, and a label holds at most 63 characters.
 * https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4
 */
const HOST_LABEL = /^[a-z0-9-]{1,63}$/;

/**
 * Whether the direct request can sign for (and, without an endpoint, address) this region: any
 * host label at an explicit endpoint, else only regions whose S3 host name it knows.
 */
export function regionServed(region: string, atEndpoint: boolean): boolean {
  if (!HOST_LABEL.test(region)) return false;
  return atEndpoint || STANDARD_REGION.test(region) || CHINA_REGION.test(region);
}

function parseEndpoint(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bucket names the SDK sends somewhere other than S3's regional endpoint: S3 Express One Zone
 * directory buckets and their access points (`--x-s3`, `--xa-s3`: a zonal `s3express-…` endpoint
 * with session credentials from CreateSession) and S3 on Outposts access point aliases (`--op-s3`).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/directory-bucket-naming-rules.html
 * https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/s3-outposts-access-points-alias.html
 */
const SDK_ROUTED_BUCKET_SUFFIXES: readonly string[] = ['--x-s3', '--xa-s3', '--op-s3'];

/** Whether the direct request can address this bucket (ARNs and special endpoints go to the SDK). */
export function directlyAddressable(bucket: string): boolean {
  return (
    bucket.length > 0 &&
    !bucket.startsWith('arn:') &&
    !bucket.includes('/') &&
    !SDK_ROUTED_BUCKET_SUFFIXES.some((suffix) => bucket.endsWith(suffix))
  );
}
