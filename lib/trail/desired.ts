import { isIP } from 'node:net';
import * as z from '../validation';

/**
 * CloudTrail's limits, checked before any call so a bad trail definition fails with a clear
 * message instead of a half-applied change.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 */
export const MAX_TRAILS_PER_REGION = 5;
export const MAX_EVENT_SELECTORS = 5;
export const MAX_DATA_RESOURCES = 250;
/** Advanced event selectors: at most 500 condition values across all of a trail's selectors. */
export const MAX_ADVANCED_SELECTOR_VALUES = 500;
/** https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html (Name). */
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const MANAGEMENT_SOURCES: Readonly<Record<string, string>> = {
  kms: 'kms.amazonaws.com',
  rdsdata: 'rdsdata.amazonaws.com',
};
const DATA_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  s3: 'AWS::S3::Object',
  lambda: 'AWS::Lambda::Function',
  dynamodb: 'AWS::DynamoDB::Table',
};

export const trailSchema = z.lazy(() =>
  z.strictObject({
    name: z.string(),
    bucket: z.strictObject({
      name: z.string(),
      /** Create the bucket, with CloudTrail's policy, when it does not exist. */
      create: z.optional(z.boolean()),
      prefix: z.optional(z.string()),
    }),
    multi_region: z.optional(z.boolean()),
    organization: z.optional(z.boolean()),
    global_service_events: z.optional(z.boolean()),
    log_file_validation: z.optional(z.boolean()),
    kms_key_id: z.optional(z.string()),
    sns_topic: z.optional(z.string()),
    cloudwatch_logs: z.optional(z.strictObject({ log_group_arn: z.string(), role_arn: z.string() })),
    tags: z.optional(z.record(z.string(), z.string())),
    management_events: z.optional(z.enum(['all', 'read', 'write', 'none'])),
    exclude_management_sources: z.optional(z.array(z.enum(['kms', 'rdsdata']))),
    data_events: z.optional(
      z.array(
        z.strictObject({
          type: z.enum(['s3', 'lambda', 'dynamodb']),
          values: z.array(z.string()).check(z.minLength(1)),
          read_write: z.optional(z.enum(['all', 'read', 'write'])),
        }),
      ),
    ),
    /**
     * Raw advanced event selectors, for data events the basic selectors cannot express; they
     * replace management_events and data_events.
     * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html
     */
    advanced_event_selectors: z.optional(
      z.array(
        z.strictObject({
          Name: z.optional(z.string()),
          FieldSelectors: z
            .array(
              z.strictObject({
                Field: z.string(),
                Equals: z.optional(z.array(z.string())),
                StartsWith: z.optional(z.array(z.string())),
                EndsWith: z.optional(z.array(z.string())),
                NotEquals: z.optional(z.array(z.string())),
                NotStartsWith: z.optional(z.array(z.string())),
                NotEndsWith: z.optional(z.array(z.string())),
              }),
            )
            .check(z.minLength(1)),
        }),
      ),
    ),
    insights: z.optional(z.array(z.enum(['ApiCallRateInsight', 'ApiErrorRateInsight']))),
    /** The health check calls the trail stale when no log file arrived for this long. */
    stale_after_minutes: z.optional(z.number().check(z.int(), z.positive())),
  }),
);
export type TrailSettings = z.infer<typeof trailSchema>;
export type AdvancedEventSelector = NonNullable<TrailSettings['advanced_event_selectors']>[number];

/** An event selector as the CloudTrail API takes and returns it. */
export interface EventSelector {
  readonly ReadWriteType: 'All' | 'ReadOnly' | 'WriteOnly';
  readonly IncludeManagementEvents: boolean;
  readonly DataResources: readonly { readonly Type: string; readonly Values: readonly string[] }[];
  readonly ExcludeManagementEventSources: readonly string[];
}

/** The trail trailwatch wants, with every default filled in. */
export interface DesiredTrail {
  readonly name: string;
  readonly bucket: string;
  readonly createBucket: boolean;
  readonly prefix?: string;
  readonly multiRegion: boolean;
  readonly organization: boolean;
  readonly globalServiceEvents: boolean;
  readonly logFileValidation: boolean;
  readonly kmsKeyId?: string;
  readonly snsTopic?: string;
  readonly cloudWatchLogs?: { readonly logGroupArn: string; readonly roleArn: string };
  readonly tags: Readonly<Record<string, string>>;
  readonly eventSelectors: readonly EventSelector[];
  /** When set, these replace eventSelectors (CloudTrail takes one kind or the other). */
  readonly advancedEventSelectors?: readonly AdvancedEventSelector[];
  readonly insights: readonly string[];
  readonly staleAfterMinutes: number;
}

export const DEFAULT_STALE_AFTER_MINUTES = 60;

const READ_WRITE: Readonly<Record<string, EventSelector['ReadWriteType']>> = {
  all: 'All',
  read: 'ReadOnly',
  write: 'WriteOnly',
};

