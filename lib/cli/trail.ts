import type { Trail } from '@aws-sdk/client-cloudtrail';
import {
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import type { DesiredTrail, PacingOptions, TrailContext, TrailPlan } from '../trail';
import {
  applyTrail,
  checkTrailHealth,
  connectTrail,
  DEFAULT_STALE_AFTER_MINUTES,
  describeChange,
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

/** What the trail commands reach outside the process through: tests pass instant pacing. */
export interface TrailServices {
  readonly pacing?: PacingOptions;
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

/**
 * The trail a command acts on: --name, else trail.name in trailwatch.yml. Only the name is read, so
 * status, start, stop and delete work on a trail whose other settings plan would refuse.
 */
function namedTrail(options: TrailCliOptions): string | undefined {
  return options.name ?? readConfig(options).trail?.name;
}

function requireTrailName(options: TrailCliOptions): string {
  const name = namedTrail(options);
  if (!name) throw new UsageError('name the trail with --name, or define trail: in trailwatch.yml');
  return name;
}

async function connect(options: TrailCliOptions, services: TrailServices): Promise<TrailContext> {
  return connectTrail({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    ...(services.pacing ? { pacing: services.pacing } : {}),
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

/** The plan as text: each difference, then every call apply will make, in its order. */
export function formatPlan(plan: TrailPlan): string {
  const head = `trail ${plan.trail} in ${plan.region}`;
  if (plan.calls.length === 0) return `${head}: no changes\n`;
  return [
    `${head}:`,
    ...plan.changes.map(describeChange),
    `apply will make ${plan.calls.length} call(s), in this order:`,
    ...plan.calls.map((planned, i) => `  ${i + 1}. ${planned.call} (${planned.resource})`),
  ]
    .join('\n')
    .concat('\n');
}

/** `trail plan` prints the plan; `trail apply` builds the same plan and makes exactly its calls. */
export function runTrailPlan(
  options: TrailCliOptions,
  io: CliIo,
  apply: boolean,
  services: TrailServices = {},
): Promise<number> {
  return guarded(io, async () => {
    const desired = desiredFromConfig(options);
    if (!desired)
      throw new UsageError(`trail ${apply ? 'apply' : 'plan'} needs a trail: section in trailwatch.yml`);
    const context = await connect(options, services);
    const observed = await observeTrail(context, desired.name, desired.bucket, desired.snsTopic);
    const plan = planTrail(context, desired, observed);
    if (!apply) {
      io.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
      return EXIT_OK;
    }
    const made = await applyTrail(context, plan);
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ trail: plan.trail, region: plan.region, calls: made }, null, 2)}\n`,
      );
    else
      io.stdout.write(
        made.length === 0
          ? `trail ${plan.trail} in ${plan.region}: already as desired, no changes\n`
          : `trail ${plan.trail} in ${plan.region}: ${made.join(', ')}\n`,
      );
    return EXIT_OK;
  });
}

/** A trail in a few lines; fields DescribeTrails left out read `unknown`, never `undefined`. */
export function summariseTrail(trail: Trail): string {
  const flag = (on: boolean | undefined, text: string) => (on ? text : `NOT ${text}`);
  const known = (value: string | undefined) => value ?? 'unknown';
  return [
    `${known(trail.Name)} (${known(trail.TrailARN)})`,
    `  home region ${known(trail.HomeRegion)}; ${flag(trail.IsMultiRegionTrail, 'multi-region')}; ${flag(trail.IncludeGlobalServiceEvents, 'global service events')}; ${flag(trail.LogFileValidationEnabled, 'log file validation')}${trail.IsOrganizationTrail ? '; organization trail' : ''}`,
    `  bucket s3://${known(trail.S3BucketName)}/${trail.S3KeyPrefix ? `${trail.S3KeyPrefix}/` : ''}${trail.KmsKeyId ? ` (SSE-KMS ${trail.KmsKeyId})` : ''}`,
    ...(trail.SnsTopicARN ? [`  notifications to ${trail.SnsTopicARN}`] : []),
    ...(trail.CloudWatchLogsLogGroupArn ? [`  CloudWatch Logs ${trail.CloudWatchLogsLogGroupArn}`] : []),
  ].join('\n');
}

/**
 * `trail describe`: the trail named by --name or trailwatch.yml; every trail in the region when
 * neither names one. With --json, what `aws cloudtrail describe-trails` prints (same keys).
 */
export function runTrailDescribe(
  options: TrailCliOptions,
  io: CliIo,
  services: TrailServices = {},
): Promise<number> {
  return guarded(io, async () => {
    const name = namedTrail(options);
    const context = await connect(options, services);
    const output = await context.cloudtrail.send<{ trailList?: Trail[] }>(
      'read',
      // Without shadow trails: the trails whose home region this is, not copies of other regions'.
      new DescribeTrailsCommand(name ? { trailNameList: [name] } : { includeShadowTrails: false }),
      name ? `trail ${name}` : `trails in ${context.region}`,
    );
    // Only the trail asked for: some endpoints (moto_server) answer every trail whatever the list.
    const trails = (output.trailList ?? []).filter(
      (trail) => name === undefined || trail.Name === name || trail.TrailARN === name,
    );
    if (options.json) io.stdout.write(`${JSON.stringify({ trailList: trails }, null, 4)}\n`);
    else if (trails.length === 0)
      io.stdout.write(name ? `no trail ${name} in ${context.region}\n` : `no trails in ${context.region}\n`);
    else io.stdout.write(`${trails.map(summariseTrail).join('\n')}\n`);
    return EXIT_OK;
  });
}

/** `trail status`: with --json, what `aws cloudtrail get-trail-status` prints (same keys). */
export function runTrailStatus(
  options: TrailCliOptions,
  io: CliIo,
  services: TrailServices = {},
): Promise<number> {
  return guarded(io, async () => {
    const name = requireTrailName(options);
    const context = await connect(options, services);
    const { $metadata: _metadata, ...status } = await context.cloudtrail.send<
      Record<string, unknown> & {
        $metadata?: unknown;
        IsLogging?: boolean;
        LatestDeliveryTime?: Date;
        LatestDeliveryError?: string;
      }
    >('read', new GetTrailStatusCommand({ Name: name }), `trail ${name}`);
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
export function runTrailValidate(
  options: TrailCliOptions,
  io: CliIo,
  services: TrailServices = {},
): Promise<number> {
  return guarded(io, async () => {
    const desired = desiredFromConfig(options);
    const name = options.name ?? desired?.name;
    if (!name) throw new UsageError('name the trail with --name, or define trail: in trailwatch.yml');
    const context = await connect(options, services);
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
  services: TrailServices = {},
): Promise<number> {
  return guarded(io, async () => {
    const name = requireTrailName(options);
    if (action === 'delete' && !options.yes)
      throw new UsageError(`deleting trail ${name} ends its logging for good: add --yes to confirm`);
    const context = await connect(options, services);
    const command =
      action === 'start'
        ? new StartLoggingCommand({ Name: name })
        : action === 'stop'
          ? new StopLoggingCommand({ Name: name })
          : new DeleteTrailCommand({ Name: name });
    await context.cloudtrail.send('write', command, `trail ${name}`);
    io.stdout.write(
      `trail ${name}: ${action === 'start' ? 'logging started' : action === 'stop' ? 'logging stopped' : 'deleted'}\n`,
    );
    return EXIT_OK;
  });
}
