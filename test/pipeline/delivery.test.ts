/** Delivery to several destinations at once, under a deadline, with claims (memory store, fake clock). */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/alerts';
import { detectionAlert } from '../../lib/alerts';
import type { TrailwatchConfig } from '../../lib/config';
import { parseConfig } from '../../lib/config';
import type { DeliveryResult, Destination, HttpPolicy } from '../../lib/notify';
import { NOTIFIERS, SecretResolver } from '../../lib/notify';
import type { AlertOutcome, Delivery } from '../../lib/pipeline';
import {
  ABORT_GRACE_MS,
  AlertPipeline,
  DEADLINE_SAFETY_MARGIN_MS,
  DELIVERY_LEASE_MS,
  deadlineFromRemaining,
  defaultNotifierContext,
  failuresToRetry,
  MAX_SENDS_PER_DELIVERY,
} from '../../lib/pipeline';
import type { StateStore } from '../../lib/state';
import { MemoryStateStore, StateStoreError } from '../../lib/state';
import { injectedRecord, injectionRule } from '../factories/alerts';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function config(names: readonly string[]): TrailwatchConfig {
  const destinations = names.map((n) => `  ${n}: {type: webhook, url: 'http://127.0.0.1:9/${n}'}`).join('\n');
  return parseConfig(
    `destinations:
${destinations}
routing:
  defaults: {high: [${names.join(', ')}]}
`,
    'trailwatch.yml',
    Date.UTC(2025, 0, 1),
  );
}

let alerts = 0;
function alert(): Alert {
  alerts++;
  return detectionAlert(injectionRule(), injectedRecord(`p-${alerts}`, { eventID: `ev-${alerts}` }));
}

/** A fake clock for claims and leases; deadlines stay on the wall clock. */
function clock(start = Date.UTC(2025, 0, 1)) {
  const c = { t: start, now: () => c.t };
  return c;
}

function pipeline(destinations: Destination[], state: StateStore, now: () => number): AlertPipeline {
  return new AlertPipeline({
    config: config(destinations.map((d) => d.name)),
    rules: { correlations: [], correlationOnly: new Set() },
    state,
    destinations: new Map(destinations.map((d) => [d.name, d])),
    now,
  });
}

type Behaviour = (alert: Alert, signal: AbortSignal | undefined) => Promise<DeliveryResult>;

/** A destination that counts its sends and behaves as told. */
function fake(name: string, behave: Behaviour = async () => ({ ok: true, attempts: 1 })) {
  const calls: Alert[] = [];
  const destination: Destination = {
    name,
    type: 'fake',
    send: (a, options) => {
      calls.push(a);
      return behave(a, options?.signal);
    },
  };
  return { destination, calls };
}

const UNKNOWN_ERROR = 'x: request sent, no answer within 10 ms; the receiver may have it';
const UNKNOWN: DeliveryResult = {
  ok: false,
  retryable: false,
  attempts: 1,
  maybeReceived: true,
  error: UNKNOWN_ERROR,
};

function deliveries(outcome: AlertOutcome): readonly Delivery[] {
  if (outcome.status !== 'routed') throw new Error(`not routed: ${outcome.status}`);
  return outcome.deliveries;
}

describe('concurrent delivery', () => {
  it('sends to every destination at once and reports in route order', async () => {
    let release: () => void = () => {};
    const bothStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    // Each send waits until the other has started: sequential delivery would never finish.
    const behave: Behaviour = async () => {
      if (++started === 2) release();
      await bothStarted;
      return { ok: true, attempts: 1 };
    };
    const slow = fake('slow', async (a, s) => {
      const result = await behave(a, s);
      await new Promise((r) => setTimeout(r, 30));
      return result;
    });
    const quick = fake('quick', behave);
    const c = clock();
    const outcome = await pipeline(
      [slow.destination, quick.destination],
      new MemoryStateStore(),
      c.now,
    ).handleAlert(alert());
    expect(deliveries(outcome).map((d) => [d.destination, d.status])).toEqual([
      ['slow', 'sent'],
      ['quick', 'sent'],
    ]);
  });

  it('a destination that throws does not stop the others; the error is rethrown and its claim given back', async () => {
    const state = new MemoryStateStore();
    const broken = fake('broken', async () => {
      throw new TypeError('formatting bug');
    });
    const fine = fake('fine');
    const a = alert();
    const c = clock();
    await expect(
      pipeline([broken.destination, fine.destination], state, c.now).handleAlert(a),
    ).rejects.toThrow('formatting bug');
    expect(await state.wasDelivered(a.id, 'fine')).toBe(true);
    expect(
      await state.claimDelivery(a.id, 'broken', { owner: 'next', now: c.t, leaseMs: 1, maxSends: 2 }),
    ).toEqual({
      kind: 'claimed',
      send: 1,
    });
  });

  it('a state store that cannot be used stops the alert with its error, nothing sent', async () => {
    const state = new MemoryStateStore();
    state.claimDelivery = async () => {
      throw new StateStoreError('t', 'http://127.0.0.1:1', 'us-east-1', 'unreachable', 'ECONNREFUSED');
    };
    const dest = fake('siem');
    await expect(pipeline([dest.destination], state, clock().now).handleAlert(alert())).rejects.toThrow(
      "state table 't' at http://127.0.0.1:1 (region us-east-1) is unreachable: ECONNREFUSED",
    );
    expect(dest.calls).toHaveLength(0);
  });
});

