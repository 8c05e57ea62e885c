import { loadedOnce } from '../aws';
import { encodeUnreservedOnly } from '../text';
import type { DirectS3 } from './s3-direct-settings';
import { CHINA_REGION } from './s3-direct-settings';

/**
 * The direct GetObject's request: where it goes (virtual-hosted or path-style, as the SDK
 * addresses the bucket) and its SigV4 signature (`aws4`).
 */

/**
 * Bucket names that can be a host name label: virtual-hosted addressing. A name with dots breaks
 * the wildcard TLS certificate, and legacy names (capitals, underscores) are no DNS label: both
 * are addressed path style, as the SDK does.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const IP_ADDRESS_LIKE = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * A key as S3's SigV4 canonical URI wants it and as the request sends it: every byte but the
 * unreserved characters percent-encoded, `/` kept (S3 encodes the path once, never normalises it).
 */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeUnreservedOnly).join('/');
}

export interface Target {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port?: string;
  readonly path: string;
}

function targetOf(s3: DirectS3, region: string, bucket: string, key: string): Target {
  if (s3.endpoint) {
    const base = s3.endpoint.pathname.replace(/\/+$/, '');
    return {
      secure: s3.endpoint.protocol === 'https:',
      hostname: s3.endpoint.hostname,
      ...(s3.endpoint.port === '' ? {} : { port: s3.endpoint.port }),
      path: `${base}/${encodeKey(bucket)}/${encodeKey(key)}`,
    };
  }
  const suffix = CHINA_REGION.test(region) ? 'amazonaws.com.cn' : 'amazonaws.com';
  if (DNS_BUCKET.test(bucket) && !IP_ADDRESS_LIKE.test(bucket)) {
    return { secure: true, hostname: `${bucket}.s3.${region}.${suffix}`, path: `/${encodeKey(key)}` };
  }
  return {
    secure: true,
    hostname: `s3.${region}.${suffix}`,
    path: `/${encodeKey(bucket)}/${encodeKey(key)}`,
  };
}

/** The signer (and the url, querystring and crypto modules it requires), loaded on the first request. */
const loadAws4 = loadedOnce(async () => (await import('aws4')).default);

/** The signed request: what goes on the wire. Exported for the test that checks it against the SDK's signer. */
export async function signedGetRequest(
  s3: DirectS3,
  region: string,
  bucket: string,
  key: string,
  now?: Date,
): Promise<Target & { readonly headers: Record<string, string> }> {
  const target = targetOf(s3, region, bucket, key);
  const headers: Record<string, string> = {};
  if (now) headers['X-Amz-Date'] = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const aws4 = await loadAws4();
  const signed = aws4.sign(
    {
      service: 's3',
      region,
      method: 'GET',
      host: target.hostname,
      ...(target.port === undefined ? {} : { port: target.port }),
      path: target.path,
      headers,
    },
    s3.credentials,
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) out[name] = String(value);
  return { ...target, headers: out };
}
