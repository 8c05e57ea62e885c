import type { Trail } from '@aws-sdk/client-cloudtrail';
import {
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import type { DesiredTrail, TrailChange, TrailContext } from '../trail';
import {
  applyTrail,
  checkTrailHealth,
  connectTrail,
  DEFAULT_STALE_AFTER_MINUTES,
  desiredTrail,
  formatHealthReport,
  observeTrail,
  planTrail,
  TrailError,
} from '../trail';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, UsageError } from './io';
import { readConfig } from './rule-options';

export interface TrailCliOptions {
  readonly name?: string;
  readonly config?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
}

/** The trail from trailwatch.yml, with --name taking precedence over its name. */
function desiredFromConfig(options: TrailCliOptions): DesiredTrail | undefined {
  const settings = readConfig(options).trail;
  if (!settings) return undefined;
  const result = desiredTrail(options.name ? { ...settings, name: options.name } : settings);
  if (!result.ok)
    throw new UsageError(
      `the trail in trailwatch.yml cannot be created:\n${result.problems.map((p) => `  ${p}`).join('\n')}`,
    );
  return result.trail;
}

function trailName(options: TrailCliOptions, desired: DesiredTrail | undefined): string {
  const name = options.name ?? desired?.name;
  if (!name) throw new UsageError('name the trail with --name, or define trail: in trailwatch.yml');
  return name;
}

async function connect(options: TrailCliOptions): Promise<TrailContext> {
  return connectTrail({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
  });
}

/** Runs a trail command, turning AWS failures into one clear line and exit status 1. */
async function guarded(io: CliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TrailError) {
      io.stderr.write(`trailwatch: error: ${error.message}\n`);
      return EXIT_INPUT_FAILED;
    }
    throw error;
  }
}

function describeChange(change: TrailChange): string {
  if (change.current === 'absent')
    return `+ ${change.what}: create ${JSON.stringify(change.desired)} (${change.call})`;
  return `~ ${change.what}: ${JSON.stringify(change.current)} -> ${JSON.stringify(change.desired)} (${change.call})`;
}

export function runTrailPlan(options: TrailCliOptions, io: CliIo, apply: boolean): Promise<number> {
  return guarded(io, async () => {
    const desired = desiredFromConfig(options);
    if (!desired)
      throw new UsageError(`trail ${apply ? 'apply' : 'plan'} needs a trail: section in trailwatch.yml`);
    const context = await connect(options);
    const changes = planTrail(
      context,
      desired,
      await observeTrail(context, desired.name, desired.bucket, desired.snsTopic),
    );
    if (!apply) {
      if (options.json)
        io.stdout.write(
          `${JSON.stringify({ trail: desired.name, region: context.region, changes }, null, 2)}\n`,
        );
      else
        io.stdout.write(
          changes.length === 0
            ? `trail ${desired.name} in ${context.region}: no changes\n`
            : `trail ${desired.name} in ${context.region}:\n${changes.map(describeChange).join('\n')}\n`,
        );
      return EXIT_OK;
    }
    const made = await applyTrail(context, desired, changes);
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ trail: desired.name, region: context.region, calls: made }, null, 2)}\n`,
      );
    else
      io.stdout.write(
        made.length === 0
          ? `trail ${desired.name} in ${context.region}: already as desired, no changes\n`
          : `trail ${desired.name} in ${context.region}: ${made.join(', ')}\n`,
      );
    return EXIT_OK;
  });
}

function summariseTrail(trail: Trail): string {
  const flag = (on: boolean | undefined, text: string) => (on ? text : `NOT ${text}`);
  return [
    `${trail.Name} (${trail.TrailARN})`,
    `  home region ${trail.HomeRegion}; ${flag(trail.IsMultiRegionTrail, 'multi-region')}; ${flag(trail.IncludeGlobalServiceEvents, 'global service events')}; ${flag(trail.LogFileValidationEnabled, 'log file validation')}${trail.IsOrganizationTrail ? '; organization trail' : ''}`,
    `  bucket s3://${trail.S3BucketName}/${trail.S3KeyPrefix ? `${trail.S3KeyPrefix}/` : ''}${trail.KmsKeyId ? ` (SSE-KMS ${trail.KmsKeyId})` : ''}`,
    ...(trail.SnsTopicARN ? [`  notifications to ${trail.SnsTopicARN}`] : []),
    ...(trail.CloudWatchLogsLogGroupArn ? [`  CloudWatch Logs ${trail.CloudWatchLogsLogGroupArn}`] : []),
  ].join('\n');
}

