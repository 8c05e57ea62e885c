/**
 * The buffered live path as `serverless package` writes it (deploy/queue.yml, deploy/variables.cjs
 * queueSources): the queue, its dead-letter queue and redrive policy, who may send to it, the event
 * source mapping, and the cross-account reads. Two packagings besides the defaults (which
 * template.test.ts builds): the queue on the stack's bucket with every batching parameter set, and
 * the queue on a log archive's topic and bucket with a KMS key and Organizations names.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_SOURCE } from '../../lib/queue';
import type { Packaged, Template } from './package';
import { cfnLint, cfnLintVersion, packageStack, ROOT, statementsOf } from './package';

const require = createRequire(import.meta.url);
const variables = require(join(ROOT, 'deploy', 'variables.cjs')) as {
  queueSources: (context: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<unknown>;
  queueBatchSize: (context: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<number>;
  VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT: number;
};

const LOG_BUCKET = 'aws-controltower-logs-222233334444-us-east-1';
const LOG_TOPIC = 'arn:aws:sns:eu-west-1:222233334444:aws-controltower-log-deliveries';
const LOG_KEY = 'arn:aws:kms:us-east-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab';

let defaults: Packaged;
let onStackBucket: Packaged;
let onLogArchive: Packaged;

beforeAll(() => {
  defaults = packageStack([]);
  onStackBucket = packageStack([
    'queueInput=true',
    'queueBatchSize=100',
    'queueBatchWindowSeconds=20',
    'queueMaxConcurrency=50',
    'queueMaxReceiveCount=3',
  ]);
  onLogArchive = packageStack(
    [
      'queueInput=true',
      `logBucketName=${LOG_BUCKET}`,
      `logBucketTopicArn=${LOG_TOPIC}`,
      `logBucketKmsKeyArn=${LOG_KEY}`,
    ],
    'accounts: {organizations: true}\n',
  );
}, 240_000);

const resource = (packaged: Packaged, name: string) => packaged.template.Resources[name];

/** What a condition comes to once packaged: every one compares parameters written in as literals. */
function holds(template: Template, name: string): boolean {
  const evaluate = (expression: unknown): boolean => {
    if (typeof expression !== 'object' || expression === null)
      throw new Error(`not a condition: ${expression}`);
    const [[fn, args]] = Object.entries(expression) as [[string, unknown]];
    if (fn === 'Condition') return holds(template, String(args));
    if (!Array.isArray(args)) throw new Error(`${fn} without a list`);
    if (fn === 'Fn::Equals') return args[0] === args[1];
    if (fn === 'Fn::Not') return !evaluate(args[0]);
    if (fn === 'Fn::And') return args.every(evaluate);
    if (fn === 'Fn::Or') return args.some(evaluate);
    throw new Error(`unknown condition function ${fn}`);
  };
  return evaluate(template.Conditions[name]);
}

