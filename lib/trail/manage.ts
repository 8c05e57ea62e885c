import type {
  CloudTrailClient,
  GetEventSelectorsCommandOutput,
  GetInsightSelectorsCommandOutput,
  GetTrailStatusCommandOutput,
  ListTagsCommandOutput,
  Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  AddTagsCommand,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { GetTopicAttributesCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { PacedCloudTrail } from './aws';
import { explainAwsError, TrailError } from './aws';
import type { DesiredTrail, EventSelector } from './desired';
import { MAX_TRAILS_PER_REGION } from './desired';

export interface TrailContext {
  readonly cloudtrail: PacedCloudTrail;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

export interface ObservedTrail {
  readonly trail?: Trail;
  readonly status?: GetTrailStatusCommandOutput;
  readonly eventSelectors?: readonly EventSelector[];
  readonly usesAdvancedSelectors: boolean;
  readonly advancedEventSelectors?: readonly unknown[];
  readonly insights: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** Trails whose home region is this one (the per-region limit counts these). */
  readonly trailsInRegion: number;
  readonly bucket: { readonly exists: boolean; readonly policy?: PolicyDocument };
  /** The delivery topic's policy, when the desired trail names a topic. */
  readonly topic?: { readonly arn: string; readonly exists: boolean; readonly policy?: PolicyDocument };
}

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

export function trailArn(context: TrailContext, name: string): string {
  return `arn:${context.partition}:cloudtrail:${context.region}:${context.accountId}:trail/${name}`;
}

/** The full ARN of a delivery topic given by name or ARN, in the trail's account and region. */
export function topicArn(context: TrailContext, topic: string): string {
  return topic.startsWith('arn:')
    ? topic
    : `arn:${context.partition}:sns:${context.region}:${context.accountId}:${topic}`;
}

async function observeTopic(
  context: TrailContext,
  arn: string,
): Promise<NonNullable<ObservedTrail['topic']>> {
  try {
    const attributes = await context.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    const policy = attributes.Attributes?.Policy;
    return { arn, exists: true, ...(policy ? { policy: JSON.parse(policy) as PolicyDocument } : {}) };
  } catch (error) {
    if (error instanceof Error && error.name === 'NotFoundException') return { arn, exists: false };
    throw explainAwsError(error, 'GetTopicAttributes');
  }
}

/** Whether a topic policy lets CloudTrail publish, scoped to a trail by aws:SourceArn. */
export function allowsScopedCloudTrailPublish(policy: PolicyDocument | undefined, arn: string): boolean {
  return (policy?.Statement ?? []).some((statement) => {
    const source = (statement.Condition as { StringEquals?: Record<string, unknown> } | undefined)
      ?.StringEquals?.['aws:SourceArn'];
    return (
      statement.Effect === 'Allow' &&
      JSON.stringify(statement.Principal ?? '').includes('cloudtrail.amazonaws.com') &&
      [statement.Action].flat().includes('sns:Publish') &&
      [source].flat().includes(arn)
    );
  });
}

/** Reads everything plan and validate compare: DescribeTrails, GetTrailStatus, selectors, tags, the bucket and topic policies. */
export async function observeTrail(
  context: TrailContext,
  name: string,
  bucket?: string,
  topic?: string,
): Promise<ObservedTrail> {
  const ct = context.cloudtrail;
  const described = await ct.send<{ trailList?: Trail[] }>(
    'read',
    new DescribeTrailsCommand({ includeShadowTrails: false }),
  );
  const home = (described.trailList ?? []).filter((trail) => trail.HomeRegion === context.region);
  const trail = home.find((t) => t.Name === name);
  const bucketName = bucket ?? trail?.S3BucketName;
  const observedBucket = bucketName ? await observeBucket(context.s3, bucketName) : { exists: false };
  const topicName = topic ?? trail?.SnsTopicARN;
  const observedTopic = topicName ? { topic: await observeTopic(context, topicArn(context, topicName)) } : {};
  if (!trail?.TrailARN) {
    return {
      usesAdvancedSelectors: false,
      insights: [],
      tags: {},
      trailsInRegion: home.length,
      bucket: observedBucket,
      ...observedTopic,
    };
  }
  const arn = trail.TrailARN;
  // Trails are managed in their home region, where the name identifies them; tags need the ARN.
  const status = await ct.send<GetTrailStatusCommandOutput>(
    'read',
    new GetTrailStatusCommand({ Name: name }),
  );
  const selectors = await ct.send<GetEventSelectorsCommandOutput>(
    'read',
    new GetEventSelectorsCommand({ TrailName: name }),
  );
  const insights = await ct
    .send<GetInsightSelectorsCommandOutput>('read', new GetInsightSelectorsCommand({ TrailName: name }))
    .catch((error: unknown) => {
      // CloudTrail answers this for a trail that has never had Insights: none, not a failure.
      if (error instanceof TrailError && error.code === 'InsightNotEnabledException')
        return { InsightSelectors: [] };
      throw error;
    });
  const tags = await ct.send<ListTagsCommandOutput>('read', new ListTagsCommand({ ResourceIdList: [arn] }));
  return {
    trail,
    status,
    ...(selectors.EventSelectors ? { eventSelectors: selectors.EventSelectors.map(normaliseSelector) } : {}),
    usesAdvancedSelectors: (selectors.AdvancedEventSelectors ?? []).length > 0,
    ...(selectors.AdvancedEventSelectors?.length
      ? { advancedEventSelectors: selectors.AdvancedEventSelectors }
      : {}),
    insights: (insights.InsightSelectors ?? []).flatMap((s) => (s.InsightType ? [s.InsightType] : [])).sort(),
    tags: Object.fromEntries(
      (tags.ResourceTagList?.[0]?.TagsList ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']),
    ),
    trailsInRegion: home.length,
    bucket: observedBucket,
    ...observedTopic,
  };
}

async function observeBucket(s3: S3Client, bucket: string): Promise<ObservedTrail['bucket']> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchBucket'))
      return { exists: false };
    throw explainAwsError(error, 'HeadBucket');
  }
  try {
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return {
      exists: true,
      ...(policy.Policy ? { policy: JSON.parse(policy.Policy) as PolicyDocument } : {}),
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchBucketPolicy') return { exists: true };
    throw explainAwsError(error, 'GetBucketPolicy');
  }
}

function normaliseSelector(
  selector: NonNullable<GetEventSelectorsCommandOutput['EventSelectors']>[number],
): EventSelector {
  return {
    ReadWriteType: (selector.ReadWriteType ?? 'All') as EventSelector['ReadWriteType'],
    IncludeManagementEvents: selector.IncludeManagementEvents ?? true,
    DataResources: (selector.DataResources ?? []).map((r) => ({
      Type: r.Type ?? '',
      Values: [...(r.Values ?? [])].sort(),
    })),
    ExcludeManagementEventSources: [...(selector.ExcludeManagementEventSources ?? [])].sort(),
  };
}

function canonicalSelectors(selectors: readonly EventSelector[]): string {
  return JSON.stringify(
    selectors.map((s) => ({
      ...s,
      DataResources: [...s.DataResources].map((r) => ({ Type: r.Type, Values: [...r.Values].sort() })),
      ExcludeManagementEventSources: [...s.ExcludeManagementEventSources].sort(),
    })),
  );
}

/** The statements CloudTrail needs on its bucket, scoped to this trail, plus TLS-only access. */
export function bucketPolicyStatements(
  context: TrailContext,
  desired: DesiredTrail,
): Record<string, unknown>[] {
  const arn = trailArn(context, desired.name);
  const bucketArn = `arn:${context.partition}:s3:::${desired.bucket}`;
  const prefix = desired.prefix ? `${desired.prefix}/` : '';
  const objects = desired.organization
    ? `${bucketArn}/${prefix}AWSLogs/*`
    : `${bucketArn}/${prefix}AWSLogs/${context.accountId}/*`;
  return [
    {
      Sid: 'TrailwatchDenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'TrailwatchCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': arn } },
    },
    {
      Sid: 'TrailwatchCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arn } },
    },
  ];
}

/** Whether a bucket policy lets CloudTrail write, with the write scoped to a trail by aws:SourceArn. */
export function allowsScopedCloudTrailWrite(policy: PolicyDocument | undefined, arn: string): boolean {
  return (policy?.Statement ?? []).some((statement) => {
    const principal = JSON.stringify(statement.Principal ?? '');
    const actions = [statement.Action].flat();
    const source =
      (statement.Condition as
        | { StringEquals?: Record<string, unknown>; ArnLike?: Record<string, unknown> }
        | undefined) ?? {};
    const sourceArn = source.StringEquals?.['aws:SourceArn'] ?? source.ArnLike?.['aws:SourceArn'];
    return (
      statement.Effect === 'Allow' &&
      principal.includes('cloudtrail.amazonaws.com') &&
      actions.includes('s3:PutObject') &&
      [sourceArn].flat().includes(arn)
    );
  });
}

export type TrailCall =
  | 'CreateBucket'
  | 'PutBucketPolicy'
  | 'SetTopicPolicy'
  | 'CreateTrail'
  | 'UpdateTrail'
  | 'PutEventSelectors'
  | 'PutInsightSelectors'
  | 'AddTags'
  | 'StartLogging';

export interface TrailChange {
  readonly what: string;
  readonly current: unknown;
  readonly desired: unknown;
  readonly call: TrailCall;
}

/** The differences between the desired and the observed trail, each with the call that fixes it. */
export function planTrail(
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
  if (!allowsScopedCloudTrailWrite(observed.bucket.policy, arn)) {
    if (desired.createBucket)
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
        call: 'SetTopicPolicy',
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
      ['S3KeyPrefix', trail.S3KeyPrefix ?? undefined, desired.prefix],
      ['IsMultiRegionTrail', trail.IsMultiRegionTrail ?? false, desired.multiRegion],
      ['IsOrganizationTrail', trail.IsOrganizationTrail ?? false, desired.organization],
      ['IncludeGlobalServiceEvents', trail.IncludeGlobalServiceEvents ?? false, desired.globalServiceEvents],
      ['LogFileValidationEnabled', trail.LogFileValidationEnabled ?? false, desired.logFileValidation],
      ['KmsKeyId', trail.KmsKeyId ?? undefined, desired.kmsKeyId],
      [
        'SnsTopic',
        trail.SnsTopicName ?? undefined,
        desired.snsTopic === undefined ? undefined : topicName(desired.snsTopic),
      ],
      [
        'CloudWatchLogsLogGroupArn',
        trail.CloudWatchLogsLogGroupArn ?? undefined,
        desired.cloudWatchLogs?.logGroupArn,
      ],
      ['CloudWatchLogsRoleArn', trail.CloudWatchLogsRoleArn ?? undefined, desired.cloudWatchLogs?.roleArn],
    ];
    for (const [what, current, wanted] of fields) {
      if ((current ?? null) !== (wanted ?? null))
        changes.push({ what, current, desired: wanted, call: 'UpdateTrail' });
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
      current: observed.tags,
      desired: Object.fromEntries(missingTags),
      call: 'AddTags',
    });
  if (!observed.status?.IsLogging)
    changes.push({
      what: 'logging',
      current: trail ? 'stopped' : 'absent',
      desired: 'on',
      call: 'StartLogging',
    });
  return changes;
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

function topicName(topic: string): string {
  return topic.startsWith('arn:') ? (topic.split(':').pop() as string) : topic;
}

function trailSettings(desired: DesiredTrail) {
  return {
    Name: desired.name,
    S3BucketName: desired.bucket,
    ...(desired.prefix ? { S3KeyPrefix: desired.prefix } : {}),
    IsMultiRegionTrail: desired.multiRegion,
    IsOrganizationTrail: desired.organization,
    IncludeGlobalServiceEvents: desired.globalServiceEvents,
    EnableLogFileValidation: desired.logFileValidation,
    ...(desired.kmsKeyId ? { KmsKeyId: desired.kmsKeyId } : {}),
    ...(desired.snsTopic ? { SnsTopicName: desired.snsTopic } : {}),
    ...(desired.cloudWatchLogs
      ? {
          CloudWatchLogsLogGroupArn: desired.cloudWatchLogs.logGroupArn,
          CloudWatchLogsRoleArn: desired.cloudWatchLogs.roleArn,
        }
      : {}),
  };
}

/** Makes only the calls the plan needs, in the order CloudTrail requires (bucket before trail). */
export async function applyTrail(
  context: TrailContext,
  desired: DesiredTrail,
  changes: readonly TrailChange[],
): Promise<TrailCall[]> {
  const needed = new Set(changes.map((change) => change.call));
  const made: TrailCall[] = [];
  const ct = context.cloudtrail;
  const arn = trailArn(context, desired.name);
  const step = async (call: TrailCall, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
      made.push(call);
    } catch (error) {
      throw explainAwsError(error, call);
    }
  };
  if (needed.has('CreateBucket')) {
    await step('CreateBucket', () =>
      context.s3.send(
        new CreateBucketCommand({
          Bucket: desired.bucket,
          ...(context.region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: context.region as never } }),
        }),
      ),
    );
    await context.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: desired.bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await context.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: desired.bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
        },
      }),
    );
  }
  if (needed.has('PutBucketPolicy') || needed.has('CreateBucket')) {
    const current = needed.has('CreateBucket')
      ? undefined
      : (await observeBucket(context.s3, desired.bucket)).policy;
    const ours = bucketPolicyStatements(context, desired);
    const others = (current?.Statement ?? []).filter((s) => !String(s.Sid ?? '').startsWith('Trailwatch'));
    await step('PutBucketPolicy', () =>
      context.s3.send(
        new PutBucketPolicyCommand({
          Bucket: desired.bucket,
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [...others, ...ours] }),
        }),
      ),
    );
  }
  if (needed.has('SetTopicPolicy') && desired.snsTopic) {
    const topic = topicArn(context, desired.snsTopic);
    const current = (await observeTopic(context, topic)).policy;
    const others = (current?.Statement ?? []).filter(
      (statement) => statement.Sid !== 'TrailwatchCloudTrailPublish',
    );
    const ours = {
      Sid: 'TrailwatchCloudTrailPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topic,
      Condition: { StringEquals: { 'aws:SourceArn': arn } },
    };
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [...others, ours] });
    await step('SetTopicPolicy', () =>
      context.sns.send(
        new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'Policy', AttributeValue: policy }),
      ),
    );
  }
  if (needed.has('CreateTrail')) {
    await ct.send(
      'write',
      new CreateTrailCommand({
        ...trailSettings(desired),
        TagsList: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    made.push('CreateTrail');
  } else if (needed.has('UpdateTrail')) {
    await ct.send('write', new UpdateTrailCommand(trailSettings(desired)));
    made.push('UpdateTrail');
  }
  if (needed.has('PutEventSelectors')) {
    await ct.send(
      'write',
      new PutEventSelectorsCommand(
        desired.advancedEventSelectors
          ? {
              TrailName: desired.name,
              AdvancedEventSelectors: desired.advancedEventSelectors.map((selector) => ({
                ...selector,
                FieldSelectors: [...selector.FieldSelectors],
              })),
            }
          : {
              TrailName: desired.name,
              EventSelectors: desired.eventSelectors.map((s) => ({
                ...s,
                DataResources: s.DataResources.map((r) => ({ Type: r.Type, Values: [...r.Values] })),
                ExcludeManagementEventSources: [...s.ExcludeManagementEventSources],
              })),
            },
      ),
    );
    made.push('PutEventSelectors');
  }
  if (needed.has('PutInsightSelectors')) {
    await ct.send(
      'write',
      new PutInsightSelectorsCommand({
        TrailName: desired.name,
        InsightSelectors: desired.insights.map((InsightType) => ({ InsightType: InsightType as never })),
      }),
    );
    made.push('PutInsightSelectors');
  }
  if (needed.has('AddTags') && !needed.has('CreateTrail')) {
    await ct.send(
      'write',
      new AddTagsCommand({
        ResourceId: arn,
        TagsList: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    made.push('AddTags');
  }
  if (needed.has('StartLogging')) {
    await ct.send('write', new StartLoggingCommand({ Name: desired.name }));
    made.push('StartLogging');
  }
  return made;
}

export type { CloudTrailClient };
