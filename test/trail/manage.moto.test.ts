import { CloudTrailClient, PutEventSelectorsCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredTrail, TrailContext } from '../../lib/trail';
import {
  applyTrail,
  checkTrailHealth,
  connectTrail,
  desiredTrail,
  observeTrail,
  planTrail,
} from '../../lib/trail';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

function desired(name: string, extra: Partial<Parameters<typeof desiredTrail>[0]> = {}): DesiredTrail {
  const result = desiredTrail({
    name,
    bucket: { name: `${name}-logs`, create: true },
    insights: ['ApiCallRateInsight'],
    ...extra,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.trail;
}

describe.skipIf(!motoAvailable)('plan and apply against moto_server', () => {
  let moto: Moto;
  let context: TrailContext;
  const waits: number[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
    let clock = 0;
    context = await connectTrail({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      pacing: {
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      },
    });
  }, 60_000);

  afterAll(async () => moto?.stop());

  it('creates bucket, policy and trail, then a second apply changes nothing', async () => {
    const want = desired('audit-trail');
    const plan = planTrail(context, want, await observeTrail(context, want.name, want.bucket));
    expect(plan.map((c) => c.call)).toEqual([
      'CreateBucket',
      'PutBucketPolicy',
      'CreateTrail',
      'PutEventSelectors',
      'PutInsightSelectors',
      'AddTags',
      'StartLogging',
    ]);
    const made = await applyTrail(context, want, plan);
    expect(made).toEqual([
      'CreateBucket',
      'PutBucketPolicy',
      'CreateTrail',
      'PutEventSelectors',
      'PutInsightSelectors',
      'StartLogging',
    ]);
    const again = planTrail(context, want, await observeTrail(context, want.name, want.bucket));
    expect(again).toEqual([]);
  });

  it('paces mutating calls one second apart', () => {
    expect(waits.filter((ms) => ms > 100).every((ms) => ms <= 1000)).toBe(true);
    expect(waits.some((ms) => ms === 1000)).toBe(true);
  });

  it('a healthy trail passes validation; a stopped one, drifted selectors and a broken bucket policy do not', async () => {
    const want = desired('health-trail');
    await applyTrail(
      context,
      want,
      planTrail(context, want, await observeTrail(context, want.name, want.bucket)),
    );
    const check = async () =>
      checkTrailHealth(context, want.name, await observeTrail(context, want.name, want.bucket), {
        desired: want,
        staleAfterMinutes: 60,
        now: Date.now(),
      });
    const healthy = await check();
    expect(healthy.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(healthy.healthy).toBe(true);

    const client = new CloudTrailClient({ region: 'eu-west-1', endpoint: moto.endpoint });
    await client.send(new StopLoggingCommand({ Name: want.name }));
    await client.send(
      new PutEventSelectorsCommand({
        TrailName: want.name,
        EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }],
      }),
    );
    await context.s3.send(
      new PutBucketPolicyCommand({
        Bucket: want.bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: `arn:aws:s3:::${want.bucket}/*`,
            },
          ],
        }),
      }),
    );
    client.destroy();
    const broken = await check();
    expect(broken.healthy).toBe(false);
    expect(broken.findings.map((f) => f.check).sort()).toEqual(['bucket-policy', 'drift', 'logging']);
    expect(broken.findings.find((f) => f.check === 'drift')?.message).toMatch(
      /event selectors differs from trailwatch\.yml/,
    );

    // apply puts it right again, and says what it did.
    const repair = planTrail(context, want, await observeTrail(context, want.name, want.bucket));
    expect(repair.map((c) => c.call)).toEqual(['PutBucketPolicy', 'PutEventSelectors', 'StartLogging']);
    await applyTrail(context, want, repair);
    expect((await check()).healthy).toBe(true);
  });

  it('updates only what changed, and warns about a single-region trail outside us-east-1', async () => {
    const want = desired('update-trail');
    await applyTrail(
      context,
      want,
      planTrail(context, want, await observeTrail(context, want.name, want.bucket)),
    );
    const single = { ...want, multiRegion: false };
    const plan = planTrail(context, single, await observeTrail(context, want.name, want.bucket));
    expect(plan.map((c) => [c.what, c.call])).toEqual([['IsMultiRegionTrail', 'UpdateTrail']]);
    await applyTrail(context, single, plan);
    const report = checkTrailHealth(context, want.name, await observeTrail(context, want.name, want.bucket), {
      staleAfterMinutes: 60,
    });
    expect(report.findings).toContainEqual({
      severity: 'warning',
      check: 'multi-region',
      message: expect.stringMatching(
        /IAM, STS and other global services are logged in us-east-1, so this trail misses them/,
      ),
    });
  });

  it('a delivery topic gets CloudTrail publish permission scoped to the trail, once', async () => {
    const { CreateTopicCommand } = await import('@aws-sdk/client-sns');
    const topic = await context.sns.send(new CreateTopicCommand({ Name: 'trail-deliveries' }));
    const want = desired('topic-trail', { sns_topic: 'trail-deliveries' });
    const plan = planTrail(context, want, await observeTrail(context, want.name, want.bucket, want.snsTopic));
    expect(plan.map((c) => c.call)).toContain('SetTopicPolicy');
    await applyTrail(context, want, plan);
    expect(
      planTrail(context, want, await observeTrail(context, want.name, want.bucket, want.snsTopic)),
    ).toEqual([]);
    const report = checkTrailHealth(
      context,
      want.name,
      await observeTrail(context, want.name, want.bucket, want.snsTopic),
      { desired: want, staleAfterMinutes: 60 },
    );
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(topic.TopicArn).toMatch(/:trail-deliveries$/);
  });

  it('writes advanced event selectors, then sees no drift', async () => {
    const want = desired('advanced-trail', {
      advanced_event_selectors: [
        { Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          Name: 'secrets bucket reads and writes',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::secrets/'] },
          ],
        },
      ],
    });
    const plan = planTrail(context, want, await observeTrail(context, want.name, want.bucket));
    expect(plan.find((c) => c.what === 'advanced event selectors')?.call).toBe('PutEventSelectors');
    await applyTrail(context, want, plan);
    expect(planTrail(context, want, await observeTrail(context, want.name, want.bucket))).toEqual([]);
  });

  it('a missing trail is unhealthy, and a missing bucket it may not create stops the plan', async () => {
    expect(
      checkTrailHealth(context, 'nope', await observeTrail(context, 'nope'), { staleAfterMinutes: 60 }),
    ).toEqual({
      trail: 'nope',
      healthy: false,
      findings: [{ severity: 'error', check: 'exists', message: 'trail nope does not exist in eu-west-1' }],
    });
    const want = { ...desired('no-bucket-trail'), createBucket: false };
    expect(() =>
      planTrail(context, want, {
        usesAdvancedSelectors: false,
        insights: [],
        tags: {},
        trailsInRegion: 0,
        bucket: { exists: false },
      }),
    ).toThrow(/bucket no-bucket-trail-logs does not exist; create it, or set bucket.create: true/);
  });
});
