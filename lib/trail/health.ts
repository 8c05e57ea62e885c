import type { TrailContext } from './context';
import type { DesiredTrail } from './desired';
import { diffTrail, driftMessage } from './diff';
import type { ObservedTrail } from './observe';
import type { TrailCall } from './plan';
import { allowsScopedCloudTrailPublish, allowsScopedCloudTrailWrite, trailArn } from './policies';

export interface HealthFinding {
  readonly severity: 'error' | 'warning';
  readonly check: string;
  readonly message: string;
}

export interface HealthReport {
  readonly trail: string;
  readonly healthy: boolean;
  readonly findings: readonly HealthFinding[];
}

/** Drift these calls fix has a check of its own (logging, the bucket and its policy). */
const CHECKED_APART: ReadonlySet<TrailCall> = new Set(['StartLogging', 'CreateBucket', 'PutBucketPolicy']);
/** Drift that leaves logging intact: worth a warning, not an error. */
const WARNING_DRIFT: ReadonlySet<TrailCall> = new Set(['AddTags', 'PutInsightSelectors']);

/** IAM, STS and other global services log to us-east-1 only. */
const GLOBAL_SERVICE_REGION = 'us-east-1';

/**
 * Checks a trail's health from what was observed: logging on, no delivery errors, fresh log files,
 * multi-region with global events, validation on, a bucket policy CloudTrail can write through, and
 * (with a desired trail) no drift in settings or selectors.
 */
export function checkTrailHealth(
  context: TrailContext,
  name: string,
  observed: ObservedTrail,
  options: { desired?: DesiredTrail; now?: number; staleAfterMinutes: number },
): HealthReport {
  const findings: HealthFinding[] = [];
  const error = (check: string, message: string) => findings.push({ severity: 'error', check, message });
  const warning = (check: string, message: string) => findings.push({ severity: 'warning', check, message });
  const trail = observed.trail;
  const status = observed.status;
  if (!trail || !status) {
    error('exists', `trail ${name} does not exist in ${context.region}`);
    return { trail: name, healthy: false, findings };
  }
  if (!status.IsLogging) {
    error(
      'logging',
      `logging is stopped${status.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : ''}: nothing is recorded`,
    );
  }
  const deliveryErrors: [string, string | undefined][] = [
    ['LatestDeliveryError', status.LatestDeliveryError],
    ['LatestNotificationError', status.LatestNotificationError],
    ['LatestCloudWatchLogsDeliveryError', status.LatestCloudWatchLogsDeliveryError],
    ['LatestDigestDeliveryError', status.LatestDigestDeliveryError],
  ];
  for (const [field, value] of deliveryErrors) if (value) error('delivery', `${field}: ${value}`);
  const now = options.now ?? Date.now();
  const staleMs = options.staleAfterMinutes * 60_000;
  const lastDelivery = status.LatestDeliveryTime?.getTime();
  if (status.IsLogging && lastDelivery !== undefined && now - lastDelivery > staleMs) {
    error(
      'fresh',
      `no log file delivered for ${Math.round((now - lastDelivery) / 60_000)} minutes (more than ${options.staleAfterMinutes})`,
    );
  } else if (
    status.IsLogging &&
    lastDelivery === undefined &&
    status.StartLoggingTime &&
    now - status.StartLoggingTime.getTime() > staleMs
  ) {
    error('fresh', `no log file delivered since logging started at ${status.StartLoggingTime.toISOString()}`);
  }
  if (!trail.IsMultiRegionTrail) {
    const missesGlobal = context.region !== GLOBAL_SERVICE_REGION;
    warning(
      'multi-region',
      `the trail logs ${context.region} only${missesGlobal ? `: IAM, STS and other global services are logged in ${GLOBAL_SERVICE_REGION}, so this trail misses them` : ''}`,
    );
  }
  if (!trail.IncludeGlobalServiceEvents)
    error('global-events', 'global service events (IAM, STS, CloudFront) are not logged');
  if (!trail.LogFileValidationEnabled)
    error('validation', 'log file validation is off: tampering with log files would go unnoticed');
  const bucket = trail.S3BucketName ?? options.desired?.bucket ?? '(none named)';
  if (
    observed.bucket.exists &&
    !allowsScopedCloudTrailWrite(observed.bucket.policy, trailArn(context, name))
  ) {
    error(
      'bucket-policy',
      `the policy of bucket ${bucket} does not let CloudTrail write with an aws:SourceArn condition for this trail`,
    );
  } else if (!observed.bucket.exists) {
    error('bucket', `bucket ${bucket} does not exist`);
  }
  if (
    observed.topic?.exists &&
    !allowsScopedCloudTrailPublish(observed.topic.policy, trailArn(context, name))
  ) {
    error(
      'topic-policy',
      `the policy of topic ${observed.topic.arn} does not let CloudTrail publish with an aws:SourceArn condition for this trail`,
    );
  }
  if (options.desired) {
    try {
      for (const change of diffTrail(context, options.desired, observed)) {
        if (CHECKED_APART.has(change.call)) continue;
        findings.push({
          severity: WARNING_DRIFT.has(change.call) ? 'warning' : 'error',
          check: 'drift',
          message: driftMessage(change),
        });
      }
    } catch (problem) {
      error('drift', problem instanceof Error ? problem.message : String(problem));
    }
  }
  return { trail: name, healthy: !findings.some((f) => f.severity === 'error'), findings };
}

export function formatHealthReport(report: HealthReport): string {
  const lines = [`trail ${report.trail}: ${report.healthy ? 'healthy' : 'UNHEALTHY'}`];
  for (const finding of report.findings)
    lines.push(
      `  ${finding.severity === 'error' ? 'ERROR  ' : 'warning'} [${finding.check}] ${finding.message}`,
    );
  if (report.findings.length === 0) lines.push('  all checks passed');
  return lines.join('\n');
}
