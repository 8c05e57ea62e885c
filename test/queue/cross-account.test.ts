/**
 * What `trailwatch cross-account-policy` tells a log archive account to add: each statement names
 * exactly the queue function's role, the bucket's log objects, the key through S3 in its region,
 * the topic and the queue; nothing else.
 */
import { describe, expect, it } from 'vitest';
import { CrossAccountInputError, crossAccountPolicies } from '../../lib/queue';
import { runCli } from '../helpers/cli';

const BUCKET = 'aws-controltower-logs-222233334444-eu-west-1';
const ROLE = 'arn:aws:iam::111122223333:role/trailwatch-prod-QueueIngestRole-AbC123';
const KEY = 'arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC = 'arn:aws:sns:eu-west-1:222233334444:log-archive-deliveries';
const QUEUE = 'arn:aws:sqs:us-east-1:111122223333:trailwatch-prod-IngestQueue-XyZ';

const READ = {
  Sid: 'TrailwatchQueueReadsLogs',
  Effect: 'Allow',
  Principal: { AWS: ROLE },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*AWSLogs/*`,
};

describe('cross-account policies', () => {
  it.each([
    [
      'bucket notifying the queue directly',
      { bucket: BUCKET, roleArn: ROLE, queueArn: QUEUE },
      {
        bucketPolicyStatements: [READ],
        keyPolicyStatements: [],
        topicPolicyStatements: [],
        bucketNotification: {
          QueueConfigurations: [
            {
              Id: 'trailwatch-queue',
              QueueArn: QUEUE,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json.gz' }] } },
            },
          ],
        },
      },
    ],
    [
      'SSE-KMS bucket behind a topic',
      { bucket: BUCKET, roleArn: ROLE, kmsKeyArn: KEY, topicArn: TOPIC, queueArn: QUEUE },
      {
        bucketPolicyStatements: [READ],
        keyPolicyStatements: [
          {
            Sid: 'TrailwatchQueueDecryptsLogs',
            Effect: 'Allow',
            Principal: { AWS: ROLE },
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
          },
        ],
        topicPolicyStatements: [
          {
            Sid: 'TrailwatchQueueSubscribes',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:root' },
            Action: 'sns:Subscribe',
            Resource: TOPIC,
            Condition: { StringEquals: { 'sns:Protocol': 'sqs', 'sns:Endpoint': QUEUE } },
          },
        ],
      },
    ],
  ])('%s', (_name, request, expected) => {
    expect(crossAccountPolicies(request)).toEqual(expected);
  });

  it.each([
    [{ bucket: BUCKET, roleArn: 'arn:aws:iam::111122223333:user/x' }, /--role-arn .* is not an IAM role ARN/],
    [{ bucket: 'Bad_Bucket', roleArn: ROLE }, /--bucket Bad_Bucket is not a bucket name/],
    [
      { bucket: BUCKET, roleArn: ROLE, kmsKeyArn: 'alias/aws/s3' },
      /--kms-key-arn alias\/aws\/s3 is not a KMS key ARN/,
    ],
    [{ bucket: BUCKET, roleArn: ROLE, topicArn: QUEUE }, /--topic-arn .* is not an SNS topic ARN/],
    [{ bucket: BUCKET, roleArn: ROLE, queueArn: TOPIC }, /--queue-arn .* is not an SQS queue ARN/],
  ])('refuses %j', (request, message) => {
    expect(() => crossAccountPolicies(request)).toThrow(CrossAccountInputError);
    expect(() => crossAccountPolicies(request)).toThrow(message);
  });

  it('prints them as JSON, or as text with where each goes, from the CLI', async () => {
    const json = await runCli([
      'cross-account-policy',
      '--bucket',
      BUCKET,
      '--role-arn',
      ROLE,
      '--kms-key-arn',
      KEY,
      '--output',
      'json',
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      bucketPolicyStatements: [READ],
      topicPolicyStatements: [],
    });
    const text = await runCli([
      'cross-account-policy',
      '--bucket',
      BUCKET,
      '--role-arn',
      ROLE,
      '--queue-arn',
      QUEUE,
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`# In the account that owns s3://${BUCKET}: add to the bucket policy`);
    expect(text.stdout).toContain(
      'replaces the whole configuration: merge with get-bucket-notification-configuration first',
    );
    const missing = await runCli(['cross-account-policy', '--bucket', BUCKET]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--role-arn names the queue function');
  });
});
