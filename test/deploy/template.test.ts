/**
 * What `serverless deploy` would create, read from the template `serverless package` writes,
 * offline, as a user's clean clone would produce it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FUNCTIONS = ['S3Ingest', 'SnsIngest', 'LogsIngest', 'EventsIngest'] as const;

type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>;
  Conditions: Record<string, unknown>;
};

function packageStack(params: string[]): { template: Template; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-package-'));
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'),
      'package',
      '--stage',
      'test',
      '--package',
      dir,
      ...params.map((p) => `--param=${p}`),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: 'pipe',
    },
  );
  return {
    template: JSON.parse(
      readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template,
    dir,
  };
}

function statementsOf(policyHolder: Record<string, unknown>): Record<string, unknown>[] {
  const policies = (policyHolder.Policies ?? []) as {
    PolicyDocument: { Statement: Record<string, unknown>[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

let defaults: Template;
let overridden: Template;
let packageDir: string;

beforeAll(() => {
  const first = packageStack([]);
  defaults = first.template;
  packageDir = first.dir;
  overridden = packageStack([
    'snsInput=true',
    'cloudWatchLogsInput=true',
    's3Input=false',
    'alertEmails=sec@example.com, oncall@example.com',
    'slackSecretName=trailwatch/slack',
  ]).template;
}, 120_000);

describe('serverless package', () => {
  it('builds four arm64 nodejs22.x functions, each with its own role', () => {
    for (const name of FUNCTIONS) {
      const fn = defaults.Resources[`${name}LambdaFunction`];
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Role: { 'Fn::GetAtt': [`${name}Role`, 'Arn'] },
      });
    }
  });

  it('grants no wildcard action and no wildcard resource to any function', () => {
    for (const name of FUNCTIONS) {
      const statements = statementsOf(defaults.Resources[`${name}Role`]?.Properties ?? {});
      expect(statements.length).toBeGreaterThan(3);
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) expect(String(action)).not.toMatch(/\*/);
        expect(statement.Resource).not.toBe('*');
      }
    }
  });

  it('gives only the object-reading functions read access to trail objects', () => {
    const reads = (name: string) =>
      statementsOf(defaults.Resources[`${name}Role`]?.Properties ?? {}).some(
        (s) => s.Action === 's3:GetObject',
      );
    expect(FUNCTIONS.filter(reads)).toEqual(['S3Ingest', 'SnsIngest']);
  });

  it('locks the trail bucket down', () => {
    const bucket = defaults.Resources.TrailBucket?.Properties ?? {};
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
    const policy = defaults.Resources.TrailBucketPolicy?.Properties.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = policy?.Statement ?? [];
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

  it('lets CloudTrail publish to the delivery topic and write the log group, for this trail only', () => {
    expect(JSON.stringify(defaults.Resources.DeliveryTopicPolicy?.Properties)).toMatch(
      /"aws:SourceArn":\{"Fn::Sub":"arn:\$\{AWS::Partition\}:cloudtrail:.*trail\/trailwatch-test"/,
    );
    const trust = JSON.stringify(
      defaults.Resources.CloudTrailToLogsRole?.Properties.AssumeRolePolicyDocument,
    );
    expect(trust).toContain('cloudtrail.amazonaws.com');
    expect(trust).toContain('aws:SourceArn');
  });

  it('keeps state in DynamoDB with TTL', () => {
    expect(defaults.Resources.StateTable?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
  });

  it('retries each asynchronous function twice, then sends the event to its own alarmed queue', () => {
    for (const name of FUNCTIONS) {
      expect(defaults.Resources[`${name}AsyncConfig`]?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [`${name}Failures`, 'Arn'] } } },
      });
      expect(JSON.stringify(defaults.Resources[`${name}FailuresAlarm`]?.Properties)).toContain(
        `${name}Failures`,
      );
    }
  });

  it('has the bootstrap function apply the trail as a custom resource, and check it on a schedule', () => {
    expect(defaults.Resources.Trail).toMatchObject({
      Type: 'Custom::TrailwatchTrail',
      Condition: 'CreateTrail',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['TrailBootstrapLambdaFunction', 'Arn'] },
        TrailName: 'trailwatch-test',
        BucketName: { Ref: 'TrailBucket' },
      },
    });
    expect(JSON.stringify(defaults.Resources.TrailBootstrapEventsRuleSchedule1?.Properties)).toContain(
      'rate(15 minutes)',
    );
    const statements = statementsOf(defaults.Resources.TrailBootstrapRole?.Properties ?? {});
    for (const statement of statements)
      for (const action of [statement.Action].flat()) expect(String(action)).not.toMatch(/\*/);
    // DescribeTrails has no resource-level permission; it alone may name every resource.
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([
      'cloudtrail:DescribeTrails',
    ]);
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
    });
    expect(defaults.Resources.TrailBootstrapAsyncConfig?.Properties).toMatchObject({
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
    expect(defaults.Resources.SnsIngestSubscription).toMatchObject({
      Condition: 'SnsInputEnabled',
      Properties: { Protocol: 'lambda' },
    });
    expect(defaults.Resources.LogsIngestSubscriptionFilter).toMatchObject({ Condition: 'LogsInputEnabled' });
    expect(defaults.Resources.EventsIngestRule).toMatchObject({ Condition: 'EventBridgeInputEnabled' });
    const pattern = defaults.Resources.EventsIngestRule?.Properties.EventPattern as
      | { 'detail-type': string[] }
      | undefined;
    expect(pattern?.['detail-type']).toContain('AWS Console Sign In via CloudTrail');
    expect(JSON.stringify(defaults.Resources.TrailBucket?.Properties.NotificationConfiguration)).toContain(
      'S3InputEnabled',
    );
    for (const permission of [
      'S3IngestInvokePermission',
      'SnsIngestInvokePermission',
      'LogsIngestInvokePermission',
      'EventsIngestInvokePermission',
    ]) {
      expect(defaults.Resources[permission]?.Properties.SourceArn).toBeDefined();
    }
  });

  it('subscribes the alert emails given as a parameter and scopes the Slack secret', () => {
    expect(defaults.Resources.AlertTopic?.Properties.Subscription).toEqual([]);
    expect(overridden.Resources.AlertTopic?.Properties.Subscription).toEqual([
      { Endpoint: 'sec@example.com', Protocol: 'email' },
      { Endpoint: 'oncall@example.com', Protocol: 'email' },
    ]);
    const secretStatement = statementsOf(overridden.Resources.S3IngestRole?.Properties ?? {}).find(
      (s) => s.Action === 'secretsmanager:GetSecretValue',
    );
    expect(JSON.stringify(secretStatement?.Resource)).toContain('secret:trailwatch/slack-??????');
    expect(overridden.Resources.S3IngestLambdaFunction?.Properties.Environment).toMatchObject({
      Variables: { TRAILWATCH_SLACK_SECRET: 'trailwatch/slack' },
    });
  });

  it('packages each bundle with the rule pack', () => {
    const listing = execFileSync('unzip', ['-l', join(packageDir, 's3Ingest.zip')], { encoding: 'utf8' });
    expect(listing).toMatch(/functions\/s3\.mjs\n/);
    expect((listing.match(/rules\/.*\.yml/g) ?? []).length).toBeGreaterThanOrEqual(50);
  });
});
