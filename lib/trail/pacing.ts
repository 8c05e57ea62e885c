import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { callAws, TrailError } from './errors';

/**
 * CloudTrail's control-plane rate limits: about 1 mutating call and 10 read calls per second
 * per account and region; beyond them it answers ThrottlingException.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 */
export const WRITE_INTERVAL_MS = 1000;
export const READ_INTERVAL_MS = 100;
/**
 * LookupEvents has its own, lower limit: "The rate of lookup requests is limited to two per second,
 * per account, per Region. If this limit is exceeded, a throttling error occurs."
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
export const LOOKUP_INTERVAL_MS = 500;
/**
 * The limit is counted where requests arrive, and we only choose when they leave: a request held up
 * on its way (a new connection, a busy event loop) lands closer to the next one than it left. Spacing
 * lookups this much more than the limit keeps any three arrivals more than 1 s apart unless one of
 * them is delayed by over twice this margin.
 */
export const ARRIVAL_MARGIN_MS = 50;
/** The spacing between two LookupEvents requests, retries included. */
export const LOOKUP_SPACING_MS = LOOKUP_INTERVAL_MS + ARRIVAL_MARGIN_MS;
export const THROTTLE_ATTEMPTS = 5;
/** Backoff after a throttled call: 0.5 s, doubling, at most 8 s (AWS's advice: exponential backoff). */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8000;

export type CallKind = 'read' | 'write' | 'lookup';
const INTERVAL_MS: Readonly<Record<CallKind, number>> = {
  read: READ_INTERVAL_MS,
  write: WRITE_INTERVAL_MS,
  lookup: LOOKUP_SPACING_MS,
};
/** A middleware for any step, generic so it fits the SDK's typed `finalizeRequest` slot. */
type PacingMiddleware = <Args, Result>(
  next: (args: Args) => Promise<Result>,
) => (args: Args) => Promise<Result>;
/**
 * Any CloudTrail command: what the pacer needs of it. The client's `send` is overloaded per command,
 * which a generic wrapper cannot name, hence the structural type.
 */
interface CloudTrailCommand {
  readonly middlewareStack: {
    addRelativeTo(
      middleware: PacingMiddleware,
      options: { relation: 'after'; toMiddleware: string; name: string; override: boolean },
    ): void;
  };
}
/** The SDK's retry middleware, which repeats the HTTP attempt inside one `client.send`. */
const SDK_RETRY_MIDDLEWARE = 'retryMiddleware';
const PACING_MIDDLEWARE = 'trailwatchPacing';

export interface PacingOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Sends CloudTrail calls no faster than the limits allow, retrying throttled ones with backoff.
 *
 * Every HTTP attempt is paced, not only each `send`: the SDK retries throttled and failed requests by
 * itself (3 attempts by default), and those retries used to go out at once, so `lookup --all`
 * reached 5 requests per second against an endpoint throttling above 2. A middleware placed after
 * the SDK's retry middleware waits for the pacer before every attempt after the first; the first is
 * paced here in `send`, which also covers clients whose `send` is replaced (tests' mocks).
 */
export class PacedCloudTrail {
  private readonly last: Record<CallKind, number> = {
    read: Number.NEGATIVE_INFINITY,
    write: Number.NEGATIVE_INFINITY,
    lookup: Number.NEGATIVE_INFINITY,
  };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Every call made, in order, by API name: what `apply` reports and tests check. */
  readonly calls: string[] = [];
  /** HTTP attempts the SDK retried by itself, paced by the middleware: counted for the tests. */
  sdkRetries = 0;

  constructor(
    readonly client: CloudTrailClient,
    options: PacingOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    // Monotonic: a wall-clock step (NTP) must neither stall the pacer nor let a burst through.
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Waits until a call of this kind may leave, and at least `backoff` ms. The slot is reserved before
   * waiting, so calls made concurrently (several reads at once, an SDK retry beside a new call) queue
   * one interval apart instead of all leaving when the same wait ends.
   */
  private async pace(kind: CallKind, backoff = 0): Promise<void> {
    const now = this.now();
    const wait = Math.max(this.last[kind] + INTERVAL_MS[kind] - now, backoff);
    this.last[kind] = now + Math.max(0, wait);
    if (wait > 0) await this.sleep(wait);
  }

  /**
   * Sends one CloudTrail command, paced, retrying throttling with backoff. `resource` names what the
   * call acts on (`trail org-audit`) for the error a failure becomes.
   */
  async send<Output>(kind: CallKind, command: CloudTrailCommand, resource?: string): Promise<Output> {
    // Bundlers may suffix class names to keep them unique (`LookupEventsCommand2`).
    const call = command.constructor.name.replace(/Command\d*$/, '');
    const site = resource === undefined ? { call } : { call, resource };
    const send = this.client.send.bind(this.client) as (command: CloudTrailCommand) => Promise<unknown>;
    let backoff = 0;
    for (let attempt = 1; ; attempt++) {
      await this.pace(kind, backoff);
      this.calls.push(call);
      this.paceSdkRetries(kind, command);
      try {
        return (await callAws(site, () => send(command))) as Output;
      } catch (error) {
        const throttled = error instanceof TrailError && /Throttl/.test(error.code ?? '');
        if (!throttled || attempt >= THROTTLE_ATTEMPTS) throw error;
        backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }

  /** Makes each HTTP attempt of this `client.send` after the first (the SDK's retries) wait its turn. */
  private paceSdkRetries(kind: CallKind, command: CloudTrailCommand): void {
    let attempts = 0;
    const middleware: PacingMiddleware = (next) => async (args) => {
      attempts++;
      if (attempts > 1) {
        this.sdkRetries++;
        await this.pace(kind);
      }
      return next(args);
    };
    command.middlewareStack.addRelativeTo(
      middleware,
      // Inside the retry loop, so it runs once per attempt; `override` replaces the one added by an
      // earlier `send` of the same command object.
      { relation: 'after', toMiddleware: SDK_RETRY_MIDDLEWARE, name: PACING_MIDDLEWARE, override: true },
    );
  }
}
