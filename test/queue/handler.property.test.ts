/**
 * Hostile batches for the queue function: any body (text, JSON, S3 notifications, SNS envelopes,
 * CloudTrail notifications, test events, non-strings), any mix. The handler never throws but for
 * the one documented case (every message failed), and each message ends exactly one way: processed
 * (its invocation line), or reported failed (its failure line and its id in the response). S3 is a
 * stand-in that answers NoSuchKey, or SlowDown for keys that say `slow`, so both ends occur.
 */

import type { PartialItemFailures } from '@aws-lambda-powertools/batch/types';
import { S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createQueueHandler, limitConcurrency } from '../../lib/queue';
import type { FailureReport } from '../../lib/runtime';
import { ReadError } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { cloudTrailDelivery, s3Notification, snsEnvelope } from '../factories/events';
import { capturingLogger, testRuntime } from '../helpers/runtime';

function fakeS3(): S3Client {
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (context.commandName !== 'GetObjectCommand') throw new Error(`unexpected ${context.commandName}`);
      throw key.includes('slow')
        ? Object.assign(new Error('Please reduce your request rate.'), {
            name: 'SlowDown',
            $metadata: { httpStatusCode: 503 },
          })
        : Object.assign(new Error('The specified key does not exist.'), {
            name: 'NoSuchKey',
            $metadata: { httpStatusCode: 404 },
          });
    },
    { step: 'initialize', name: 'fakeS3' },
  );
  return client;
}

const key = fc.oneof(fc.string(), fc.constantFrom('AWSLogs/1/slow.json.gz', 'a%ZZ', 'x y+z', ''));
const bucket = fc.oneof(fc.constant('bucket'), fc.string());
const notification = fc
  .tuple(bucket, fc.array(key, { maxLength: 3 }))
  .map(([b, keys]) => s3Notification(b, keys));
const body: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  notification.map((n) => JSON.stringify(n)),
  notification.map((n) => JSON.stringify(snsEnvelope(JSON.stringify(n)))),
  fc
    .tuple(bucket, fc.array(key, { maxLength: 3 }))
    .map(([b, keys]) => JSON.stringify(snsEnvelope(JSON.stringify(cloudTrailDelivery(b, keys))))),
  fc.constant(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'bucket' })),
  fc.constant(JSON.stringify(snsEnvelope('', 'SubscriptionConfirmation'))),
  // Not what SQS sends, but what a hostile or broken caller might: the body is not a string.
  fc.anything(),
);

describe('the queue function on hostile batches', () => {
  it('never throws but when all fail; each message is processed or reported failed, once', async () => {
    const runtime = testRuntime('placeholders: {}\n', {
      state: new MemoryStateStore(),
      s3: { client: fakeS3() },
    });
    const reports: FailureReport[] = [];
    const failures = { report: async (batch: readonly FailureReport[]) => void reports.push(...batch) };
    // Both ends must occur, or the property says nothing about one of them.
    const seen = { failed: 0, processed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 8 }), async (bodies) => {
        const { log, lines } = capturingLogger();
        const handler = createQueueHandler({ runtime, log, failures });
        const ids = bodies.map((_, index) => `m-${index}`);
        const event = {
          Records: bodies.map((b, index) => ({
            messageId: ids[index],
            receiptHandle: 'r',
            body: b,
            attributes: { ApproximateReceiveCount: '1' },
            eventSource: 'aws:sqs',
          })),
        };
        const failedLines = (id: string) =>
          lines.filter((l) => l.messageId === id && String(l.message).startsWith('message failed')).length;
        const doneLines = (id: string) =>
          lines.filter((l) => l.messageId === id && l.message === 'invocation done').length;
        let failed: string[];
        try {
          const answer = await handler(event, {});
          failed = answer.batchItemFailures.map((failure: PartialItemFailures) => failure.itemIdentifier);
        } catch (error) {
          // Only when every message failed: here each for S3's SlowDown, so the first one's ReadError.
          expect(error).toBeInstanceOf(ReadError);
          failed = ids;
        }
        expect(new Set(failed).size).toBe(failed.length);
        for (const id of ids) {
          const isFailed = failed.includes(id);
          expect(failedLines(id)).toBe(isFailed ? 1 : 0);
          // A failed message was processed too (its failure is thrown after the rest was done).
          expect(doneLines(id)).toBe(1);
          seen[isFailed ? 'failed' : 'processed']++;
        }
      }),
      { numRuns: 60 },
    );
    expect(seen.failed).toBeGreaterThan(0);
    expect(seen.processed).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a batch that is not an SQS event, as a wrong event, before reading anything', async () => {
    const runtime = testRuntime('placeholders: {}\n', {
      state: new MemoryStateStore(),
      s3: { client: fakeS3() },
    });
    const { log, lines } = capturingLogger();
    const handler = createQueueHandler({ runtime, log, failures: { report: async () => undefined } });
    for (const event of [
      {},
      { Records: [] },
      { Records: [{ messageId: 'a', eventSource: 'aws:sns' }] },
      null,
    ])
      await expect(handler(event, {})).rejects.toThrow(/the queue function got an event it does not take/);
    expect(lines.filter((l) => l.errorKind === 'wrong-event')).toHaveLength(4);
  });
});

describe('limitConcurrency', () => {
  it('never runs more than the limit at once and runs every task, in call order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        async (limit, delays) => {
          const gate = limitConcurrency(limit);
          let running = 0;
          let peak = 0;
          const started: number[] = [];
          await Promise.all(
            delays.map((delay, index) =>
              gate(async () => {
                started.push(index);
                running++;
                peak = Math.max(peak, running);
                for (let tick = 0; tick < delay; tick++) await Promise.resolve();
                running--;
              }),
            ),
          );
          expect(peak).toBeLessThanOrEqual(limit);
          expect(started).toEqual(delays.map((_, index) => index));
        },
      ),
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the limit %s', (limit) => {
    expect(() => limitConcurrency(limit)).toThrow(RangeError);
  });
});
