/**
 * Backtest throughput: a generated organization trail (accounts × regions × days × hourly files of
 * real records) read from moto_server S3 and from a local folder, with the shipped rule pack and
 * the example configuration, at one object at a time and at the default concurrency.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../lib/config';
import type { BacktestReport, BacktestSource } from '../lib/history';
import { DEFAULT_BACKTEST_CONCURRENCY, runBacktest } from '../lib/history';
import { loadRules, shippedRulesDir } from '../lib/rules';
import { motoAvailable, motoS3Client, seedBucket, startMoto } from '../test/helpers/moto';
import { seedRecords } from './generate';

const ROOT = join(import.meta.dirname, '..');
const ACCOUNTS = ['111111111111', '222222222222'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const DAYS = Number(process.env.BENCH_BACKTEST_DAYS ?? 7);
const FILES_PER_DAY = 24;
const RECORDS_PER_FILE = 100;
const FIRST_DAY = Date.UTC(2026, 9, 1);

interface GeneratedObject {
  readonly key: string;
  readonly body: Buffer;
  readonly bytes: number;
}

function generate(): GeneratedObject[] {
  const seeds = seedRecords();
  const objects: GeneratedObject[] = [];
  let n = 0;
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      for (let day = 0; day < DAYS; day++) {
        for (let hour = 0; hour < FILES_PER_DAY; hour++) {
          const start = FIRST_DAY + day * 86_400_000 + hour * 3_600_000;
          const records = Array.from({ length: RECORDS_PER_FILE }, (_, i) => ({
            ...seeds[n++ % seeds.length],
            eventID: `bench-${n.toString(16)}`,
            eventTime: new Date(start + i * 30_000).toISOString().replace('.000Z', 'Z'),
            awsRegion: region,
            recipientAccountId: account,
          }));
          const stamp = new Date(start + 3_300_000).toISOString();
          const ymd = stamp.slice(0, 10);
          const key = `org/AWSLogs/o-benchmark01/${account}/CloudTrail/${region}/${ymd.replaceAll('-', '/')}/${account}_CloudTrail_${region}_${ymd.replaceAll('-', '')}T${stamp.slice(11, 13)}${stamp.slice(14, 16)}Z_${n.toString(36)}.json.gz`;
          const text = JSON.stringify({ Records: records });
          objects.push({ key, body: gzipSync(text), bytes: text.length });
        }
      }
    }
  }
  return objects;
}

async function timed(source: BacktestSource, concurrency: number, client?: S3Client) {
  const started = performance.now();
  const report: BacktestReport = await runBacktest({
    source,
    filter: { since: FIRST_DAY, until: FIRST_DAY + DAYS * 86_400_000 - 1 },
    rules: loadRules([shippedRulesDir()], {
      placeholders: loadConfig(join(ROOT, 'examples', 'trailwatch.yml')).placeholders,
    }),
    config: loadConfig(join(ROOT, 'examples', 'trailwatch.yml')),
    concurrency,
    ...(client ? { s3: { client } } : {}),
  });
  return { report, seconds: (performance.now() - started) / 1000 };
}

function row(what: string, concurrency: number, result: Awaited<ReturnType<typeof timed>>): string {
  const { report, seconds } = result;
  return `| ${what} | ${concurrency} | ${report.objects.read} | ${report.records} | ${report.alerts} | ${report.afterDedup} | ${seconds.toFixed(2)} | ${Math.round(report.records / seconds)} | ${Math.round(process.resourceUsage().maxRSS / 1024)} |`;
}

export async function benchBacktest(): Promise<void> {
  const objects = generate();
  const megabytes = objects.reduce((sum, o) => sum + o.bytes, 0) / 1e6;
  console.log('');
  console.log(
    `## backtest: ${objects.length} objects (${ACCOUNTS.length} accounts × ${REGIONS.length} regions × ${DAYS} days × ${FILES_PER_DAY}), ${objects.length * RECORDS_PER_FILE} records, ${megabytes.toFixed(0)} MB uncompressed, shipped pack`,
  );
  console.log('');
  console.log(
    '| source | concurrency | objects | records | alerts | after dedup | seconds | records/s | peak RSS MB (process so far) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');

  const folder = mkdtempSync(join(tmpdir(), 'trailwatch-bench-backtest-'));
  for (const object of objects) {
    const path = join(folder, object.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
  }
  for (const concurrency of [1, DEFAULT_BACKTEST_CONCURRENCY]) {
    console.log(row('local folder', concurrency, await timed({ kind: 'dir', path: folder }, concurrency)));
  }
  rmSync(folder, { recursive: true, force: true });

  if (!motoAvailable) {
    console.log('moto_server not found: the S3 backtest was not measured');
    return;
  }
  const moto = await startMoto();
  const client = motoS3Client(moto);
  try {
    await seedBucket(client, 'bench-history', objects);
    for (const concurrency of [1, DEFAULT_BACKTEST_CONCURRENCY]) {
      const source = { kind: 's3' as const, bucket: 'bench-history', prefix: 'org/' };
      console.log(row('moto_server S3', concurrency, await timed(source, concurrency, client)));
    }
  } finally {
    client.destroy();
    await moto.stop();
  }
}

if (process.argv[1] === import.meta.filename) await benchBacktest();
