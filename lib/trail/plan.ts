/**
 * Planning: from the differences between the desired and the observed trail (diff.ts), the exact
 * AWS calls, with their inputs, that put them right. `trail plan` prints this value and `trail apply` executes
 * it, so what plan announces is what apply does. Pure: no AWS calls here.
 */
import type {
  AddTagsCommandInput,
  CreateTrailCommandInput,
  InsightType,
  PutEventSelectorsCommandInput,
  PutInsightSelectorsCommandInput,
  StartLoggingCommandInput,
  Trail,
  UpdateTrailCommandInput,
} from '@aws-sdk/client-cloudtrail';
import type {
  BucketLocationConstraint,
  CreateBucketCommandInput,
  PutBucketEncryptionCommandInput,
  PutBucketPolicyCommandInput,
  PutPublicAccessBlockCommandInput,
} from '@aws-sdk/client-s3';
import type { SetTopicAttributesCommandInput } from '@aws-sdk/client-sns';
import type { TrailContext } from './context';
import type { DesiredTrail } from './desired';
import type { TrailChange } from './diff';
import { diffTrail } from './diff';
import type { ObservedTrail } from './observe';
import { bucketPolicy, topicArn, topicPolicy, trailArn } from './policies';

/** One planned AWS call: its API action, what it acts on, and the input apply sends. */
export type PlannedCall =
  | { readonly call: 'CreateBucket'; readonly resource: string; readonly input: CreateBucketCommandInput }
  | {
      readonly call: 'PutPublicAccessBlock';
      readonly resource: string;
      readonly input: PutPublicAccessBlockCommandInput;
    }
  | {
      readonly call: 'PutBucketEncryption';
      readonly resource: string;
      readonly input: PutBucketEncryptionCommandInput;
    }
  | {
      readonly call: 'PutBucketPolicy';
      readonly resource: string;
      readonly input: PutBucketPolicyCommandInput;
    }
  | {
      readonly call: 'SetTopicAttributes';
      readonly resource: string;
      readonly input: SetTopicAttributesCommandInput;
    }
  | { readonly call: 'CreateTrail'; readonly resource: string; readonly input: CreateTrailCommandInput }
  | { readonly call: 'UpdateTrail'; readonly resource: string; readonly input: UpdateTrailCommandInput }
  | {
      readonly call: 'PutEventSelectors';
      readonly resource: string;
      readonly input: PutEventSelectorsCommandInput;
    }
  | {
      readonly call: 'PutInsightSelectors';
      readonly resource: string;
      readonly input: PutInsightSelectorsCommandInput;
    }
  | { readonly call: 'AddTags'; readonly resource: string; readonly input: AddTagsCommandInput }
  | { readonly call: 'StartLogging'; readonly resource: string; readonly input: StartLoggingCommandInput };

/** The API actions apply may make. */
export type TrailCall = PlannedCall['call'];

/** What plan prints and apply executes. */
export interface TrailPlan {
  readonly trail: string;
  readonly region: string;
  readonly changes: readonly TrailChange[];
  /** Every call apply makes, in the order it makes them (bucket before trail, trail before selectors). */
  readonly calls: readonly PlannedCall[];
}

