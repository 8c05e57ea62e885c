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
          Statistic: 'Sum',
          Period: ALARM_PERIOD_SECONDS,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          // No invocation, no data point: nothing went wrong.
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: 'AlertTopic' }],
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
  ...INGEST_SOURCES.map(({ fn, condition }) => ({ fn, condition })),
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
  for (const { fn, condition } of FUNCTIONS) {
    resources[`${fn}ErrorsAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      ...(condition === undefined ? {} : { Condition: condition }),
      Properties: {
        AlarmDescription:
          `trailwatch ${fn}: invocations failed (an error, a timeout, out of memory, or a cold start refused ` +
          `by a bad trailwatch.yml or rule). Lambda retries each twice, then the ${fn}Failures queue keeps ` +
          `the event. Look for "invocation failed" and Lambda's own error lines in the function's logs.`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }],
        Statistic: 'Sum',
        Period: ALARM_PERIOD_SECONDS,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        // No invocation, no data point: nothing failed.
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlertTopic' }],
      },
    };
  }
  return { Resources: resources };
};

module.exports.INGEST_SOURCES = INGEST_SOURCES;
module.exports.FUNCTIONS = FUNCTIONS;
module.exports.ALARMED_METRICS = ALARMED_METRICS;
