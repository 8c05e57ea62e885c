/**
 * A record that makes alerting throw never costs the good ones: in every trigger's handler it is
 * isolated, reported by location, and the other records of the object, batch or message are
 * evaluated and delivered. Forged and malformed trigger items are refused by location.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretResolver } from '../../lib/notify';
import type { FailureReport, FailureReporter, Trigger } from '../../lib/runtime';
import { createTrailHandler, splitEvent } from '../../lib/runtime';
import type { DedupDecision } from '../../lib/state';
import { MemoryStateStore } from '../../lib/state';
import { cloudWatchLogsEvent, eventBridgeCloudTrail, snsLambdaEvent } from '../factories/events';
import { probeRecord, probeRule } from '../factories/probe';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { capturingLogger, testRuntime } from '../helpers/runtime';

function configWithRule(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-isolation-'));
  writeFileSync(join(dir, 'probe.yml'), probeRule());
  return `rules: {shipped: false, paths: [${dir}]}
destinations:
  hook: {type: webhook, url: {env: HOOK_URL}}
routing:
  defaults: {high: [hook]}
`;
}

/** A state store that fails for one alert as a fault inside alerting would: a plain error, not an outage. */
class FaultyStateStore extends MemoryStateStore {
  constructor(private readonly poisonEventIDs: ReadonlySet<string>) {
    super();
  }
  override async dedup(key: string, alertId: string, windowMs: number, now: number): Promise<DedupDecision> {
    for (const id of this.poisonEventIDs)
      if (key.includes(JSON.stringify(id))) throw new TypeError(`cannot read ${id}`);
    return super.dedup(key, alertId, windowMs, now);
  }
}

class CapturingReporter implements FailureReporter {
  readonly reports: FailureReport[] = [];
  async report(reports: readonly FailureReport[]): Promise<void> {
    this.reports.push(...reports);
  }
}

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => receiver.close());

function handlerFor(trigger: Trigger, poison: readonly string[] = []) {
  const runtime = testRuntime(`${configWithRule()}dedup: {fields: [eventID]}\n`, {
    state: new FaultyStateStore(new Set(poison)),
    notifier: { secrets: new SecretResolver({ env: { HOOK_URL: receiver.url } }) },
  });
  const failures = new CapturingReporter();
  const { log, lines } = capturingLogger();
  return {
    handler: createTrailHandler(trigger, { runtime, log, failures, servedAccounts: ['111122223333'] }),
    failures,
    lines,
  };
}

const delivered = (): string[] =>
  receiver.requests.map(
    (request) => (JSON.parse(request.body) as { record: { eventID: string } }).record.eventID,
  );

describe('a poison record is isolated, the others are delivered', () => {
  it.each([
    ['the second of 12 in a CloudWatch Logs batch', 12, 1],
    ['the fifth of 6', 6, 4],
    ['the last of 3', 3, 2],
  ])('%s', async (_name, count, poisonIndex) => {
    const records = Array.from({ length: count }, (_, i) => probeRecord(i));
    const poisonId = `probe-${poisonIndex}`;
    const { handler, failures, lines } = handlerFor('logs', [poisonId]);
    const result = await handler(cloudWatchLogsEvent(records.map((r) => JSON.stringify(r))), {
      awsRequestId: 'req-poison',
    });
    expect(result).toMatchObject({ recordsRead: count, poisonRecords: 1, notificationsSent: count - 1 });
    expect(delivered().sort()).toEqual(
      records
        .map((r) => r.eventID)
        .filter((id) => id !== poisonId)
        .sort(),
    );
    expect(failures.reports).toEqual([
      expect.objectContaining({
        kind: 'poison-record',
        trigger: 'logs',
        requestId: 'req-poison',
        eventID: poisonId,
        stage: 'deliver',
        location: expect.stringContaining(`logEvents[${poisonIndex}]`),
        error: expect.stringContaining('TypeError'),
      }),
    ]);
    const emf = lines.find((line) => '_aws' in line);
    expect(emf).toMatchObject({ PoisonRecords: 1, NotificationsSent: count - 1 });
  });

  it('hostile field types in records are alerted, not crashed on', async () => {
    const hostile: Record<string, unknown>[] = [
      { ...probeRecord(1), userIdentity: { type: 7, arn: 12345 } },
      { ...probeRecord(2), sourceIPAddress: { nested: ['x'] }, userAgent: 42 },
      { ...probeRecord(3), awsRegion: 'evil.example/#', recipientAccountId: ['a'] },
      probeRecord(4),
    ];
    const { handler, failures } = handlerFor('logs');
    const result = await handler(cloudWatchLogsEvent(hostile.map((r) => JSON.stringify(r))), {});
    expect(result.recordsRead).toBe(4);
    // Every field reader tolerates any JSON type: all four are alerted, none is set aside.
    expect(failures.reports).toEqual([]);
    expect(delivered().sort()).toEqual(['probe-1', 'probe-2', 'probe-3', 'probe-4']);
  });
});

