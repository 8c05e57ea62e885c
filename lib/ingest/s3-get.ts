import type { Agent, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsErrorFacts, loadedOnce } from '../aws';

/**
 * GetObject signed with SigV4 by `aws4` and sent with node:http(s), without the AWS SDK's S3 client.
 *
 * Why: an ingest function reads one object per notification, and requiring `@aws-sdk/client-s3`
 * (about 90 modules: middleware, checksums, the XML protocol, endpoint rules) took 88–94 ms of each
 * S3 or SNS cold start in `npm run bench`; `aws4` and node:http take a tenth of that. The direct
 * request is used only where the SDK would make the same request with the same credentials (see
 * `directS3`); everywhere else (a profile, SSO, FIPS or dual-stack endpoints, access point ARNs,
 * other partitions) the SDK client is used as before.
 *
 * What it keeps of the SDK's behaviour: credentials from the environment (the first source of the
 * SDK's default chain, and where Lambda puts the function's role credentials); virtual-hosted
 * addressing where the bucket name allows it, else path style; the standard retry mode (three
 * attempts, exponential backoff with full jitter, for throttling, server faults and network
 * failures); a bucket in another region followed through the `x-amz-bucket-region` header as
 * `followRegionRedirects` does; failures shaped as the SDK shapes them (`name` = S3's error code,
 * `$metadata.httpStatusCode`, `$fault`), so `awsErrorFacts` classifies both alike.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
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

/** The SDK's standard retry mode: 3 attempts; delay = random × min(20 s, base × 2^attempt). */
const MAX_ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const THROTTLED_RETRY_BASE_MS = 500;
const MAX_RETRY_DELAY_MS = 20_000;

/**
 * Failures the SDK's standard mode waits longer after (its throttling base delay): an HTTP 429, or
 * one of these error codes.
 * https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts
 */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

function isThrottling(code: string, httpStatus: number | undefined): boolean {
  return httpStatus === 429 || THROTTLING_CODES.has(code);
}

export const STANDARD_RETRY: RetryPolicy = {
  attempts: MAX_ATTEMPTS,
  delayMs: (attempt, throttled) =>
    Math.floor(
      Math.random() *
        Math.min(MAX_RETRY_DELAY_MS, (throttled ? THROTTLED_RETRY_BASE_MS : RETRY_BASE_MS) * 2 ** attempt),
    ),
};

/**
 * A connection that sends nothing for this long is given up (as ETIMEDOUT, a network failure that
 * is retried) rather than left to hold the invocation until Lambda's timeout.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 30_000;

/**
 * An error answer's body is read up to this many bytes for S3's `<Code>` and `<Message>`; the rest
 * is never read: the connection is closed, so a body that never ends (a broken proxy) cannot hold
 * the invocation, and a huge one costs no time.
 */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Regions whose S3 endpoints are `s3.<region>.amazonaws.com` (aws and aws-us-gov partitions) or
 * `s3.<region>.amazonaws.com.cn` (aws-cn). Other partitions (ISO, the European Sovereign Cloud) go
 * through the SDK, which knows their endpoints.
 * https://docs.aws.amazon.com/general/latest/gr/s3.html
 */
const STANDARD_REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;
const CHINA_REGION = /^cn-[a-z]+-\d{1,2}$/;

/**
 * Bucket names that can be a host name label: virtual-hosted addressing. A name with dots breaks
 * the wildcard TLS certificate, and legacy names (capitals, underscores) are no DNS label: both
 * are addressed path style, as the SDK does.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const IP_ADDRESS_LIKE = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * The answers after which the SDK's `followRegionRedirects` asks the region S3 names in
 * `x-amz-bucket-region` (for any command but HeadBucket): a 301, or a 400 for a location
 * constraint. Other statuses that carry the header (a 403, a 400 for a malformed authorization)
 * fail as they are, there as here.
 * https://github.com/aws/aws-sdk-js-v3/blob/main/packages/middleware-sdk-s3/src/region-redirect-middleware.ts
 */
function isRegionRedirect(failure: S3ResponseError): boolean {
  const status = failure.$metadata.httpStatusCode;
  return status === 301 || (status === 400 && failure.name === 'IllegalLocationConstraintException');
}

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
function regionServed(region: string, atEndpoint: boolean): boolean {
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

/**
 * A key as S3's SigV4 canonical URI wants it and as the request sends it: every byte but the
 * unreserved characters percent-encoded, `/` kept (S3 encodes the path once, never normalises it).
 */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

interface Target {
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

/** An S3 error answer, shaped as the SDK shapes its service errors. */
export class S3ResponseError extends Error {
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  readonly $fault: 'client' | 'server';

  constructor(code: string, message: string, httpStatusCode: number, requestId: string | undefined) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode, ...(requestId === undefined ? {} : { requestId }) };
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  }
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};
const MAX_CODE_POINT = 0x10ffff;

