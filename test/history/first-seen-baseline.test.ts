/**
 * `backtest --baseline`: history builds the first-seen rules' baseline in the state table (DynamoDB
 * on moto_server), and the live pipeline reading that table knows what the history saw.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config';
import type { BacktestReport } from '../../lib/history';
import { AlertPipeline } from '../../lib/pipeline';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules, shippedRulesDir } from '../../lib/rules';
import { DynamoStateStore } from '../../lib/state';
import { runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import { createStateTable, MOTO_REGION, motoDynamo } from '../state/tables';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const ACCOUNT = '111122223333';
const RULE = join(shippedRulesDir(), 'first-seen', 'console-signin-new-network.yml');
const RULE_ID = '1c5622e4-6e64-43fc-aa06-4156e09a5ca9';
const HOME = '203.0.113';
const TRAVEL = '198.51.100';

function signIn(day: number, ip: string): CloudTrailRecord {
  const time = new Date(Date.UTC(2024, 4, 1 + day, 8)).toISOString();
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE00001',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      userName: 'alice',
    },
    eventTime: time.replace('.000Z', 'Z'),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: ip,
    userAgent: 'Mozilla/5.0',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'Yes' },
    eventID: `signin-${day}-${ip}`,
    eventType: 'AwsConsoleSignIn',
    recipientAccountId: ACCOUNT,
  } as unknown as CloudTrailRecord;
}

/** 20 days of sign-ins from home, and one trip on day 16 (after the 14-day learning window). */
function historyFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'trailwatch-baseline-'));
  for (let day = 0; day < 20; day++) {
    const records = [signIn(day, `${HOME}.${10 + day}`)];
    if (day === 16) records.push(signIn(day, `${TRAVEL}.7`));
    const date = new Date(Date.UTC(2024, 4, 1 + day));
    const [y, m, d] = date.toISOString().slice(0, 10).split('-');
    const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${y}/${m}/${d}/${ACCOUNT}_CloudTrail_us-east-1_${y}${m}${d}T0905Z_a1b2c3.json.gz`;
    const path = join(root, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  }
  return root;
}

function ruleAlerts(report: BacktestReport): number {
  return report.rules.find((rule) => rule.id === RULE_ID)?.alerts ?? -1;
}

let moto: Moto | undefined;
let dynamo: DynamoDBClient | undefined;

beforeAll(async () => {
  if (!motoAvailable) return;
  moto = await startMoto();
  dynamo = motoDynamo(moto);
  vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  dynamo?.destroy();
  await moto?.stop();
});

const WINDOW = ['--since', '2024-05-01', '--until', '2024-05-20'];

describe('backtest and first-seen rules', () => {
  it('a plain backtest learns for 14 days and then reports the new network', async () => {
    const run = await runCli(['backtest', historyFolder(), ...WINDOW, '--rules', RULE, '--output', 'json']);
    expect(run.stderr).toBe('');
    expect(ruleAlerts(JSON.parse(run.stdout) as BacktestReport)).toBe(1);
  });

  it('--baseline is refused without a state table to write to', async () => {
    const run = await runCli(['backtest', historyFolder(), ...WINDOW, '--rules', RULE, '--baseline']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--baseline .* state: \{backend: dynamodb/);
  });

  it.skipIf(!motoAvailable)(
    '--baseline fills the state table; the live pipeline then knows the history and reports only the new',
    async () => {
      const table = 'trailwatch-baseline';
      await createStateTable(dynamo as DynamoDBClient, table);
      const folder = historyFolder();
      const configFile = join(folder, 'trailwatch.yml');
      writeFileSync(
        configFile,
        `state:\n  backend: dynamodb\n  table: ${table}\n  region: ${MOTO_REGION}\n  endpoint: ${moto?.endpoint}\n`,
      );
      const run = await runCli([
        'backtest',
        join(folder, 'AWSLogs'),
        ...WINDOW,
        '--rules',
        RULE,
        '--config',
        configFile,
        '--baseline',
        '--output',
        'json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(
        /first-seen baseline of 1 rule\(s\) written to the state table trailwatch-baseline/,
      );
      expect(ruleAlerts(JSON.parse(run.stdout) as BacktestReport)).toBe(0);

      const config = loadConfig(configFile);
      const rules = loadRules([RULE]);
      const live = new AlertPipeline({
        config,
        rules,
        state: new DynamoStateStore({ table, client: dynamo as DynamoDBClient }),
        destinations: new Map(),
      });
      const rule = rules.detections[0];
      if (!rule) throw new Error('rule did not load');
      expect(await live.alertsFor(rule, signIn(25, `${HOME}.99`))).toEqual([]);
      expect(await live.alertsFor(rule, signIn(25, `${TRAVEL}.8`))).toEqual([]);
      const fresh = await live.alertsFor(rule, signIn(25, '192.0.2.4'));
      expect(fresh.map((alert) => alert.summary)).toEqual([
        expect.stringMatching(
          /^First seen for userIdentity\.arn=arn:aws:iam::111122223333:user\/alice: sourceIPAddress\|network=192\.0\.2\.0\/24\./,
        ),
      ]);
    },
  );
});