describe('the queue, packaged', () => {
  it('is off by default: the bucket notifies the s3Ingest function, the queue function stands idle', () => {
    const template = defaults.template;
    expect(holds(template, 'QueueInputEnabled')).toBe(false);
    expect(holds(template, 'S3DirectToFunction')).toBe(true);
    expect(holds(template, 'QueueFromStackBucket')).toBe(false);
    for (const name of [
      'IngestQueue',
      'IngestDeadLetters',
      'IngestQueuePolicy',
      'QueueIngestEventSourceMapping',
    ])
      expect(resource(defaults, name)?.Condition).toBe('QueueInputEnabled');
    expect(resource(defaults, 'IngestQueueTopicSubscription')).toBeUndefined();
    expect(resource(defaults, 'QueueLogBucketPolicy')).toBeUndefined();
    expect(resource(defaults, 'QueueIngestLambdaFunction')?.Properties).toMatchObject({
      Handler: 'functions/queue.handler',
      Environment: { Variables: { TRAILWATCH_FAILURE_QUEUE_URL: { Ref: 'QueueIngestFailures' } } },
    });
  });

  it('keeps messages 4 days, dead letters 14, hidden six function timeouts, encrypted, to the DLQ after maxReceiveCount', () => {
    const fn = resource(onStackBucket, 'QueueIngestLambdaFunction')?.Properties ?? {};
    const queue = resource(onStackBucket, 'IngestQueue')?.Properties ?? {};
    const deadLetters = resource(onStackBucket, 'IngestDeadLetters')?.Properties ?? {};
    expect(variables.VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT).toBe(6);
    expect(queue).toEqual({
      MessageRetentionPeriod: 345_600,
      VisibilityTimeout: 6 * Number(fn.Timeout),
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['IngestDeadLetters', 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    // A dead letter keeps its first enqueue time: the DLQ must outlive the source queue.
    expect(deadLetters).toEqual({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    expect(resource(defaults, 'IngestQueue')?.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
  });

  it('reads batches through an event source mapping that reports partial batch failures, with the parameters', () => {
    expect(resource(onStackBucket, 'QueueIngestEventSourceMapping')).toEqual({
      Type: 'AWS::Lambda::EventSourceMapping',
      Condition: 'QueueInputEnabled',
      Properties: {
        FunctionName: { 'Fn::GetAtt': ['QueueIngestLambdaFunction', 'Arn'] },
        EventSourceArn: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 20,
        ScalingConfig: { MaximumConcurrency: 50 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    });
    expect(resource(defaults, 'QueueIngestEventSourceMapping')?.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    // The role may poll the queue and delete what succeeded, nothing else of it.
    expect(JSON.stringify(statementsOf(resource(onStackBucket, 'QueueIngestRole')?.Properties))).toContain(
      JSON.stringify({
        'Fn::If': [
          'QueueInputEnabled',
          {
            Effect: 'Allow',
            Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
            Resource: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
          },
          { Ref: 'AWS::NoValue' },
        ],
      }),
    );
  });

  it("on the stack's bucket: the bucket notifies the queue instead of the function, and only it may send", () => {
    const template = onStackBucket.template;
    expect(holds(template, 'QueueFromStackBucket')).toBe(true);
    expect(holds(template, 'S3DirectToFunction')).toBe(false);
    const bucket = resource(onStackBucket, 'TrailBucket');
    expect(bucket?.Properties.NotificationConfiguration).toMatchObject({
      QueueConfigurations: {
        'Fn::If': [
          'QueueFromStackBucket',
          [{ Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] } }],
          { Ref: 'AWS::NoValue' },
        ],
      },
    });
    // S3 checks the queue policy when the notification is written: the bucket waits for it.
    expect(bucket?.DependsOn).toContain('QueuePolicyReady');
    expect(resource(onStackBucket, 'QueuePolicyReady')).toMatchObject({
      Metadata: { QueuePolicy: { 'Fn::If': ['QueueInputEnabled', { Ref: 'IngestQueuePolicy' }, ''] } },
    });
    expect(statementsOf(resource(onStackBucket, 'IngestQueuePolicy')?.Properties)).toEqual([
      {
        Sid: 'TrailBucketNotifies',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
        Condition: {
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::Sub':
                // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
                'arn:${AWS::Partition}:s3:::${AWS::StackName}-trail-${AWS::AccountId}-${AWS::Region}',
            },
          },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
  });

  it("on a log archive's topic: subscribed raw in the topic's region, only that topic may send, its objects and key readable", () => {
    const template = onLogArchive.template;
    expect(holds(template, 'QueueFromStackBucket')).toBe(false);
    expect(holds(template, 'S3DirectToFunction')).toBe(true);
    expect(resource(onLogArchive, 'IngestQueueTopicSubscription')).toEqual({
      Type: 'AWS::SNS::Subscription',
      Condition: 'QueueInputEnabled',
      Properties: {
        TopicArn: LOG_TOPIC,
        Region: 'eu-west-1',
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
        RawMessageDelivery: true,
      },
    });
    expect(statementsOf(resource(onLogArchive, 'IngestQueuePolicy')?.Properties)).toEqual([
      {
        Sid: 'LogArchiveTopicSends',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': LOG_TOPIC } },
      },
    ]);
    const reads = resource(onLogArchive, 'QueueLogBucketPolicy');
    expect(reads?.Properties.Roles).toEqual([{ Ref: 'QueueIngestRole' }]);
    expect(statementsOf(reads?.Properties)).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${LOG_BUCKET}/*AWSLogs/*` },
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: LOG_KEY },
    ]);
    // Account names from Organizations: the queue function's role too.
    expect(resource(onLogArchive, 'AccountNamesFromOrganizationsPolicy')?.Properties.Roles).toContainEqual({
      Ref: 'QueueIngestRole',
    });
  });

  it('alarms on dead letters, on set-aside reports and on every loss metric of Source queue', () => {
    expect(resource(onStackBucket, 'IngestDeadLettersAlarm')).toMatchObject({
      Condition: 'QueueInputEnabled',
      Properties: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['IngestDeadLetters', 'QueueName'] } }],
        AlarmActions: [{ Ref: 'AlertTopic' }],
      },
    });
    expect(resource(defaults, 'QueueIngestFailuresAlarm')?.Properties.AlarmActions).toEqual([
      { Ref: 'AlertTopic' },
    ]);
    for (const metric of ['DeliveriesFailed', 'DataFaults', 'PoisonRecords', 'RecordsSkipped'])
      expect(resource(defaults, `QueueIngest${metric}Alarm`)).toMatchObject({
        Condition: 'QueueInputEnabled',
        Properties: { MetricName: metric, Dimensions: [{ Name: 'Source', Value: QUEUE_SOURCE }] },
      });
  });

  it('packages the queue function', () => {
    const listing = execFileSync('unzip', ['-l', join(defaults.dir, 'queueIngest.zip')], {
      encoding: 'utf8',
    });
    expect(listing).toMatch(/functions\/queue\.cjs\n/);
  });
});

describe('the queue parameters, checked when packaging', () => {
  const resolve = (params: Record<string, string>) => ({
    resolveVariable: async (name: string) => params[name.replace(/^param:/, '')] ?? '',
  });

  it.each([
    [
      { logBucketName: 'Not_A_Bucket', logBucketAccount: '222233334444' },
      /logBucketName "Not_A_Bucket" is not a bucket name/,
    ],
    [{ logBucketName: LOG_BUCKET }, /needs logBucketAccount/],
    [
      { logBucketName: LOG_BUCKET, logBucketAccount: '2222' },
      /logBucketAccount "2222" is not a 12-digit account id/,
    ],
    [{ logBucketTopicArn: LOG_TOPIC }, /logBucketTopicArn needs logBucketName/],
    [
      { logBucketName: LOG_BUCKET, logBucketTopicArn: 'arn:aws:sqs:eu-west-1:1:x' },
      /is not an SNS topic ARN/,
    ],
    [{ logBucketKmsKeyArn: LOG_KEY }, /logBucketKmsKeyArn needs logBucketName/],
  ])('refuses %j', async (params, message) => {
    await expect(variables.queueSources(resolve(params))).rejects.toThrow(message);
  });

  it('lets a log archive bucket notify the queue directly, for its own account only', async () => {
    const fragment = (await variables.queueSources(
      resolve({ logBucketName: LOG_BUCKET, logBucketAccount: '222233334444' }),
    )) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    expect(Object.keys(fragment.Resources).sort()).toEqual(['IngestQueuePolicy', 'QueueLogBucketPolicy']);
    expect(statementsOf(fragment.Resources.IngestQueuePolicy?.Properties)).toEqual([
      expect.objectContaining({
        Sid: 'LogArchiveBucketNotifies',
        Principal: { Service: 's3.amazonaws.com' },
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${LOG_BUCKET}` } },
          StringEquals: { 'aws:SourceAccount': '222233334444' },
        },
      }),
    ]);
  });

  it.each([
    [{ queueBatchSize: '11', queueBatchWindowSeconds: '0' }, /needs queueBatchWindowSeconds of 1 or more/],
    [
      { queueBatchSize: '10001', queueBatchWindowSeconds: '5' },
      /queueBatchSize: "10001" is not a whole number from 1 to 10000/,
    ],
    [{ queueBatchSize: 'ten', queueBatchWindowSeconds: '5' }, /queueBatchSize: "ten"/],
    [{ queueBatchSize: '10', queueBatchWindowSeconds: '301' }, /queueBatchWindowSeconds: "301"/],
  ])('refuses the batch %j', async (params, message) => {
    await expect(variables.queueBatchSize(resolve(params))).rejects.toThrow(message);
  });

  it('takes 10,000 messages with a window', async () => {
    expect(
      await variables.queueBatchSize(resolve({ queueBatchSize: '10000', queueBatchWindowSeconds: '1' })),
    ).toBe(10_000);
  });
});

describe.skipIf(cfnLintVersion === undefined)(
  `cfn-lint (${cfnLintVersion ?? 'not installed'}) on the queue`,
  () => {
    it.each([
      ["the stack's bucket", () => onStackBucket],
      ["a log archive's topic and key", () => onLogArchive],
    ])('finds no error and no warning with the queue on %s', (_name, packaged) => {
      expect(cfnLint(packaged().templateFile)).toEqual({ status: 0, output: '' });
    });
  },
);