/** XML's predefined entities and character references decoded; any other entity stays as written. */
function decodeXmlText(text: string): string {
  return text.replace(
    /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g,
    (entity, name: string | undefined, decimal: string | undefined, hex: string | undefined) => {
      if (name !== undefined) return XML_ENTITIES[name] ?? entity;
      const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
      return codePoint <= MAX_CODE_POINT ? String.fromCodePoint(codePoint) : entity;
    },
  );
}

/** Where (at its `>`) a comment, processing instruction or declaration ends, or -1. */
function markupEnd(body: string, open: number): number {
  if (body.startsWith('<!--', open)) {
    const end = body.indexOf('-->', open + 4);
    return end === -1 ? -1 : end + 2;
  }
  if (body.startsWith('<?', open)) {
    const end = body.indexOf('?>', open + 2);
    return end === -1 ? -1 : end + 1;
  }
  // `<!DOCTYPE Error [ <!ENTITY …> ]>`: the internal subset holds `>` of its own.
  const close = body.indexOf('>', open);
  if (close === -1) return -1;
  const subset = body.slice(open, close).indexOf('[');
  if (subset === -1) return close;
  const subsetEnd = body.indexOf(']', open + subset);
  return subsetEnd === -1 ? -1 : body.indexOf('>', subsetEnd);
}

/** The elements of an error document that the SDK reads, relative to its root element. */
const ERROR_FIELDS: ReadonlySet<string> = new Set(['Code', 'Message', 'Error/Code', 'Error/Message']);

/**
 * The `Code` and `Message` of an S3 error document, read where the SDK's XML parser finds them:
 * children of the root element (or of an `Error` element inside it), never deeper, with CDATA
 * sections and character references as text. One linear pass with `indexOf` (no backtracking
 * pattern over hostile bodies); entities a DOCTYPE declares are not expanded, as the SDK does not.
 */
