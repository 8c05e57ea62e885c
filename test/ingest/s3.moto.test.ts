import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatOrigin } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import { cloudTrailDelivery, logFile, s3Notification, snsLambdaEvent } from '../factories/events';
import { jsonLines, runCli } from '../helpers/cli';
import { CRIBL_LOGS, fixtureLogRecords, fixturePath, TRAILSCRAPER_LOG } from '../helpers/fixtures';
import type { Moto } from '../helpers/moto';
import {
  MOTO_CREDENTIALS,
  MOTO_SKIP_MESSAGE,
  motoAvailable,
  motoS3Client,
  seedBucket,
  startMoto,
} from '../helpers/moto';
import { collect, payload } from '../helpers/read';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BUCKET = 'trailwatch-moto-logs';
const ORG = 'o-abcdefghij';
const [crib0, crib1, crib2] = CRIBL_LOGS.map((name) => fixtureLogRecords(name)) as [
  CloudTrailRecord[],
  CloudTrailRecord[],
  CloudTrailRecord[],
];
const trailscraper = fixtureLogRecords(TRAILSCRAPER_LOG);

const key = (account: string, region: string, day: string, stamp: string, kind = 'CloudTrail') =>
  `trails/AWSLogs/${ORG}/${account}/${kind}/${region}/${day.replaceAll('-', '/')}/${account}_${kind}_${region}_${day.replaceAll('-', '')}T${stamp}Z_u${stamp}.json.gz`;

const OBJECTS: { key: string; body: Buffer }[] = [
  {
    key: key('650992545562', 'ap-southeast-2', '2022-01-03', '1910'),
    body: gzipSync(logFile(crib0)),
  },
  {
    key: key('650992545562', 'ap-southeast-2', '2022-01-03', '1915'),
    body: gzipSync(logFile(crib1)),
  },
  { key: key('650992545562', 'us-east-1', '2022-01-04', '0005'), body: gzipSync(logFile(crib2)) },
  {
    key: key('111111111111', 'eu-central-1', '2022-01-03', '1505'),
    body: readFileSync(fixturePath('logs', `${TRAILSCRAPER_LOG}.gz`)),
  },
  {
    key: key('111111111111', 'eu-central-1', '2022-01-03', '1510', 'CloudTrail-Digest'),
    body: gzipSync('{"digestStartTime":"x","logFiles":[]}'),
  },
  { key: key('111111111111', 'eu-central-1', '2022-01-03', '1520'), body: Buffer.alloc(0) },
  {
    key: key('111111111111', 'eu-central-1', '2022-01-03', '1525'),
    body: gzipSync(logFile(trailscraper)).subarray(0, 200),
  },
  { key: 'trails/AWSLogs/', body: Buffer.alloc(0) },
];

describe.skipIf(!motoAvailable)('reading S3 through the real SDK against moto_server', () => {
  let moto: Moto;
  let client: S3Client;

  beforeAll(async () => {
    moto = await startMoto();
    client = motoS3Client(moto);
    await seedBucket(client, BUCKET, OBJECTS);
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    client?.destroy();
    await moto?.stop();
  });

  it('reads a whole prefix: logs gzipped, digests and empty objects skipped, a corrupt object reported', async () => {
    const result = await collect([{ kind: 's3', bucket: BUCKET, prefix: 'trails/' }], { s3: { client } });
    const expected = crib0.length + crib1.length + crib2.length + trailscraper.length;
    expect(result.records).toHaveLength(expected);
    expect(result.skipped.map((s) => s.reason).sort()).toEqual([
      'CloudTrail digest file (holds no events)',
      'empty object',
    ]);
    expect(result.problems.map((p) => `${formatOrigin(p.origin)}: ${p.message}`)).toEqual([
      expect.stringMatching(/T1525Z_u1525\.json\.gz.*truncated gzip data/),
    ]);
  });

  it('narrows the listing with --account, --region, --since and --until', async () => {
    const filter = {
      accounts: new Set(['650992545562']),
      regions: new Set(['ap-southeast-2']),
      since: Date.parse('2022-01-03T19:00:00Z'),
      until: Date.parse('2022-01-03T19:12:00Z'),
    };
    const result = await collect([{ kind: 's3', bucket: BUCKET, prefix: '' }], { s3: { client }, filter });
    expect(result.problems).toEqual([]);
    expect(result.records.length).toBeGreaterThan(0);
    for (const record of result.records) {
      expect(record.awsRegion).toBe('ap-southeast-2');
      expect(Date.parse(record.eventTime)).toBeLessThanOrEqual(filter.until);
      expect(Date.parse(record.eventTime)).toBeGreaterThanOrEqual(filter.since);
    }
    expect(new Set(result.origins.map((o) => o.logFile?.orgId))).toEqual(new Set([ORG]));
  });

  it('follows an S3 notification and a CloudTrail SNS delivery notification to the objects', async () => {
    const [first, second] = OBJECTS;
    const result = await collect(
      [
        payload(s3Notification(BUCKET, [first?.key ?? ''])),
        payload(
          snsLambdaEvent([cloudTrailDelivery(BUCKET, [second?.key ?? '', 'trails/AWSLogs/missing.json.gz'])]),
        ),
      ],
      { s3: { client } },
    );
    expect(result.records).toHaveLength(crib0.length + crib1.length);
    expect(result.problems.map((p) => `${formatOrigin(p.origin)}: ${p.message}`)).toEqual([
      expect.stringMatching(
        /^s3:\/\/trailwatch-moto-logs\/trails\/AWSLogs\/missing\.json\.gz: NoSuchKey \(HTTP 404\)/,
      ),
    ]);
  });

  it('says which bucket cannot be listed', async () => {
    const result = await collect([{ kind: 's3', bucket: 'no-such-bucket-here', prefix: 'x/' }], {
      s3: { client },
    });
    expect(result.problems.map((p) => `${formatOrigin(p.origin)}: ${p.message}`)).toEqual([
      expect.stringMatching(/^s3:\/\/no-such-bucket-here\/x\/: cannot list: NoSuchBucket \(HTTP 404\)/),
    ]);
  });

  it('trailwatch cat reads s3://bucket/prefix with --endpoint-url and narrows with --account and --region', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    const base = ['cat', `s3://${BUCKET}/trails/`, '--endpoint-url', moto.endpoint];
    const narrowed = await runCli([...base, '--account', '111111111111', '--region', 'eu-central-1']);
    // The corrupt object sits in this account and region: exit 1, everything else printed.
    expect(narrowed.code).toBe(1);
    expect(jsonLines(narrowed.stdout).map((r) => r.eventID)).toEqual(trailscraper.map((r) => r.eventID));
    expect(narrowed.stderr).toMatch(/T1525Z_u1525\.json\.gz.*truncated gzip data/);
    const other = await runCli([...base, '--account', '650992545562', '--since', '2022-01-03T19:20:00Z']);
    expect(other.code).toBe(0);
    expect(jsonLines(other.stdout)).toHaveLength(crib2.length);
  });

  it('reads through an endpoint setting, as the CLI does', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    const result = await collect([{ kind: 's3-object', bucket: BUCKET, key: OBJECTS[3]?.key ?? '' }], {
      s3: { endpoint: moto.endpoint, region: 'eu-central-1' },
    });
    expect(result.records.map((r) => r.eventID)).toEqual(trailscraper.map((r) => r.eventID));
  });
});
