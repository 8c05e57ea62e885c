import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';

/**
 * What a log archive account (Control Tower's, or any account that owns the trail's bucket) must
 * add so the queue function in the security account can read its logs: statements for the bucket
 * policy, the KMS key policy, the topic policy, and the bucket's notification to the queue. Built
 * from the deployed names (the stack's QueueIngestRoleArn and IngestQueueArn outputs); nothing here
 * calls AWS: the log archive's owner reviews and applies them.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-send-message-to-sqs-cross-account.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ways-to-add-notification-config-to-bucket.html
 */
export interface CrossAccountRequest {
  readonly bucket: string;
  /** The queue function's role (stack output QueueIngestRoleArn). */
  readonly roleArn: string;
  /** The key the bucket's objects are encrypted with (SSE-KMS), if any. */
  readonly kmsKeyArn?: string;
  /** The topic the bucket's (or CloudTrail's) notifications go to, when the queue subscribes to it. */
  readonly topicArn?: string;
  /** The queue (stack output IngestQueueArn): the topic subscription's endpoint, or the bucket's notification target. */
  readonly queueArn?: string;
}

export type PolicyStatement = Record<string, unknown>;

export interface CrossAccountPolicies {
  /** Add to the log bucket's policy. */
  readonly bucketPolicyStatements: readonly PolicyStatement[];
  /** Add to the key policy of the bucket's KMS key (none without one). */
  readonly keyPolicyStatements: readonly PolicyStatement[];
  /** Add to the topic's policy (none when the bucket notifies the queue directly). */
  readonly topicPolicyStatements: readonly PolicyStatement[];
  /** The queue configuration to merge into the bucket's notifications (none with a topic). */
  readonly bucketNotification?: { readonly QueueConfigurations: readonly Record<string, unknown>[] };
}

/** A name that is not of its kind (an ARN of another service, a bucket name S3 would refuse). */
export class CrossAccountInputError extends TrailwatchError {
  override readonly name = 'CrossAccountInputError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'cross-account-input', options);
  }
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/[\w+=,.@/-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;
/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Where CloudTrail writes, under any prefix (an organisation trail adds its id before AWSLogs/). */
const LOG_OBJECTS = '*AWSLogs/*';
/** The keys of CloudTrail log files; digests and folder markers are left out. */
const LOG_FILE_SUFFIX = '.json.gz';

/** Checks every name, then builds the statements; a wrong name is reported with the flag it came from. */
export function crossAccountPolicies(request: CrossAccountRequest): CrossAccountPolicies {
  const problems: string[] = [];
  const role = ROLE_ARN.exec(request.roleArn);
  if (!role) problems.push(`--role-arn ${request.roleArn} is not an IAM role ARN`);
  if (!BUCKET_NAME.test(request.bucket)) problems.push(`--bucket ${request.bucket} is not a bucket name`);
  const key = request.kmsKeyArn === undefined ? undefined : KMS_KEY_ARN.exec(request.kmsKeyArn);
  if (request.kmsKeyArn !== undefined && !key)
    problems.push(`--kms-key-arn ${request.kmsKeyArn} is not a KMS key ARN`);
  if (request.topicArn !== undefined && !TOPIC_ARN.test(request.topicArn))
    problems.push(`--topic-arn ${request.topicArn} is not an SNS topic ARN`);
  if (request.queueArn !== undefined && !QUEUE_ARN.test(request.queueArn))
    problems.push(`--queue-arn ${request.queueArn} is not an SQS queue ARN`);
  if (problems.length > 0 || !role) throw new CrossAccountInputError(problems.join('; '));
  const [, partition, account] = role;
  const reader = { AWS: request.roleArn };
  const bucketPolicyStatements: PolicyStatement[] = [
    {
      Sid: 'TrailwatchQueueReadsLogs',
      Effect: 'Allow',
      Principal: reader,
      Action: 's3:GetObject',
      Resource: `arn:${partition}:s3:::${request.bucket}/${LOG_OBJECTS}`,
    },
  ];
  // A key policy's Resource is the key itself ("*"); the role may decrypt only through S3 in the key's region.
  const keyPolicyStatements: PolicyStatement[] = key
    ? [
        {
          Sid: 'TrailwatchQueueDecryptsLogs',
          Effect: 'Allow',
          Principal: reader,
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': `s3.${key[1]}.amazonaws.com` } },
        },
      ]
    : [];
  const topicPolicyStatements: PolicyStatement[] =
    request.topicArn === undefined
      ? []
      : [
          {
            Sid: 'TrailwatchQueueSubscribes',
            Effect: 'Allow',
            Principal: { AWS: `arn:${partition}:iam::${account}:root` },
            Action: 'sns:Subscribe',
            Resource: request.topicArn,
            Condition: {
              StringEquals: {
                'sns:Protocol': 'sqs',
                ...(request.queueArn === undefined ? {} : { 'sns:Endpoint': request.queueArn }),
              },
            },
          },
        ];
  const bucketNotification =
    request.topicArn === undefined && request.queueArn !== undefined
      ? {
          QueueConfigurations: [
            {
              Id: 'trailwatch-queue',
              QueueArn: request.queueArn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: LOG_FILE_SUFFIX }] } },
            },
          ],
        }
      : undefined;
  return {
    bucketPolicyStatements,
    keyPolicyStatements,
    topicPolicyStatements,
    ...(bucketNotification === undefined ? {} : { bucketNotification }),
  };
}

/** The statements as a person applies them: each document's place, then the JSON to merge in. */
export function crossAccountText(request: CrossAccountRequest, policies: CrossAccountPolicies): string {
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  const parts = [
    `# In the account that owns s3://${request.bucket}: add to the bucket policy`,
    `# (aws s3api get-bucket-policy --bucket ${request.bucket}, merge, put-bucket-policy):`,
    json(policies.bucketPolicyStatements),
  ];
  if (policies.keyPolicyStatements.length > 0)
    parts.push(
      `# Add to the key policy of ${request.kmsKeyArn} (aws kms get-key-policy --policy-name default, merge, put-key-policy):`,
      json(policies.keyPolicyStatements),
    );
  if (policies.topicPolicyStatements.length > 0)
    parts.push(
      `# Add to the policy of ${request.topicArn} (aws sns get-topic-attributes, merge into Policy, set-topic-attributes),`,
      '# then deploy the stack with logBucketTopicArn: the queue subscribes from its own account:',
      json(policies.topicPolicyStatements),
    );
  if (policies.bucketNotification)
    parts.push(
      `# Add to the notifications of s3://${request.bucket} once the stack is deployed with logBucketName and`,
      '# logBucketAccount (its queue policy must allow the bucket first). put-bucket-notification-configuration',
      '# replaces the whole configuration: merge with get-bucket-notification-configuration first.',
      json(policies.bucketNotification),
    );
  else if (request.topicArn === undefined)
    parts.push(
      '# Name the queue with --queue-arn (stack output IngestQueueArn) for the bucket notification to add.',
    );
  return `${parts.join('\n')}\n`;
}
