/**
 * Four real `trailwatch scan --notify` processes on the same log file, sharing one DynamoDB state
 * table (moto_server) and one slow receiver: every alert reaches the receiver exactly once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRecord, probeRule } from '../factories/probe';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { createStateTable, MOTO_REGION, motoDynamo } from '../state/tables';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'trailwatch.cjs');
const PROCESSES = 4;
const ALERTS = 15;
/** Slow enough that all four processes are mid-send on the same alerts. */
const RECEIVER_DELAY_MS = 300;

interface Finished {
  readonly code: number | null;
  readonly stderr: string;
}

function runScan(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!motoAvailable)('concurrent scan --notify processes', () => {
  let moto: Moto;
  let receiver: Receiver;

  beforeAll(async () => {
    moto = await startMoto({ serial: true });
    receiver = await startReceiver(() => ({ status: 200, delayMs: RECEIVER_DELAY_MS }));
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await moto?.stop();
  });

  it(`${PROCESSES} processes, one table, one slow receiver: each of ${ALERTS} alerts is sent once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-concurrent-'));
    writeFileSync(join(dir, 'probe.yml'), probeRule('5b0e7f6e-0000-4000-8000-000000000002'));
    const logFile = join(dir, 'records.jsonl');
    writeFileSync(
      logFile,
      `${Array.from({ length: ALERTS }, (_, i) => JSON.stringify(probeRecord(i, `user-${i}`))).join('\n')}\n`,
    );
    const table = 'concurrent-scan';
    const dynamo = motoDynamo(moto);
    await createStateTable(dynamo, table);
    dynamo.destroy();
    const config = join(dir, 'trailwatch.yml');
    writeFileSync(
      config,
      `rules: {shipped: false, paths: [${dir}/probe.yml]}
destinations:
  siem: {type: webhook, url: {env: HOOK_URL}}
routing:
  defaults: {high: [siem]}
state: {backend: dynamodb, table: ${table}, region: ${MOTO_REGION}, endpoint: '${moto.endpoint}'}
`,
    );
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      HOOK_URL: receiver.url,
    };
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        runScan(['scan', logFile, '--config', config, '--notify', '--format', 'ndjson'], env),
      ),
    );
    for (const run of runs) expect(run.stderr).not.toMatch(/unexpected failure/);
    const ids = receiver.requests.map((request) => request.headers['x-trailwatch-alert-id']);
    expect(ids).toHaveLength(ALERTS);
    expect(new Set(ids).size).toBe(ALERTS);
    const sent = runs.map((run) => Number(/notifications: (\d+) sent/.exec(run.stderr)?.[1] ?? Number.NaN));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(ALERTS);
    for (const run of runs) expect(run.code).toBe(0);
  }, 120_000);
});
