/** What noise control and delivery guarantees need to remember between records and invocations. */
export interface StateStore {
  /**
   * Decides whether an alert opens (or re-opens) a dedup window. Within a window, an alert with a
   * different id is a duplicate and is counted; the same id again is a retry and is let through,
   * so a retried invocation still delivers what it did not deliver the first time.
   */
  dedup(key: string, alertId: string, windowMs: number, now: number): Promise<DedupDecision>;
  /**
   * Adds an entry to a correlation window and returns the entries within `timespanMs` of the
   * newest one (older ones are dropped for good).
   */
  appendToWindow(key: string, entry: WindowEntry, timespanMs: number): Promise<WindowEntry[]>;
  /** Empties a window once it has fired, so the next alert needs a fresh set of events. */
  resetWindow(key: string): Promise<void>;
  /** Whether this alert already reached this destination (an idempotency record exists). */
  wasDelivered(alertId: string, destination: string): Promise<boolean>;
  markDelivered(alertId: string, destination: string, now: number): Promise<void>;
}

export type DedupDecision =
  | { readonly notify: true; readonly suppressedBefore: number }
  | { readonly notify: false; readonly suppressedSoFar: number };

export interface WindowEntry {
  /** Event time, epoch milliseconds. */
  readonly t: number;
  readonly eventID: string;
  /** The counted field's value (value_count) or the matching rule's id (temporal). */
  readonly value?: string;
}

/** How long an idempotency record is kept: longer than Lambda's longest async retry (6 hours). */
export const DELIVERY_RECORD_TTL_MS = 7 * 24 * 3600 * 1000;

/** Keeps the entries within `timespanMs` of the newest, oldest first. */
export function pruneWindow(entries: readonly WindowEntry[], timespanMs: number): WindowEntry[] {
  if (entries.length === 0) return [];
  const newest = Math.max(...entries.map((entry) => entry.t));
  return entries.filter((entry) => entry.t >= newest - timespanMs).sort((a, b) => a.t - b.t);
}
