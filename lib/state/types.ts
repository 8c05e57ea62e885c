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
   * newest one, oldest first (older ones are dropped for good); with `newest-per-value`, only the
   * newest entry of each value is kept.
   */
  appendToWindow(
    key: string,
    entry: WindowEntry,
    timespanMs: number,
    keep?: WindowKeeping,
  ): Promise<WindowEntry[]>;
  /** Empties a window once it has fired, so the next alert needs a fresh set of events. */
  resetWindow(key: string): Promise<void>;
  /**
   * Claims the right to send this alert to this destination, in one conditional write: granted
   * only when the pair was not delivered, no live claim holds it, and fewer than `maxSends` sends
   * that may have reached the receiver were made. Of several concurrent claimants, one wins.
   */
  claimDelivery(alertId: string, destination: string, claim: DeliveryClaim): Promise<ClaimDecision>;
  /**
   * Gives a claim back after a send that reached nobody (refused, 4xx, 5xx, nothing written):
   * the send is not counted and the next claimant may send at once. Only the claim's owner can.
   */
  releaseClaim(alertId: string, destination: string, owner: string): Promise<void>;
  /** Whether this alert already reached this destination (an idempotency record exists). */
  wasDelivered(alertId: string, destination: string): Promise<boolean>;
  /** Records the pair as delivered, whoever holds the claim: it went out, nobody may send it again. */
  markDelivered(alertId: string, destination: string, now: number): Promise<void>;
  /**
   * Records a sighting of a first-seen key, in one conditional write, and says whether it is the
   * first: the key was unknown, or last seen more than `forgetMs` (event time) before this one.
   * The event that first saw a key is remembered, so a retried invocation replaying that event
   * is told "first" again and its alert still goes out; of concurrent first sightings, one wins.
   */
  sighting(key: string, sighting: Sighting, forgetMs: number): Promise<SightingDecision>;
  /**
   * Remembers the message a destination posted for an alert of a dedup window, so that repeats
   * of the same key, in this invocation or another, reply under it (a Slack thread). With
   * `replace` (the window's first alert) it supersedes any earlier parent, which belonged to an
   * earlier window; without it (a repeat that found no parent and posted its own message) it is
   * stored only where none stands. Returns the parent that stands after the write.
   */
  saveThreadParent(key: string, parent: ThreadParentWrite): Promise<ThreadParent>;
  /**
   * A repeat of `key`: the parent to reply under (undefined when none is stored or it expired),
   * and whether `count` is the highest count seen for it, in which case the stored count is
   * raised to it in the same write and the parent should now show it. Of two repeats updating at
   * once, only the higher count is `newest`, so the parent never goes back to a lower count.
   */
  threadRepeat(key: string, count: number, now: number): Promise<ThreadRepeat | undefined>;
}

/** A thread's first message, as its destination needs it to reply and update; opaque to the store. */
export interface ThreadParent {
  readonly ref: string;
  /** The highest running count of the window seen so far (1: only the first alert). */
  readonly count: number;
}

export interface ThreadParentWrite extends ThreadParent {
  readonly replace: boolean;
  /** Wall clock, epoch milliseconds. */
  readonly now: number;
  /** Epoch milliseconds after which the parent is forgotten (DynamoDB's TTL then deletes it). */
  readonly expiresAt: number;
}

export interface ThreadRepeat {
  readonly parent: ThreadParent;
  readonly newest: boolean;
}

export interface Sighting {
  readonly eventID: string;
  /** Event time, epoch milliseconds. */
  readonly t: number;
}

export interface SightingDecision {
  readonly first: boolean;
  /** Event time of the sighting that made the key known (this one when `first`). */
  readonly firstAt: number;
}

export interface DeliveryClaim {
  /** Unique per claim attempt, so one owner's release never drops another's claim. */
  readonly owner: string;
  /** Epoch milliseconds, on the same clock every claimant uses. */
  readonly now: number;
  /** The claim is the owner's until `now + leaseMs`; after that another claimant may take it over. */
  readonly leaseMs: number;
  /** Sends that may have reached the receiver allowed in all: the first one and the re-sends. */
  readonly maxSends: number;
}

export type ClaimDecision =
  /** This owner may send; `send` is 1 for the first send, more for a re-send after a lost outcome. */
  | { readonly kind: 'claimed'; readonly send: number }
  | { readonly kind: 'already-sent' }
  /** Another claimant is sending it now (or died doing so and its lease has not run out). */
  | { readonly kind: 'held'; readonly leaseUntil: number }
  /** `sends` sends may each have reached the receiver; no more are allowed. */
  | { readonly kind: 'sends-exhausted'; readonly sends: number };

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

/**
 * How long an idempotency record (delivered, or a claim with its send count) is kept: longer than
 * Lambda's longest async retry (6 hours), so a retry always finds it.
 */
export const DELIVERY_RECORD_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * What a correlation window keeps. `every-event` serves counts of events and sequences of rules;
 * `newest-per-value` serves counts of distinct values: a value is in the window exactly when its
 * newest entry is, so the window holds at most one entry per value instead of one per event (a
 * busy principal listing resources in one region thousands of times in ten minutes made a
 * window of thousands of entries, past DynamoDB's 400 KB item size).
 */
export type WindowKeeping = 'every-event' | 'newest-per-value';

/** Keeps the entries within `timespanMs` of the newest, oldest first, as `keep` says. */
export function pruneWindow(
  entries: readonly WindowEntry[],
  timespanMs: number,
  keep: WindowKeeping = 'every-event',
): WindowEntry[] {
  // A loop, not Math.max(...): spreading some 120,000 arguments overflows the stack.
  let newest = Number.NEGATIVE_INFINITY;
  for (const entry of entries) if (entry.t > newest) newest = entry.t;
  let kept = entries.filter((entry) => entry.t >= newest - timespanMs);
  if (keep === 'newest-per-value') {
    const newestOf = new Map<string | undefined, WindowEntry>();
    for (const entry of kept) {
      const held = newestOf.get(entry.value);
      if (held === undefined || entry.t >= held.t) newestOf.set(entry.value, entry);
    }
    kept = [...newestOf.values()];
  }
  // Entries mostly arrive in time order: sort only when one did not.
  for (let i = 1; i < kept.length; i++)
    if ((kept[i] as WindowEntry).t < (kept[i - 1] as WindowEntry).t) return kept.sort((a, b) => a.t - b.t);
  return kept;
}
