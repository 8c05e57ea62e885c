/**
 * The differences between the desired and the observed trail, each with the call that puts it
 * right, and how plan and validate word them. Pure: no AWS calls here.
 */
import type { TrailContext } from './context';
import type { DesiredTrail, EventSelector } from './desired';
import { MAX_TRAILS_PER_REGION } from './desired';
import { TrailError } from './errors';
import type { ObservedTrail } from './observe';
import type { TrailCall } from './plan';
import { allowsScopedCloudTrailPublish, allowsScopedCloudTrailWrite, topicName, trailArn } from './policies';

/** One difference between trailwatch.yml and the account, with the call that puts it right. */
export interface TrailChange {
  readonly what: string;
  readonly current: unknown;
  readonly desired: unknown;
  readonly call: TrailCall;
}

/** A trail setting for comparison: unset, null and the empty string UpdateTrail clears with are one. */
function setting(value: unknown): unknown {
  return value === undefined || value === '' ? null : value;
}

/** A value as a drift message shows it: `unset` for nothing, JSON otherwise (never `undefined`). */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'unset';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'function' || typeof value === 'symbol') return 'unset';
  const text = JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'bigint' ? `${inner}` : inner,
  );
  return text ?? 'unset';
}

/** `~ S3KeyPrefix: "old" -> "new"`, `+ trail: create "name"`: one change as plan lists it. */
export function describeChange(change: TrailChange): string {
  if (change.current === 'absent')
    return `+ ${change.what}: create ${formatValue(change.desired)} (${change.call})`;
  return `~ ${change.what}: ${formatValue(change.current)} -> ${formatValue(change.desired)} (${change.call})`;
}

/** The drift line validate reports for a change. */
export function driftMessage(change: TrailChange): string {
  return `${change.what} differs from trailwatch.yml: ${formatValue(change.current)} instead of ${formatValue(change.desired)}`;
}

function canonicalSelectors(selectors: readonly EventSelector[]): string {
  return JSON.stringify(
    selectors.map((s) => ({
      ReadWriteType: s.ReadWriteType,
      IncludeManagementEvents: s.IncludeManagementEvents,
      DataResources: s.DataResources.map((r) => ({ Type: r.Type, Values: [...r.Values].sort() })),
      ExcludeManagementEventSources: [...s.ExcludeManagementEventSources].sort(),
    })),
  );
}

/** Advanced selectors compared without regard to the order of fields, values or unset keys. */
function canonicalAdvanced(selectors: readonly unknown[]): string {
  const sortValues = (value: unknown): unknown => {
    if (Array.isArray(value))
      return value.map(sortValues).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, sortValues(v)]),
      );
    }
    return value;
  };
  return JSON.stringify(sortValues(selectors));
}

/**
 * The differences between the desired and the observed trail, each with the call that fixes it.
 * Throws a TrailError for what no call can fix (a bucket it may not create, a missing topic, a full region).
 */
