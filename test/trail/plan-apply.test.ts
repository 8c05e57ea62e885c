/**
 * `trail plan` announces exactly the calls `trail apply` makes: both commands run against the same
 * mocked AWS answers, and the commands apply sent (in order, with their inputs, across the S3, SNS
 * and CloudTrail clients) equal the calls plan printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrailCliOptions } from '../../lib/cli/trail';
import { runTrailDescribe, runTrailPlan, runTrailStatus } from '../../lib/cli/trail';
import { captureCliIo } from '../helpers/cli';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const TRAIL = 'org-audit';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const instant = { pacing: { sleep: async () => {} } };

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

async function run(
  command: (options: TrailCliOptions, io: Parameters<typeof runTrailStatus>[1]) => Promise<number>,
  options: TrailCliOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, finish } = captureCliIo();
  return finish(await command(options, io));
}

function config(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'trailwatch-plan-')), 'trailwatch.yml');
  writeFileSync(file, text);
  return file;
}

const TRAIL_CONFIG = `trail:
  name: ${TRAIL}
  bucket: {name: org-audit-logs, create: true, prefix: audit}
  sns_topic: deliveries
  tags: {Compliance: Auditing, Owner: secops}
  insights: [ApiCallRateInsight]
`;

function mockAws() {
  return {
    sts: mockClient(STSClient),
    cloudtrail: mockClient(CloudTrailClient),
    s3: mockClient(S3Client),
    sns: mockClient(SNSClient),
  };
}
type Mocks = ReturnType<typeof mockAws>;

/** A command as the mocks record it: its class names the API action. */
interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: unknown;
}

