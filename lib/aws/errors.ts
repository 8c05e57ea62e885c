/**
 * What kind of failure an AWS call met, which decides whether trying again can help:
 * - `transient`: throttling, a server fault the service reported, a network failure or timeout.
 *   The same call may succeed later.
 * - `endpoint`: the endpoint answered, but not in the service's protocol (an HTML page, a body
 *   that is not the service's JSON or XML): a wrong `--endpoint-url`, or an emulator that lacks
 *   the call (moto_server has no LookupEvents). It fails the same way until the endpoint changes,
 *   whatever HTTP status came with it.
 * - `refused`: the service answered in its protocol and refused the request (a missing resource,
 *   denied access, a bad parameter): a person must change the request or the configuration.
 * - `other`: not an AWS SDK failure at all.
 */
export type AwsErrorKind = 'transient' | 'endpoint' | 'refused' | 'other';

/**
 * What an AWS SDK v3 failure says about itself, read in one place so every caller classifies a
 * failure the same way: its error code, its HTTP status, and its kind.
 */
export interface AwsErrorFacts {
  /** The service's error code (`TrailNotFoundException`), or the Node error code for network failures. */
  readonly code: string;
  readonly message: string;
  readonly httpStatus?: number;
  readonly kind: AwsErrorKind;
  /** `kind === 'transient'`: the only kind that may pass by itself. */
  readonly retryable: boolean;
  /** An HTTP 429 or one of the SDK's throttling codes: its standard retry mode waits longer after one. */
  readonly throttling: boolean;
}

/**
 * Error codes that mean "later", whatever the HTTP status says, as the SDK lists them: throttling
 * (after which its standard retry mode waits longer) and other transient faults.
 * https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts
 */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  ...THROTTLING_CODES,
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
]);
/** Node's codes for a connection that failed or broke: the endpoint may answer later. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** A property the SDK or Node adds to its errors (`$metadata`, `$fault`, `code`), if present. */
function field(error: object, key: string): unknown {
  const value: unknown = Reflect.get(error, key);
  return value;
}

/**
 * The SDK's deserializer attaches `$metadata` (with the HTTP status) to a failure to parse the
 * answer, and leaves the parser's own error as it was: a JSON protocol's `JSON.parse` throws a
 * SyntaxError. A SyntaxError with an HTTP status is thus an answer that is not the service's
 * JSON (an XML service's lenient parser yields an `Unknown` service error instead).
 */
function notTheServiceProtocol(error: Error, httpStatus: number | undefined): boolean {
  return httpStatus !== undefined && error instanceof SyntaxError;
}

function kindOf(error: Error, network: boolean, httpStatus: number | undefined): AwsErrorKind {
  if (network) return 'transient';
  if (notTheServiceProtocol(error, httpStatus)) return 'endpoint';
  const fault = field(error, '$fault');
  if (
    field(error, '$retryable') !== undefined ||
    fault === 'server' ||
    TRANSIENT_CODES.has(error.name) ||
    /Throttl/.test(error.name)
  )
    return 'transient';
  if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) return 'transient';
  return fault === 'client' || httpStatus !== undefined ? 'refused' : 'other';
}

export function awsErrorFacts(error: unknown): AwsErrorFacts {
  if (!(error instanceof Error))
    return { code: 'Error', message: String(error), kind: 'other', retryable: false, throttling: false };
  const nodeCode = field(error, 'code');
  const network = typeof nodeCode === 'string' && NETWORK_CODES.has(nodeCode);
  const code = network ? nodeCode : error.name;
  const metadata = field(error, '$metadata');
  const status =
    typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  const httpStatus = typeof status === 'number' ? status : undefined;
  const kind = kindOf(error, network, httpStatus);
  return {
    code,
    message: error.message,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    kind,
    retryable: kind === 'transient',
    throttling: httpStatus === 429 || THROTTLING_CODES.has(code),
  };
}