export function diffTrail(
  context: TrailContext,
  desired: DesiredTrail,
  observed: ObservedTrail,
): TrailChange[] {
  const changes: TrailChange[] = [];
  const arn = trailArn(context, desired.name);
  if (!observed.bucket.exists) {
    if (!desired.createBucket) {
      throw new TrailError(
        `bucket ${desired.bucket} does not exist; create it, or set bucket.create: true so trailwatch does`,
      );
    }
    changes.push({ what: 'bucket', current: 'absent', desired: desired.bucket, call: 'CreateBucket' });
  }
  // A bucket trailwatch does not manage keeps its owner's policy; validate reports what it lacks.
  if (desired.createBucket && !allowsScopedCloudTrailWrite(observed.bucket.policy, arn)) {
    changes.push({
      what: 'bucket policy',
      current: 'no CloudTrail write scoped to this trail',
      desired: 'CloudTrail write with aws:SourceArn',
      call: 'PutBucketPolicy',
    });
  }
  if (desired.snsTopic) {
    if (!observed.topic?.exists)
      throw new TrailError(
        `SNS topic ${desired.snsTopic} does not exist; create it before the trail can notify it`,
      );
    if (!allowsScopedCloudTrailPublish(observed.topic.policy, arn)) {
      changes.push({
        what: 'topic policy',
        current: 'no CloudTrail publish scoped to this trail',
        desired: 'CloudTrail sns:Publish with aws:SourceArn',
        call: 'SetTopicAttributes',
      });
    }
  }
  const trail = observed.trail;
  if (!trail) {
    if (observed.trailsInRegion >= MAX_TRAILS_PER_REGION) {
      throw new TrailError(
        `${context.region} already has ${observed.trailsInRegion} trails, CloudTrail's limit of ${MAX_TRAILS_PER_REGION}: delete one or manage an existing trail`,
      );
    }
    changes.push({ what: 'trail', current: 'absent', desired: desired.name, call: 'CreateTrail' });
  } else {
    const fields: [string, unknown, unknown][] = [
      ['S3BucketName', trail.S3BucketName, desired.bucket],
      ['S3KeyPrefix', trail.S3KeyPrefix, desired.prefix],
      ['IsMultiRegionTrail', trail.IsMultiRegionTrail ?? false, desired.multiRegion],
      ['IsOrganizationTrail', trail.IsOrganizationTrail ?? false, desired.organization],
      ['IncludeGlobalServiceEvents', trail.IncludeGlobalServiceEvents ?? false, desired.globalServiceEvents],
      ['LogFileValidationEnabled', trail.LogFileValidationEnabled ?? false, desired.logFileValidation],
      ['KmsKeyId', trail.KmsKeyId, desired.kmsKeyId],
      [
        'SnsTopic',
        trail.SnsTopicName,
        desired.snsTopic === undefined ? undefined : topicName(desired.snsTopic),
      ],
      ['CloudWatchLogsLogGroupArn', trail.CloudWatchLogsLogGroupArn, desired.cloudWatchLogs?.logGroupArn],
      ['CloudWatchLogsRoleArn', trail.CloudWatchLogsRoleArn, desired.cloudWatchLogs?.roleArn],
    ];
    for (const [what, current, wanted] of fields) {
      if (setting(current) !== setting(wanted))
        changes.push({ what, current: setting(current), desired: setting(wanted), call: 'UpdateTrail' });
    }
  }
  const currentSelectors = observed.eventSelectors ?? [];
  if (desired.advancedEventSelectors) {
    if (
      !trail ||
      canonicalAdvanced(observed.advancedEventSelectors ?? []) !==
        canonicalAdvanced(desired.advancedEventSelectors)
    ) {
      changes.push({
        what: 'advanced event selectors',
        current: trail ? (observed.advancedEventSelectors ?? currentSelectors) : 'absent',
        desired: desired.advancedEventSelectors,
        call: 'PutEventSelectors',
      });
    }
  } else if (
    !trail ||
    observed.usesAdvancedSelectors ||
    canonicalSelectors(currentSelectors) !== canonicalSelectors(desired.eventSelectors)
  ) {
    changes.push({
      what: 'event selectors',
      current: trail ? currentSelectors : 'absent',
      desired: desired.eventSelectors,
      call: 'PutEventSelectors',
    });
  }
  const wantedInsights = [...desired.insights].sort();
  if (
    JSON.stringify(observed.insights) !== JSON.stringify(wantedInsights) &&
    (trail || wantedInsights.length > 0)
  ) {
    changes.push({
      what: 'insight selectors',
      current: observed.insights,
      desired: wantedInsights,
      call: 'PutInsightSelectors',
    });
  }
  const missingTags = Object.entries(desired.tags).filter(([key, value]) => observed.tags[key] !== value);
  if (missingTags.length > 0)
    changes.push({
      what: 'tags',
      current: trail ? observed.tags : 'absent',
      desired: Object.fromEntries(missingTags),
      // A new trail takes its tags in CreateTrail's TagsList.
      call: trail ? 'AddTags' : 'CreateTrail',
    });
  if (!observed.status?.IsLogging)
    changes.push({
      what: 'logging',
      // A new trail does not log until StartLogging either.
      current: 'stopped',
      desired: 'on',
      call: 'StartLogging',
    });
  return changes;
}
