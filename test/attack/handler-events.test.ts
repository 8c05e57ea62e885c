/**
 * The Lambda handlers fuzzed with trigger events of every kind: wrong types at every level,
 * missing and extra keys, base64 garbage and gzip of garbage in awslogs.data, forged sources and
 * accounts. Properties: the handler either throws a TriggerEventError (a wrong envelope) or
 * returns; every good record the event carries is alerted; a second invocation of the same event
 * delivers nothing again; no log line holds the webhook URL, its path token or a routing key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretResolver } from '../../lib/notify';
import type { FailureReport, FailureReporter, Trigger } from '../../lib/runtime';
import { createTrailHandler, TriggerEventError } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { cloudWatchLogsPayload } from '../factories/events';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { capturingLogger, testRuntime } from '../helpers/runtime';
import { anyRecord, BASE_PROBE, goodHostileRecord, hostileJson, hostileString } from './arbitraries';

const ROUTING_KEY = 'R0UTINGKEYabcdef0123456789secret';

const RULE = `title: Probe call
id: 5b0e7f6e-0000-4000-8000-00000000d001
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventSource: probe.amazonaws.com}
  condition: selection
fields: [userIdentity.arn, requestParameters]
`;

class CapturingReporter implements FailureReporter {
  readonly reports: FailureReport[] = [];
  async report(reports: readonly FailureReport[]): Promise<void> {
    this.reports.push(...reports);
  }
}

let receiver: Receiver;
let rulesDir: string;
beforeAll(async () => {
  receiver = await startReceiver();
  rulesDir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-handler-'));
  writeFileSync(join(rulesDir, 'probe.yml'), RULE);
});
afterAll(async () => receiver.close());

/** A fresh handler (fresh memory state) whose alerts go to a webhook and a PagerDuty-style receiver. */
function freshHandler(trigger: Trigger) {
  const runtime = testRuntime(
    `rules: {shipped: false, paths: [${rulesDir}]}
destinations:
  hook: {type: webhook, url: {env: HOOK_URL}}
  pd: {type: pagerduty, routing_key: {env: PD_KEY}, url: '${receiver.url}/pd'}
routing:
  defaults: {high: [hook, pd]}
dedup: {fields: [eventID]}
`,
    {
      state: new MemoryStateStore(),
      notifier: {
        secrets: new SecretResolver({
          env: { HOOK_URL: receiver.url, PD_KEY: ROUTING_KEY },
        }),
      },
    },
  );
  const failures = new CapturingReporter();
  const { log, lines } = capturingLogger();
  const handler = createTrailHandler(trigger, { runtime, log, failures, servedAccounts: ['111122223333'] });
  return { handler, failures, lines };
}

/** The event ids the webhook destination received (PagerDuty copies are counted apart). */
function hookDeliveries(from: number): string[] {
  return receiver.requests
    .slice(from)
    .filter((request) => !request.path.endsWith('/pd'))
    .map((request) => (JSON.parse(request.body) as { record: { eventID: string } }).record.eventID);
}

function expectNoSecretIn(lines: readonly Record<string, unknown>[]): void {
  const text = JSON.stringify(lines);
  const token = new URL(receiver.url).pathname.split('/').pop() ?? '';
  for (const secret of [receiver.url, new URL(receiver.url).pathname, token, ROUTING_KEY])
    expect(text).not.toContain(secret);
}

/**
 * Runs the event twice on one handler. Returns what the first run delivered, or undefined when the
 * envelope was refused (a TriggerEventError, the only error allowed here).
 */
async function invokeTwice(
  trigger: Trigger,
  event: unknown,
): Promise<{ first: string[]; failures: FailureReport[] } | undefined> {
  const { handler, failures, lines } = freshHandler(trigger);
  const before = receiver.requests.length;
  try {
    await handler(event, { awsRequestId: 'req-1' });
  } catch (error) {
    expect(error).toBeInstanceOf(TriggerEventError);
    expect(receiver.requests.length).toBe(before);
    expectNoSecretIn(lines);
    return undefined;
  }
  const first = hookDeliveries(before);
  const afterFirst = receiver.requests.length;
  await handler(event, { awsRequestId: 'req-2' });
  // The same event again: everything was claimed and marked sent, nothing goes out twice.
  expect(receiver.requests.length).toBe(afterFirst);
  expect(new Set(first).size).toBe(first.length);
  expectNoSecretIn(lines);
  return { first, failures: failures.reports };
}

const goodRecords = fc
  .integer({ min: 0, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, () => fc.uuid().chain((id) => goodHostileRecord(id)))));

/** Anything at all in place of a value: the envelope fuzzer's filler. */
const anything = fc.oneof(hostileJson, fc.constant(undefined));

