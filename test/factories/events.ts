/**
 * Typed builders for every delivery shape, wrapped around real records from the fixtures. Each
 * follows the structure in the AWS documentation cited beside it, so tests exercise real shapes.
 */
import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../../lib/records';

type Json = Record<string, unknown>;

/** `{"Records":[…]}` as CloudTrail writes a log file to S3. */
export function logFile(records: readonly unknown[]): string {
  return JSON.stringify({ Records: records });
}

/**
 * S3 event notification (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * Keys are URL-encoded with `+` for spaces, as S3 sends them.
 */
export function s3Notification(
  bucket: string,
  keys: readonly string[],
  eventName = 'ObjectCreated:Put',
): Json {
  return {
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2024-05-01T10:00:00.000Z',
      eventName,
      userIdentity: { principalId: 'AWS:AROAEXAMPLE:cloudtrail' },
      requestParameters: { sourceIPAddress: '203.0.113.10' },
      responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'trailwatch',
        bucket: {
          name: bucket,
          ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
          arn: `arn:aws:s3:::${bucket}`,
        },
        object: {
          key: encodeS3EventKey(key),
          size: 1024,
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          sequencer: '0055AED6DCD90281E5',
        },
      },
    })),
  };
}

export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** The event SNS gives Lambda (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). */
export function snsLambdaEvent(messages: readonly unknown[]): Json {
  return {
    Records: messages.map((message, index) => ({
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:trail-deliveries:c9135db0',
      EventSource: 'aws:sns',
      Sns: {
        SignatureVersion: '1',
        Timestamp: '2024-05-01T10:00:00.000Z',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
        MessageId: `95df01b4-ee98-5cb9-9903-4c221d41eb5${index}`,
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        MessageAttributes: {},
        Type: 'Notification',
        UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:trail-deliveries',
        Subject: null,
      },
    })),
  };
}

/** The SNS message as an HTTP endpoint or a non-raw SQS subscription receives it. */
export function snsEnvelope(message: unknown, type = 'Notification'): Json {
  return {
    Type: type,
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:trail-deliveries',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2024-05-01T10:00:00.000Z',
    SignatureVersion: '1',
  };
}

/** The event SQS gives Lambda (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). */
export function sqsLambdaEvent(bodies: readonly unknown[]): Json {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `059f36b4-87a3-44ab-83d2-66197560870${index}`,
      receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:trail-queue',
      awsRegion: 'us-east-1',
    })),
  };
}

/**
 * CloudTrail's own SNS notification on delivery
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/configure-sns-notifications-for-cloudtrail.html).
 */
export function cloudTrailDelivery(bucket: string, keys: readonly string[]): Json {
  return { s3Bucket: bucket, s3ObjectKey: [...keys] };
}

/** CloudTrail events on EventBridge (https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html). */
export function eventBridgeCloudTrail(
  record: CloudTrailRecord,
  detailType = 'AWS API Call via CloudTrail',
): Json {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: `aws.${record.eventSource.split('.')[0]}`,
    account: record.recipientAccountId ?? '123456789012',
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** S3 "Object Created" on EventBridge (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html); keys are not encoded. */
export function eventBridgeObjectCreated(bucket: string, key: string, size = 1024): Json {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2024-05-01T10:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08299329D189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      reason: 'PutObject',
    },
  };
}

/**
 * A CloudWatch Logs subscription event as Lambda receives it: base64 of gzip of the payload
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample).
 */
export function cloudWatchLogsEvent(messages: readonly string[], messageType = 'DATA_MESSAGE'): Json {
  return {
    awslogs: {
      data: gzipSync(JSON.stringify(cloudWatchLogsPayload(messages, messageType))).toString('base64'),
    },
  };
}

export function cloudWatchLogsPayload(messages: readonly string[], messageType = 'DATA_MESSAGE'): Json {
  return {
    messageType,
    owner: '123456789012',
    logGroup: 'aws-cloudtrail-logs-123456789012',
    logStream: '123456789012_CloudTrail_us-east-1',
    subscriptionFilters: ['trailwatch'],
    logEvents: messages.map((message, index) => ({
      id: `3719558453385446215163484578962648524783726412335${index}`,
      timestamp: 1714557600000 + index,
      message,
    })),
  };
}

/** `aws cloudtrail lookup-events` output (https://docs.aws.amazon.com/cli/latest/reference/cloudtrail/lookup-events.html). */
export function lookupEventsOutput(records: readonly CloudTrailRecord[], nextToken?: string): Json {
  return {
    Events: records.map((record) => ({
      EventId: record.eventID,
      EventName: record.eventName,
      ReadOnly: String(record.readOnly ?? 'false'),
      AccessKeyId: record.userIdentity?.accessKeyId,
      EventTime: record.eventTime,
      EventSource: record.eventSource,
      Username: record.userIdentity?.userName ?? 'unknown',
      Resources: [],
      CloudTrailEvent: JSON.stringify(record),
    })),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}

/** A digest file (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html). */
export function digestFile(): Json {
  return {
    awsAccountId: '111122223333',
    digestStartTime: '2024-05-01T09:00:00Z',
    digestEndTime: '2024-05-01T10:00:00Z',
    digestS3Bucket: 'trail-bucket',
    digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/x.json.gz',
    digestPublicKeyFingerprint: '809a5ee4c3efe0c8f2b8f5f1d0a5b6c1',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: '2024-05-01T09:59:59Z',
    oldestEventTime: '2024-05-01T09:00:01Z',
    previousDigestS3Bucket: 'trail-bucket',
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
    logFiles: [],
  };
}

/** An Insights event (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-trails.html). */
export function insightEvent(state: 'Start' | 'End' = 'Start'): Json {
  return {
    eventVersion: '1.08',
    eventTime: '2024-05-01T10:00:00Z',
    awsRegion: 'us-east-1',
    eventID: `a9edc959-9488-4790-be0f-05d60e56b547-${state}`,
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: '123456789012',
    sharedEventID: '12edc982-3348-4794-83d3-a3db26525049',
    insightDetails: {
      state,
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      insightType: 'ApiCallRateInsight',
      insightContext: { statistics: { baseline: { average: 0.0000882145 }, insight: { average: 10 } } },
    },
    eventCategory: 'Insight',
  };
}
