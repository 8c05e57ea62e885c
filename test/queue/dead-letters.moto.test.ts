/**
 * The whole loop on moto_server, with the test playing the event source mapping (receive, invoke,
 * delete what the answer did not name): an object S3 keeps throttling fails its message, which is
 * handed out again until the redrive policy moves it to the dead-letter queue, while the good
 * message beside it is deleted after the first invocation and never re-run. Once S3 serves the
 * object again, `trailwatch redrive` moves the letter back and the next poll reads it.
 */
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueHandler } from '../../lib/queue';
import { NO_FAILURE_QUEUE } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { logFile } from '../factories/events';
import { runCli } from '../helpers/cli';
import { fixtureRecords } from '../helpers/fixtures';
import type { Moto } from '../helpers/moto';
import {
  MOTO_CREDENTIALS,
  MOTO_SKIP_MESSAGE,
  motoAvailable,
  startMoto,
  useMotoCredentials,
} from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { capturingLogger, testRuntime } from '../helpers/runtime';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BUCKET = 'log-archive-dlq';
const PREFIX = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/';
const GOOD = `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0100Z_good.json.gz`;
const FLAKY = `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0105Z_flaky.json.gz`;
const MAX_RECEIVE_COUNT = 2;

/** The root user's records; `tag` makes the event ids of another object's copy its own. */
function rootRecords(tag: string): Record<string, unknown>[] {
  return fixtureRecords('aws-docs-examples.jsonl')
    .filter((r) => r.userIdentity?.type === 'Root')
    .map((record) => ({ ...record, eventID: `${record.eventID}-${tag}` }));
}

describe.skipIf(!motoAvailable)('dead letters and redrive, end to end on moto_server', () => {
  let moto: Moto;
  let receiver: Receiver;
  let sqs: SQSClient;
  let s3: S3Client;
  let restoreCredentials: () => void = () => undefined;

  beforeAll(async () => {
    moto = await startMoto();
    receiver = await startReceiver();
    restoreCredentials = useMotoCredentials();
    const settings = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    sqs = new SQSClient(settings);
    s3 = new S3Client({ ...settings, forcePathStyle: true });
  });
  afterAll(async () => {
    sqs?.destroy();
    s3?.destroy();
    restoreCredentials();
    await receiver?.close();
    await moto?.stop();
  });

  it('a throttled object reaches the DLQ alone; after the fix, redrive brings it back and it is read once', async () => {
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'ingest-dead-letters' }))).QueueUrl ?? '';
    const dlqArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    const queue =
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: 'ingest',
            Attributes: {
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: dlqArn,
                maxReceiveCount: MAX_RECEIVE_COUNT,
              }),
            },
          }),
        )
      ).QueueUrl ?? '';
    const queueArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: GOOD, Body: gzipSync(logFile(rootRecords('good'))) }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: FLAKY, Body: gzipSync(logFile(rootRecords('flaky'))) }),
    );

    // S3 throttles the flaky object until the "fix".
    let throttling = true;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          throttling &&
          context.commandName === 'GetObjectCommand' &&
          (args.input as { Key?: string }).Key === FLAKY
        )
          throw Object.assign(new Error('Please reduce your request rate.'), {
            name: 'SlowDown',
            $metadata: { httpStatusCode: 503 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'throttleFlaky' },
    );
    const runtime = testRuntime(
      `destinations:\n  hook: {type: webhook, url: '${receiver.url}'}\nrouting:\n  defaults: {critical: [hook], high: [hook], medium: [hook], low: [hook]}\n`,
      { state: new MemoryStateStore(), s3: { client } },
    );
    const { log, lines } = capturingLogger();
    const handler = createQueueHandler({ runtime, log, failures: NO_FAILURE_QUEUE });
    const processed: string[] = [];

    /** One poll as the event source mapping does it; visibility 0 stands in for the timeout passing. */
    async function poll(): Promise<boolean> {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages: Message[] = received.Messages ?? [];
      if (messages.length === 0) return false;
      const event = {
        Records: messages.map((m) => ({
          messageId: m.MessageId,
          receiptHandle: m.ReceiptHandle,
          body: m.Body,
          attributes: m.Attributes ?? {},
          messageAttributes: {},
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: 'us-east-1',
        })),
      };
      let failed: Set<string>;
      try {
        const answer = await handler(event, {});
        failed = new Set(answer.batchItemFailures.map((f: { itemIdentifier: string }) => f.itemIdentifier));
      } catch {
        failed = new Set(messages.map((m) => m.MessageId ?? ''));
      }
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      processed.push(
        ...done.map((m) =>
          (m.Body ?? '').includes('flaky') ? 'flaky' : (m.Body ?? '').includes('good') ? 'good' : 'other',
        ),
      );
      if (done.length > 0)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      return true;
    }

    let polls = 0;
    while (await poll()) polls++;
    // The good object (and S3's test event) once; the flaky one never, until it went to the DLQ.
    expect(processed.filter((p) => p === 'good')).toHaveLength(1);
    expect(processed).not.toContain('flaky');
    expect(polls).toBe(MAX_RECEIVE_COUNT);
    const goodAlerts = receiver.requests.length;
    expect(goodAlerts).toBeGreaterThan(0);
    const waiting = async (url: string) =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
        )
      ).Attributes?.ApproximateNumberOfMessages;
    expect(await waiting(dlq)).toBe('1');

    throttling = false;
    const run = await runCli([
      'redrive',
      '--dlq',
      dlqArn,
      '--endpoint-url',
      moto.endpoint,
      '--region',
      'us-east-1',
    ]);
    expect(run.stdout).toContain('moved 1 by receive, send, delete');
    expect(await waiting(dlq)).toBe('0');
    while (await poll()) polls++;
    expect(processed.filter((p) => p === 'flaky')).toHaveLength(1);
    // Its records were read and evaluated this time (the alerts of the same root sign-ins fall in
    // the good object's dedup window), and nothing reached the receiver twice.
    const reads = lines.filter((l) => l.message === 'invocation done').map((l) => l.recordsRead);
    expect(reads.at(-1)).toBe(rootRecords('flaky').length);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(receiver.requests.length);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(goodAlerts);
  });
});
