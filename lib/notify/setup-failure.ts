import { awsErrorFacts } from '../aws/errors';

/**
 * Why a delivery could not start, before anything was sent:
 * - `configuration`: the destination's setup is wrong (a secret or variable that does not exist or
 *   cannot be read, a value of the wrong shape). Sending again fails the same way until someone
 *   fixes it, so it is never retried nor reported as retryable.
 * - `transient`: reading a secret failed for a reason that may pass (throttling, a server fault, a
 *   network failure), so a later attempt may deliver.
 */
export type SetupFailureKind = 'configuration' | 'transient';

/** Wrappers keep what they wrap as `cause` (ES2022); a few levels are all any wrapper adds. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Classifies from the error's kind, never its text: a failure is transient only when an AWS SDK or
 * network error in its `cause` chain says trying again can help (see `awsErrorFacts`); everything
 * else is configuration. The SDK has already retried throttling and server faults by then.
 */
export function setupFailureKind(error: unknown): SetupFailureKind {
  const seen = new Set<unknown>();
  let link: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && link instanceof Error && !seen.has(link); depth++) {
    if (awsErrorFacts(link).retryable) return 'transient';
    seen.add(link);
    link = link.cause;
  }
  return 'configuration';
}
