/**
 * What the S3 handler does with objects it cannot fully read, against real S3 and SQS (moto_server):
 * a corrupt object is a data fault (no retry, a metric, its location in the failure queue), a
 * transient S3 failure fails the invocation so Lambda retries it, and poison-record reports reach
 * the queue in batches.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureReport } from '../../lib/runtime';
import { createTrailHandler, FailureQueueError, SqsFailureReporter } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { logFile, s3Notification } from '../factories/events';
import { fixtureRecords } from '../helpers/fixtures';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import { capturingLogger, testRuntime } from '../helpers/runtime';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BUCKET = 'trailwatch-failures';
const PREFIX = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/';
const records = fixtureRecords('aws-docs-examples.jsonl').slice(0, 20);

/** A gzip member whose CRC32 trailer is wrong: every byte of data is intact, the check fails. */
function badCrc(text: string): Buffer {
  const gz = Buffer.from(gzipSync(text));
  const crcAt = gz.length - 8;
  gz.writeUInt32LE((gz.readUInt32LE(crcAt) ^ 0xffffffff) >>> 0, crcAt);
  return gz;
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<FailureReport[]> {
  const reports: FailureReport[] = [];
  for (let empty = 0; empty < 2; ) {
    const answer = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) empty++;
    for (const message of messages) reports.push(JSON.parse(message.Body ?? '{}') as FailureReport);
  }
  return reports;
}

describe.skipIf(!motoAvailable)('failure reports and retries on moto_server', () => {
  let moto: Moto;
  let s3: S3Client;
  let sqs: SQSClient;
  let queueCount = 0;

  beforeAll(async () => {
    moto = await startMoto();
    const settings = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    s3 = new S3Client({ ...settings, forcePathStyle: true });
    sqs = new SQSClient(settings);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => moto?.stop());

  async function queue(): Promise<{ url: string; reporter: SqsFailureReporter }> {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: `failures-${queueCount++}` }));
    const url = created.QueueUrl ?? '';
    return { url, reporter: new SqsFailureReporter(url, async () => sqs) };
  }

  function s3Handler(reporter: SqsFailureReporter, endpoint = moto.endpoint) {
    const runtime = testRuntime('placeholders: {}\n', {
      state: new MemoryStateStore(),
      s3: {
        endpoint,
        client: new S3Client({
          region: 'us-east-1',
          endpoint,
          forcePathStyle: true,
          credentials: MOTO_CREDENTIALS,
          maxAttempts: 1,
        }),
      },
    });
    const { log, lines } = capturingLogger();
    return { handler: createTrailHandler('s3', { runtime, log, failures: reporter }), lines };
  }

  it('reports go to the queue in batches of at most 10, every one kept', async () => {
    const { url, reporter } = await queue();
    const reports: FailureReport[] = Array.from({ length: 23 }, (_, i) => ({
      kind: 'poison-record',
      trigger: 's3',
      requestId: 'req',
      location: `s3://bucket/key (Records[${i}])`,
      eventID: `event-${i}`,
      stage: 'deliver',
      error: 'TypeError: boom',
    }));
    await reporter.report(reports);
    const received = await receiveAll(sqs, url);
    expect(received.map((r) => r.eventID).sort()).toEqual(reports.map((r) => r.eventID).sort());
  });

  it('a queue that cannot take the reports fails loudly, so the invocation is retried', async () => {
    const reporter = new SqsFailureReporter(`${moto.endpoint}/111122223333/no-such-queue`, async () => sqs);
    await expect(
      reporter.report([
        { kind: 'data-fault', trigger: 's3', requestId: undefined, location: 'x', error: 'y' },
      ]),
    ).rejects.toThrow(FailureQueueError);
  });

  it('a corrupt object is a data fault: no retry, a metric, its location in the failure queue', async () => {
    const { url, reporter } = await queue();
    const key = `${PREFIX}111122223333_CloudTrail_us-east-1_20261130T1000Z_badcrc.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: badCrc(logFile(records)) }));
    const { handler, lines } = s3Handler(reporter);
    const result = await handler(s3Notification(BUCKET, [key]), {});
    // Every record was decompressed before the trailer check failed: all are read, the fault reported.
    expect(result).toMatchObject({ recordsRead: records.length, recordsSkipped: 1 });
    const emf = lines.find((line) => '_aws' in line);
    expect(emf?.DataFaults).toBe(1);
    const received = await receiveAll(sqs, url);
    expect(received).toEqual([
      expect.objectContaining({
        kind: 'data-fault',
        location: expect.stringContaining(`s3://${BUCKET}/${key}`),
      }),
    ]);
  });

  it('an object that is gone is reported as unreadable, not as a data fault, and not retried', async () => {
    const { url, reporter } = await queue();
    const { handler, lines } = s3Handler(reporter);
    const result = await handler(s3Notification(BUCKET, [`${PREFIX}deleted-before-read.json.gz`]), {});
    expect(result.recordsSkipped).toBe(1);
    expect(lines.find((line) => '_aws' in line)?.DataFaults).toBe(0);
    expect(await receiveAll(sqs, url)).toEqual([
      expect.objectContaining({
        kind: 'unreadable-source',
        location: expect.stringContaining('deleted-before-read'),
      }),
    ]);
  });

  describe('a transient S3 failure fails the invocation so Lambda retries it', () => {
    let flaky: Server;
    let endpoint: string;
    beforeAll(async () => {
      // S3 answering 503 SlowDown, as it does when a prefix is throttled.
      flaky = createServer((_request, response) => {
        response.writeHead(503, { 'content-type': 'application/xml' });
        response.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
      });
      await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise<void>((resolve) => flaky.close(() => resolve())));

    it('503 SlowDown: the invocation throws and nothing is reported as a data fault', async () => {
      const { url, reporter } = await queue();
      const { handler } = s3Handler(reporter, endpoint);
      await expect(handler(s3Notification(BUCKET, [`${PREFIX}throttled.json.gz`]), {})).rejects.toThrow(
        /could not read 1 input/,
      );
      expect(await receiveAll(sqs, url)).toEqual([]);
    });
  });
});
