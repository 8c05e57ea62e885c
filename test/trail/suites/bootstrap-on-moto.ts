import { join } from 'node:path';
import { CloudTrailClient, DescribeTrailsCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTrailBootstrapHandler } from '../../../lib/bootstrap';
import { SecretResolver } from '../../../lib/notify';
import { shippedRulesDir } from '../../../lib/rules';
import { MemoryStateStore } from '../../../lib/state';
import { connectTrail } from '../../../lib/trail';
import type { Receiver } from '../../helpers/receiver';
import { startReceiver } from '../../helpers/receiver';
import { capturingLogger, testRuntime } from '../../helpers/runtime';
import type { SharedMoto } from '../shared-moto';

const BUCKET = 'stack-trail-bucket';
const TRAIL = 'stack-trail';
/**
 * Health alerts route through the config's destinations whatever the rules, so one shipped rule
 * stands in for the pack: compiling all of it for every handler took most of this file's time.
 */
const ONE_RULE = join(shippedRulesDir(), 'cis', '4.1-unauthorized-api-calls.yml');

/**
 * The bootstrap function against moto_server, in us-east-1: registered inside a describe
 * (test/trail/aws.moto.test.ts).
 */
export function bootstrapOnMoto(moto: SharedMoto): void {
  let cloudformation: Receiver;
  let slack: Receiver;
  let accountId: string;

  beforeAll(async () => {
    cloudformation = await startReceiver();
    slack = await startReceiver();
    const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    accountId = (await connectTrail({ region: 'us-east-1', endpoint: moto.endpoint })).accountId;
    // The stack's bucket policy, as deploy/resources.yml writes it.
    const trailArn = `arn:aws:cloudtrail:us-east-1:${accountId}:trail/${TRAIL}`;
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:GetBucketAcl',
              Resource: `arn:aws:s3:::${BUCKET}`,
              Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
            },
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${accountId}/*`,
              Condition: {
                StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
              },
            },
          ],
        }),
      }),
    );
    s3.destroy();
  }, 60_000);

  afterAll(async () => {
    await cloudformation?.close();
    await slack?.close();
  });

  beforeEach(() => {
    cloudformation.requests.length = 0;
    slack.requests.length = 0;
  });

  function handler() {
    const runtime = testRuntime(
      `rules: {shipped: false, paths: ['${ONE_RULE}']}\ndestinations:\n  slack: {type: slack, webhook_url: {env: SLACK}}\nrouting:\n  defaults: {high: [slack], medium: [slack]}\n`,
      {
        state: new MemoryStateStore(),
        notifier: { secrets: new SecretResolver({ env: { SLACK: slack.url } }) },
      },
    );
    return createTrailBootstrapHandler({
      runtime,
      log: capturingLogger().log,
      connect: () =>
        connectTrail({ region: 'us-east-1', endpoint: moto.endpoint, pacing: { sleep: async () => {} } }),
      trailName: TRAIL,
    });
  }

  const resourceEvent = (
    RequestType: 'Create' | 'Update' | 'Delete',
    properties: Record<string, string> = {},
  ) => ({
    RequestType,
    ResponseURL: `${cloudformation.url}?X-Amz-Signature=abc`,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/trailwatch-dev/1',
    RequestId: `req-${RequestType}`,
    LogicalResourceId: 'Trail',
    ...(RequestType === 'Create'
      ? {}
      : { PhysicalResourceId: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/${TRAIL}` }),
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x',
      TrailName: TRAIL,
      BucketName: BUCKET,
      MultiRegion: 'true',
      Organization: 'false',
      SnsTopicName: '',
      ...properties,
    },
  });

  /**
   * The trails named TRAIL whose home is us-east-1. By name, and without shadow trails: moto answers
   * DescribeTrails with every trail, whatever trailNameList says, and the other suite on this
   * moto_server makes multi-region trails in eu-west-1.
   */
  async function stackTrails() {
    const client = new CloudTrailClient({ region: 'us-east-1', endpoint: moto.endpoint });
    const described = await client.send(
      new DescribeTrailsCommand({ trailNameList: [TRAIL], includeShadowTrails: false }),
    );
    client.destroy();
    return (described.trailList ?? []).filter((trail) => trail.Name === TRAIL);
  }

  const answer = () =>
    JSON.parse(cloudformation.requests[0]?.body ?? '{}') as {
      Status: string;
      Reason?: string;
      PhysicalResourceId: string;
    };

  it('Create makes the trail and answers CloudFormation SUCCESS with its ARN', async () => {
    await handler()(resourceEvent('Create'), {});
    expect(cloudformation.requests[0]?.method).toBe('PUT');
    expect(answer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/${TRAIL}`,
    });
    const trails = await stackTrails();
    expect(trails).toHaveLength(1);
    expect(trails[0]).toMatchObject({
      S3BucketName: BUCKET,
      IsMultiRegionTrail: true,
      LogFileValidationEnabled: true,
    });
  });

  it('Update answers SUCCESS; Delete keeps the trail', async () => {
    await handler()(resourceEvent('Update'), {});
    expect(answer().Status).toBe('SUCCESS');
    cloudformation.requests.length = 0;
    await handler()(resourceEvent('Delete'), {});
    expect(answer().Status).toBe('SUCCESS');
    expect(await stackTrails()).toHaveLength(1);
  });

  it('a trail that cannot be made answers FAILED with the reason in plain words', async () => {
    await handler()(resourceEvent('Create', { TrailName: 'x', BucketName: 'no-such-bucket' }), {});
    expect(answer()).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/trail name 'x' must be 3 to 128 characters long/),
    });
  });

  it('the scheduled check alerts through Slack when logging stops, once per hour', async () => {
    const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    await handler()(scheduled, {});
    expect(slack.requests).toEqual([]);
    const client = new CloudTrailClient({ region: 'us-east-1', endpoint: moto.endpoint });
    await client.send(new StopLoggingCommand({ Name: TRAIL }));
    client.destroy();
    const h = handler();
    await h(scheduled, {});
    expect(slack.requests).toHaveLength(1);
    expect(JSON.parse(slack.requests[0]?.body ?? '{}').text).toMatch(
      /^HIGH: CloudTrail trail stack-trail is not healthy: logging: logging is stopped/,
    );
    await h(scheduled, {});
    expect(slack.requests).toHaveLength(1);
  });

  it('refuses events it does not take', async () => {
    await expect(handler()({ hello: 'world' }, {})).rejects.toThrow(
      /takes a CloudFormation custom resource event or its scheduled health check/,
    );
  });
}
