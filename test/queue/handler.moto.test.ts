/**
 * The queue function end to end on moto_server: S3 sends its notifications (test event included) to
 * an SQS queue, SNS delivers CloudTrail's notification to the same queue, the test receives the
 * batch as the event source mapping would and hands it to the handler. One object is good, one is
 * corrupt gzip, one is missing, one is throttled by S3, one message is not JSON: the partial batch
 * response names exactly the throttled one; the good alerts reach the webhook once, with the
 * account's name from Organizations.
 */
import { gzipSync } from 'node:zlib';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueueHandler } from '../../lib/queue';
import type { FailureReport } from '../../lib/runtime';
import { SqsFailureReporter } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { cloudTrailDelivery, logFile, s3Notification } from '../factories/events';
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

const BUCKET = 'org-log-archive';
const PREFIX = 'o-abc123/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/';
const KEYS = {
  good: `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0000Z_good.json.gz`,
  viaSns: `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0005Z_sns.json.gz`,
  corrupt: `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0010Z_corrupt.json.gz`,
  throttled: `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0015Z_throttled.json.gz`,
  missing: `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T0020Z_missing.json.gz`,
} as const;
const ACCOUNT_NAME = 'security-prod';

/** The records of the fixture's root user, moved to the account Organizations names. */
function rootRecordsOf(account: string): Record<string, unknown>[] {
  return fixtureRecords('aws-docs-examples.jsonl')
    .filter((r) => r.userIdentity?.type === 'Root')
    .map((record) => JSON.parse(JSON.stringify(record).replaceAll('111122223333', account)));
}

