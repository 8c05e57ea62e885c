/**
 * Every message a trail command builds from what AWS returned (plan lines, drift findings, the
 * health report, describe's summary, the calls list) reads `unset` or `unknown` where a field is
 * missing, never `undefined`, whatever subset of fields DescribeTrails and GetTrailStatus return.
 */
import { CloudTrailClient, type GetTrailStatusCommandOutput, type Trail } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPlan, summariseTrail } from '../../lib/cli/trail';
import type { ObservedTrail, PolicyDocument, TrailContext, TrailSettings } from '../../lib/trail';
import {
  checkTrailHealth,
  describeChange,
  desiredTrail,
  diffTrail,
  driftMessage,
  formatHealthReport,
  formatValue,
  PacedCloudTrail,
  planTrail,
  TrailError,
} from '../../lib/trail';

const REGION = 'eu-west-1';
const context: TrailContext = {
  cloudtrail: new PacedCloudTrail(new CloudTrailClient({ region: REGION })),
  s3: new S3Client({ region: REGION }),
  sns: new SNSClient({ region: REGION }),
  region: REGION,
  accountId: '123456789012',
  partition: 'aws',
};

/** Text from AWS never spells the word itself here, so finding it means a message printed a missing field. */
const text = fc.string({ maxLength: 24 }).filter((s) => !s.includes('undefined'));
const date = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true });

const trailArb: fc.Arbitrary<Trail> = fc.record(
  {
    Name: text,
    S3BucketName: text,
    S3KeyPrefix: text,
    SnsTopicName: text,
    SnsTopicARN: text,
    IncludeGlobalServiceEvents: fc.boolean(),
    IsMultiRegionTrail: fc.boolean(),
    HomeRegion: text,
    TrailARN: text,
    LogFileValidationEnabled: fc.boolean(),
    CloudWatchLogsLogGroupArn: text,
    CloudWatchLogsRoleArn: text,
    KmsKeyId: text,
    IsOrganizationTrail: fc.boolean(),
  },
  { requiredKeys: [] },
);

const statusArb: fc.Arbitrary<GetTrailStatusCommandOutput> = fc
  .record(
    {
      IsLogging: fc.boolean(),
      LatestDeliveryError: text,
      LatestNotificationError: text,
      LatestCloudWatchLogsDeliveryError: text,
      LatestDigestDeliveryError: text,
      LatestDeliveryTime: date,
      StartLoggingTime: date,
      StopLoggingTime: date,
    },
    { requiredKeys: [] },
  )
  .map((status) => ({ ...status, $metadata: {} }));