describe('plan announces exactly the calls apply makes', () => {
  let mocks: Mocks;

  beforeEach(() => {
    mocks = mockAws();
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/admin` });
    mocks.sns.on(GetTopicAttributesCommand).resolves({
      Attributes: { Policy: JSON.stringify({ Statement: [{ Sid: 'Owner', Effect: 'Allow' }] }) },
    });
  });

  afterEach(() => {
    for (const mock of Object.values(mocks)) mock.restore();
  });

  /** The mutating commands the clients sent, in the order they were sent, with their inputs. */
  function sentWrites(): { call: string; input: unknown }[] {
    const calls = [...mocks.cloudtrail.calls(), ...mocks.s3.calls(), ...mocks.sns.calls()];
    return calls
      .sort((a, b) => (a.calledBefore(b) ? -1 : 1))
      .map((call): SentCommand => call.args[0])
      .map((command) => ({ call: command.constructor.name.replace(/Command$/, ''), input: command.input }))
      .filter(({ call }) => !/^(Get|Head|List|Describe)/.test(call));
  }

  const scenarios: [string, (mocks: Mocks) => void, string[]][] = [
    [
      'nothing exists yet',
      (mocks) => {
        mocks.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
        mocks.s3.on(HeadBucketCommand).rejects(awsError('NotFound', 404));
      },
      [
        'CreateBucket',
        'PutPublicAccessBlock',
        'PutBucketEncryption',
        'PutBucketPolicy',
        'SetTopicAttributes',
        'CreateTrail',
        'PutEventSelectors',
        'PutInsightSelectors',
        'StartLogging',
      ],
    ],
    [
      'the trail drifted, logging stopped, and the bucket policy has its owner statements',
      (mocks) => {
        mocks.cloudtrail
          .on(DescribeTrailsCommand)
          .resolves({
            trailList: [
              {
                Name: TRAIL,
                TrailARN: TRAIL_ARN,
                HomeRegion: REGION,
                S3BucketName: 'org-audit-logs',
                S3KeyPrefix: 'old',
                SnsTopicName: 'deliveries',
                IsMultiRegionTrail: true,
                IncludeGlobalServiceEvents: true,
                LogFileValidationEnabled: true,
              },
            ],
          })
          .on(GetTrailStatusCommand)
          .resolves({ IsLogging: false })
          .on(GetEventSelectorsCommand)
          .resolves({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] })
          .on(GetInsightSelectorsCommand)
          .rejects(awsError('InsightNotEnabledException', 400))
          .on(ListTagsCommand)
          .resolves({
            ResourceTagList: [
              { ResourceId: TRAIL_ARN, TagsList: [{ Key: 'Compliance', Value: 'Auditing' }] },
            ],
          });
        mocks.s3
          .on(HeadBucketCommand)
          .resolves({})
          .on(GetBucketPolicyCommand)
          .resolves({
            Policy: JSON.stringify({ Statement: [{ Sid: 'KeepMe', Effect: 'Deny', Principal: '*' }] }),
          });
      },
      [
        'PutBucketPolicy',
        'SetTopicAttributes',
        'UpdateTrail',
        'PutEventSelectors',
        'PutInsightSelectors',
        'AddTags',
        'StartLogging',
      ],
    ],
  ];

  for (const [name, arrange, calls] of scenarios) {
    it(name, async () => {
      arrange(mocks);
      const options = { config: config(TRAIL_CONFIG), region: REGION };
      const printed = await run((o, io) => runTrailPlan(o, io, false, instant), { ...options, json: true });
      expect(printed.code).toBe(0);
      const plan = JSON.parse(printed.stdout) as { calls: { call: string; input: unknown }[] };
      expect(plan.calls.map((c) => c.call)).toEqual(calls);
      // The text form lists the same calls, numbered, in the same order.
      const text = await run((o, io) => runTrailPlan(o, io, false, instant), options);
      expect([...text.stdout.matchAll(/^ {2}\d+\. (\w+) \(/gm)].map((m) => m[1])).toEqual(calls);

      for (const mock of Object.values(mocks)) mock.resetHistory();
      const applied = await run((o, io) => runTrailPlan(o, io, true, instant), options);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toBe(`trail ${TRAIL} in ${REGION}: ${calls.join(', ')}\n`);
      expect(sentWrites()).toEqual(plan.calls.map(({ call, input }) => ({ call, input })));
    });
  }

  it("keeps the bucket policy's other statements and the topic policy's", async () => {
    scenarios[1]?.[1](mocks);
    const printed = await run((o, io) => runTrailPlan(o, io, false, instant), {
      config: config(TRAIL_CONFIG),
      region: REGION,
      json: true,
    });
    const calls = (JSON.parse(printed.stdout) as { calls: { call: string; input: Record<string, string> }[] })
      .calls;
    const bucketPolicy = JSON.parse(calls.find((c) => c.call === 'PutBucketPolicy')?.input.Policy ?? '{}');
    expect(bucketPolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'KeepMe',
      'TrailwatchDenyInsecureTransport',
      'TrailwatchCloudTrailAclCheck',
      'TrailwatchCloudTrailWrite',
    ]);
    const topicPolicy = JSON.parse(
      calls.find((c) => c.call === 'SetTopicAttributes')?.input.AttributeValue ?? '{}',
    );
    expect(topicPolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'Owner',
      'TrailwatchCloudTrailPublish',
    ]);
  });

  it('a failed call stops apply and names the call, the resource and that retrying will not help', async () => {
    scenarios[0]?.[1](mocks);
    mocks.s3.on(PutBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
    const applied = await run((o, io) => runTrailPlan(o, io, true, instant), {
      config: config(TRAIL_CONFIG),
      region: REGION,
    });
    expect(applied.code).toBe(1);
    expect(applied.stderr).toBe(
      'trailwatch: error: PutBucketPolicy failed: AccessDenied: the credentials in use lack the permission for this call. (bucket org-audit-logs)\n',
    );
    expect(sentWrites().map((c) => c.call)).toEqual([
      'CreateBucket',
      'PutPublicAccessBlock',
      'PutBucketEncryption',
      'PutBucketPolicy',
    ]);
  });
});

describe('status and describe use the trail in trailwatch.yml', () => {
  let mocks: Mocks;
  beforeEach(() => {
    mocks = mockAws();
    mocks.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
    mocks.cloudtrail
      .on(GetTrailStatusCommand)
      .resolves({ IsLogging: true })
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: TRAIL, TrailARN: TRAIL_ARN, HomeRegion: REGION, S3BucketName: 'b' }] });
  });
  afterEach(() => {
    for (const mock of Object.values(mocks)) mock.restore();
  });

  const inputs = () => mocks.cloudtrail.calls().map((call) => call.args[0].input);
  const withTrail = () => config(TRAIL_CONFIG);
  const withoutTrail = () => config('placeholders: {}\n');

  const cases: [string, TrailCliOptions & { configText: () => string }, 'status' | 'describe', unknown][] = [
    ['status, trail from the config', { configText: withTrail }, 'status', { Name: TRAIL }],
    [
      'status, --name wins over the config',
      { configText: withTrail, name: 'other' },
      'status',
      { Name: 'other' },
    ],
    ['describe, trail from the config', { configText: withTrail }, 'describe', { trailNameList: [TRAIL] }],
    [
      'describe, --name',
      { configText: withoutTrail, name: 'other' },
      'describe',
      { trailNameList: ['other'] },
    ],
    [
      'describe, no trail named anywhere: every trail',
      { configText: withoutTrail },
      'describe',
      { includeShadowTrails: false },
    ],
  ];
  for (const [name, { configText, ...flags }, command, input] of cases) {
    it(name, async () => {
      const options = { ...flags, config: configText(), region: REGION };
      const result = await run(
        (o, io) => (command === 'status' ? runTrailStatus(o, io, instant) : runTrailDescribe(o, io, instant)),
        options,
      );
      expect(result.code).toBe(0);
      expect(inputs()).toEqual([input]);
    });
  }

  it('status with no trail named anywhere says how to name one', async () => {
    const result = await run((o, io) => runTrailStatus(o, io, instant), { config: withoutTrail() }).catch(
      (error: Error) => ({ code: 2, stdout: '', stderr: error.message }),
    );
    expect(result.stderr).toMatch(/name the trail with --name, or define trail: in trailwatch.yml/);
    expect(inputs()).toEqual([]);
  });
});
