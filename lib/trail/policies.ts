/**
 * The resource policies CloudTrail needs (bucket and topic), built from the desired trail, and the
 * checks that an existing policy grants them. Pure: no AWS calls here.
 */
import type { TrailContext } from './context';
import type { DesiredTrail } from './desired';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Readonly<Record<string, unknown>>[];
}

/** The IAM policy language version every policy trailwatch writes declares. */
const POLICY_VERSION = '2012-10-17';
/** Statements trailwatch owns carry Sids with this prefix, so it replaces only its own. */
const OWN_SID_PREFIX = 'Trailwatch';
const TOPIC_SID = 'TrailwatchCloudTrailPublish';
const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A policy as S3 and SNS return it (JSON text); statements that are not objects are left out. */
export function parsePolicyDocument(text: string): PolicyDocument {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) return { Statement: [] };
  const statements = [parsed.Statement].flat().filter(isRecord);
  return typeof parsed.Version === 'string'
    ? { Version: parsed.Version, Statement: statements }
    : { Statement: statements };
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

/** The topic's name, as DescribeTrails reports it (SnsTopicName), from a name or an ARN. */
export function topicName(topic: string): string {
  return topic.startsWith('arn:') ? (topic.split(':').pop() ?? topic) : topic;
}

/** The aws:SourceArn values a statement's condition scopes it to, under StringEquals or ArnLike. */
function sourceArns(statement: Readonly<Record<string, unknown>>): unknown[] {
  const condition = statement.Condition;
  if (!isRecord(condition)) return [];
  return ['StringEquals', 'ArnLike', 'ArnEquals'].flatMap((operator) => {
    const block = condition[operator];
    return isRecord(block) ? [block['aws:SourceArn']].flat() : [];
  });
}

function grantsCloudTrail(
  statement: Readonly<Record<string, unknown>>,
  action: string,
  scopedTo: string,
): boolean {
  return (
    statement.Effect === 'Allow' &&
    JSON.stringify(statement.Principal ?? '').includes(CLOUDTRAIL_PRINCIPAL) &&
    [statement.Action].flat().includes(action) &&
    sourceArns(statement).includes(scopedTo)
  );
}

/** Whether a bucket policy lets CloudTrail write, with the write scoped to a trail by aws:SourceArn. */
export function allowsScopedCloudTrailWrite(policy: PolicyDocument | undefined, arn: string): boolean {
  return (policy?.Statement ?? []).some((statement) => grantsCloudTrail(statement, 's3:PutObject', arn));
}

/** Whether a topic policy lets CloudTrail publish, scoped to a trail by aws:SourceArn. */
export function allowsScopedCloudTrailPublish(policy: PolicyDocument | undefined, arn: string): boolean {
  return (policy?.Statement ?? []).some((statement) => grantsCloudTrail(statement, 'sns:Publish', arn));
}

/**
 * The statements CloudTrail needs on its bucket, scoped to this trail, plus TLS-only access.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 */
export function bucketPolicyStatements(
  context: TrailContext,
  desired: DesiredTrail,
): Record<string, unknown>[] {
  const arn = trailArn(context, desired.name);
  const bucketArn = `arn:${context.partition}:s3:::${desired.bucket}`;
  const prefix = desired.prefix ? `${desired.prefix}/` : '';
  // An organization trail writes under every member account's id.
  const objects = desired.organization
    ? `${bucketArn}/${prefix}AWSLogs/*`
    : `${bucketArn}/${prefix}AWSLogs/${context.accountId}/*`;
  return [
    {
      Sid: `${OWN_SID_PREFIX}DenyInsecureTransport`,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: `${OWN_SID_PREFIX}CloudTrailAclCheck`,
      Effect: 'Allow',
      Principal: { Service: CLOUDTRAIL_PRINCIPAL },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': arn } },
    },
    {
      Sid: `${OWN_SID_PREFIX}CloudTrailWrite`,
      Effect: 'Allow',
      Principal: { Service: CLOUDTRAIL_PRINCIPAL },
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arn } },
    },
  ];
}

/**
 * The bucket policy to write: the current policy's statements that trailwatch does not own, kept as
 * they are, then trailwatch's.
 */
export function bucketPolicy(
  context: TrailContext,
  desired: DesiredTrail,
  current: PolicyDocument | undefined,
): PolicyDocument {
  const others = (current?.Statement ?? []).filter(
    (statement) => !String(statement.Sid ?? '').startsWith(OWN_SID_PREFIX),
  );
  return { Version: POLICY_VERSION, Statement: [...others, ...bucketPolicyStatements(context, desired)] };
}

/**
 * The topic policy to write: the current statements but trailwatch's own, then CloudTrail's publish
 * scoped to this trail.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-permissions-for-sns-notifications.html
 */
export function topicPolicy(
  context: TrailContext,
  desired: DesiredTrail,
  topic: string,
  current: PolicyDocument | undefined,
): PolicyDocument {
  const others = (current?.Statement ?? []).filter((statement) => statement.Sid !== TOPIC_SID);
  const ours = {
    Sid: TOPIC_SID,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_PRINCIPAL },
    Action: 'sns:Publish',
    Resource: topic,
    Condition: { StringEquals: { 'aws:SourceArn': trailArn(context, desired.name) } },
  };
  return { Version: POLICY_VERSION, Statement: [...others, ours] };
}
