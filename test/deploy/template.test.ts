/**
 * What `serverless deploy` would create, read from the template `serverless package` writes,
 * offline, as a user's clean clone would produce it. Two packagings serve every test here: the
 * defaults with no trailwatch.yml, and every input switched plus a trailwatch.yml that names a
 * secret, a parameter and a topic. cfn-lint checks both.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyTally } from '../../lib/driver';
import { TRIGGER_SCHEMAS } from '../../lib/runtime/lambda';
import { invocationMetrics } from '../../lib/runtime/metrics';
import type { Packaged, Template } from './package';
import {
  cfnLint,
  cfnLintVersion,
  eventPatternMatches,
  motoEventPatternAvailable,
  packageStack,
  statementsOf,
} from './package';

const FUNCTIONS = ['S3Ingest', 'SnsIngest', 'LogsIngest', 'EventsIngest'] as const;
// The queue function (deploy/queue.yml) is deployed whatever its input; test/deploy/queue-template.test.ts checks it.
const ROLES = [...FUNCTIONS, 'QueueIngest', 'TrailBootstrap'].map((name) => `${name}Role`);

const CONFIG_WITH_REFERENCES = `
accounts:
  organizations: true
destinations:
  slack:
    type: slack
    webhook_url: {secretsmanager: team/slack-webhook}
  pager:
    type: pagerduty
    routing_key: {ssm: /trailwatch/pagerduty}
  mail:
    type: email
    topic_arn: arn:aws:sns:eu-west-1:123456789012:security-mail
`;

let defaultsPackage: Packaged;
let overriddenPackage: Packaged;
let defaults: Template;
let overridden: Template;

beforeAll(() => {
  defaultsPackage = packageStack([]);
  defaults = defaultsPackage.template;
  overriddenPackage = packageStack(
    [
      'snsInput=true',
      'cloudWatchLogsInput=true',
      's3Input=false',
      'alertEmails=sec@example.com, oncall@example.com',
      'slackSecretName=trailwatch/slack',
    ],
    CONFIG_WITH_REFERENCES,
  );
  overridden = overriddenPackage.template;
}, 180_000);

const resource = (template: Template, name: string) => template.Resources[name];
const roleStatements = (template: Template, role: string) =>
  statementsOf(resource(template, role)?.Properties);

describe('serverless package', () => {
  it('builds four arm64 nodejs22.x functions, each with its own role and no redundant DependsOn', () => {
    for (const name of FUNCTIONS) {
      const fn = resource(defaults, `${name}LambdaFunction`);
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Role: { 'Fn::Sub': `\${${name}Role.Arn}` },
      });
      expect([fn?.DependsOn ?? []].flat()).not.toContain(`${name}Role`);
    }
  });

  it('grants no wildcard action and no wildcard resource to any function', () => {
    for (const name of FUNCTIONS) {
      const statements = roleStatements(defaults, `${name}Role`);
      expect(statements.length).toBeGreaterThan(3);
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) expect(String(action)).not.toMatch(/\*/);
        expect(statement.Resource).not.toBe('*');
      }
    }
  });

  it('gives only the object-reading functions read access to trail objects', () => {
    const reads = (name: string) =>
      roleStatements(defaults, `${name}Role`).some((s) => s.Action === 's3:GetObject');
    expect(FUNCTIONS.filter(reads)).toEqual(['S3Ingest', 'SnsIngest']);
  });

  it('locks the trail bucket down', () => {
    const bucket = resource(defaults, 'TrailBucket')?.Properties ?? {};
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(bucket.BucketEncryption)).toContain('AES256');
    expect(bucket.LifecycleConfiguration).toMatchObject({
      Rules: [{ Status: 'Enabled', ExpirationInDays: 365 }],
    });
    const statements = statementsOf(resource(defaults, 'TrailBucketPolicy')?.Properties);
    expect(statements.find((s) => s.Sid === 'DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const write = statements.find((s) => s.Sid === 'CloudTrailWrite');
    expect(write).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
    });
    const condition = write?.Condition as { StringEquals: Record<string, unknown> } | undefined;
    expect(Object.keys(condition?.StringEquals ?? {}).sort()).toEqual([
      'aws:SourceAccount',
      'aws:SourceArn',
      's3:x-amz-acl',
    ]);
    expect(JSON.stringify(statements.find((s) => s.Sid === 'CloudTrailAclCheck')?.Condition)).toContain(
      'trail/trailwatch-test',
    );
  });

  it.each([
    // The kept trail writes to the bucket, through its policy; the table is the record of what was sent.
    ['TrailBucket', 'Retain'],
    ['TrailBucketPolicy', 'Retain'],
    ['StateTable', 'Retain'],
    // Copies, locations or keys of nothing kept: they go with the stack.
    ['TrailLogGroup', 'Delete'],
    ['TopicKey', 'Delete'],
    ['S3IngestFailures', 'Delete'],
  ])('%s: DeletionPolicy and UpdateReplacePolicy %s', (name, policy) => {
    expect(resource(defaults, name)).toMatchObject({ DeletionPolicy: policy, UpdateReplacePolicy: policy });
  });

  it('lets CloudTrail publish to the delivery topic and write the log group, for this trail only', () => {
    expect(JSON.stringify(resource(defaults, 'DeliveryTopicPolicy')?.Properties)).toMatch(
      /"aws:SourceArn":\{"Fn::Sub":"arn:\$\{AWS::Partition\}:cloudtrail:.*trail\/trailwatch-test"/,
    );
    const trust = JSON.stringify(
      resource(defaults, 'CloudTrailToLogsRole')?.Properties.AssumeRolePolicyDocument,
    );
    expect(trust).toContain('cloudtrail.amazonaws.com');
    expect(trust).toContain('aws:SourceArn');
  });

  it('encrypts both topics with a rotated customer managed key that CloudWatch alarms and CloudTrail may use', () => {
    for (const topic of ['AlertTopic', 'DeliveryTopic'])
      expect(resource(defaults, topic)?.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': ['TopicKey', 'Arn'],
      });
    const key = resource(defaults, 'TopicKey')?.Properties ?? {};
    expect(key.EnableKeyRotation).toBe(true);
    const statements = statementsOf({ PolicyDocument: key.KeyPolicy });
    const servicesUsing = statements.flatMap((s) => {
      const principal = s.Principal as { Service?: string } | undefined;
      return principal?.Service ? [[principal.Service, [s.Action].flat().sort()]] : [];
    });
    expect(Object.fromEntries(servicesUsing)).toEqual({
      'cloudwatch.amazonaws.com': ['kms:Decrypt', 'kms:GenerateDataKey*'],
      'cloudtrail.amazonaws.com': ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    // Every function publishes alerts to the encrypted topic: the key, exactly.
    for (const role of ROLES)
      expect(roleStatements(defaults, role)).toContainEqual({
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['TopicKey', 'Arn'] },
      });
  });

  it('keeps state in DynamoDB with TTL', () => {
    expect(resource(defaults, 'StateTable')?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
  });

  it('retries each asynchronous function twice, then sends the event to its own alarmed queue', () => {
    for (const name of FUNCTIONS) {
      expect(resource(defaults, `${name}AsyncConfig`)?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [`${name}Failures`, 'Arn'] } } },
      });
      expect(JSON.stringify(resource(defaults, `${name}FailuresAlarm`)?.Properties)).toContain(
        `${name}Failures`,
      );
    }
  });

  it('tells each ingest function its own encrypted failure queue, and lets it send there and nowhere else', () => {
    for (const name of FUNCTIONS) {
      expect(resource(defaults, `${name}LambdaFunction`)?.Properties.Environment).toMatchObject({
        Variables: { TRAILWATCH_FAILURE_QUEUE_URL: { Ref: `${name}Failures` } },
      });
      expect(resource(defaults, `${name}Failures`)?.Properties.SqsManagedSseEnabled).toBe(true);
      const sends = roleStatements(defaults, `${name}Role`).filter((s) =>
        String(s.Action).startsWith('sqs:'),
      );
      expect(sends).toEqual([
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [`${name}Failures`, 'Arn'] },
        },
      ]);
    }
  });

  it('alarms on every loss, doubt and refusal metric of each input, deployed with the input, to the alert topic', () => {
    const inputs = [
      { source: 's3', fn: 'S3Ingest', condition: 'S3InputEnabled' },
      { source: 'sns', fn: 'SnsIngest', condition: 'SnsInputEnabled' },
      { source: 'logs', fn: 'LogsIngest', condition: 'LogsInputEnabled' },
      { source: 'eventbridge', fn: 'EventsIngest', condition: 'EventBridgeInputEnabled' },
    ];
    // The Source dimension the handlers write is the trigger name; the metric names are the ones emitted.
    expect(inputs.map((input) => input.source).sort()).toEqual(Object.keys(TRIGGER_SCHEMAS).sort());
    const emitted = Object.keys(invocationMetrics(emptyTally()));
    const metrics = [
      'DeliveriesFailed',
      'DeliveriesUnknown',
      'RecordsSkipped',
      'PoisonRecords',
      'DataFaults',
      'RefusedEvents',
    ];
    for (const metric of metrics) expect(emitted).toContain(metric);
    for (const { source, fn, condition } of inputs) {
      for (const metric of metrics) {
        const alarm = resource(defaults, `${fn}${metric}Alarm`);
        expect(alarm?.Condition).toBe(condition);
        expect(alarm?.Properties).toMatchObject({
          Namespace: 'trailwatch',
          MetricName: metric,
          Dimensions: [{ Name: 'Source', Value: source }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: 'AlertTopic' }],
        });
      }
    }
  });

  it("alarms on each function's Lambda Errors, deployed with its input, to the alert topic", () => {
    const functions: [string, string | undefined][] = [
      ['S3Ingest', 'S3InputEnabled'],
      ['SnsIngest', 'SnsInputEnabled'],
      ['LogsIngest', 'LogsInputEnabled'],
      ['EventsIngest', 'EventBridgeInputEnabled'],
      ['QueueIngest', 'QueueInputEnabled'],
      // Invoked by its schedule whatever the inputs.
      ['TrailBootstrap', undefined],
    ];
    const errorAlarms = (template: Template) =>
      Object.entries(template.Resources)
        .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/Lambda')
        .map(([name]) => name)
        .sort();
    expect(errorAlarms(defaults)).toEqual(functions.map(([fn]) => `${fn}ErrorsAlarm`).sort());
    for (const [fn, condition] of functions) {
      const alarm = resource(defaults, `${fn}ErrorsAlarm`);
      expect(alarm?.Condition).toBe(condition);
      expect(alarm?.Properties).toMatchObject({
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlertTopic' }],
      });
      // The notification says where the events that failed are kept: the queue function's batches
      // are retried by SQS and kept by its dead-letter queue, not by Lambda's OnFailure destination.
      expect(alarm?.Properties.AlarmDescription).toContain(
        fn === 'QueueIngest' ? 'IngestDeadLetters queue' : `${fn}Failures queue`,
      );
      expect(resource(defaults, `${fn}Failures`)?.Type).toBe('AWS::SQS::Queue');
    }
  });

  it('has the bootstrap function apply the trail as a custom resource, and check it on a schedule', () => {
    expect(resource(defaults, 'Trail')).toMatchObject({
      Type: 'Custom::TrailwatchTrail',
      Condition: 'CreateTrail',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['TrailBootstrapLambdaFunction', 'Arn'] },
        TrailName: 'trailwatch-test',
        BucketName: { Ref: 'TrailBucket' },
      },
    });
    expect(JSON.stringify(resource(defaults, 'TrailBootstrapEventsRuleSchedule1')?.Properties)).toContain(
      'rate(15 minutes)',
    );
    const statements = roleStatements(defaults, 'TrailBootstrapRole');
    for (const statement of statements)
      for (const action of [statement.Action].flat()) expect(String(action)).not.toMatch(/\*/);
    // DescribeTrails has no resource-level permission; it alone may name every resource.
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([
      'cloudtrail:DescribeTrails',
    ]);
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
    });
    expect(resource(defaults, 'TrailBootstrapAsyncConfig')?.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
    });
  });

  it('wires each input to its function, each behind its parameter', () => {
    expect(defaults.Conditions).toMatchObject({
      S3InputEnabled: { 'Fn::Equals': ['true', 'true'] },
      SnsInputEnabled: { 'Fn::Equals': ['false', 'true'] },
      LogsInputEnabled: { 'Fn::Equals': ['false', 'true'] },
      EventBridgeInputEnabled: { 'Fn::Equals': ['true', 'true'] },
    });
    expect(overridden.Conditions).toMatchObject({
      S3InputEnabled: { 'Fn::Equals': ['false', 'true'] },
      SnsInputEnabled: { 'Fn::Equals': ['true', 'true'] },
      LogsInputEnabled: { 'Fn::Equals': ['true', 'true'] },
    });
    expect(resource(defaults, 'SnsIngestSubscription')).toMatchObject({
      Condition: 'SnsInputEnabled',
      Properties: { Protocol: 'lambda' },
    });
    expect(resource(defaults, 'LogsIngestSubscriptionFilter')).toMatchObject({
      Condition: 'LogsInputEnabled',
    });
    expect(resource(defaults, 'EventsIngestRule')).toMatchObject({ Condition: 'EventBridgeInputEnabled' });
    // The bucket notifies the s3Ingest function unless the queue takes its notifications (deploy/queue.yml).
    expect(JSON.stringify(resource(defaults, 'TrailBucket')?.Properties.NotificationConfiguration)).toContain(
      'S3DirectToFunction',
    );
    expect(JSON.stringify(defaults.Conditions.S3DirectToFunction)).toContain('S3InputEnabled');
    for (const permission of [
      'S3IngestInvokePermission',
      'SnsIngestInvokePermission',
      'LogsIngestInvokePermission',
      'EventsIngestInvokePermission',
    ]) {
      expect(resource(defaults, permission)?.Properties.SourceArn).toBeDefined();
    }
  });

  it('takes only AWS sources with a CloudTrail detail type on the EventBridge rule', () => {
    const pattern = resource(defaults, 'EventsIngestRule')?.Properties.EventPattern as
      | { source: unknown; 'detail-type': string[] }
      | undefined;
    expect(pattern?.source).toEqual([{ prefix: 'aws.' }]);
    expect(pattern?.['detail-type']).toContain('AWS Console Sign In via CloudTrail');
    expect(pattern?.['detail-type']).toContain('AWS API Call via CloudTrail');
  });

  it.skipIf(!motoEventPatternAvailable)(
    "matches AWS services' CloudTrail events and not a forged evil.app one (moto's EventBridge matcher)",
    () => {
      const pattern = resource(defaults, 'EventsIngestRule')?.Properties.EventPattern;
      const event = (source: string, detailType = 'AWS API Call via CloudTrail') => ({
        version: '0',
        id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        'detail-type': detailType,
        source,
        account: '123456789012',
        time: '2026-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { eventName: 'CreateUser' },
      });
      const cases: [string, unknown, boolean][] = [
        ['aws.iam API call', event('aws.iam'), true],
        ['aws.signin console sign-in', event('aws.signin', 'AWS Console Sign In via CloudTrail'), true],
        ['forged evil.app with a CloudTrail detail type', event('evil.app'), false],
        ['forged "aws" without the dot', event('aws'), false],
        ['forged AWS.iam (matching is case-sensitive)', event('AWS.iam'), false],
        ['aws.iam with another detail type', event('aws.iam', 'Something Else'), false],
      ];
      expect(
        eventPatternMatches(
          pattern,
          cases.map(([, e]) => e),
        ),
      ).toEqual(cases.map(([, , match]) => match));
    },
  );
  it.runIf(!motoEventPatternAvailable)(
    'EventBridge pattern check skipped: python3 with moto not installed',
    () => {
      console.warn("python3 -c 'import moto' failed: the EventBridge pattern is checked by shape only");
    },
  );

  it('grants the Slack secret only when one is named, and scopes it', () => {
    const secretGrant = (template: Template) =>
      JSON.stringify(roleStatements(template, 'S3IngestRole').filter((s) => 'Fn::If' in s));
    expect(resource(defaults, 'AlertTopic')?.Properties.Subscription).toEqual([]);
    expect(overridden.Resources.AlertTopic?.Properties.Subscription).toEqual([
      { Endpoint: 'sec@example.com', Protocol: 'email' },
      { Endpoint: 'oncall@example.com', Protocol: 'email' },
    ]);
    expect(secretGrant(overridden)).toContain('secret:trailwatch/slack-??????');
    expect(secretGrant(overridden)).toContain('HasSlackSecret');
    expect(secretGrant(defaults)).not.toContain('trailwatch-no-slack-secret');
    expect(defaults.Conditions.HasSlackSecret).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(overridden.Resources.S3IngestLambdaFunction?.Properties.Environment).toMatchObject({
      Variables: { TRAILWATCH_SLACK_SECRET: 'trailwatch/slack' },
    });
  });

  it('grants exactly the secrets, parameters and topics the packaged trailwatch.yml names, and nothing without one', () => {
    expect(resource(defaults, 'ConfiguredDestinationsPolicy')).toBeUndefined();
    const policy = resource(overridden, 'ConfiguredDestinationsPolicy');
    expect(policy?.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy?.Properties.Roles).toEqual(ROLES.map((role) => ({ Ref: role })));
    expect(statementsOf(policy?.Properties)).toEqual([
      {
        Sid: 'ReadConfiguredSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          {
            'Fn::Sub':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
              'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:team/slack-webhook-??????',
          },
        ],
      },
      {
        Sid: 'ReadConfiguredParameters',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: [
          {
            'Fn::Sub':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
              'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/trailwatch/pagerduty',
          },
        ],
      },
      {
        Sid: 'PublishToConfiguredTopics',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: ['arn:aws:sns:eu-west-1:123456789012:security-mail'],
      },
    ]);
    const listing = execFileSync('unzip', ['-l', join(overriddenPackage.dir, 's3Ingest.zip')], {
      encoding: 'utf8',
    });
    expect(listing).toMatch(/ trailwatch\.yml\n/);
  });

  it('lets every function list the organization accounts only when trailwatch.yml asks for their names', () => {
    expect(resource(defaults, 'AccountNamesFromOrganizationsPolicy')).toBeUndefined();
    const policy = resource(overridden, 'AccountNamesFromOrganizationsPolicy');
    expect(policy?.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy?.Properties.Roles).toEqual(ROLES.map((role) => ({ Ref: role })));
    // ListAccounts takes no resource; it is the only Organizations action any role gets.
    expect(statementsOf(policy?.Properties)).toEqual([
      {
        Sid: 'ListOrganizationAccounts',
        Effect: 'Allow',
        Action: 'organizations:ListAccounts',
        Resource: '*',
      },
    ]);
    const organizationsActions = (template: Template) =>
      Object.values(template.Resources)
        .flatMap((r) => statementsOf(r.Properties))
        .flatMap((s) => [s.Action].flat())
        .filter((action) => String(action).startsWith('organizations:'));
    expect(organizationsActions(defaults)).toEqual([]);
    expect(organizationsActions(overridden)).toEqual(['organizations:ListAccounts']);
  });

  it('packages each bundle with the rule pack', () => {
    const listing = execFileSync('unzip', ['-l', join(defaultsPackage.dir, 's3Ingest.zip')], {
      encoding: 'utf8',
    });
    expect(listing).toMatch(/functions\/s3\.cjs\n/);
    // Pre-parsed at build time; the YAML is not shipped beside it (test/deploy/bundles.test.ts).
    expect(listing).toMatch(/ dist\/rules-pack\.json\n/);
    expect(listing).not.toMatch(/ trailwatch\.yml\n/);
  });
});

describe.skipIf(cfnLintVersion === undefined)(`cfn-lint (${cfnLintVersion ?? 'not installed'})`, () => {
  it('finds no error and no warning in the default template (W8003, W1028 skipped in its Metadata, with reasons)', () => {
    expect(defaults.Metadata).toEqual({ 'cfn-lint': { config: { ignore_checks: ['W8003', 'W1028'] } } });
    expect(cfnLint(defaultsPackage.templateFile)).toEqual({ status: 0, output: '' });
  });

  it('finds no error and no warning with every input on, a Slack secret and a trailwatch.yml', () => {
    expect(cfnLint(overriddenPackage.templateFile)).toEqual({ status: 0, output: '' });
  });
});

describe.runIf(cfnLintVersion === undefined)('cfn-lint', () => {
  it('is skipped: cfn-lint is not installed (pip install cfn-lint, or set CFN_LINT)', () => {
    console.warn('cfn-lint not found: the packaged template was not linted');
  });
});
