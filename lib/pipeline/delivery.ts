import { randomUUID } from 'node:crypto';
import type { Alert } from '../alerts';
import { TrailwatchError } from '../errors';
import type { AlertThread, DeliveryResult, Destination } from '../notify';
import type { StateStore } from '../state';
import type { AlertOutcome } from './pipeline';

/**
 * How long a claim on an (alert, destination) pair is its owner's alone when no deadline bounds
 * the delivery. It must outlast one delivery's worst case, or a second sender would take over a
 * send still under way. Under DEFAULT_HTTP_POLICY that is 4 attempts of at most 10 s plus 3 waits
 * of at most 60 s (the Retry-After cap) = 220 s, plus secret lookups: 5 minutes covers it. The
 * cost of a longer lease is only that a claim left by a process that died is re-sent later.
 */
export const DELIVERY_LEASE_MS = 5 * 60_000;

/**
 * With a deadline, the delivery is aborted at the deadline, so the claim needs to last only until
 * then plus this: the abort grace (`ABORT_GRACE_MS`) and clock differences between hosts (NTP
 * keeps Lambda hosts within milliseconds). A Lambda retry, a minute or more later, then finds the
 * lease run out and may re-send what had an unknown outcome.
 */
export const LEASE_AFTER_DEADLINE_MS = 30_000;

/**
 * Sends that may have reached a receiver, allowed per (alert, destination): the first and one
 * re-send. A send "may have reached" the receiver when its request was written and no answer
 * came, or when its sender died holding the claim. Past this, the delivery is reported unknown
 * and never sent again: a slow receiver that got each copy would otherwise get one per retry.
 */
export const MAX_SENDS_PER_DELIVERY = 2;

/**
 * After the deadline aborts a send, how long to wait for the destination to say what happened
 * (sent or not) before reporting an unknown outcome. Destinations built on postWithRetry answer
 * at once; this bounds one that ignores the signal.
 */
export const ABORT_GRACE_MS = 1_000;

/**
 * Time kept back from a Lambda's remaining time when setting the delivery deadline: to mark
 * deliveries and release claims in the state table (seconds at worst, see STATE_REQUEST_TIMEOUT_MS),
 * report poison records to the failure queue and flush logs and metrics before Lambda stops the
 * invocation (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
 */
export const DEADLINE_SAFETY_MARGIN_MS = 10_000;

/** The delivery deadline (epoch ms) from the time left, e.g. `context.getRemainingTimeInMillis()`. */
export function deadlineFromRemaining(
  remainingMs: number,
  now: number = Date.now(),
  marginMs: number = DEADLINE_SAFETY_MARGIN_MS,
): number {
  return now + Math.max(0, remainingMs - marginMs);
}

export interface DeliverOptions {
  /** Epoch milliseconds (wall clock): deliveries still under way then are aborted. */
  readonly deadlineAt?: number;
  /** The alert's dedup key and place in its window, for destinations that thread repeats. */
  readonly thread?: AlertThread;
}

export type Delivery =
  /** Delivered now and recorded; `send` is 2 or more when it re-sent a lost outcome. */
  | {
      readonly destination: string;
      readonly status: 'sent';
      readonly result: Extract<DeliveryResult, { ok: true }>;
      readonly send: number;
    }
  /** Delivered earlier (a retry, or another process). */
  | { readonly destination: string; readonly status: 'already-sent' }
  /** Another process holds a live claim and is sending it: not a failure, not sent here. */
  | { readonly destination: string; readonly status: 'in-flight-elsewhere'; readonly leaseUntil: number }
  /**
   * The request may have reached the receiver but no answer came (a timeout after sending, the
   * deadline, or sends exhausted). Not recorded as delivered; the claim is kept. `resend` says
   * whether a retry after the lease may send it once more.
   */
  | {
      readonly destination: string;
      readonly status: 'unknown';
      readonly error: string;
      readonly sends: number;
      readonly resend: boolean;
    }
  /** Reached nobody (refused, 4xx, 5xx, never started before the deadline); the claim is given back. */
  | {
      readonly destination: string;
      readonly status: 'failed';
      readonly result: Extract<DeliveryResult, { ok: false }>;
    }
  | { readonly destination: string; readonly status: 'unknown-destination' };

