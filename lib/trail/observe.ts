/**
 * Observing a trail: the reads plan and validate compare against (DescribeTrails, GetTrailStatus,
 * the selectors, insights and tags, the bucket and topic policies). Reads only.
 */
import type {
  GetEventSelectorsCommandOutput,
  GetInsightSelectorsCommandOutput,
  GetTrailStatusCommandOutput,
  ListTagsCommandOutput,
  Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetBucketPolicyCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { TrailContext } from './context';
import type { EventSelector } from './desired';
import { callAws, TrailError } from './errors';
import type { PolicyDocument } from './policies';
import { parsePolicyDocument, topicArn } from './policies';

export interface ObservedBucket {
  readonly exists: boolean;
  readonly policy?: PolicyDocument;
}

export interface ObservedTopic {
  readonly arn: string;
  readonly exists: boolean;
  readonly policy?: PolicyDocument;
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
  readonly bucket: ObservedBucket;
  /** The delivery topic, when the desired or the existing trail names one. */
  readonly topic?: ObservedTopic;
}

/** Whether a call failed because what it asked about is not there, by the service's error code. */
function isMissing(error: unknown, codes: readonly string[]): boolean {
  return error instanceof TrailError && error.code !== undefined && codes.includes(error.code);
}

/** S3 answers HeadBucket for a missing bucket with a bare 404, which the SDK names NotFound. */
const MISSING_BUCKET = ['NotFound', 'NoSuchBucket'];
const MISSING_POLICY = ['NoSuchBucketPolicy'];
const MISSING_TOPIC = ['NotFound', 'NotFoundException'];

export async function observeBucket(context: TrailContext, bucket: string): Promise<ObservedBucket> {
  const resource = `bucket ${bucket}`;
  try {
    await callAws({ call: 'HeadBucket', resource, service: 'S3' }, () =>
      context.s3.send(new HeadBucketCommand({ Bucket: bucket })),
    );
  } catch (error) {
    if (isMissing(error, MISSING_BUCKET)) return { exists: false };
    throw error;
  }
  try {
    const policy = await callAws({ call: 'GetBucketPolicy', resource, service: 'S3' }, () =>
      context.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
    );
    return { exists: true, ...(policy.Policy ? { policy: parsePolicyDocument(policy.Policy) } : {}) };
  } catch (error) {
    if (isMissing(error, MISSING_POLICY)) return { exists: true };
    throw error;
  }
}

export async function observeTopic(context: TrailContext, arn: string): Promise<ObservedTopic> {
  try {
    const attributes = await callAws(
      { call: 'GetTopicAttributes', resource: `topic ${arn}`, service: 'SNS' },
      () => context.sns.send(new GetTopicAttributesCommand({ TopicArn: arn })),
    );
    const policy = attributes.Attributes?.Policy;
    return { arn, exists: true, ...(policy ? { policy: parsePolicyDocument(policy) } : {}) };
  } catch (error) {
    if (isMissing(error, MISSING_TOPIC)) return { arn, exists: false };
    throw error;
  }
}

/** The trails whose home region is the context's (shadow copies of multi-region trails left out). */
export async function trailsInRegion(context: TrailContext): Promise<Trail[]> {
  const described = await context.cloudtrail.send<{ trailList?: Trail[] }>(
    'read',
    new DescribeTrailsCommand({ includeShadowTrails: false }),
    `trails in ${context.region}`,
  );
  return (described.trailList ?? []).filter((trail) => trail.HomeRegion === context.region);
}

/** Reads everything plan and validate compare: the trail, its status, selectors, tags, bucket and topic. */
export async function observeTrail(
  context: TrailContext,
  name: string,
  bucket?: string,
  topic?: string,
): Promise<ObservedTrail> {
  const ct = context.cloudtrail;
  const home = await trailsInRegion(context);
  const trail = home.find((t) => t.Name === name);
  const bucketName = bucket ?? trail?.S3BucketName;
  const observedBucket = bucketName ? await observeBucket(context, bucketName) : { exists: false };
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
  const resource = `trail ${name}`;
  // Trails are managed in their home region, where the name identifies them; tags need the ARN.
  const status = await ct.send<GetTrailStatusCommandOutput>(
    'read',
    new GetTrailStatusCommand({ Name: name }),
    resource,
  );
  const selectors = await ct.send<GetEventSelectorsCommandOutput>(
    'read',
    new GetEventSelectorsCommand({ TrailName: name }),
    resource,
  );
  const insights = await ct
    .send<GetInsightSelectorsCommandOutput>(
      'read',
      new GetInsightSelectorsCommand({ TrailName: name }),
      resource,
    )
    .catch((error: unknown) => {
      // CloudTrail answers this for a trail that has never had Insights: none, not a failure.
      if (isMissing(error, ['InsightNotEnabledException'])) return { InsightSelectors: [] };
      throw error;
    });
  const tags = await ct.send<ListTagsCommandOutput>(
    'read',
    new ListTagsCommand({ ResourceIdList: [arn] }),
    resource,
  );
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

const READ_WRITE_TYPES: readonly EventSelector['ReadWriteType'][] = ['All', 'ReadOnly', 'WriteOnly'];

/** A selector as CloudTrail returns it, with its defaults filled in and its lists sorted. */
function normaliseSelector(
  selector: NonNullable<GetEventSelectorsCommandOutput['EventSelectors']>[number],
): EventSelector {
  return {
    ReadWriteType: READ_WRITE_TYPES.find((type) => type === selector.ReadWriteType) ?? 'All',
    IncludeManagementEvents: selector.IncludeManagementEvents ?? true,
    DataResources: (selector.DataResources ?? []).map((r) => ({
      Type: r.Type ?? '',
      Values: [...(r.Values ?? [])].sort(),
    })),
    ExcludeManagementEventSources: [...(selector.ExcludeManagementEventSources ?? [])].sort(),
  };
}