/** A Lambda SQS event record, built from what ReceiveMessage returned, as the event source mapping builds it. */
function lambdaRecord(message: Message, queueArn: string): Record<string, unknown> {
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: message.Attributes ?? {},
    messageAttributes: message.MessageAttributes ?? {},
    md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

describe.skipIf(!motoAvailable)('the queue function on moto_server', () => {
  let moto: Moto;
  let receiver: Receiver;
  let s3: S3Client;
  let sqs: SQSClient;
  let sns: SNSClient;
  let queueUrl: string;
  let queueArn: string;
  let failureQueueUrl: string;
  let topicArn: string;
  let account: string;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_ORGANIZATIONS;
  let restoreCredentials: () => void = () => undefined;

  beforeAll(async () => {
    moto = await startMoto();
    receiver = await startReceiver();
    const settings = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    s3 = new S3Client({ ...settings, forcePathStyle: true });
    sqs = new SQSClient(settings);
    sns = new SNSClient(settings);
    // The runtime's Organizations client is the default one: pointed at moto through the SDK's
    // service-specific endpoint variable, as a user would point it anywhere.
    process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = moto.endpoint;
    restoreCredentials = useMotoCredentials();
    const organizations = new OrganizationsClient(settings);
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created = await organizations.send(
      new CreateAccountCommand({ AccountName: ACCOUNT_NAME, Email: 'security@example.com' }),
    );
    account = created.CreateAccountStatus?.AccountId ?? '';
    organizations.destroy();

    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'trailwatch-ingest' }))).QueueUrl ?? '';
    queueArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    failureQueueUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: 'trailwatch-queue-failures' }))).QueueUrl ?? '';
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'log-archive-deliveries' }))).TopicArn ?? '';
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));

    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const records = rootRecordsOf(account);
    const good = gzipSync(logFile(records));
    // Notifications first, so that S3 itself writes the notification of each put (and its test event).
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: queueArn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json.gz' }] } },
            },
          ],
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEYS.good, Body: good }));
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: KEYS.corrupt, Body: Buffer.from(good).subarray(0, 40) }),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEYS.throttled, Body: good }));
  }, 60_000);

  afterAll(async () => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_ORGANIZATIONS;
    else process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = savedEndpoint;
    restoreCredentials();
    for (const client of [s3, sqs, sns]) client?.destroy();
    await receiver?.close();
    await moto?.stop();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  /** Every message now in the queue, deleted from it as the event source mapping would after the answer. */
  async function receiveBatch(url: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (;;) {
      const answer = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const received = answer.Messages ?? [];
      if (received.length === 0) return messages;
      messages.push(...received);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: received.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }

  /** A deployment reading this bucket, sending to the webhook, with S3 throttling one key. */
  function queueHandler(state = new MemoryStateStore()) {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: MOTO_CREDENTIALS,
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'GetObjectCommand' && input.Key === KEYS.throttled)
          throw Object.assign(new Error('Please reduce your request rate.'), {
            name: 'SlowDown',
            $metadata: { httpStatusCode: 503 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'throttleOneKey' },
    );
    const runtime = testRuntime(
      `accounts: {organizations: true}\ndestinations:\n  hook: {type: webhook, url: '${receiver.url}'}\nrouting:\n  defaults: {critical: [hook], high: [hook], medium: [hook], low: [hook]}\n`,
      // Retries of a failing destination back off without waiting: the test counts, it does not time.
      { state, s3: { client }, notifier: { sleep: async () => undefined } },
    );
    const { log, lines } = capturingLogger();
    const failures = new SqsFailureReporter(failureQueueUrl, async () => sqs);
    return { handler: createQueueHandler({ runtime, log, failures }), lines };
  }

  it('answers with exactly the message to retry; good alerts once, data faults reported with their message id', async () => {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: failureQueueUrl }));
    // CloudTrail's own SNS notification through the topic (not raw), a notification of a key that
    // is not there, and a body that is not JSON, beside what S3 sent.
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: KEYS.viaSns,
        Body: gzipSync(logFile(rootRecordsOf(account))),
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(cloudTrailDelivery(BUCKET, [KEYS.viaSns])),
      }),
    );
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(s3Notification(BUCKET, [KEYS.missing])),
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json {' }));

    const messages = await receiveBatch(queueUrl);
    const bodyOf = (m: Message) => m.Body ?? '';
    const idOf = (predicate: (body: string) => boolean) =>
      messages.find((m) => predicate(bodyOf(m)))?.MessageId;
    const throttledId = idOf((b) => b.includes('throttled.json.gz'));
    const malformedId = idOf((b) => b === 'not json {');
    expect(messages.some((m) => bodyOf(m).includes('s3:TestEvent'))).toBe(true);
    expect(throttledId).toBeDefined();

    const { handler, lines } = queueHandler();
    const event = { Records: messages.map((m) => lambdaRecord(m, queueArn)) };
    const answer = await handler(event, { awsRequestId: 'req-1' });
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: throttledId }] });

    // The good object and the SNS one hold the same records: their alerts share a dedup key, so
    // the receiver has each alert once.
    const bodies = receiver.requests.map((r) => r.body);
    expect(bodies.length).toBeGreaterThan(0);
    expect(new Set(bodies).size).toBe(bodies.length);
    for (const body of bodies) expect(body).toContain(ACCOUNT_NAME);

    // Data faults and the missing object: in the failure queue, each naming its message.
    const reports = (await receiveBatch(failureQueueUrl)).map(
      (m) => JSON.parse(m.Body ?? '{}') as FailureReport,
    );
    const byKind = (kind: FailureReport['kind']) =>
      reports.filter((r) => r.kind === kind).map((r) => r.location);
    expect(
      byKind('data-fault').some((l) => l.includes('corrupt.json.gz') && l.includes('(SQS message ')),
    ).toBe(true);
    expect(byKind('data-fault').some((l) => l.includes(`sqs message ${malformedId}`))).toBe(true);
    expect(byKind('unreadable-source').some((l) => l.includes('missing.json.gz'))).toBe(true);
    expect(reports.every((r) => r.trigger === 'queue' && r.requestId === 'req-1')).toBe(true);
    // The failed message is logged with its id and why.
    expect(lines.find((l) => l.message?.toString().startsWith('message failed'))).toMatchObject({
      messageId: throttledId,
      errorKind: 'retryable',
      errorName: 'ReadError',
    });
  });

  it('a message handed out again sends nothing twice; a batch of only retryable failures is thrown whole', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: KEYS.good,
        Body: gzipSync(logFile(rootRecordsOf(account))),
      }),
    );
    const [message] = (await receiveBatch(queueUrl)).filter((m) => (m.Body ?? '').includes('good.json.gz'));
    if (message === undefined) throw new Error('S3 sent no notification for the good object');
    const state = new MemoryStateStore();
    const { handler } = queueHandler(state);
    const event = { Records: [lambdaRecord(message, queueArn)] };
    expect(await handler(event, {})).toEqual({ batchItemFailures: [] });
    const sent = receiver.requests.length;
    expect(sent).toBeGreaterThan(0);
    expect(await handler(event, {})).toEqual({ batchItemFailures: [] });
    expect(receiver.requests.length).toBe(sent);

    const throttled = {
      Records: [
        lambdaRecord(
          {
            ...message,
            MessageId: 'm-throttled',
            Body: JSON.stringify(s3Notification(BUCKET, [KEYS.throttled])),
          },
          queueArn,
        ),
      ],
    };
    await expect(handler(throttled, {})).rejects.toThrow(
      /could not read 1 input\(s\): s3:\/\/org-log-archive\/.*throttled/,
    );
  });

  it('fails the message whose alerts could not be delivered (destination 503), not the others of its batch', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: KEYS.good,
        Body: gzipSync(logFile(rootRecordsOf(account))),
      }),
    );
    const [good] = (await receiveBatch(queueUrl)).filter((m) => (m.Body ?? '').includes('good.json.gz'));
    if (good === undefined) throw new Error('S3 sent no notification for the good object');
    const testEvent = {
      ...good,
      MessageId: 'm-test-event',
      Body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }),
    };
    receiver.script = () => ({ status: 503, body: 'down' });
    try {
      const { handler, lines } = queueHandler();
      const answer = await handler(
        { Records: [lambdaRecord(good, queueArn), lambdaRecord(testEvent, queueArn)] },
        {},
      );
      expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: good.MessageId }] });
      expect(lines.find((l) => l.message?.toString().startsWith('message failed'))).toMatchObject({
        messageId: good.MessageId,
        errorKind: 'retryable',
        errorName: 'DeliveryError',
      });
    } finally {
      receiver.script = () => ({ status: 200, body: 'ok' });
    }
  });

  it('takes a raw SNS delivery (the body is the message itself) and an SNS envelope of an S3 notification', async () => {
    const rawQueue = (await sqs.send(new CreateQueueCommand({ QueueName: 'trailwatch-raw' }))).QueueUrl ?? '';
    const rawArn =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: rawQueue, AttributeNames: ['QueueArn'] })))
        .Attributes?.QueueArn ?? '';
    const subscription = await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: rawArn }),
    );
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscription.SubscriptionArn,
        AttributeName: 'RawMessageDelivery',
        AttributeValue: 'true',
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(s3Notification(BUCKET, [KEYS.good])),
      }),
    );
    const raw = await receiveBatch(rawQueue);
    const enveloped = await receiveBatch(queueUrl);
    expect(raw).toHaveLength(1);
    expect(JSON.parse(raw[0]?.Body ?? '{}')).toHaveProperty('Records');
    expect(JSON.parse(enveloped[0]?.Body ?? '{}')).toMatchObject({ Type: 'Notification' });
    for (const [messages, arn] of [
      [raw, rawArn],
      [enveloped, queueArn],
    ] as const) {
      receiver.requests.length = 0;
      const { handler, lines } = queueHandler();
      expect(await handler({ Records: messages.map((m) => lambdaRecord(m, arn)) }, {})).toEqual({
        batchItemFailures: [],
      });
      expect(receiver.requests.length).toBeGreaterThan(0);
      expect(lines.filter((l) => l.message === 'invocation done').map((l) => l.recordsRead)).toEqual([
        expect.any(Number),
      ]);
    }
  });
});