type Sending =
  | { readonly kind: 'returned'; readonly result: DeliveryResult }
  | { readonly kind: 'no-return' };

/**
 * Sends one alert to its destinations, concurrently, each exactly once across processes: claim
 * the pair (a conditional write with a lease), send, mark it sent. A live claim elsewhere means
 * someone else is sending; an expired one is taken over (its owner died), at most
 * MAX_SENDS_PER_DELIVERY sends in all.
 */
export class Deliverer {
  /** Claims name their owner: this pipeline instance and a sequence number. */
  private readonly instance = randomUUID();
  private claims = 0;

  constructor(
    private readonly state: StateStore,
    private readonly destinations: ReadonlyMap<string, Destination>,
    /** The clock claims and delivery records are written with (the pipeline's). */
    private readonly now: () => number,
  ) {}

  /**
   * One result per destination, in route order. A destination whose `send` throws (its contract
   * is to return a value) does not stop the others; the error is rethrown once all have finished.
   */
  async deliverAll(
    alert: Alert,
    names: readonly string[],
    options: DeliverOptions = {},
  ): Promise<Delivery[]> {
    const controller = new AbortController();
    const { deadlineAt } = options;
    const left = deadlineAt === undefined ? undefined : deadlineAt - Date.now();
    // A deadline already past aborts now, not on the next tick: nothing may start after it.
    if (left !== undefined && left <= 0) controller.abort();
    const timer = left === undefined || left <= 0 ? undefined : setTimeout(() => controller.abort(), left);
    try {
      const settled = await Promise.allSettled(
        names.map((name) => this.deliver(alert, name, controller.signal, deadlineAt, options.thread)),
      );
      const deliveries: Delivery[] = [];
      for (const result of settled) {
        if (result.status === 'rejected') throw result.reason;
        deliveries.push(result.value);
      }
      return deliveries;
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliver(
    alert: Alert,
    name: string,
    signal: AbortSignal,
    deadlineAt: number | undefined,
    thread: AlertThread | undefined,
  ): Promise<Delivery> {
    const destination = this.destinations.get(name);
    if (!destination) return { destination: name, status: 'unknown-destination' };
    if (signal.aborted) return notStarted(name);
    const owner = `${this.instance}#${++this.claims}`;
    const claim = await this.state.claimDelivery(alert.id, name, {
      owner,
      now: this.now(),
      leaseMs: leaseMs(deadlineAt),
      maxSends: MAX_SENDS_PER_DELIVERY,
    });
    switch (claim.kind) {
      case 'already-sent':
        return { destination: name, status: 'already-sent' };
      case 'held':
        return { destination: name, status: 'in-flight-elsewhere', leaseUntil: claim.leaseUntil };
      case 'sends-exhausted':
        return {
          destination: name,
          status: 'unknown',
          error: `no answer to ${claim.sends} earlier send(s); not sent again (at most ${MAX_SENDS_PER_DELIVERY})`,
          sends: claim.sends,
          resend: false,
        };
      case 'claimed':
        break;
    }
    if (signal.aborted) {
      await this.state.releaseClaim(alert.id, name, owner);
      return notStarted(name);
    }
    let sending: Sending;
    try {
      sending = await sendWithin(destination, alert, signal, deadlineAt, thread);
    } catch (error) {
      // A notifier throws only from its own code (formatting, a bug), before its request goes out.
      await this.state.releaseClaim(alert.id, name, owner);
      throw error;
    }
    const unknown = (error: string): Delivery => ({
      destination: name,
      status: 'unknown',
      error,
      sends: claim.send,
      resend: claim.send < MAX_SENDS_PER_DELIVERY,
    });
    if (sending.kind === 'no-return')
      return unknown(
        `still sending at the delivery deadline (no result ${ABORT_GRACE_MS} ms after the abort)`,
      );
    const { result } = sending;
    if (result.ok) {
      await this.state.markDelivered(alert.id, name, this.now());
      return { destination: name, status: 'sent', result, send: claim.send };
    }
    if (result.maybeReceived) return unknown(result.error);
    await this.state.releaseClaim(alert.id, name, owner);
    return { destination: name, status: 'failed', result };
  }
}

function leaseMs(deadlineAt: number | undefined): number {
  if (deadlineAt === undefined) return DELIVERY_LEASE_MS;
  return Math.min(DELIVERY_LEASE_MS, Math.max(0, deadlineAt - Date.now()) + LEASE_AFTER_DEADLINE_MS);
}

function notStarted(destination: string): Delivery {
  return {
    destination,
    status: 'failed',
    result: {
      ok: false,
      retryable: true,
      attempts: 0,
      error: 'the delivery deadline passed before it started',
    },
  };
}

/** The destination's own result, or `no-return` when it ignores the abort past the grace. */
function sendWithin(
  destination: Destination,
  alert: Alert,
  signal: AbortSignal,
  deadlineAt: number | undefined,
  thread: AlertThread | undefined,
): Promise<Sending> {
  const sending = destination.send(alert, {
    signal,
    ...(deadlineAt === undefined ? {} : { deadlineAt }),
    ...(thread === undefined ? {} : { thread }),
  });
  return new Promise((resolve, reject) => {
    let grace: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      grace = setTimeout(() => resolve({ kind: 'no-return' }), ABORT_GRACE_MS);
    };
    const done = (): void => {
      clearTimeout(grace);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    sending.then(
      (result) => {
        done();
        resolve({ kind: 'returned', result });
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}

/** One delivery a retry could still fix. */
export interface RetryableDelivery {
  readonly alertId: string;
  readonly destination: string;
  readonly error: string;
  /** `unknown`: the receiver may have it; the retry re-sends it once, after the lease runs out. */
  readonly outcome: 'failed' | 'unknown';
}

/** Thrown after a batch when some delivery failed in a way a retry could fix. */
export class DeliveryError extends TrailwatchError {
  override readonly name = 'DeliveryError';
  constructor(readonly failures: readonly RetryableDelivery[]) {
    super(
      `${failures.length} alert delivery(ies) failed and can be retried: ${failures.map((f) => `${f.destination}: ${f.outcome === 'unknown' ? 'outcome unknown, ' : ''}${f.error}`).join('; ')}`,
      'delivery',
      { retryable: true },
    );
  }
}

/**
 * The deliveries a retry could still fix. Lambda handlers throw `DeliveryError` with them so the
 * invocation is retried (and, past its retries, lands in the failure destination); the claims
 * make that retry send only these:
 * - `failed` and retryable (nothing reached the receiver: refused, 5xx, 429, the deadline came
 *   first). A non-retryable failure (a 4xx: a bad URL, a revoked token) would fail the same way.
 * - `unknown` with a re-send left: the claim is kept, so the retry re-sends it only once the lease
 *   has run out (with a Lambda deadline, about when the invocation ended), and at most
 *   MAX_SENDS_PER_DELIVERY sends are made in all. Better one duplicate than a lost alert.
 * Not retried: `sent`, `already-sent`, `in-flight-elsewhere` (its owner reports it), an unknown
 * with no re-send left (reported, never sent again), `unknown-destination`.
 */
export function failuresToRetry(outcomes: readonly AlertOutcome[]): RetryableDelivery[] {
  return outcomes.flatMap((outcome) =>
    outcome.status === 'suppressed' || outcome.deliveries === undefined
      ? []
      : outcome.deliveries.flatMap((delivery): RetryableDelivery[] => {
          const alertId = outcome.alert.id;
          if (delivery.status === 'failed' && delivery.result.retryable)
            return [
              { alertId, destination: delivery.destination, error: delivery.result.error, outcome: 'failed' },
            ];
          if (delivery.status === 'unknown' && delivery.resend)
            return [
              { alertId, destination: delivery.destination, error: delivery.error, outcome: 'unknown' },
            ];
          return [];
        }),
  );
}

export function throwIfRetryable(outcomes: readonly AlertOutcome[]): void {
  const failures = failuresToRetry(outcomes);
  if (failures.length > 0) throw new DeliveryError(failures);
}