export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name))
    return `bucket name '${name}' must be 3 to 63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`;
  if (name.includes('..') || name.includes('.-') || name.includes('-.'))
    return `bucket name '${name}' must not contain '..', '.-' or '-.'`;
  if (isIP(name) === 4) return `bucket name '${name}' must not look like an IP address`;
  if (
    name.startsWith('xn--') ||
    name.startsWith('sthree-') ||
    name.endsWith('-s3alias') ||
    name.endsWith('--ol-s3')
  )
    return `bucket name '${name}' uses a prefix or suffix S3 reserves`;
  return undefined;
}

export function trailNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 128) return `trail name '${name}' must be 3 to 128 characters long`;
  if (!TRAIL_NAME.test(name))
    return `trail name '${name}' may hold letters, digits, '.', '_' and '-', and must start and end with a letter or digit`;
  if (/\.\.|_\.|-\.|\._|\.-/.test(name))
    return `trail name '${name}' must not contain '..', '_.', '-.', '._' or '.-'`;
  if (isIP(name) === 4) return `trail name '${name}' must not be an IP address`;
  return undefined;
}

/** Turns the settings into the desired trail, or every reason it cannot be one. */
export function desiredTrail(
  settings: TrailSettings,
): { ok: true; trail: DesiredTrail } | { ok: false; problems: string[] } {
  const problems = [trailNameProblem(settings.name), bucketNameProblem(settings.bucket.name)].filter(
    (p): p is string => p !== undefined,
  );
  const management = settings.management_events ?? 'all';
  const dataResources = (settings.data_events ?? []).map((data) => ({
    Type: DATA_RESOURCE_TYPES[data.type] as string,
    Values: data.values,
  }));
  const dataValues = dataResources.reduce((sum, resource) => sum + resource.Values.length, 0);
  if (dataValues > MAX_DATA_RESOURCES)
    problems.push(
      `${dataValues} data resources exceed CloudTrail's limit of ${MAX_DATA_RESOURCES} per trail`,
    );
  const readWrites = new Set((settings.data_events ?? []).map((data) => data.read_write ?? 'all'));
  if (readWrites.size > 1)
    problems.push(
      'data events with different read_write values need advanced event selectors, which trailwatch does not write yet',
    );
  const selector: EventSelector = {
    ReadWriteType: READ_WRITE[management === 'none' ? ([...readWrites][0] ?? 'all') : management] ?? 'All',
    IncludeManagementEvents: management !== 'none',
    DataResources: dataResources,
    ExcludeManagementEventSources: (settings.exclude_management_sources ?? []).map(
      (source) => MANAGEMENT_SOURCES[source] as string,
    ),
  };
  const selectors = [selector];
  if (selectors.length > MAX_EVENT_SELECTORS)
    problems.push(`at most ${MAX_EVENT_SELECTORS} event selectors per trail`);
  const advanced = settings.advanced_event_selectors;
  if (advanced) {
    if (
      settings.management_events !== undefined ||
      settings.data_events !== undefined ||
      settings.exclude_management_sources !== undefined
    ) {
      problems.push(
        'advanced_event_selectors replace management_events, exclude_management_sources and data_events: use one or the other',
      );
    }
    const values = advanced
      .flatMap((selector) => selector.FieldSelectors)
      .reduce(
        (sum, field) =>
          sum +
          [
            field.Equals,
            field.StartsWith,
            field.EndsWith,
            field.NotEquals,
            field.NotStartsWith,
            field.NotEndsWith,
          ].reduce((n, list) => n + (list?.length ?? 0), 0),
        0,
      );
    if (values > MAX_ADVANCED_SELECTOR_VALUES)
      problems.push(
        `${values} advanced selector values exceed CloudTrail's limit of ${MAX_ADVANCED_SELECTOR_VALUES} per trail`,
      );
  } else if (management === 'none' && dataResources.length === 0) {
    problems.push('management_events: none with no data_events would log nothing');
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    trail: {
      name: settings.name,
      bucket: settings.bucket.name,
      createBucket: settings.bucket.create ?? false,
      ...(settings.bucket.prefix ? { prefix: settings.bucket.prefix } : {}),
      multiRegion: settings.multi_region ?? true,
      organization: settings.organization ?? false,
      globalServiceEvents: settings.global_service_events ?? true,
      logFileValidation: settings.log_file_validation ?? true,
      ...(settings.kms_key_id ? { kmsKeyId: settings.kms_key_id } : {}),
      ...(settings.sns_topic ? { snsTopic: settings.sns_topic } : {}),
      ...(settings.cloudwatch_logs
        ? {
            cloudWatchLogs: {
              logGroupArn: settings.cloudwatch_logs.log_group_arn,
              roleArn: settings.cloudwatch_logs.role_arn,
            },
          }
        : {}),
      tags: settings.tags ?? { Compliance: 'Auditing' },
      eventSelectors: advanced ? [] : selectors,
      ...(advanced ? { advancedEventSelectors: advanced } : {}),
      insights: settings.insights ?? [],
      staleAfterMinutes: settings.stale_after_minutes ?? DEFAULT_STALE_AFTER_MINUTES,
    },
  };
}
