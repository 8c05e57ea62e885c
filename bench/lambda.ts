/**
 * The Lambda side of `npm run bench`: per function, the zip's and bundle's sizes and a cold start
 * (a fresh Node process loading the bundle as Lambda does and handling one event, in wall and CPU
 * time; CPU time is the steadier figure on shared cores; and how much of it went to garbage
 * collection and to loading the AWS SDK, which no profile of trailwatch's own code shows), and the
 * time to handle a typical five-minute log object end to end (S3 notification, GetObject from
 * moto_server, rules, alerts). The cold start held to the target is the one on the smallest event
 * of each kind (one record): loading the function and answering. A busy object's first event is
 * shown apart: its records take longer than the target to read even warm.
 *
 * `BENCH_LAMBDA_BASELINE=<dir>` names another `serverless package` output (for example one built
 * from an earlier commit): its functions are measured in the same run, run by run interleaved with
 * this tree's, and shown side by side. Each package runs with the NODE_OPTIONS its own template
 * gives the function, as Lambda would start it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  cloudTrailDelivery,
  cloudWatchLogsEvent,
  eventBridgeCloudTrail,
  s3Notification,
  snsLambdaEvent,
} from '../test/factories/events';
import type { Moto } from '../test/helpers/moto';
import { motoAvailable, motoS3Client, startMoto } from '../test/helpers/moto';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', '.data', 'lambda');
/** The issue's targets. */
const BUNDLE_TARGET_BYTES = 1_000_000;
const COLD_START_TARGET_MS = 150;
/** A busy account's five minutes: about this many records in one log object. */
const RECORDS_PER_OBJECT = Number(process.env.BENCH_OBJECT_RECORDS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The CloudWatch Logs event: this many of the object's records (fewer when the object has fewer). */
const LOGS_BATCH_RECORDS = 200;

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

interface Package {
  readonly label: string;
  /** A `serverless package` output: the zips and the CloudFormation template. */
  readonly dir: string;
}

interface Unpacked {
  readonly label: string;
  readonly dir: string;
  readonly bundle: string;
  readonly bundleBytes: number;
  /** Code shipped beside the bundle and loaded on first use (dist/vendor: re2js, yaml). */
  readonly vendorBytes: number;
  readonly zipBytes: number;
  /** What the template sets for the function (`--enable-source-maps`, …); Lambda starts Node with it. */
  readonly nodeOptions: string;
}

interface DriverRun {
  readonly initMs: number;
  readonly firstEventMs: number;
  readonly coldTotalMs: number;
  /** CPU time of the cold start: less swayed than wall time by other processes on shared cores. */
  readonly coldCpuMs: number;
  /** CPU time of the init alone (loading the bundle: config, rules, clients). */
  readonly initCpuMs: number;
  readonly firstEventCpuMs: number;
  /** CPU time of the same event handled again, warm: what the first event costs beyond it is cold. */
  readonly warmCpuMs: number;
  readonly warmEventMs: number;
  /** Garbage collection pauses within the init and within the first event (wall time). */
  readonly initGcMs: number;
  readonly firstEventGcMs: number;
  /** require() of @aws-sdk and @smithy packages from node_modules within the init and the first event. */
  readonly initSdkLoadMs: number;
  readonly firstEventSdkLoadMs: number;
  readonly records: number;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

interface FunctionResource {
  readonly Properties?: {
    readonly Handler?: string;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
}

/** The function's handler module (no extension) and NODE_OPTIONS, as the packaged template deploys them. */
function deployed(packageDir: string, fn: string): { handlerFile: string; nodeOptions: string } {
  const template = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as { Resources: Record<string, FunctionResource> };
  const logicalId = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`;
  const properties = template.Resources[logicalId]?.Properties;
  const handler = properties?.Handler;
  if (handler === undefined) throw new Error(`${packageDir}: no ${logicalId} in the template`);
  const options = properties?.Environment?.Variables?.NODE_OPTIONS;
  return {
    handlerFile: handler.slice(0, handler.lastIndexOf('.')),
    nodeOptions: typeof options === 'string' ? options : '',
  };
}

function unpack(pkg: Package, fn: string): Unpacked {
  const dir = join(DATA, pkg.label.replace(/\W+/g, '-'), fn);
  const zip = join(pkg.dir, `${fn}.zip`);
  mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zip, '-d', dir]);
  const { handlerFile, nodeOptions } = deployed(pkg.dir, fn);
  // Lambda looks for the handler's module as .js, .mjs or .cjs.
  const bundle = ['.cjs', '.mjs', '.js']
    .map((extension) => join(dir, `${handlerFile}${extension}`))
    .find((file) => existsSync(file));
  if (bundle === undefined) throw new Error(`${zip}: no ${handlerFile}.cjs, .mjs or .js`);
  return {
    label: pkg.label,
    dir,
    bundle,
    bundleBytes: statSync(bundle).size,
    vendorBytes: existsSync(join(dir, 'dist', 'vendor'))
      ? readdirSync(join(dir, 'dist', 'vendor')).reduce(
          (sum, name) => sum + statSync(join(dir, 'dist', 'vendor', name)).size,
          0,
        )
      : 0,
    zipBytes: statSync(zip).size,
    nodeOptions,
  };
}

/** One fresh process: import the bundle, handle the event cold, then warm. */
/** Where moto_server's S3 is, and the certificate a client must trust when it serves HTTPS. */
interface BenchS3 {
  readonly endpoint: string;
  readonly certFile?: string;
}

function coldStart(u: Unpacked, eventFile: string, s3: BenchS3 | undefined): DriverRun {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'bench', 'lambda-driver.mjs'), u.bundle, eventFile],
    {
      cwd: u.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE_OPTIONS: u.nodeOptions,
        // As serverless.yml sets them in Lambda.
        TRAILWATCH_RULES_DIR: join(u.dir, 'rules'),
        TRAILWATCH_RULES_PACK: join(u.dir, 'dist', 'rules-pack.json'),
        TRAILWATCH_CONFIG: join(u.dir, 'no-trailwatch.yml'),
        ...(s3
          ? {
              TRAILWATCH_S3_ENDPOINT: s3.endpoint,
              ...(s3.certFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: s3.certFile }),
              AWS_ACCESS_KEY_ID: 'testing',
              AWS_SECRET_ACCESS_KEY: 'testing',
              AWS_REGION: 'us-east-1',
            }
          : {}),
        LOG_LEVEL: 'error',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    },
  );
  const line = result.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{"initMs"'))
    .pop();
  if (!line) throw new Error(`${u.label} ${u.bundle} failed: ${result.stderr}`);
  return JSON.parse(line) as DriverRun;
}

const BENCH_BUCKET = 'trailwatch-bench';

interface BenchMoto {
  readonly server: Moto;
  readonly s3: BenchS3;
  /** The certificate moto_server serves, when it serves HTTPS. */
  readonly ca?: Buffer;
}

/**
 * moto_server for the S3 and SNS functions' objects, over HTTPS as S3 in AWS is: reading an object
 * then costs what it costs in Lambda (node:https and a TLS handshake: about 14 ms more than plain
 * HTTP in a first request, measured). The certificate is a fresh self-signed one for 127.0.0.1,
 * made with openssl and trusted through NODE_EXTRA_CA_CERTS; without openssl the bench falls back
 * to plain HTTP and says so.
 */
async function startBenchMoto(): Promise<BenchMoto> {
  const certFile = join(DATA, 'moto-cert.pem');
  const keyFile = join(DATA, 'moto-key.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
    ].concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']),
    { stdio: 'ignore' },
  );
  if (made.status !== 0) {
    console.log('openssl not found: moto_server serves plain HTTP, and S3 reads cost less than over TLS');
    const server = await startMoto();
    return { server, s3: { endpoint: server.endpoint } };
  }
  const server = await startMoto({ tls: { certFile, keyFile } });
  return { server, s3: { endpoint: server.endpoint, certFile }, ca: readFileSync(certFile) };
}

interface Scenario {
  readonly title: string;
  readonly objectRecords: number;
  readonly logsRecords: number;
  /** Whether the cold total is held to the target. */
  readonly target: boolean;
}

async function measureScenario(
  packages: readonly Package[],
  moto: BenchMoto | undefined,
  seeds: readonly Record<string, unknown>[],
  scenario: Scenario,
): Promise<void> {
  const records = Array.from({ length: scenario.objectRecords }, (_, i) => ({
    ...seeds[i % seeds.length],
    eventID: `bench-object-${i}`,
  }));
  const objectBody = gzipSync(JSON.stringify({ Records: records }));
  const bucket = BENCH_BUCKET;
  const key = `AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_bench${scenario.objectRecords}.json.gz`;
  if (moto) {
    const s3 = motoS3Client(moto.server, moto.ca);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: objectBody }));
    s3.destroy();
  }
  const oneRecord = seeds.find((r) => r.eventName === 'ConsoleLogin') as never;
  const logsRecords = records.slice(0, scenario.logsRecords);
  const events: Record<string, unknown> = {
    s3Ingest: s3Notification(bucket, [key]),
    snsIngest: snsLambdaEvent([cloudTrailDelivery(bucket, [key])]),
    logsIngest: cloudWatchLogsEvent(logsRecords.map((r) => JSON.stringify(r))),
    eventsIngest: eventBridgeCloudTrail(oneRecord, 'AWS Console Sign In via CloudTrail'),
  };
  const describeEvent: Record<string, string> = {
    s3Ingest: `S3 notification, one ${(objectBody.length / 1024).toFixed(0)} KB gzipped object of ${scenario.objectRecords} record(s)`,
    snsIngest: 'CloudTrail SNS notification naming the same object',
    logsIngest: `CloudWatch Logs batch of ${logsRecords.length} record(s)`,
    eventsIngest: 'one EventBridge console sign-in',
  };

  console.log('');
  console.log(`${scenario.title}:`);
  console.log('');
  console.log(
    '| function | package | zip | bundle | cold start: init | first event | cold total | cold CPU (init + first event) | of which GC (init + first event) | of which SDK load (init + first event) | warm event (CPU) | event |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const fn of ['s3Ingest', 'snsIngest', 'logsIngest', 'eventsIngest']) {
    const eventFile = join(DATA, `${fn}-${scenario.objectRecords}-event.json`);
    writeFileSync(eventFile, JSON.stringify(events[fn]));
    const unpacked = packages.map((pkg) => unpack(pkg, fn));
    if ((fn === 's3Ingest' || fn === 'snsIngest') && !moto) {
      for (const u of unpacked)
        console.log(
          `| ${fn} | ${u.label} | ${kb(u.zipBytes)} | ${kb(u.bundleBytes)} | skipped: moto_server not found | | | | | | | |`,
        );
      continue;
    }
    const runs = unpacked.map(() => [] as DriverRun[]);
    // Interleaved, run by run: a burst of load from other processes falls on every package alike.
    for (let i = 0; i < RUNS; i++)
      for (const [index, u] of unpacked.entries()) runs[index]?.push(coldStart(u, eventFile, moto?.s3));
    unpacked.forEach((u, index) => {
      const measured = runs[index] ?? [];
      const m = (key: keyof DriverRun) => median(measured.map((r) => r[key])).toFixed(0);
      const cold = Number(m('coldTotalMs'));
      const verdict = !scenario.target || cold <= COLD_START_TARGET_MS ? '' : ' (over 150 ms)';
      console.log(
        `| ${fn} | ${u.label}${u.nodeOptions ? ` (NODE_OPTIONS=${u.nodeOptions})` : ''} | ${kb(u.zipBytes)} | ${kb(u.bundleBytes)}${u.bundleBytes <= BUNDLE_TARGET_BYTES ? '' : ' (over 1 MB)'}${u.vendorBytes > 0 ? ` (+ ${kb(u.vendorBytes)} on first use)` : ''} | ${m('initMs')} ms | ${m('firstEventMs')} ms | ${cold} ms${verdict} | ${m('coldCpuMs')} ms (${m('initCpuMs')} + ${m('firstEventCpuMs')}) | ${m('initGcMs')} + ${m('firstEventGcMs')} ms | ${m('initSdkLoadMs')} + ${m('firstEventSdkLoadMs')} ms | ${m('warmEventMs')} ms (${m('warmCpuMs')} ms) | ${describeEvent[fn]} (${measured[0]?.records} records read) |`,
      );
    });
  }
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
  const moto = motoAvailable ? await startBenchMoto() : undefined;
  if (moto) {
    const s3 = motoS3Client(moto.server, moto.ca);
    await s3.send(new CreateBucketCommand({ Bucket: BENCH_BUCKET }));
    s3.destroy();
  }
  const packages: Package[] = [{ label: 'this tree', dir: join(DATA, 'package') }];
  const baseline = process.env.BENCH_LAMBDA_BASELINE;
  if (baseline) packages.unshift({ label: 'baseline', dir: baseline });
  // The cold start proper: the smallest event of each kind, so that what is timed is loading the
  // function and answering, not the records it reads (a busy object's 2,000 records take 170 ms
  // warm, more than the target, however the function starts).
  await measureScenario(packages, moto, seeds, {
    title: 'cold start: one record per event (the target)',
    objectRecords: 1,
    logsRecords: 1,
    target: true,
  });
  await measureScenario(packages, moto, seeds, {
    title: `a busy five minutes: ${RECORDS_PER_OBJECT} records per object, ${LOGS_BATCH_RECORDS} per Logs batch (first event cold, then warm)`,
    objectRecords: RECORDS_PER_OBJECT,
    logsRecords: LOGS_BATCH_RECORDS,
    target: false,
  });
  console.log('');
  console.log(
    `targets: bundle at most ${BUNDLE_TARGET_BYTES / 1e6} MB; cold start (init plus first event, one record per event) at most ${COLD_START_TARGET_MS} ms; median of ${RUNS} fresh processes; bundles import @aws-sdk from node_modules as Lambda's runtime provides it; GC and SDK load are wall time inside the cold start, each a median on its own`,
  );
  await moto?.server.stop();
}
