import type { ErrorLocation } from '../errors';
import { TrailwatchError } from '../errors';

/**
 * An Athena query that did not give its results. `code` says which way:
 * - `athena-call`: an Athena API call failed (throttled, denied, a missing workgroup);
 * - `athena-failed`: the query ran and failed (bad SQL, a missing table, a denied S3 read);
 * - `athena-cancelled`: Athena or someone cancelled it (the workgroup's scan cutoff, a stop);
 * - `athena-timeout`: it ran past the caller's limit; trailwatch stopped it.
 * `reason` is Athena's StateChangeReason (or the API error's message), word for word.
 */
export type AthenaErrorCode = 'athena-call' | 'athena-failed' | 'athena-cancelled' | 'athena-timeout';

export class AthenaQueryError extends TrailwatchError {
  override readonly name = 'AthenaQueryError';
  declare readonly code: AthenaErrorCode;

  constructor(
    message: string,
    code: AthenaErrorCode,
    readonly details: {
      readonly reason: string;
      /** Known once StartQueryExecution answered. */
      readonly queryExecutionId?: string;
      readonly location: ErrorLocation;
      readonly retryable: boolean;
      readonly cause?: unknown;
    },
  ) {
    super(message, code, {
      location: details.location,
      retryable: details.retryable,
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
  }

  get reason(): string {
    return this.details.reason;
  }

  get queryExecutionId(): string | undefined {
    return this.details.queryExecutionId;
  }
}