describe('claims across processes (one shared store)', () => {
  it('a live claim elsewhere is in-flight-elsewhere, not a failure, and nothing is sent', async () => {
    const state = new MemoryStateStore();
    const c = clock();
    const a = alert();
    let finish: (r: DeliveryResult) => void = () => {};
    const first = fake('siem', () => new Promise((resolve) => (finish = resolve)));
    const second = fake('siem');
    const pending = pipeline([first.destination], state, c.now).handleAlert(a);
    await new Promise((r) => setTimeout(r, 5));
    const other = await pipeline([second.destination], state, c.now).handleAlert(a);
    expect(deliveries(other)).toEqual([
      { destination: 'siem', status: 'in-flight-elsewhere', leaseUntil: c.t + DELIVERY_LEASE_MS },
    ]);
    expect(failuresToRetry([other])).toEqual([]);
    finish({ ok: true, attempts: 1 });
    expect(deliveries(await pending)).toMatchObject([{ status: 'sent', send: 1 }]);
    expect(second.calls).toHaveLength(0);
  });

  it('a retryable failure gives the claim back: the next try sends at once', async () => {
    const state = new MemoryStateStore();
    const c = clock();
    const a = alert();
    const failing = fake('siem', async () => ({
      ok: false,
      retryable: true,
      attempts: 3,
      error: 'HTTP 503',
    }));
    const first = await pipeline([failing.destination], state, c.now).handleAlert(a);
    expect(deliveries(first)).toMatchObject([{ status: 'failed' }]);
    expect(failuresToRetry([first])).toEqual([
      { alertId: a.id, destination: 'siem', error: 'HTTP 503', outcome: 'failed' },
    ]);
    const retry = await pipeline([fake('siem').destination], state, c.now).handleAlert(a);
    expect(deliveries(retry)).toMatchObject([{ status: 'sent', send: 1 }]);
  });

  it('an unknown outcome keeps the claim; after the lease, one re-send; then it is reported and never sent again', async () => {
    const state = new MemoryStateStore();
    const c = clock();
    const a = alert();
    const slow = fake('siem', async () => UNKNOWN);
    const p = pipeline([slow.destination], state, c.now);
    const first = await p.handleAlert(a);
    expect(deliveries(first)).toEqual([
      {
        destination: 'siem',
        status: 'unknown',
        error: UNKNOWN_ERROR,
        sends: 1,
        resend: true,
      },
    ]);
    expect(failuresToRetry([first])).toMatchObject([{ outcome: 'unknown' }]);
    // A retry while the lease lives: not sent.
    c.t += DELIVERY_LEASE_MS - 1;
    expect(deliveries(await p.handleAlert(a))).toMatchObject([{ status: 'in-flight-elsewhere' }]);
    expect(slow.calls).toHaveLength(1);
    // After the lease: sent once more.
    c.t += 1;
    const second = await p.handleAlert(a);
    expect(deliveries(second)).toMatchObject([
      { status: 'unknown', sends: MAX_SENDS_PER_DELIVERY, resend: false },
    ]);
    expect(failuresToRetry([second])).toEqual([]);
    expect(slow.calls).toHaveLength(2);
    c.t += DELIVERY_LEASE_MS;
    const third = await p.handleAlert(a);
    expect(deliveries(third)).toEqual([
      {
        destination: 'siem',
        status: 'unknown',
        error: `no answer to ${MAX_SENDS_PER_DELIVERY} earlier send(s); not sent again (at most ${MAX_SENDS_PER_DELIVERY})`,
        sends: MAX_SENDS_PER_DELIVERY,
        resend: false,
      },
    ]);
    expect(slow.calls).toHaveLength(2);
  });
});

