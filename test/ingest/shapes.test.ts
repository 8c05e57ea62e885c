import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../lib/records';
import {
  cloudTrailDelivery,
  cloudWatchLogsEvent,
  cloudWatchLogsPayload,
  digestFile,
  eventBridgeCloudTrail,
  eventBridgeObjectCreated,
  insightEvent,
  logFile,
  lookupEventsOutput,
  s3Notification,
  snsEnvelope,
  snsLambdaEvent,
  sqsLambdaEvent,
} from '../factories/events';
import { CRIBL_LOGS, fixtureLogRecords, fixtureRecords, TRAILSCRAPER_LOG } from '../helpers/fixtures';
import { bytesInput, collect, payload } from '../helpers/read';

const docs = fixtureRecords('aws-docs-examples.jsonl');
const consoleSignIn = docs.find((r) => r.eventName === 'ConsoleLogin') as CloudTrailRecord;
const trailscraper = fixtureLogRecords(TRAILSCRAPER_LOG);
const cribl = fixtureLogRecords(CRIBL_LOGS[0]);
const ids = (records: readonly CloudTrailRecord[]): string[] => records.map((r) => r.eventID);

const BUCKET = 'trail-bucket';
const KEY_A =
  'AWSLogs/111111111111/CloudTrail/eu-central-1/2017/12/11/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz';
const KEY_SPACE =
  'my logs/AWSLogs/650992545562/CloudTrail/ap-southeast-2/2022/01/03/650992545562_CloudTrail_ap-southeast-2_20220103T1910Z_2K1RJSarvjlq2cAR.json.gz';

const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const s3Mock = mockClient(s3);

function body(data: string, gzip = true): ReturnType<typeof sdkStreamMixin> {
  return sdkStreamMixin(Readable.from([gzip ? gzipSync(data) : Buffer.from(data)]));
}

beforeEach(() => {
  s3Mock.reset();
  s3Mock
    .on(GetObjectCommand, { Bucket: BUCKET, Key: KEY_A })
    .callsFake(() => ({ Body: body(logFile(trailscraper)) }));
  s3Mock
    .on(GetObjectCommand, { Bucket: BUCKET, Key: KEY_SPACE })
    .callsFake(() => ({ Body: body(logFile(cribl), false) }));
});

/** Every delivery shape, each expected to yield exactly these records. */
const shapeCases: { name: string; value: () => unknown; expected: () => string[]; objectsRead?: string[] }[] =
  [
    { name: 'a single record', value: () => consoleSignIn, expected: () => [consoleSignIn.eventID] },
    {
      name: 'a parsed log file object',
      value: () => JSON.parse(logFile(trailscraper)),
      expected: () => ids(trailscraper),
    },
    { name: 'a bare array of records', value: () => cribl, expected: () => ids(cribl) },
    {
      name: 'S3 event notification',
      value: () => s3Notification(BUCKET, [KEY_A]),
      expected: () => ids(trailscraper),
      objectsRead: [KEY_A],
    },
    {
      name: 'S3 notification with an encoded key (space as +)',
      value: () => s3Notification(BUCKET, [KEY_SPACE]),
      expected: () => ids(cribl),
      objectsRead: [KEY_SPACE],
    },
    {
      name: 'S3 notification through SNS',
      value: () => snsLambdaEvent([s3Notification(BUCKET, [KEY_A])]),
      expected: () => ids(trailscraper),
      objectsRead: [KEY_A],
    },
    {
      name: 'S3 notification through SNS through SQS',
      value: () => sqsLambdaEvent([snsEnvelope(s3Notification(BUCKET, [KEY_A]))]),
      expected: () => ids(trailscraper),
      objectsRead: [KEY_A],
    },
    {
      name: 'S3 Object Created on EventBridge (raw key)',
      value: () => eventBridgeObjectCreated(BUCKET, KEY_SPACE),
      expected: () => ids(cribl),
      objectsRead: [KEY_SPACE],
    },
    {
      name: 'CloudTrail SNS delivery notification, several keys',
      value: () => snsLambdaEvent([cloudTrailDelivery(BUCKET, [KEY_A, KEY_SPACE])]),
      expected: () => [...ids(trailscraper), ...ids(cribl)],
      objectsRead: [KEY_A, KEY_SPACE],
    },
    {
      name: 'CloudTrail delivery notification as an SNS HTTP message',
      value: () => snsEnvelope(cloudTrailDelivery(BUCKET, [KEY_A])),
      expected: () => ids(trailscraper),
      objectsRead: [KEY_A],
    },
    {
      name: 'CloudWatch Logs subscription event',
      value: () => cloudWatchLogsEvent(cribl.map((r) => JSON.stringify(r))),
      expected: () => ids(cribl),
    },
    {
      name: 'CloudWatch Logs decoded payload',
      value: () => cloudWatchLogsPayload(trailscraper.map((r) => JSON.stringify(r))),
      expected: () => ids(trailscraper),
    },
    {
      name: 'EventBridge AWS API Call via CloudTrail',
      value: () => eventBridgeCloudTrail(cribl[0] as CloudTrailRecord),
      expected: () => [cribl[0]?.eventID as string],
    },
    {
      name: 'EventBridge AWS Console Sign In via CloudTrail',
      value: () => eventBridgeCloudTrail(consoleSignIn, 'AWS Console Sign In via CloudTrail'),
      expected: () => [consoleSignIn.eventID],
    },
    {
      name: 'EventBridge AWS Service Event via CloudTrail',
      value: () => eventBridgeCloudTrail(cribl[1] as CloudTrailRecord, 'AWS Service Event via CloudTrail'),
      expected: () => [cribl[1]?.eventID as string],
    },
    {
      name: 'LookupEvents output',
      value: () => lookupEventsOutput(docs.slice(0, 5), 'token'),
      expected: () => ids(docs.slice(0, 5)),
    },
    {
      name: 'an Insights event',
      value: () => ({ Records: [insightEvent('Start'), insightEvent('End')] }),
      expected: () => [insightEvent('Start').eventID as string, insightEvent('End').eventID as string],
    },
  ];