describe('trigger items are checked one by one', () => {
  it('one malformed SNS record is refused by location, the good one is processed', async () => {
    const { handler, failures } = handlerFor('sns');
    const good = snsLambdaEvent([{ Records: [probeRecord(1)] }]) as { Records: unknown[] };
    const event = { Records: [{ EventSource: 'aws:sns', Sns: { Message: 42 } }, ...good.Records] };
    const result = await handler(event, {});
    expect(result.refusedEvents).toBe(1);
    expect(failures.reports).toEqual([
      expect.objectContaining({ kind: 'refused-event', location: 'sns event Records[0]' }),
    ]);
    expect(result.recordsRead).toBe(1);
    expect(delivered()).toEqual(['probe-1']);
  });

  it('a wrong envelope is still an error: the function is wired to the wrong source', async () => {
    const { handler } = handlerFor('s3');
    await expect(handler({ hello: 'world' }, {})).rejects.toThrow(
      /the s3 function got an event it does not take/,
    );
  });

  it.each([
    ['a forged source', { source: 'evil.app' }, /source "evil\.app" is not an AWS service/],
    ['a look-alike source', { source: 'aws-evil' }, /is not an AWS service/],
    [
      'an account it does not serve',
      { account: '999999999999' },
      /account "999999999999" is not one this function serves/,
    ],
  ])('EventBridge: %s is refused and raises nothing', async (_name, override, message) => {
    const { handler, failures } = handlerFor('eventbridge');
    const event = {
      ...(eventBridgeCloudTrail(probeRecord(1) as never) as Record<string, unknown>),
      ...override,
    };
    const result = await handler(event, {});
    expect(result).toMatchObject({ recordsRead: 0, alerts: 0, refusedEvents: 1 });
    expect(receiver.requests).toHaveLength(0);
    expect(failures.reports[0]?.error).toMatch(message);
  });

  it("EventBridge: the function's own account is served without configuration", () => {
    const event = {
      ...(eventBridgeCloudTrail(probeRecord(1) as never) as Record<string, unknown>),
      account: '444455556666',
    };
    expect(splitEvent('eventbridge', event, ['444455556666']).inputs).toHaveLength(1);
    expect(splitEvent('eventbridge', event, ['111122223333']).refused).toHaveLength(1);
  });

  it('an SNS notification wrapping a malformed message is located inside that message', async () => {
    const { handler, failures } = handlerFor('sns');
    const event = {
      Records: [
        { EventSource: 'aws:sns', Sns: { Message: '{"Records": [' } },
        { EventSource: 'aws:sns', Sns: { Message: JSON.stringify({ Records: [probeRecord(2)] }) } },
      ],
    };
    const result = await handler(event, {});
    expect(delivered()).toEqual(['probe-2']);
    expect(result.recordsSkipped).toBeGreaterThanOrEqual(1);
    expect(failures.reports.some((r) => r.kind === 'data-fault' && r.location.includes('Records[0]'))).toBe(
      true,
    );
  });
});

describe('a hanging destination cannot outlast the invocation', () => {
  it("three alerts to a receiver that never answers settle by the Lambda's deadline, and a retry is asked for", async () => {
    receiver.script = () => 'hang';
    const { handler, lines } = handlerFor('logs');
    const records = [1, 2, 3].map((i) => JSON.stringify(probeRecord(i)));
    // 10.8 s left, less the 10 s safety margin: deliveries must settle within about 0.8 s.
    const context = { getRemainingTimeInMillis: () => 10_800 };
    const started = Date.now();
    await expect(handler(cloudWatchLogsEvent(records), context)).rejects.toThrow(/can be retried/);
    // Generous bound for a shared machine; without the deadline this took 3 × ~42 s.
    expect(Date.now() - started).toBeLessThan(8_000);
    const emf = lines.find((line) => '_aws' in line);
    expect(emf).toMatchObject({ Alerts: 3, NotificationsSent: 0 });
    // The one request that went out is "unknown": the receiver may have it.
    expect(emf?.DeliveriesUnknown).toBeGreaterThanOrEqual(1);
  });
});
