import { CloudTrailClient, PutEventSelectorsCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { beforeAll, expect, it } from 'vitest';
import type { DesiredTrail, TrailContext, TrailPlan } from '../../../lib/trail';
import {
  applyTrail,
  checkTrailHealth,
  connectTrail,
  desiredTrail,
  observeTrail,
  planTrail,
} from '../../../lib/trail';
import type { SharedMoto } from '../shared-moto';

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

/** Plan and apply against moto_server, in eu-west-1: registered inside a describe (test/trail/aws.moto.test.ts). */
export function planAndApplyOnMoto(moto: SharedMoto): void {
  let context: TrailContext;
  const waits: number[] = [];
  /** Every mutating call the clients sent, by API name with its input, as the SDK saw it. */
  const sent: { call: string; input: unknown }[] = [];

  beforeAll(async () => {
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
    const options = { step: 'initialize', name: 'recordCalls' } as const;
    context.s3.middlewareStack.add(recording, options);
    context.sns.middlewareStack.add(recording, options);
    context.cloudtrail.client.middlewareStack.add(recording, options);
  }, 60_000);

  /** Records each mutating command as the SDK sends it (reads are left out). */
  function recording<Args extends { input: object }, Result>(
    next: (args: Args) => Promise<Result>,
    handlerContext: { commandName?: string },
  ) {
    return async (args: Args): Promise<Result> => {
      const call = String(handlerContext.commandName ?? '').replace(/Command$/, '');
      if (!/^(Get|Head|List|Describe)/.test(call)) sent.push({ call, input: args.input });
      return next(args);
    };
  }

  /** Plans against what moto holds now, applies, and checks apply sent exactly the planned calls. */
  async function planAndApply(want: DesiredTrail): Promise<TrailPlan> {
    const plan = planTrail(context, want, await observeTrail(context, want.name, want.bucket, want.snsTopic));
    sent.length = 0;
    const made = await applyTrail(context, plan);
    expect(made).toEqual(plan.calls.map((c) => c.call));
    expect(sent).toEqual(plan.calls.map(({ call, input }) => ({ call, input })));
    return plan;
  }

  it('creates bucket, policy and trail, then a second apply changes nothing', async () => {
    const want = desired('audit-trail');
    const plan = await planAndApply(want);
    expect(plan.changes.map((c) => [c.what, c.call])).toEqual([
      ['bucket', 'CreateBucket'],
      ['bucket policy', 'PutBucketPolicy'],
      ['trail', 'CreateTrail'],
      ['event selectors', 'PutEventSelectors'],
      ['insight selectors', 'PutInsightSelectors'],
      // A new trail takes its tags in CreateTrail, so no AddTags is planned or made.
      ['tags', 'CreateTrail'],
      ['logging', 'StartLogging'],
    ]);
    expect(plan.calls.map((c) => c.call)).toEqual([
      'CreateBucket',
      'PutPublicAccessBlock',
      'PutBucketEncryption',
      'PutBucketPolicy',
      'CreateTrail',
      'PutEventSelectors',
      'PutInsightSelectors',
      'StartLogging',
    ]);
    const again = planTrail(context, want, await observeTrail(context, want.name, want.bucket));
    expect(again.changes).toEqual([]);
    expect(again.calls).toEqual([]);
  });

  it('paces mutating calls one second apart', () => {
    expect(waits.filter((ms) => ms > 100).every((ms) => ms <= 1000)).toBe(true);
    expect(waits.some((ms) => ms === 1000)).toBe(true);
  });

  it('a healthy trail passes validation; a stopped one, drifted selectors and a broken bucket policy do not', async () => {
    const want = desired('health-trail');
    await planAndApply(want);
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
    const repair = await planAndApply(want);
    expect(repair.calls.map((c) => c.call)).toEqual(['PutBucketPolicy', 'PutEventSelectors', 'StartLogging']);
    expect((await check()).healthy).toBe(true);
  });

  it('updates only what changed, and warns about a single-region trail outside us-east-1', async () => {
    const want = desired('update-trail');
    await planAndApply(want);
    const single = { ...want, multiRegion: false };
    const plan = await planAndApply(single);
    expect(plan.changes.map((c) => [c.what, c.call])).toEqual([['IsMultiRegionTrail', 'UpdateTrail']]);
    expect(plan.calls.map((c) => c.call)).toEqual(['UpdateTrail']);
    // A setting trailwatch.yml drops is cleared, not left as it was.
    const prefixed = await planAndApply({ ...single, prefix: 'audit' });
    expect(prefixed.changes.map((c) => [c.what, c.current, c.desired])).toEqual([
      ['S3KeyPrefix', null, 'audit'],
    ]);
    const { prefix: _dropped, ...unprefixed } = { ...single, prefix: 'audit' };
    const cleared = await planAndApply(unprefixed);
    expect(cleared.changes.map((c) => [c.what, c.current, c.desired])).toEqual([
      ['S3KeyPrefix', 'audit', null],
    ]);
    expect(cleared.calls[0]?.input).toMatchObject({ S3KeyPrefix: '' });
    expect(planTrail(context, unprefixed, await observeTrail(context, want.name, want.bucket)).calls).toEqual(
      [],
    );
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
    const topic = await context.sns.send(new CreateTopicCommand({ Name: 'trail-deliveries' }));
    const want = desired('topic-trail', { sns_topic: 'trail-deliveries' });
    const plan = await planAndApply(want);
    expect(plan.calls.map((c) => c.call)).toContain('SetTopicAttributes');
    expect(
      planTrail(context, want, await observeTrail(context, want.name, want.bucket, want.snsTopic)).calls,
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
    const plan = await planAndApply(want);
    expect(plan.changes.find((c) => c.what === 'advanced event selectors')?.call).toBe('PutEventSelectors');
    expect(planTrail(context, want, await observeTrail(context, want.name, want.bucket)).calls).toEqual([]);
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
}
