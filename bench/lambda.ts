/**
 * The Lambda side of `npm run bench`: per function, the bundle's size and a cold start (a fresh
 * Node process importing the bundle and handling one event), and the time to handle a typical
 * five-minute log object end to end (S3 notification, GetObject from moto_server, rules, alerts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  cloudTrailDelivery,
  cloudWatchLogsEvent,
  eventBridgeCloudTrail,
  s3Notification,
  snsLambdaEvent,
} from '../test/factories/events';
import { MOTO_CREDENTIALS, motoAvailable, startMoto } from '../test/helpers/moto';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', '.data', 'lambda');
/** The targets. */
const BUNDLE_TARGET_BYTES = 1_000_000;
const COLD_START_TARGET_MS = 150;
/** A busy account's five minutes: about this many records in one log object. */
const RECORDS_PER_OBJECT = Number(process.env.BENCH_OBJECT_RECORDS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function sampleRecords(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const name of ['otrf-ec2-proxy-s3-exfiltration.jsonl', 'aws-docs-examples.jsonl']) {
    for (const line of readFileSync(join(ROOT, 'examples', 'logs', 'jsonl', name), 'utf8').split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  return records;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function benchLambda(): Promise<void> {
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'),
      'package',
      '--stage',
      'bench',
      '--package',
      join(DATA, 'package'),
    ],
    {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    },
  );
  const seeds = sampleRecords();
  const records = Array.from({ length: RECORDS_PER_OBJECT }, (_, i) => ({
    ...seeds[i % seeds.length],
    eventID: `bench-object-${i}`,
  }));
  const objectBody = gzipSync(JSON.stringify({ Records: records }));
  const bucket = 'trailwatch-bench';
  const key = `AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_bench.json.gz`;

  const moto = motoAvailable ? await startMoto() : undefined;
  if (moto) {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: MOTO_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: objectBody }));
    s3.destroy();
  }
  const oneRecord = seeds.find((r) => r.eventName === 'ConsoleLogin') as never;
  const events: Record<string, unknown> = {
    s3Ingest: s3Notification(bucket, [key]),
    snsIngest: snsLambdaEvent([cloudTrailDelivery(bucket, [key])]),
    logsIngest: cloudWatchLogsEvent(records.slice(0, 200).map((r) => JSON.stringify(r))),
    eventsIngest: eventBridgeCloudTrail(oneRecord, 'AWS Console Sign In via CloudTrail'),
  };
  const describeEvent: Record<string, string> = {
    s3Ingest: `S3 notification, one ${(objectBody.length / 1024).toFixed(0)} KB gzipped object of ${RECORDS_PER_OBJECT} records`,
    snsIngest: 'CloudTrail SNS notification naming the same object',
    logsIngest: 'CloudWatch Logs batch of 200 records',
    eventsIngest: 'one EventBridge console sign-in',
  };

  console.log('');
  console.log(`| function | bundle | cold start: init | first event | cold total | warm event | event |`);
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const fn of ['s3Ingest', 'snsIngest', 'logsIngest', 'eventsIngest']) {
    const dir = join(DATA, fn);
    execFileSync('unzip', ['-q', '-o', join(DATA, 'package', `${fn}.zip`), '-d', dir]);
    const bundle = join(dir, 'functions', `${fn.replace('Ingest', '').replace('events', 'eventbridge')}.mjs`);
    const size = statSync(bundle).size;
    if ((fn === 's3Ingest' || fn === 'snsIngest') && !moto) {
      console.log(`| ${fn} | ${(size / 1024).toFixed(0)} KB | skipped: moto_server not found | | | | |`);
      continue;
    }
    const eventFile = join(DATA, `${fn}-event.json`);
    writeFileSync(eventFile, JSON.stringify(events[fn]));
    const runs: {
      initMs: number;
      firstEventMs: number;
      coldTotalMs: number;
      warmEventMs: number;
      records: number;
    }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = spawnSync(
        process.execPath,
        [join(ROOT, 'bench', 'lambda-driver.mjs'), bundle, eventFile],
        {
          cwd: dir,
          encoding: 'utf8',
          env: {
            ...process.env,
            // As serverless.yml sets them in Lambda.
            TRAILWATCH_RULES_DIR: join(dir, 'rules'),
            TRAILWATCH_RULES_PACK: join(dir, 'dist', 'rules-pack.json'),
            TRAILWATCH_CONFIG: join(dir, 'no-trailwatch.yml'),
            ...(moto
              ? {
                  TRAILWATCH_S3_ENDPOINT: moto.endpoint,
                  AWS_ACCESS_KEY_ID: 'testing',
                  AWS_SECRET_ACCESS_KEY: 'testing',
                  AWS_REGION: 'us-east-1',
                }
              : {}),
            LOG_LEVEL: 'error',
            NODE_PATH: join(ROOT, 'node_modules'),
          },
        },
      );
      const line = result.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{"initMs"'))
        .pop();
      if (!line) throw new Error(`${fn} failed: ${result.stderr}`);
      runs.push(JSON.parse(line));
    }
    const m = (key: keyof (typeof runs)[number]) => median(runs.map((r) => r[key])).toFixed(0);
    console.log(
      `| ${fn} | ${(size / 1024).toFixed(0)} KB ${size <= BUNDLE_TARGET_BYTES ? '' : '(over 1 MB)'} | ${m('initMs')} ms | ${m('firstEventMs')} ms | ${m('coldTotalMs')} ms ${Number(m('coldTotalMs')) <= COLD_START_TARGET_MS ? '' : '(over 150 ms)'} | ${m('warmEventMs')} ms | ${describeEvent[fn]} (${runs[0]?.records} records read) |`,
    );
  }
  console.log('');
  console.log(
    `targets: bundle at most ${BUNDLE_TARGET_BYTES / 1e6} MB; cold start (init plus first event) at most ${COLD_START_TARGET_MS} ms; median of ${RUNS} fresh processes; bundles import @aws-sdk from node_modules as Lambda's runtime provides it`,
  );
  await moto?.stop();
}