const policyArb: fc.Arbitrary<PolicyDocument> = fc.record({
  Statement: fc.array(
    fc.record(
      {
        Sid: text,
        Effect: fc.constantFrom('Allow', 'Deny'),
        Principal: fc.constantFrom('*', { Service: 'cloudtrail.amazonaws.com' }),
        Action: fc.constantFrom('s3:PutObject', 'sns:Publish', ['s3:PutObject']),
        Condition: fc.constant({ StringEquals: { 'aws:SourceArn': 'arn:aws:cloudtrail:x' } }),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
});

const selectorArb = fc.record({
  ReadWriteType: fc.constantFrom('All' as const, 'ReadOnly' as const, 'WriteOnly' as const),
  IncludeManagementEvents: fc.boolean(),
  DataResources: fc.array(fc.record({ Type: text, Values: fc.array(text, { maxLength: 2 }) }), {
    maxLength: 2,
  }),
  ExcludeManagementEventSources: fc.array(text, { maxLength: 2 }),
});

const observedArb: fc.Arbitrary<ObservedTrail> = fc.record(
  {
    trail: trailArb,
    status: statusArb,
    eventSelectors: fc.array(selectorArb, { maxLength: 2 }),
    usesAdvancedSelectors: fc.boolean(),
    advancedEventSelectors: fc.array(fc.record({ Name: text }, { requiredKeys: [] }), { maxLength: 2 }),
    insights: fc.subarray(['ApiCallRateInsight', 'ApiErrorRateInsight']),
    tags: fc.dictionary(text, text, { maxKeys: 3 }),
    trailsInRegion: fc.nat(6),
    bucket: fc.record({ exists: fc.boolean(), policy: policyArb }, { requiredKeys: ['exists'] }),
    topic: fc.record(
      { arn: text, exists: fc.boolean(), policy: policyArb },
      { requiredKeys: ['arn', 'exists'] },
    ),
  },
  { requiredKeys: ['usesAdvancedSelectors', 'insights', 'tags', 'trailsInRegion', 'bucket'] },
);

const settingsArb: fc.Arbitrary<TrailSettings> = fc.record(
  {
    name: fc.constantFrom('audit-trail', 'org.trail_01'),
    bucket: fc.record(
      { name: fc.constant('trail-logs'), create: fc.boolean(), prefix: fc.constantFrom('audit', 'a/b') },
      { requiredKeys: ['name'] },
    ),
    multi_region: fc.boolean(),
    organization: fc.boolean(),
    global_service_events: fc.boolean(),
    log_file_validation: fc.boolean(),
    kms_key_id: fc.constant('arn:aws:kms:eu-west-1:123456789012:key/k'),
    sns_topic: fc.constantFrom('deliveries', 'arn:aws:sns:eu-west-1:123456789012:deliveries'),
    cloudwatch_logs: fc.constant({ log_group_arn: 'arn:aws:logs:x:*', role_arn: 'arn:aws:iam::1:role/r' }),
    tags: fc.dictionary(fc.constantFrom('Owner', 'Compliance'), fc.constantFrom('secops', 'Auditing')),
    management_events: fc.constantFrom('all' as const, 'read' as const, 'write' as const),
    insights: fc.subarray(['ApiCallRateInsight' as const, 'ApiErrorRateInsight' as const]),
  },
  { requiredKeys: ['name', 'bucket'] },
);

function messagesFor(settings: TrailSettings, observed: ObservedTrail): string[] {
  const desired = desiredTrail(settings);
  if (!desired.ok) return desired.problems;
  const messages: string[] = [];
  try {
    const changes = diffTrail(context, desired.trail, observed);
    messages.push(...changes.map(describeChange), ...changes.map(driftMessage));
    messages.push(formatPlan(planTrail(context, desired.trail, observed)));
  } catch (error) {
    if (!(error instanceof TrailError)) throw error;
    messages.push(error.message);
  }
  for (const options of [
    { desired: desired.trail, staleAfterMinutes: 60, now: Date.now() },
    { staleAfterMinutes: 5 },
  ]) {
    const report = checkTrailHealth(context, desired.trail.name, observed, options);
    messages.push(formatHealthReport(report), ...report.findings.map((finding) => finding.message));
  }
  if (observed.trail) messages.push(summariseTrail(observed.trail));
  return messages;
}

describe('trail messages over partial AWS answers', () => {
  it('never print undefined, whichever fields are missing', () => {
    fc.assert(
      fc.property(settingsArb, observedArb, (settings, observed) => {
        for (const message of messagesFor(settings, observed)) expect(message).not.toMatch(/undefined/);
      }),
      { numRuns: 300 },
    );
  });

  it('formatValue reads unset for a missing value and JSON for any other', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => !(JSON.stringify(value) ?? '').includes('undefined')),
        (value) => {
          const shown = formatValue(value);
          expect(shown).not.toMatch(/undefined/);
          if (value === undefined || value === null) expect(shown).toBe('unset');
        },
      ),
    );
  });

  const cases: [string, unknown, unknown, string][] = [
    ['S3KeyPrefix', undefined, 'audit', '~ S3KeyPrefix: unset -> "audit" (UpdateTrail)'],
    ['S3KeyPrefix', 'audit', undefined, '~ S3KeyPrefix: "audit" -> unset (UpdateTrail)'],
    ['KmsKeyId', null, 'k', '~ KmsKeyId: unset -> "k" (UpdateTrail)'],
    ['trail', 'absent', 'cli-trail', '+ trail: create "cli-trail" (UpdateTrail)'],
  ];
  for (const [what, current, desired, line] of cases) {
    it(`${what}: ${String(current)} -> ${String(desired)}`, () => {
      expect(describeChange({ what, current, desired, call: 'UpdateTrail' })).toBe(line);
    });
  }
});
