/**
 * Two Lambda handler instances (two cold starts: separate runtimes, S3 and DynamoDB clients) share
 * one DynamoDB state table on moto_server and receive the same S3 notification at the same moment,
 * as an at-least-once S3 event delivery or a retry racing the original would. A slow receiver keeps
 * both inside their sends together. Each alert must reach each destination exactly once, and a third
 * invocation afterwards sends nothing.
 */
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretResolver } from '../../lib/notify';
import { createTrailHandler } from '../../lib/runtime';
import { DynamoStateStore } from '../../lib/state';
import { logFile, s3Notification } from '../factories/events';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, seedBucket, startMoto } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { ruleDir } from '../helpers/rules';
import { capturingLogger, testRuntime } from '../helpers/runtime';
import { createStateTable, MOTO_REGION } from '../state/tables';
import { BASE_PROBE } from './arbitraries';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BUCKET = 'trailwatch-attack-concurrent';
const KEYS = [
  'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/111122223333_CloudTrail_us-east-1_20261130T1000Z_a.json.gz',
  'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/111122223333_CloudTrail_us-east-1_20261130T1005Z_b.json.gz',
];
const PER_OBJECT = 6;
const TABLE = 'trailwatch-attack-concurrent-state';

const RULES = ruleDir({
  'probe.yml': `title: Probe call
id: 5b0e7f6e-0000-4000-8000-00000000e001
level: high
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventSource: probe.amazonaws.com}, condition: selection}
`,
});

describe.skipIf(!motoAvailable)(
  'two handler instances, one state table, the same S3 notification at once',
  () => {
    let moto: Moto;
    let receiver: Receiver;

    beforeAll(async () => {
      moto = await startMoto({ serial: true });
      // Slow enough that both instances are inside their sends at the same time.
      receiver = await startReceiver(() => ({ status: 200, body: 'ok', delayMs: 300 }));
      const settings = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
      const s3 = new S3Client({ ...settings, forcePathStyle: true });
      await seedBucket(
        s3,
        BUCKET,
        KEYS.map((key, object) => ({
          key,
          body: gzipSync(
            logFile(
              Array.from({ length: PER_OBJECT }, (_, i) => ({
                ...BASE_PROBE,
                eventID: `concurrent-${object}-${i}`,
              })),
            ),
          ),
        })),
      );
      s3.destroy();
      const dynamo = new DynamoDBClient(settings);
      await createStateTable(dynamo, TABLE);
      dynamo.destroy();
    }, 60_000);

    afterAll(async () => {
      await receiver?.close();
      await moto?.stop();
    });

    /** A cold start of its own: its own clients, runtime and logger; only the table is shared. */
    function instance() {
      const settings = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
      const runtime = testRuntime(
        `rules: {shipped: false, paths: [${RULES}]}
destinations:
  slack: {type: slack, webhook_url: {env: SLACK_URL}}
  hook: {type: webhook, url: {env: SLACK_URL}}
routing:
  defaults: {high: [slack, hook]}
dedup: {fields: [eventID]}
`,
        {
          state: new DynamoStateStore({ table: TABLE, client: new DynamoDBClient(settings) }),
          notifier: { secrets: new SecretResolver({ env: { SLACK_URL: receiver.url } }) },
          s3: { client: new S3Client({ ...settings, forcePathStyle: true }) },
        },
      );
      const { log, lines } = capturingLogger();
      return { handler: createTrailHandler('s3', { runtime, log, servedAccounts: ['111122223333'] }), lines };
    }

    it('each alert reaches each destination once', async () => {
      const event = s3Notification(BUCKET, KEYS);
      const a = instance();
      const b = instance();
      const results = await Promise.allSettled([
        a.handler(event, { awsRequestId: 'a', getRemainingTimeInMillis: () => 60_000 }),
        b.handler(event, { awsRequestId: 'b', getRemainingTimeInMillis: () => 60_000 }),
      ]);
      for (const result of results) expect(result.status).toBe('fulfilled');
      const expected = KEYS.length * PER_OBJECT * 2;
      expect(receiver.requests).toHaveLength(expected);
      // Every request is distinct: no (alert, destination) pair was sent twice.
      expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(expected);
      const sent = results.reduce(
        (sum, r) => sum + (r.status === 'fulfilled' ? (r.value.notificationsSent ?? 0) : 0),
        0,
      );
      expect(sent).toBe(expected);

      // The notification delivered once more, later (S3 events are at least once): nothing is sent.
      const late = await instance().handler(event, {
        awsRequestId: 'c',
        getRemainingTimeInMillis: () => 60_000,
      });
      expect(late.notificationsSent).toBe(0);
      expect(receiver.requests).toHaveLength(expected);
    }, 60_000);
  },
);