describe('every delivery shape becomes records', () => {
  for (const { name, value, expected, objectsRead } of shapeCases) {
    it(`${name}: as an in-memory event`, async () => {
      const result = await collect([payload(value())], { s3: { client: s3 } });
      expect(result.problems).toEqual([]);
      expect(ids(result.records)).toEqual(expected());
      const keysRead = s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);
      expect(keysRead).toEqual(objectsRead ?? []);
    });
    it(`${name}: as bytes, plain and gzipped, in small chunks`, async () => {
      const text = JSON.stringify(value());
      for (const data of [text, gzipSync(text)]) {
        const result = await collect([bytesInput('input', data, 97)], { s3: { client: s3 } });
        expect(result.problems).toEqual([]);
        expect(ids(result.records)).toEqual(expected());
      }
    });
  }
});

describe('what is skipped on purpose', () => {
  const cases: { name: string; value: unknown; reason: RegExp }[] = [
    {
      name: 'a CloudWatch Logs control message',
      value: cloudWatchLogsEvent([], 'CONTROL_MESSAGE'),
      reason: /control message/,
    },
    { name: 'a digest file', value: digestFile(), reason: /digest file/ },
    {
      name: 'an S3 test event',
      value: { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-05-01T10:00:00Z', Bucket: BUCKET },
      reason: /test event/,
    },
    {
      name: 'an S3 delete notification',
      value: s3Notification(BUCKET, [KEY_A], 'ObjectRemoved:Delete'),
      reason: /does not create an object/,
    },
    {
      name: 'an SNS subscription confirmation',
      value: snsEnvelope('{}', 'SubscriptionConfirmation'),
      reason: /carries no notification/,
    },
    {
      name: 'a zero-byte object',
      value: {
        ...s3Notification(BUCKET, [KEY_A]),
        Records: [
          {
            ...(s3Notification(BUCKET, [KEY_A]).Records as Record<string, Record<string, unknown>>[])[0],
            s3: { bucket: { name: BUCKET }, object: { key: 'AWSLogs/x.json.gz', size: 0 } },
          },
        ],
      },
      reason: /empty object/,
    },
    {
      name: 'a folder marker',
      value: eventBridgeObjectCreated(BUCKET, 'AWSLogs/111111111111/CloudTrail/', 0),
      reason: /folder marker/,
    },
    {
      name: 'a digest object named by a notification',
      value: cloudTrailDelivery(BUCKET, [
        'AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2024/05/01/111111111111_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T100000Z.json.gz',
      ]),
      reason: /digest file/,
    },
  ];
  for (const { name, value, reason } of cases) {
    it(name, async () => {
      const result = await collect([payload(value)], { s3: { client: s3 } });
      expect(result.problems).toEqual([]);
      expect(result.records).toEqual([]);
      expect(result.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(reason)]);
      expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    });
  }
});

describe('origins', () => {
  it('name the S3 object, what its key says, and the record index', async () => {
    const result = await collect([payload(s3Notification(BUCKET, [KEY_A]))], { s3: { client: s3 } });
    expect(result.origins[1]).toMatchObject({
      source: `s3://${BUCKET}/${KEY_A}`,
      bucket: BUCKET,
      key: KEY_A,
      index: 1,
      pointer: 'Records[1]',
      logFile: { kind: 'log', accountId: '111111111111', region: 'eu-central-1', date: '2017-12-11' },
    });
  });

  it('point into envelopes', async () => {
    const result = await collect([
      payload(cloudWatchLogsEvent(cribl.slice(0, 2).map((r) => JSON.stringify(r))), 'cwl'),
    ]);
    expect(result.origins.map((o) => o.pointer)).toEqual([
      'awslogs.data.logEvents[0].message',
      'awslogs.data.logEvents[1].message',
    ]);
  });
});

describe('records', () => {
  it('keep unknown fields and accept unknown identity types', async () => {
    const odd = {
      ...consoleSignIn,
      userIdentity: { type: 'IdentityCenterUser', onBehalfOf: { userId: 'u' } },
      brandNewField: { a: 1 },
    };
    const result = await collect([payload(odd)]);
    expect(result.records[0]).toEqual(odd);
  });

  it('turn string booleans from exporters into booleans', async () => {
    const result = await collect([payload({ ...consoleSignIn, readOnly: 'false', managementEvent: 'true' })]);
    expect(result.records[0]).toMatchObject({ readOnly: false, managementEvent: true });
  });

  it('give Insights events the eventSource and eventName of their insight', async () => {
    const result = await collect([payload(insightEvent())]);
    expect(result.records[0]).toMatchObject({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' });
  });
});
