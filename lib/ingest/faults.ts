import { awsErrorFacts } from '../aws/errors';
import { InputFormatError } from './gzip';

/**
 * What kind of fault a reader problem is, which decides what a caller does with it:
 * - `data`: the bytes are wrong (bad gzip, bad JSON, a record without its fields). Reading them
 *   again fails the same way: count it (the Lambda `DataFaults` metric) and do not retry.
 * - `transient`: S3 throttled, failed with a 5xx, the network dropped or timed out. A retry may
 *   succeed: a Lambda invocation fails so that Lambda retries it.
 * - `source`: the input cannot be read as named (missing, access denied, not a file): a person
 *   must fix the name or the permissions; retrying soon does not help.
 */
export type ProblemFault = 'data' | 'transient' | 'source';

/**
 * S3 and AWS error codes a retry can fix: throttling, server errors, and RequestTimeout (S3's 400
 * for a socket left idle too long).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** Socket and stream failures of Node's HTTP client (and undici's), all worth a retry. */
const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Causes followed from an error to the one that says what happened (SDK errors wrap socket errors). */
const MAX_CAUSE_DEPTH = 5;

interface ErrorFacts {
  readonly name: string;
  readonly code?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

function facts(error: Error): ErrorFacts {
  return error as Error & ErrorFacts;
}

/**
 * Whether a read failure may go away on retry: throttling, 5xx, timeouts and network errors from
 * S3 do; missing objects, denied access and bad data do not. The SDK marks the errors it considers
 * retryable with `$retryable`; the rest is told from the HTTP status, the error name and the
 * socket error code, on the error or on what it wraps.
 */
export function isTransient(error: unknown): boolean {
  let current: unknown = error;
  for (let level = 0; level < MAX_CAUSE_DEPTH && current instanceof Error; level++) {
    if (current instanceof InputFormatError) return false;
    // An answer that is not the service's protocol stays so on retry (see awsErrorFacts' kinds).
    if (awsErrorFacts(current).kind === 'endpoint') return false;
    const { name, code, $retryable, $metadata, cause } = facts(current);
    if ($retryable !== undefined && $retryable !== null && $retryable !== false) return true;
    const status = $metadata?.httpStatusCode;
    if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
    if (TRANSIENT_ERROR_NAMES.has(name)) return true;
    if (typeof code === 'string' && (TRANSIENT_ERROR_CODES.has(code) || TRANSIENT_ERROR_NAMES.has(code)))
      return true;
    current = cause;
  }
  return false;
}

/** The fault kind of an error thrown while opening or reading a source. */
export function classifyReadError(error: unknown): ProblemFault {
  if (error instanceof InputFormatError) return 'data';
  return isTransient(error) ? 'transient' : 'source';
}
