import type { Agent, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsErrorFacts } from '../aws';
import { signedGetRequest } from './s3-direct-request';
import type { DirectS3, RetryPolicy } from './s3-direct-settings';
import { regionServed } from './s3-direct-settings';
import { isRegionRedirect, responseError } from './s3-error-answer';

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

/** The SDK's standard retry mode: 3 attempts; delay = random × min(20 s, base × 2^attempt). */
const MAX_ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const THROTTLED_RETRY_BASE_MS = 500;
const MAX_RETRY_DELAY_MS = 20_000;

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
      await sleep(retry.delayMs(attempt, facts.throttling));
    }
  }
}
