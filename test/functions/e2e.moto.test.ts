import { gzipSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretResolver } from '../../lib/notify';
import type { CloudTrailRecord } from '../../lib/records';
import { createTrailHandler } from '../../lib/runtime';
import { DynamoStateStore, TTL_ATTRIBUTE } from '../../lib/state';
import {
  cloudTrailDelivery,
  cloudWatchLogsEvent,
  eventBridgeCloudTrail,
  logFile,
  s3Notification,
  snsLambdaEvent,
} from '../factories/events';
import { fixtureRecords } from '../helpers/fixtures';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { capturingLogger, testRuntime } from '../helpers/runtime';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BUCKET = 'trailwatch-e2e-trail';
const KEY =
  'AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/111122223333_CloudTrail_us-east-1_20221110T1630Z_e2e.json.gz';
/** Root sign-ins and a failed root sign-in, from the AWS documentation examples. */
const rootRecords = fixtureRecords('aws-docs-examples.jsonl').filter((r) => r.userIdentity?.type === 'Root');

describe.skipIf(!motoAvailable)('end to end on moto_server: a log file in the bucket becomes alerts', () => {
  let moto: Moto;
  let receiver: Receiver;
  let clients: { s3: S3Client; sns: SNSClient; sqs: SQSClient; dynamo: DynamoDBClient };
  let topicArn: string;
  let queueUrl: string;
  let tables = 0;

  beforeAll(async () => {
    moto = await startMoto();
    receiver = await startReceiver();
    const settings = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    clients = {
      s3: new S3Client({ ...settings, forcePathStyle: true }),
      sns: new SNSClient(settings),
      sqs: new SQSClient(settings),
      dynamo: new DynamoDBClient(settings),
    };
    await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await clients.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: gzipSync(logFile(rootRecords)) }),
    );
    topicArn =
      (await clients.sns.send(new CreateTopicCommand({ Name: 'trailwatch-e2e-alerts' }))).TopicArn ?? '';
    queueUrl =
      (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'trailwatch-e2e-inbox' }))).QueueUrl ?? '';
    const queueArn =
      (
        await clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes?.QueueArn ?? '';
    await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  }, 60_000);

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    await receiver?.close();
    await moto?.stop();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  /** A fresh deployment: its own state table, the stack's alert topic, Slack from a secret. */
  async function deployment() {
    const table = `trailwatch-e2e-state-${++tables}`;
    await clients.dynamo.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await clients.dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
      }),
    );
    const runtime = testRuntime(
      'placeholders: {}\n',
      {
        state: new DynamoStateStore({ table, client: clients.dynamo }),
        notifier: { sns: () => clients.sns, secrets: new SecretResolver({ env: {} }) },
        s3: { client: clients.s3 },
      },
      { TRAILWATCH_ALERT_TOPIC_ARN: topicArn, TRAILWATCH_STATE_TABLE: table },
    );
    // The Slack secret would come from Secrets Manager; here the deployment's destination points at the stand-in.
    const slackRuntime = testRuntime(
      `destinations:\n  email: {type: email, topic_arn: '${topicArn}'}\n  slack: {type: slack, webhook_url: {env: SLACK_URL}}\nrouting:\n  defaults: {critical: [email, slack], high: [email, slack], medium: [email, slack]}\n`,
      {
        state: new DynamoStateStore({ table, client: clients.dynamo }),
        notifier: {
          sns: () => clients.sns,
          secrets: new SecretResolver({ env: { SLACK_URL: receiver.url } }),
        },
        s3: { client: clients.s3 },
      },
    );
    return { runtime, slackRuntime };
  }

  async function drainQueue(): Promise<{ Subject: string; Message: string }[]> {
    const messages: { Subject: string; Message: string }[] = [];
    for (;;) {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!received.Messages || received.Messages.length === 0) return messages;
      messages.push(
        ...received.Messages.map((m) => JSON.parse(m.Body ?? '{}') as { Subject: string; Message: string }),
      );
    }
  }

  const slackTitles = (): string[] =>
    receiver.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);

  it('S3 handler: the notification leads to the object, alerts reach SNS email and Slack', async () => {
    const { slackRuntime } = await deployment();
    await drainQueue();
    const handler = createTrailHandler('s3', { runtime: slackRuntime, log: capturingLogger().log });
    const metrics = await handler(s3Notification(BUCKET, [KEY]), {});
    expect(metrics).toMatchObject({ recordsRead: rootRecords.length, deliveriesFailed: 0 });
    const emails = await drainQueue();
    // The person comes first in every title.
    expect(emails.map((e) => e.Subject)).toContain(
      '[trailwatch] CRITICAL root - Root user signed in without MFA',
    );
    expect(slackTitles().some((t) => t.startsWith('CRITICAL: root — Root user signed in without MFA'))).toBe(
      true,
    );
    expect(emails).toHaveLength(receiver.requests.length);
  });

  it('the deployment defaults alone (no destinations in the file) email through the stack topic', async () => {
    const { runtime } = await deployment();
    await drainQueue();
    await createTrailHandler('s3', { runtime, log: capturingLogger().log })(
      s3Notification(BUCKET, [KEY]),
      {},
    );
    expect((await drainQueue()).length).toBeGreaterThan(0);
  });

  it('SNS handler: CloudTrail delivery notification, same alerts', async () => {
    const { slackRuntime } = await deployment();
    await drainQueue();
    const metrics = await createTrailHandler('sns', { runtime: slackRuntime, log: capturingLogger().log })(
      snsLambdaEvent([cloudTrailDelivery(BUCKET, [KEY])]),
      {},
    );
    expect(metrics.recordsRead).toBe(rootRecords.length);
    expect((await drainQueue()).length).toBe(receiver.requests.length);
    expect(receiver.requests.length).toBeGreaterThan(0);
  });

  it('CloudWatch Logs handler: same records, same alerts', async () => {
    const { slackRuntime } = await deployment();
    await drainQueue();
    const event = cloudWatchLogsEvent(rootRecords.map((r) => JSON.stringify(r)));
    const metrics = await createTrailHandler('logs', { runtime: slackRuntime, log: capturingLogger().log })(
      event,
      {},
    );
    expect(metrics.recordsRead).toBe(rootRecords.length);
    expect(receiver.requests.length).toBeGreaterThan(0);
  });

  it('with EventBridge and S3 both on, the same event alerts once', async () => {
    const { slackRuntime } = await deployment();
    const first = rootRecords.find((r) => r.eventName === 'ConsoleLogin') as CloudTrailRecord;
    await createTrailHandler('eventbridge', { runtime: slackRuntime, log: capturingLogger().log })(
      eventBridgeCloudTrail(first, 'AWS Console Sign In via CloudTrail'),
      {},
    );
    const fromEventBridge = receiver.requests.length;
    expect(fromEventBridge).toBeGreaterThan(0);
    receiver.requests.length = 0;
    const { log, lines } = capturingLogger();
    await createTrailHandler('s3', { runtime: slackRuntime, log })(s3Notification(BUCKET, [KEY]), {});
    const sentAgain = lines.filter(
      (l) => l.message === 'alert sent' && l.eventID === first.eventID && l.destination === 'slack',
    );
    expect(sentAgain).toEqual([]);
    expect(
      lines.filter((l) => l.message === 'alert already sent' && l.eventID === first.eventID).length,
    ).toBeGreaterThan(0);
  });

  it('an object S3 cannot give back is reported, and only a transient failure asks for a retry', async () => {
    const { slackRuntime } = await deployment();
    const { log, lines } = capturingLogger();
    const metrics = await createTrailHandler('s3', { runtime: slackRuntime, log })(
      s3Notification(BUCKET, ['AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/missing.json.gz']),
      {},
    );
    expect(metrics.recordsSkipped).toBe(1);
    expect(lines.find((l) => l.message === 'cannot read input')).toMatchObject({
      level: 'ERROR',
      retryable: false,
      problem: expect.stringMatching(/NoSuchKey/),
    });
  });
});