describe('CloudWatch Logs events', () => {
  const logEvent = (message: unknown) => ({ id: '1', timestamp: 1, message });
  const awslogsData = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(goodRecords, fc.array(anyRecord, { maxLength: 2 }), fc.boolean())
        .map(([good, junk, controlMessage]) => ({
          good,
          junk,
          data: gzipSync(
            JSON.stringify(
              cloudWatchLogsPayload(
                [...good, ...junk].map((r) => JSON.stringify(r)),
                controlMessage ? 'CONTROL_MESSAGE' : 'DATA_MESSAGE',
              ),
            ),
          ).toString('base64'),
          control: controlMessage,
        })),
    },
    { weight: 1, arbitrary: hostileString.map((data) => ({ good: [], junk: [], data, control: false })) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 200 })
        .map((bytes) => ({ good: [], junk: [], data: gzipSync(bytes).toString('base64'), control: false })),
    },
    {
      weight: 1,
      arbitrary: hostileJson.map((payload) => ({
        good: [],
        junk: [],
        data: gzipSync(JSON.stringify(payload) ?? 'null').toString('base64'),
        control: false,
      })),
    },
  );

  it('any awslogs.data: good records alerted once, garbage located, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        awslogsData,
        fc.dictionary(hostileString, anything, { maxKeys: 2 }),
        async (generated, extra) => {
          const outcome = await invokeTwice('logs', { ...extra, awslogs: { data: generated.data } });
          if (outcome === undefined) return;
          const good = generated.good.map((r) => String(r.eventID));
          if (generated.control) expect(outcome.first).toEqual([]);
          else {
            expect(outcome.first).toEqual(expect.arrayContaining(good));
            // A junk record whose mutation left its minimal fields valid is a record like any other.
            const junkIds = generated.junk.map((r) =>
              typeof r === 'object' && r !== null && 'eventID' in r ? r.eventID : undefined,
            );
            for (const id of outcome.first) expect([...good, ...junkIds]).toContain(id);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('envelopes of the wrong shape are TriggerEventErrors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anything,
          fc.record({ awslogs: anything }),
          fc.record({ awslogs: fc.record({ data: anything }) }),
        ),
        async (event) => {
          await invokeTwice('logs', event);
        },
      ),
      { numRuns: 100 },
    );
  });

  // Reader bug (lib/ingest/shapes/cloudwatch-logs.ts, left to the readers engineer): the payload
  // schema checks logEvents as a whole, so one log event whose `message` is not a string refuses
  // the batch and the good records beside it are never alerted. Flip to `it` once fixed.
  it('one malformed log event does not cost the good ones beside it', async () => {
    const payload = cloudWatchLogsPayload([JSON.stringify({ ...BASE_PROBE, eventID: 'beside-bad' })]);
    (payload.logEvents as unknown[]).push(logEvent(42));
    const data = gzipSync(JSON.stringify(payload)).toString('base64');
    const outcome = await invokeTwice('logs', { awslogs: { data } });
    expect(outcome?.first).toEqual(['beside-bad']);
  });
});

describe('SNS events', () => {
  const snsItem = fc.oneof(
    {
      weight: 3,
      arbitrary: goodRecords.map((good) => ({
        good,
        item: {
          EventSource: 'aws:sns',
          Sns: { Message: JSON.stringify({ Records: good }), Type: 'Notification' },
        },
      })),
    },
    { weight: 1, arbitrary: anything.map((item) => ({ good: [], item })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          hostileString,
          hostileJson.map((value) => JSON.stringify(value) ?? ''),
        )
        .map((Message) => ({ good: [], item: { EventSource: 'aws:sns', Sns: { Message } } })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ EventSource: anything, Sns: fc.oneof(anything, fc.record({ Message: anything })) })
        .map((item) => ({ good: [], item })),
    },
  );

  it('any batch: malformed items refused by location, good records alerted once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(snsItem, { minLength: 1, maxLength: 4 }), async (items) => {
        const outcome = await invokeTwice('sns', { Records: items.map((i) => i.item) });
        expect(outcome).toBeDefined();
        const good = items.flatMap((i) => i.good.map((r) => String(r.eventID)));
        expect(outcome?.first.sort()).toEqual(good.sort());
      }),
      { numRuns: 100 },
    );
  });

  it('a huge batch of garbage items is refused item by item, quickly', async () => {
    const items = Array.from({ length: 5_000 }, (_, i) => ({
      EventSource: 'aws:sns',
      Sns: { Message: `x${i}` },
    }));
    const started = Date.now();
    const outcome = await invokeTwice('sns', { Records: items });
    expect(outcome?.first).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('EventBridge events', () => {
  const forged = fc.record(
    {
      'detail-type': fc.oneof(fc.constant('AWS API Call via CloudTrail'), hostileString),
      source: fc.oneof(
        fc.constantFrom('aws.probe', 'aws.iam', 'evil.app', 'aws', 'aws.', 'AWS.iam', 'aws.iam\n'),
        hostileString,
      ),
      account: fc.oneof(fc.constantFrom('111122223333', '999999999999', '111122223333 ', ''), hostileString),
      detail: fc.oneof(
        fc.uuid().chain((id) => goodHostileRecord(id)),
        hostileJson,
      ),
    },
    { requiredKeys: [] },
  );

  it('only AWS sources of served accounts raise alerts; nothing is delivered twice', async () => {
    await fc.assert(
      fc.asyncProperty(forged, async (event) => {
        const outcome = await invokeTwice('eventbridge', event);
        if (outcome === undefined) return;
        const trusted =
          typeof event.source === 'string' &&
          /^aws\.[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(event.source) &&
          event.account === '111122223333';
        if (!trusted) expect(outcome.first).toEqual([]);
        else if (
          event['detail-type'] === 'AWS API Call via CloudTrail' &&
          typeof event.detail === 'object' &&
          event.detail !== null &&
          'eventID' in event.detail &&
          (event.detail as { eventSource?: unknown }).eventSource === 'probe.amazonaws.com'
        )
          expect(outcome.first).toEqual([(event.detail as { eventID: string }).eventID]);
      }),
      { numRuns: 150 },
    );
  });
});