describe('the delivery deadline', () => {
  it('a deadline already passed: failed and retryable, never started, no claim left behind', async () => {
    const state = new MemoryStateStore();
    const c = clock();
    const a = alert();
    const dest = fake('siem');
    const outcome = await pipeline([dest.destination], state, c.now).handleAlert(a, {
      deadlineAt: Date.now() - 1,
    });
    expect(deliveries(outcome)).toEqual([
      {
        destination: 'siem',
        status: 'failed',
        result: {
          ok: false,
          retryable: true,
          attempts: 0,
          error: 'the delivery deadline passed before it started',
        },
      },
    ]);
    expect(dest.calls).toHaveLength(0);
    expect(
      await state.claimDelivery(a.id, 'siem', { owner: 'x', now: c.t, leaseMs: 1, maxSends: 2 }),
    ).toMatchObject({
      kind: 'claimed',
    });
  });

  it('a destination that ignores the abort is unknown once the grace has passed; the other was sent', async () => {
    const hang = fake('hang', () => new Promise<DeliveryResult>(() => {}));
    const fine = fake('fine');
    const started = Date.now();
    const outcome = await pipeline(
      [hang.destination, fine.destination],
      new MemoryStateStore(),
      clock().now,
    ).handleAlert(alert(), { deadlineAt: Date.now() + 100 });
    expect(deliveries(outcome)).toMatchObject([
      {
        destination: 'hang',
        status: 'unknown',
        resend: true,
        error: expect.stringMatching(/still sending at the delivery deadline/),
      },
      { destination: 'fine', status: 'sent' },
    ]);
    expect(Date.now() - started).toBeLessThan(100 + ABORT_GRACE_MS + 2_000);
  });

  it('over real HTTP, a hanging receiver does not hold up another destination of the same alert', async () => {
    const hanging = await startReceiver(() => 'hang');
    const answering = await startReceiver(() => ({ status: 200 }));
    receivers.push(hanging, answering);
    // A per-attempt timeout far longer than the deadline: only the deadline can end the hang.
    const policy: HttpPolicy = {
      timeoutMs: 60_000,
      attempts: 4,
      baseDelayMs: 10,
      maxDelayMs: 20,
      maxRetryAfterMs: 1_000,
    };
    const context = defaultNotifierContext({ secrets: new SecretResolver({ env: {} }), http: policy });
    const webhook = (name: string, url: string): Destination => {
      const d = NOTIFIERS.get('webhook')?.create(name, { type: 'webhook', url }, context);
      if (!d) throw new Error('no webhook notifier');
      return d;
    };
    const p = pipeline(
      [webhook('stuck', hanging.url), webhook('siem', answering.url)],
      new MemoryStateStore(),
      clock().now,
    );
    const deadlineMs = 400;
    const started = Date.now();
    const [first, second] = await Promise.all([
      p.handleAlert(alert(), { deadlineAt: Date.now() + deadlineMs }),
      p.handleAlert(alert(), { deadlineAt: Date.now() + deadlineMs }),
    ]);
    const elapsed = Date.now() - started;
    for (const outcome of [first, second]) {
      if (!outcome) throw new Error('missing outcome');
      expect(deliveries(outcome)).toMatchObject([
        {
          destination: 'stuck',
          status: 'unknown',
          // The attempt's timeout is cut to the deadline: whichever fires first, the request went
          // out and got no answer (a loaded machine decides which message it is).
          error: expect.stringMatching(/stopped at the delivery deadline|no answer within \d+ ms/),
        },
        { destination: 'siem', status: 'sent' },
      ]);
    }
    // Generous: the point is "about the deadline", not 2 x 60 s one after another.
    expect(elapsed).toBeLessThan(deadlineMs + 3_000);
    expect(hanging.requests).toHaveLength(2);
    expect(answering.requests).toHaveLength(2);
  });

  const remaining: [number, number, number][] = [
    [120_000, DEADLINE_SAFETY_MARGIN_MS, 1_000 + 120_000 - DEADLINE_SAFETY_MARGIN_MS],
    [DEADLINE_SAFETY_MARGIN_MS, DEADLINE_SAFETY_MARGIN_MS, 1_000],
    [3_000, DEADLINE_SAFETY_MARGIN_MS, 1_000],
    [5_000, 1_000, 5_000],
  ];
  for (const [left, margin, expected] of remaining) {
    it(`deadlineFromRemaining(${left} ms, margin ${margin} ms) at t=1000 is ${expected}`, () =>
      expect(deadlineFromRemaining(left, 1_000, margin)).toBe(expected));
  }
});