export function errorDocumentFields(body: string): { code?: string; message?: string } {
  const path: string[] = [];
  const texts = new Map<string, string>();
  const field = (): string | undefined => {
    // Only depths 2 and 3 can hold a field: deeper paths (hostile nesting) cost nothing to skip.
    if (path.length < 2 || path.length > 3) return undefined;
    const relative = path.slice(1).join('/');
    return ERROR_FIELDS.has(relative) ? relative : undefined;
  };
  const append = (text: string): void => {
    const name = field();
    if (name !== undefined) texts.set(name, (texts.get(name) ?? '') + text);
  };
  let at = 0;
  while (at < body.length) {
    const open = body.indexOf('<', at);
    append(decodeXmlText(body.slice(at, open === -1 ? body.length : open)));
    if (open === -1) break;
    let end: number;
    if (body.startsWith('<![CDATA[', open)) {
      end = body.indexOf(']]>', open + 9);
      if (end === -1) break;
      append(body.slice(open + 9, end));
      end += 2;
    } else if (body.startsWith('<!', open) || body.startsWith('<?', open)) {
      end = markupEnd(body, open);
      if (end === -1) break;
    } else {
      end = body.indexOf('>', open);
      if (end === -1) break;
      const tag = body.slice(open + 1, end);
      if (tag.startsWith('/')) {
        path.pop();
        if (path.length === 0) break;
      } else {
        path.push(/^[^\s/]*/.exec(tag)?.[0] ?? '');
        const name = field();
        if (name !== undefined && texts.has(name)) {
          // A repeated field: the first one counts, the later one is read into nothing.
          path[path.length - 1] = '';
        }
        if (tag.endsWith('/')) path.pop();
        else append('');
      }
    }
    at = end + 1;
  }
  const code = texts.get('Error/Code') ?? texts.get('Code');
  const message = texts.get('Error/Message') ?? texts.get('Message');
  return { ...(code ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}

/** Reads what S3 says about a failure (its body holds `<Error><Code>…<Message>…`). */
async function responseError(response: IncomingMessage): Promise<S3ResponseError> {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    bytes += chunk.length;
    // Leaving the loop destroys the response and its socket: the unread rest is never fetched.
    if (bytes >= MAX_ERROR_BODY_BYTES) break;
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
  const requestId = response.headers['x-amz-request-id'];
  const fields = errorDocumentFields(body);
  const code = fields.code ?? (status === 404 ? 'NotFound' : `Http${status}`);
  const message = fields.message ?? (response.statusMessage || `HTTP ${status}`);
  return new S3ResponseError(code, message, status, typeof requestId === 'string' ? requestId : undefined);
}

/** Keep-alive agents, one per scheme, made on first use: warm invocations reuse their connections. */
const agents = new Map<boolean, Agent>();

function agentFor(secure: boolean): Agent {
  let agent = agents.get(secure);
  if (agent === undefined) {
    agent = secure
      ? new (process.getBuiltinModule('node:https').Agent)({ keepAlive: true })
      : new (process.getBuiltinModule('node:http').Agent)({ keepAlive: true });
    agents.set(secure, agent);
  }
  return agent;
}

/**
 * A local clock this far from the time an S3 answer carries is corrected to it, as the SDK corrects
 * its `systemClockOffset`: S3 refuses requests signed more than 15 minutes from its own time
 * (RequestTimeTooSkewed), and a laptop's or a container's clock can be that far off.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 */
const CLOCK_SKEW_CORRECTION_MS = 5 * 60 * 1000;

/** Milliseconds to add to the local clock for S3's time; kept for the process, as the SDK keeps it per client. */
let clockOffsetMs = 0;

/** Whether the answer's Date showed the clock skewed, and the clock was corrected for the next request. */
function correctedClockFrom(response: IncomingMessage): boolean {
  const serverTime = Date.parse(response.headers.date ?? '');
  if (Number.isNaN(serverTime)) return false;
  if (Math.abs(Date.now() + clockOffsetMs - serverTime) < CLOCK_SKEW_CORRECTION_MS) return false;
  clockOffsetMs = serverTime - Date.now();
  return true;
}

async function send(s3: DirectS3, region: string, bucket: string, key: string): Promise<IncomingMessage> {
  const signedAt = clockOffsetMs === 0 ? undefined : new Date(Date.now() + clockOffsetMs);
  const request = await signedGetRequest(s3, region, bucket, key, signedAt);
  const transport = request.secure
    ? process.getBuiltinModule('node:https')
    : process.getBuiltinModule('node:http');
  const idleMs = s3.idleTimeoutMs ?? IDLE_SOCKET_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let answer: IncomingMessage | undefined;
    const outgoing = transport.request(
      {
        method: 'GET',
        // An IPv6 endpoint's URL host is bracketed (`[::1]`), as its signed Host header must be;
        // the address to connect to is not.
        hostname: request.hostname.replace(/^\[(.*)\]$/, '$1'),
        ...(request.port === undefined ? {} : { port: request.port }),
        path: request.path,
        headers: request.headers,
        agent: agentFor(request.secure),
      },
      (response) => {
        answer = response;
        resolve(response);
      },
    );
    outgoing.setTimeout(idleMs, () => {
      const timeout: NodeJS.ErrnoException = new Error(`no data from S3 for ${idleMs} ms`);
      timeout.code = 'ETIMEDOUT';
      // Inside the body the reader holds the response: the error must surface there, as itself.
      answer?.destroy(timeout);
      outgoing.destroy(timeout);
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

/**
 * The object's body as a stream. Failures before the body (error answers, refused or broken
 * connections) are retried as the SDK's standard mode retries them; a failure inside the body
 * surfaces from the stream, where the reader reports it at its offset.
 */
export async function getObjectDirect(s3: DirectS3, bucket: string, key: string): Promise<Readable> {
  const retry = s3.retry ?? STANDARD_RETRY;
  let region = s3.region;
  let redirected = false;
  for (let attempt = 1; ; attempt++) {
    // An answer that corrected the clock is tried again whatever it said, as the SDK does: the
    // refusal may have been the skew's doing.
    let clockCorrected = false;
    try {
      const response = await send(s3, region, bucket, key);
      if (response.statusCode === 200) return response;
      const failure = await responseError(response);
      clockCorrected = correctedClockFrom(response);
      const bucketRegion = response.headers['x-amz-bucket-region'];
      if (
        !redirected &&
        typeof bucketRegion === 'string' &&
        bucketRegion !== region &&
        // A region whose host it does not know (another partition, a hostile header) is not
        // guessed at: the redirect fails as S3 answered it, not as a DNS failure retried.
        regionServed(bucketRegion, s3.endpoint !== undefined) &&
        isRegionRedirect(failure)
      ) {
        // The bucket lives elsewhere: ask there, once, with attempts anew. The SDK's redirect sits
        // outside its retries, so throttling before the redirect costs nothing after it.
        region = bucketRegion;
        redirected = true;
        attempt = 0;
        continue;
      }
      throw failure;
    } catch (error) {
      const facts = awsErrorFacts(error);
      if (attempt >= retry.attempts || !(facts.retryable || clockCorrected)) throw error;
      await sleep(retry.delayMs(attempt, isThrottling(facts.code, facts.httpStatus)));
    }
  }
}
