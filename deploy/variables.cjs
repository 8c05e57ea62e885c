// Serverless variable resolvers that plain CloudFormation cannot express (it has no loops).
'use strict';

/** `alertEmails=a@x.com,b@y.com` becomes one SNS email subscription per address. */
module.exports.alertSubscriptions = async ({ resolveVariable }) => {
  const emails = String((await resolveVariable('param:alertEmails')) ?? '');
  return emails
    .split(',')
    .map((email) => email.trim())
    .filter((email) => email !== '')
    .map((email) => ({ Endpoint: email, Protocol: 'email' }));
};

/**
 * The ingest functions, by the `Source` dimension their metrics carry (lib/runtime/lambda.ts
 * TRIGGER_SCHEMAS), with the condition that deploys each and the queue that holds its failures.
 */
const INGEST_SOURCES = [
  { source: 's3', fn: 'S3Ingest', condition: 'S3InputEnabled' },
  { source: 'sns', fn: 'SnsIngest', condition: 'SnsInputEnabled' },
  { source: 'logs', fn: 'LogsIngest', condition: 'LogsInputEnabled' },
  { source: 'eventbridge', fn: 'EventsIngest', condition: 'EventBridgeInputEnabled' },
  {
    source: 'queue',
    fn: 'QueueIngest',
    condition: 'QueueInputEnabled',
    // Invoked by its event source mapping, not asynchronously: no Lambda retries or OnFailure.
    retried: 'SQS hands the failed messages out again, then the IngestDeadLetters queue keeps them',
  },
];

/**
 * The embedded-metric-format counts (lib/runtime/metrics.ts, namespace `trailwatch`) that mean
 * something was lost, doubted or refused. Any one in five minutes alarms: each is a record or an
 * alert someone must look at, not a rate to tolerate.
 */
const ALARMED_METRICS = [
  { metric: 'DeliveriesFailed', what: 'alerts could not be delivered to a destination' },
  {
    metric: 'DeliveriesUnknown',
    what: 'alerts were sent but got no answer before the timeout: the destination may not have them',
  },
  { metric: 'RecordsSkipped', what: 'records could not be read or were dropped before evaluation' },
  {
    metric: 'PoisonRecords',
    what: 'records made evaluation, formatting or delivery throw and were set aside',
  },
  { metric: 'DataFaults', what: 'objects or batches were corrupt (bad gzip, bad JSON) and are not retried' },
  {
    metric: 'RefusedEvents',
    what: 'trigger events were refused (not an AWS source, an account not served, malformed)',
  },
];

/** Alarm evaluation: one 5-minute period, the sum of the counts. */
const ALARM_PERIOD_SECONDS = 300;

/**
 * How every trailwatch alarm fires: one or more in a period notifies the alert topic. No
 * invocation, no data point: nothing went wrong, so missing data is not breaching.
 */
const ANY_IN_PERIOD_TO_ALERT_TOPIC = {
  Statistic: 'Sum',
  Period: ALARM_PERIOD_SECONDS,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
  AlarmActions: [{ Ref: 'AlertTopic' }],
};

/**
 * One alarm per input and metric, deployed with its input, notifying the alert topic. Per input
 * rather than one metric-math alarm per metric: the notification then names the function and the
 * queue to read, and a disabled input costs no alarm.
 */
module.exports.metricAlarms = () => {
  const resources = {};
  for (const { source, fn, condition } of INGEST_SOURCES) {
    for (const { metric, what } of ALARMED_METRICS) {
      resources[`${fn}${metric}Alarm`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Condition: condition,
        Properties: {
          AlarmDescription: `trailwatch ${source}: ${what}. Locations: the ${fn}Failures queue and the function's logs.`,
          Namespace: 'trailwatch',
          MetricName: metric,
          Dimensions: [{ Name: 'Source', Value: source }],
          ...ANY_IN_PERIOD_TO_ALERT_TOPIC,
        },
      };
    }
  }
  return { Resources: resources };
};

/**
 * Every function, by the logical-id prefix serverless gives it (`S3Ingest` for `s3Ingest`), with
 * the condition its alarm deploys under: an ingest function's input's, none for the bootstrap
 * function, which its schedule always invokes.
 */
const FUNCTIONS = [
  ...INGEST_SOURCES.map(({ fn, condition, retried }) => ({ fn, condition, retried })),
  { fn: 'TrailBootstrap', condition: undefined },
];