/** `trail describe`: with --json, what `aws cloudtrail describe-trails` prints (same keys). */
export function runTrailDescribe(options: TrailCliOptions, io: CliIo): Promise<number> {
  return guarded(io, async () => {
    const context = await connect(options);
    const output = await context.cloudtrail.send<{ trailList?: Trail[] }>(
      'read',
      new DescribeTrailsCommand(options.name ? { trailNameList: [options.name] } : {}),
    );
    const trails = output.trailList ?? [];
    if (options.json) io.stdout.write(`${JSON.stringify({ trailList: trails }, null, 4)}\n`);
    else io.stdout.write(trails.length === 0 ? 'no trails\n' : `${trails.map(summariseTrail).join('\n')}\n`);
    return EXIT_OK;
  });
}

/** `trail status`: with --json, what `aws cloudtrail get-trail-status` prints (same keys). */
export function runTrailStatus(options: TrailCliOptions, io: CliIo): Promise<number> {
  return guarded(io, async () => {
    const name = trailName(options, undefined);
    const context = await connect(options);
    const { $metadata: _metadata, ...status } = await context.cloudtrail.send<
      Record<string, unknown> & {
        $metadata?: unknown;
        IsLogging?: boolean;
        LatestDeliveryTime?: Date;
        LatestDeliveryError?: string;
      }
    >('read', new GetTrailStatusCommand({ Name: name }));
    if (options.json) io.stdout.write(`${JSON.stringify(status, null, 4)}\n`);
    else {
      const delivered = status.LatestDeliveryTime
        ? `last log file ${status.LatestDeliveryTime.toISOString()}`
        : 'no log file delivered yet';
      io.stdout.write(
        `${name}: ${status.IsLogging ? 'logging' : 'NOT LOGGING'}; ${delivered}${status.LatestDeliveryError ? `; delivery error ${status.LatestDeliveryError}` : ''}\n`,
      );
    }
    return EXIT_OK;
  });
}

/** `trail validate`: the health report; exit 1 when the trail is unhealthy. */
export function runTrailValidate(options: TrailCliOptions, io: CliIo): Promise<number> {
  return guarded(io, async () => {
    const desired = desiredFromConfig(options);
    const name = trailName(options, desired);
    const context = await connect(options);
    const observed = await observeTrail(context, name, desired?.bucket, desired?.snsTopic);
    const report = checkTrailHealth(context, name, observed, {
      ...(desired ? { desired } : {}),
      staleAfterMinutes: desired?.staleAfterMinutes ?? DEFAULT_STALE_AFTER_MINUTES,
    });
    io.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatHealthReport(report)}\n`,
    );
    return report.healthy ? EXIT_OK : EXIT_INPUT_FAILED;
  });
}

export function runTrailLogging(
  options: TrailCliOptions,
  io: CliIo,
  action: 'start' | 'stop' | 'delete',
): Promise<number> {
  return guarded(io, async () => {
    const name = trailName(options, options.name ? undefined : desiredFromConfig(options));
    if (action === 'delete' && !options.yes)
      throw new UsageError(`deleting trail ${name} ends its logging for good: add --yes to confirm`);
    const context = await connect(options);
    const command =
      action === 'start'
        ? new StartLoggingCommand({ Name: name })
        : action === 'stop'
          ? new StopLoggingCommand({ Name: name })
          : new DeleteTrailCommand({ Name: name });
    await context.cloudtrail.send('write', command);
    io.stdout.write(
      `trail ${name}: ${action === 'start' ? 'logging started' : action === 'stop' ? 'logging stopped' : 'deleted'}\n`,
    );
    return EXIT_OK;
  });
}