/** The trail settings CreateTrail takes, from the desired trail. */
function trailSettings(desired: DesiredTrail): CreateTrailCommandInput {
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

/**
 * UpdateTrail leaves a setting it is not given as it is; an empty string removes it. So a prefix,
 * key, topic or CloudWatch Logs delivery the trail has and trailwatch.yml dropped is sent empty.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
 */
function updateSettings(desired: DesiredTrail, current: Trail): UpdateTrailCommandInput {
  const cleared = (has: string | undefined, wanted: unknown) => Boolean(has) && wanted === undefined;
  return {
    ...trailSettings(desired),
    ...(cleared(current.S3KeyPrefix, desired.prefix) ? { S3KeyPrefix: '' } : {}),
    ...(cleared(current.KmsKeyId, desired.kmsKeyId) ? { KmsKeyId: '' } : {}),
    ...(cleared(current.SnsTopicName ?? current.SnsTopicARN, desired.snsTopic) ? { SnsTopicName: '' } : {}),
    ...(cleared(current.CloudWatchLogsLogGroupArn, desired.cloudWatchLogs)
      ? { CloudWatchLogsLogGroupArn: '', CloudWatchLogsRoleArn: '' }
      : {}),
  };
}

/**
 * S3 creates buckets in us-east-1 unless told otherwise, and refuses a location constraint of
 * us-east-1 itself. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 */
const DEFAULT_BUCKET_REGION = 'us-east-1';

function isLocationConstraint(region: string): region is BucketLocationConstraint {
  return region !== DEFAULT_BUCKET_REGION;
}

function bucketCalls(context: TrailContext, desired: DesiredTrail): PlannedCall[] {
  const resource = `bucket ${desired.bucket}`;
  const Bucket = desired.bucket;
  const region = context.region;
  return [
    {
      call: 'CreateBucket',
      resource,
      input: {
        Bucket,
        ...(isLocationConstraint(region)
          ? { CreateBucketConfiguration: { LocationConstraint: region } }
          : {}),
      },
    },
    // A log bucket is never public, and encrypted at rest even without a KMS key.
    {
      call: 'PutPublicAccessBlock',
      resource,
      input: {
        Bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
    },
    {
      call: 'PutBucketEncryption',
      resource,
      input: {
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
        },
      },
    },
  ];
}

function selectorsInput(desired: DesiredTrail): PutEventSelectorsCommandInput {
  if (desired.advancedEventSelectors)
    return {
      TrailName: desired.name,
      AdvancedEventSelectors: desired.advancedEventSelectors.map((selector) => ({
        ...selector,
        FieldSelectors: [...selector.FieldSelectors],
      })),
    };
  return {
    TrailName: desired.name,
    EventSelectors: desired.eventSelectors.map((s) => ({
      ReadWriteType: s.ReadWriteType,
      IncludeManagementEvents: s.IncludeManagementEvents,
      DataResources: s.DataResources.map((r) => ({ Type: r.Type, Values: [...r.Values] })),
      ExcludeManagementEventSources: [...s.ExcludeManagementEventSources],
    })),
  };
}

const INSIGHT_TYPES: readonly InsightType[] = ['ApiCallRateInsight', 'ApiErrorRateInsight'];

function tagsList(desired: DesiredTrail): { Key: string; Value: string }[] {
  return Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * The plan: the differences and, from them, every call apply will make, with its input, in the order
 * CloudTrail requires (the bucket and its policy before the trail that writes to it).
 */
export function planTrail(context: TrailContext, desired: DesiredTrail, observed: ObservedTrail): TrailPlan {
  const changes = diffTrail(context, desired, observed);
  const needed = new Set(changes.map((change) => change.call));
  const trailResource = `trail ${desired.name}`;
  const calls: PlannedCall[] = [];
  if (needed.has('CreateBucket')) calls.push(...bucketCalls(context, desired));
  if (needed.has('PutBucketPolicy')) {
    // A new bucket has no policy yet; an existing one keeps its statements that are not trailwatch's.
    const current = needed.has('CreateBucket') ? undefined : observed.bucket.policy;
    calls.push({
      call: 'PutBucketPolicy',
      resource: `bucket ${desired.bucket}`,
      input: { Bucket: desired.bucket, Policy: JSON.stringify(bucketPolicy(context, desired, current)) },
    });
  }
  if (needed.has('SetTopicAttributes') && desired.snsTopic) {
    const topic = topicArn(context, desired.snsTopic);
    calls.push({
      call: 'SetTopicAttributes',
      resource: `topic ${topic}`,
      input: {
        TopicArn: topic,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify(topicPolicy(context, desired, topic, observed.topic?.policy)),
      },
    });
  }
  if (needed.has('CreateTrail'))
    calls.push({
      call: 'CreateTrail',
      resource: trailResource,
      input: { ...trailSettings(desired), TagsList: tagsList(desired) },
    });
  else if (needed.has('UpdateTrail') && observed.trail)
    calls.push({
      call: 'UpdateTrail',
      resource: trailResource,
      input: updateSettings(desired, observed.trail),
    });
  if (needed.has('PutEventSelectors'))
    calls.push({ call: 'PutEventSelectors', resource: trailResource, input: selectorsInput(desired) });
  if (needed.has('PutInsightSelectors'))
    calls.push({
      call: 'PutInsightSelectors',
      resource: trailResource,
      input: {
        TrailName: desired.name,
        InsightSelectors: INSIGHT_TYPES.filter((type) => desired.insights.includes(type)).map(
          (InsightType) => ({
            InsightType,
          }),
        ),
      },
    });
  if (needed.has('AddTags'))
    calls.push({
      call: 'AddTags',
      resource: trailResource,
      input: { ResourceId: trailArn(context, desired.name), TagsList: tagsList(desired) },
    });
  if (needed.has('StartLogging'))
    calls.push({ call: 'StartLogging', resource: trailResource, input: { Name: desired.name } });
  return { trail: desired.name, region: context.region, changes, calls };
}