/**
 * One alarm per function on Lambda's own `Errors` count: invocations that threw, and those the
 * handler never saw fail, which the `InvocationErrors` metric (lib/runtime/metrics.ts) cannot
 * count: a timeout, running out of memory, a cold start refused (a bad trailwatch.yml or rule).
 * Not also on `InvocationErrors`: each of those is in `Errors` too, so a second alarm would only
 * notify twice for the same invocation.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */
module.exports.functionErrorAlarms = () => {
  const resources = {};
  for (const { fn, condition, retried } of FUNCTIONS) {
    resources[`${fn}ErrorsAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      ...(condition === undefined ? {} : { Condition: condition }),
      Properties: {
        AlarmDescription:
          `trailwatch ${fn}: invocations failed (an error, a timeout, out of memory, or a cold start refused ` +
          `by a bad trailwatch.yml or rule). ${retried ?? `Lambda retries each twice, then the ${fn}Failures queue keeps the event`}. ` +
          `Look for "invocation failed" and Lambda's own error lines in the function's logs.`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }],
        ...ANY_IN_PERIOD_TO_ALERT_TOPIC,
      },
    };
  }
  return { Resources: resources };
};

/**
 * The queue's settings, from the stack parameters, checked when packaging against the limits AWS
 * documents, so a wrong value fails `serverless package` with its name rather than the deploy.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
const QUEUE_LIMITS = {
  // A standard queue's batch: up to 10,000 messages (above 10, a batching window of 1 s at least).
  queueBatchSize: { min: 1, max: 10_000 },
  queueBatchWindowSeconds: { min: 0, max: 300 },
  queueMaxConcurrency: { min: 2, max: 1_000 },
  queueMaxReceiveCount: { min: 1, max: 1_000 },
};
/** A batch larger than this needs a batching window of at least one second. */
const BATCH_SIZE_WITHOUT_WINDOW = 10;

/**
 * AWS recommends a source queue's visibility timeout of at least six times the function's timeout,
 * so a batch whose invocation is throttled or retried stays hidden while Lambda works on it.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig
 */
const VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT = 6;
/** SQS takes a visibility timeout of at most 12 hours. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

async function queueParam(resolveVariable, name) {
  const text = String(await resolveVariable(`param:${name}`));
  const value = Number(text);
  const { min, max } = QUEUE_LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`param ${name}: ${JSON.stringify(text)} is not a whole number from ${min} to ${max}`);
  return value;
}

module.exports.queueBatchSize = async ({ resolveVariable }) => {
  const size = await queueParam(resolveVariable, 'queueBatchSize');
  const window = await queueParam(resolveVariable, 'queueBatchWindowSeconds');
  if (size > BATCH_SIZE_WITHOUT_WINDOW && window < 1)
    throw new Error(
      `param queueBatchSize: ${size} needs queueBatchWindowSeconds of 1 or more (above ${BATCH_SIZE_WITHOUT_WINDOW} messages, Lambda requires a batching window)`,
    );
  return size;
};
module.exports.queueBatchWindowSeconds = ({ resolveVariable }) =>
  queueParam(resolveVariable, 'queueBatchWindowSeconds');
module.exports.queueMaxConcurrency = ({ resolveVariable }) =>
  queueParam(resolveVariable, 'queueMaxConcurrency');
module.exports.queueMaxReceiveCount = ({ resolveVariable }) =>
  queueParam(resolveVariable, 'queueMaxReceiveCount');
/** Six times the queue function's timeout (its own, else the provider's). */
module.exports.queueVisibilityTimeout = async ({ resolveVariable }) => {
  const timeout = Number(await resolveVariable('self:functions.queueIngest.timeout, self:provider.timeout'));
  const seconds = timeout * VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS)
    throw new Error(
      `the queueIngest timeout ${timeout} s needs a visibility timeout of ${seconds} s, beyond SQS's ${MAX_VISIBILITY_TIMEOUT_SECONDS} s`,
    );
  return seconds;
};

/**
 * The names of an existing log bucket and its notifications, checked when packaging.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCOUNT_ID = /^\d{12}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** What the log* parameters say: where the queue's notifications come from. */
async function queueSource(resolveVariable) {
  const param = async (name) => String((await resolveVariable(`param:${name}`)) ?? '').trim();
  const [bucket, account, topic, key] = await Promise.all(
    ['logBucketName', 'logBucketAccount', 'logBucketTopicArn', 'logBucketKmsKeyArn'].map(param),
  );
  const problems = [];
  if (bucket !== '' && !BUCKET_NAME.test(bucket))
    problems.push(`logBucketName ${JSON.stringify(bucket)} is not a bucket name`);
  if (account !== '' && !ACCOUNT_ID.test(account))
    problems.push(`logBucketAccount ${JSON.stringify(account)} is not a 12-digit account id`);
  if (topic !== '' && !TOPIC_ARN.test(topic))
    problems.push(`logBucketTopicArn ${JSON.stringify(topic)} is not an SNS topic ARN`);
  if (key !== '' && !KMS_KEY_ARN.test(key))
    problems.push(`logBucketKmsKeyArn ${JSON.stringify(key)} is not a KMS key ARN`);
  if (key !== '' && bucket === '')
    problems.push('logBucketKmsKeyArn needs logBucketName (the bucket its key encrypts)');
  if (topic !== '' && bucket === '')
    problems.push('logBucketTopicArn needs logBucketName (the bucket whose objects its notifications name)');
  // S3 notifies the queue directly: the policy names the bucket's owner (aws:SourceAccount).
  if (bucket !== '' && topic === '' && account === '')
    problems.push(
      'logBucketName without logBucketTopicArn needs logBucketAccount (the account that owns the bucket)',
    );
  if (problems.length > 0) throw new Error(`queue parameters: ${problems.join('; ')}`);
  const read = { ...(bucket === '' ? {} : { bucket }), ...(key === '' ? {} : { key }) };
  if (topic !== '') return { kind: 'topic', topic, ...read };
  if (bucket !== '') return { kind: 'bucket', account, ...read };
  return { kind: 'stack-bucket' };
}

const SEND_TO_QUEUE = {
  Effect: 'Allow',
  Action: 'sqs:SendMessage',
  Resource: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
};

/** The one statement that lets the source send: S3 for one bucket and its owner, or SNS for one topic. */
function queuePolicyStatement(source) {
  if (source.kind === 'topic')
    return {
      Sid: 'LogArchiveTopicSends',
      ...SEND_TO_QUEUE,
      Principal: { Service: 'sns.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': source.topic } },
    };
  if (source.kind === 'bucket')
    return {
      Sid: 'LogArchiveBucketNotifies',
      ...SEND_TO_QUEUE,
      Principal: { Service: 's3.amazonaws.com' },
      Condition: {
        ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${source.bucket}` } },
        StringEquals: { 'aws:SourceAccount': source.account },
      },
    };
  return {
    Sid: 'TrailBucketNotifies',
    ...SEND_TO_QUEUE,
    Principal: { Service: 's3.amazonaws.com' },
    Condition: {
      ArnEquals: {
        'aws:SourceArn': {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub, not JavaScript
          'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::StackName}-trail-${AWS::AccountId}-${AWS::Region}',
        },
      },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    },
  };
}

/**
 * The queue's policy and, for a topic, the queue's subscription to it, built from the log*
 * parameters (deploy/queue.yml has the rest). Built here rather than with CloudFormation conditions:
 * a resource left out is not one whose empty ARN a linter, or a reader, must reason away.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-send-message-to-sqs-cross-account.html
 */
module.exports.queueSources = async ({ resolveVariable }) => {
  const source = await queueSource(resolveVariable);
  const resources = {
    IngestQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Condition: 'QueueInputEnabled',
      Properties: {
        Queues: [{ Ref: 'IngestQueue' }],
        PolicyDocument: { Version: '2012-10-17', Statement: [queuePolicyStatement(source)] },
      },
    },
  };
  if (source.bucket !== undefined)
    // The log archive's objects, as the trail bucket's are granted (deploy/roles.yml), and their key.
    resources.QueueLogBucketPolicy = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `trailwatch - the queue function reads the log objects of ${source.bucket}`,
        Roles: [{ Ref: 'QueueIngestRole' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${source.bucket}/*AWSLogs/*` },
            },
            ...(source.key === undefined
              ? []
              : [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: source.key }]),
          ],
        },
      },
    };
  if (source.kind === 'topic')
    // Subscribed from this account, which the topic's policy must allow (sns:Subscribe); in the
    // topic's region, which may not be the stack's. Raw delivery: the body is the notification.
    resources.IngestQueueTopicSubscription = {
      Type: 'AWS::SNS::Subscription',
      Condition: 'QueueInputEnabled',
      Properties: {
        TopicArn: source.topic,
        Region: source.topic.split(':')[3],
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': ['IngestQueue', 'Arn'] },
        RawMessageDelivery: true,
      },
    };
  return { Resources: resources };
};

module.exports.INGEST_SOURCES = INGEST_SOURCES;
module.exports.VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT = VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT;
module.exports.QUEUE_LIMITS = QUEUE_LIMITS;
module.exports.FUNCTIONS = FUNCTIONS;
module.exports.ALARMED_METRICS = ALARMED_METRICS;
