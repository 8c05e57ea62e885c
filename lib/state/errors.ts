import { TrailwatchError } from '../errors';

/** Why the state table could not be used; `retryable` says whether waiting may fix it. */
export type StateStoreProblem =
  | 'unreachable'
  | 'missing-table'
  | 'no-credentials'
  | 'access-denied'
  | 'throttled'
  | 'failed';

/** The problems waiting may fix: the table is there, but not answering now. */
const RETRYABLE_PROBLEMS: ReadonlySet<StateStoreProblem> = new Set(['unreachable', 'throttled', 'failed']);

/**
 * The state store could not be used. Without it no alert can be delivered exactly once, so callers
 * stop (the Lambda invocation fails and is retried) instead of sending blind; the message names
 * the table, endpoint and region so an operator can act on it, and carries no SDK stack. Its code
 * is `state-<problem>`.
 */
export class StateStoreError extends TrailwatchError {
  override readonly name = 'StateStoreError';
  constructor(
    readonly table: string,
    readonly endpoint: string,
    readonly region: string,
    readonly problem: StateStoreProblem,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(
      `state table '${table}' at ${endpoint} (region ${region}) ${PHRASES[problem]}: ${detail}`,
      `state-${problem}`,
      {
        location: { resource: `state table '${table}' at ${endpoint} (region ${region})` },
        cause,
        retryable: RETRYABLE_PROBLEMS.has(problem),
        locationInMessage: true,
      },
    );
  }
}

const PHRASES: Record<StateStoreProblem, string> = {
  unreachable: 'is unreachable',
  'missing-table': 'does not exist',
  'no-credentials': 'cannot be used without AWS credentials',
  'access-denied': 'refused access',
  throttled: 'is throttling requests',
  failed: 'failed',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html */
const ACCESS_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
]);
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Sorts an SDK or network error into a problem and a one-line detail (no stack, no request). */
export function classifyStateError(error: unknown): { problem: StateStoreProblem; detail: string } {
  if (!(error instanceof Error)) return { problem: 'failed', detail: String(error) };
  const code = networkCode(error);
  if (code !== undefined) return { problem: 'unreachable', detail: code };
  if (error.name === 'TimeoutError') return { problem: 'unreachable', detail: error.message };
  if (error.name === 'ResourceNotFoundException') return { problem: 'missing-table', detail: error.name };
  if (error.name === 'CredentialsProviderError') return { problem: 'no-credentials', detail: error.message };
  if (ACCESS_ERRORS.has(error.name)) return { problem: 'access-denied', detail: error.name };
  if (THROTTLING_ERRORS.has(error.name)) return { problem: 'throttled', detail: error.name };
  return { problem: 'failed', detail: `${error.name}: ${error.message}` };
}

function networkCode(error: Error): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}
