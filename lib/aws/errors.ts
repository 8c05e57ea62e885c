/**
 * What an AWS SDK v3 failure says about itself, read in one place so every caller classifies a
 * failure the same way: its error code, its HTTP status, and whether trying again later can help.
 */
export interface AwsErrorFacts {
  /** The service's error code (`TrailNotFoundException`), or the Node error code for network failures. */
  readonly code: string;
  readonly message: string;
  readonly httpStatus?: number;
  /** Throttling, a server fault or a network failure: the same call may succeed later. */
  readonly retryable: boolean;
}

/**
 * Error codes that mean "later", whatever the HTTP status says. The SDK's own list of throttling
 * and transient codes: https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
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

export function awsErrorFacts(error: unknown): AwsErrorFacts {
  if (!(error instanceof Error)) return { code: 'Error', message: String(error), retryable: false };
  const nodeCode = field(error, 'code');
  const network = typeof nodeCode === 'string' && NETWORK_CODES.has(nodeCode);
  const code = network ? nodeCode : error.name;
  const metadata = field(error, '$metadata');
  const status =
    typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  const httpStatus = typeof status === 'number' ? status : undefined;
  const retryable =
    network ||
    field(error, '$retryable') !== undefined ||
    field(error, '$fault') === 'server' ||
    TRANSIENT_CODES.has(error.name) ||
    /Throttl/.test(error.name) ||
    (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429));
  return {
    code,
    message: error.message,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    retryable,
  };
}
