import type { AlertOutcome, Delivery } from '../pipeline';

/**
 * What one run of the driver did, counted once for every caller: Lambda turns it into metrics, the
 * CLI into its closing line, the backtest into its report.
 */
export interface Tally {
  /** Records parsed and tested against the rules that could match them. */
  evaluated: number;
  /** Records that no rule could match, recognised from their raw text and never parsed. */
  unparsed: number;
  matches: number;
  /** A rule that threw on a record; the record's other rules still ran. */
  ruleErrors: number;
  alerts: number;
  /** Read problems: a fault in the data or a failed read, each located. */
  problems: number;
  /** Of those, the ones a retry may fix (S3 throttled, a network error, a 5xx). */
  retryableProblems: number;
  /** Of those, faults in the bytes (bad gzip, bad JSON, a record without its fields): no retry fixes them. */
  dataFaults: number;
  skipped: number;
  /** Records whose evaluation, alerting or delivery threw: isolated, located, the others went on. */
  poisonRecords: number;
  readonly notifications: NotificationTally;
  /** Milliseconds from each sent alert's eventTime to its delivery. */
  readonly latenciesMs: number[];
}

export interface NotificationTally {
  sent: number;
  alreadySent: number;
  /** Another process holds a live claim on the (alert, destination) pair and is sending it. */
  inFlightElsewhere: number;
  deduplicated: number;
  suppressed: number;
  /** Routed to no destination. */
  unrouted: number;
  failed: number;
  /** Failures a retry could fix. */
  retryableFailed: number;
  /** The request went out and no answer came: the receiver may or may not have it. */
  unknown: number;
}

export function emptyTally(): Tally {
  return {
    evaluated: 0,
    unparsed: 0,
    matches: 0,
    ruleErrors: 0,
    alerts: 0,
    problems: 0,
    retryableProblems: 0,
    dataFaults: 0,
    skipped: 0,
    poisonRecords: 0,
    notifications: {
      sent: 0,
      alreadySent: 0,
      inFlightElsewhere: 0,
      deduplicated: 0,
      suppressed: 0,
      unrouted: 0,
      failed: 0,
      retryableFailed: 0,
      unknown: 0,
    },
    latenciesMs: [],
  };
}

/** Every record read, parsed or ruled out unparsed. */
export function recordsRead(tally: Tally): number {
  return tally.evaluated + tally.unparsed;
}

export function countOutcome(tally: Tally, outcome: AlertOutcome, now: number): void {
  const n = tally.notifications;
  if (outcome.status === 'suppressed') n.suppressed++;
  else if (outcome.status === 'deduplicated') n.deduplicated++;
  else if (outcome.deliveries.length === 0) n.unrouted++;
  else {
    for (const delivery of outcome.deliveries) {
      countDelivery(n, delivery);
      if (delivery.status === 'sent') {
        const latency = now - Date.parse(outcome.alert.facts.eventTime);
        if (Number.isFinite(latency)) tally.latenciesMs.push(latency);
      }
    }
  }
}

function countDelivery(n: NotificationTally, delivery: Delivery): void {
  switch (delivery.status) {
    case 'sent':
      n.sent++;
      return;
    case 'already-sent':
      n.alreadySent++;
      return;
    case 'in-flight-elsewhere':
      n.inFlightElsewhere++;
      return;
    case 'unknown':
      n.unknown++;
      return;
    case 'failed':
      n.failed++;
      if (delivery.result.retryable) n.retryableFailed++;
      return;
    case 'unknown-destination':
      n.failed++;
      return;
    default: {
      const unhandled: never = delivery;
      throw new Error(`unhandled delivery status ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The tally as flat counts, for log lines and JSON summaries. */
export function tallyCounts(tally: Tally): Record<string, number> {
  const { notifications, latenciesMs: _latencies, ...counts } = tally;
  return { recordsRead: recordsRead(tally), ...counts, ...notifications };
}
