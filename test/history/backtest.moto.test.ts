import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config';
import type { BacktestProgress } from '../../lib/history';
import { runBacktest } from '../../lib/history';
import { loadRules } from '../../lib/rules';
import {
  ALICE,
  BOB,
  CORRUPT_KEY,
  EXPECTED_HISTORY,
  HISTORY_ACCOUNTS,
  HISTORY_CONFIG,
  HISTORY_DAYS,
  HISTORY_PREFIX,
  HISTORY_RULE,
  historyObjects,
} from '../factories/history';
import { runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import {
  MOTO_CREDENTIALS,
  MOTO_SKIP_MESSAGE,
  motoAvailable,
  motoS3Client,
  seedBucket,
  startMoto,
} from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const BUCKET = 'trailwatch-backtest-history';
const SINCE = Date.parse(`${HISTORY_DAYS[0]}T00:00:00Z`);
const UNTIL = Date.parse(`${HISTORY_DAYS[HISTORY_DAYS.length - 1]}T23:59:59Z`);

function workspace(): { rules: string; config: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-backtest-'));
  const rules = join(dir, 'user-created.yml');
  writeFileSync(rules, HISTORY_RULE);
  const config = join(dir, 'trailwatch.yml');
  writeFileSync(config, HISTORY_CONFIG);
  return { rules, config, dir };
}

describe.skipIf(!motoAvailable)('backtest over an organization trail in S3 (moto_server)', () => {
  let moto: Moto;
  let client: S3Client;
  /** Every ListObjectsV2 the backtest made: prefix and whether it listed folders or objects. */
  const listings: { prefix: string; delimiter: boolean }[] = [];
  const files = workspace();

  beforeAll(async () => {
    moto = await startMoto();
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    client = motoS3Client(moto);
    await seedBucket(client, BUCKET, historyObjects());
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = (args as { input: Record<string, unknown> }).input;
        if ('Prefix' in input && !('Key' in input)) {
          listings.push({ prefix: String(input.Prefix), delimiter: input.Delimiter === '/' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordListings' },
    );
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    client?.destroy();
    await moto?.stop();
  });

  function backtest(
    filter: { accounts?: Set<string>; regions?: Set<string> } = {},
    onProgress?: (p: BacktestProgress) => void,
  ) {
    listings.length = 0;
    return runBacktest({
      source: { kind: 's3', bucket: BUCKET, prefix: `${HISTORY_PREFIX}/` },
      filter: { since: SINCE, until: UNTIL, ...filter },
      rules: loadRules([files.rules]),
      config: loadConfig(files.config),
      s3: { client },
      concurrency: 4,
      ...(onProgress ? { onProgress } : {}),
    });
  }

  it('reports per rule: alerts before and after dedup, suppressions, per day, top principals', async () => {
    const progress: BacktestProgress[] = [];
    const report = await backtest({}, (p) => progress.push(p));
    expect(report.records).toBe(EXPECTED_HISTORY.records);
    expect(report.objects.read).toBe(EXPECTED_HISTORY.objectsRead + 1);
    expect(report.alerts).toBe(EXPECTED_HISTORY.alerts);
    expect(report.afterDedup).toBe(EXPECTED_HISTORY.afterDedup);
    const [rule] = report.rules;
    expect(rule).toMatchObject({
      title: 'user created',
      alerts: EXPECTED_HISTORY.alerts,
      afterDedup: EXPECTED_HISTORY.afterDedup,
      suppressed: EXPECTED_HISTORY.suppressed,
      deduplicated: EXPECTED_HISTORY.deduplicated,
    });
    expect(report.days).toEqual([...HISTORY_DAYS]);
    for (const day of HISTORY_DAYS) {
      expect(rule?.perDay[day]).toEqual({
        alerts: EXPECTED_HISTORY.alertsPerDay,
        afterDedup: EXPECTED_HISTORY.afterDedupPerDay,
      });
    }
    // Suppressed alerts still count here: the report is about what the rule raises.
    const arn = (who: string, account: string) => who.replace('ACCOUNT', account);
    expect(rule?.topPrincipals).toEqual([
      { principal: arn(ALICE, HISTORY_ACCOUNTS[0]), alerts: 24 },
      { principal: arn(BOB, HISTORY_ACCOUNTS[0]), alerts: 24 },
      { principal: arn(ALICE, HISTORY_ACCOUNTS[1]), alerts: 24 },
      { principal: arn(BOB, HISTORY_ACCOUNTS[1]), alerts: 24 },
    ]);
    // Days are listed as the reading reaches them: 5 day folders (the window plus the delivery lag).
    expect(progress.at(-1)).toMatchObject({
      objectsDone: report.objects.listed,
      objectsListed: report.objects.listed,
      daysListed: 5,
      daysTotal: 5,
    });
    const listedSoFar = progress.map((p) => p.objectsListed);
    expect(listedSoFar[0]).toBeLessThan(report.objects.listed);
  });

  it('reports the corrupt object by name and reads everything else', async () => {
    const report = await backtest();
    expect(report.problemCount).toBe(1);
    expect(report.problems[0]).toContain(`s3://${BUCKET}/${CORRUPT_KEY}`);
  });

  it('lists only the asked days, never digests, never the whole bucket', async () => {
    await backtest();
    const objectListings = listings.filter((l) => !l.delimiter).map((l) => l.prefix);
    // One flat listing per account, region and day of the window (plus the delivery lag's next day).
    expect(objectListings.length).toBe(HISTORY_ACCOUNTS.length * 3 * (HISTORY_DAYS.length + 1));
    for (const prefix of objectListings)
      expect(prefix).toMatch(/\/CloudTrail\/[a-z0-9-]+\/2026\/10\/0[1-5]\/$/);
    expect(listings.some((l) => l.prefix.includes('CloudTrail-Digest/'))).toBe(false);
    expect(listings.some((l) => l.prefix === '' && !l.delimiter)).toBe(false);
  });

  it('narrows to --accounts and --regions in the listing itself', async () => {
    const report = await backtest({
      accounts: new Set([HISTORY_ACCOUNTS[1]]),
      regions: new Set(['eu-west-1']),
    });
    expect(report.objects.read).toBe(HISTORY_DAYS.length * 2);
    expect(report.records).toBe(HISTORY_DAYS.length * 2 * 5);
    expect(report.problemCount).toBe(0);
    const objectListings = listings.filter((l) => !l.delimiter).map((l) => l.prefix);
    expect(objectListings.every((p) => p.includes(`/${HISTORY_ACCOUNTS[1]}/CloudTrail/eu-west-1/`))).toBe(
      true,
    );
  });

  it('runs from the CLI: table, json and a self-contained HTML report, exit 1 for the corrupt object', async () => {
    const html = join(files.dir, 'report.html');
    const common = [
      'backtest',
      `s3://${BUCKET}/${HISTORY_PREFIX}`,
      '--since',
      HISTORY_DAYS[0],
      '--until',
      `${HISTORY_DAYS[3]}T23:59:59Z`,
      '--rules',
      files.rules,
      '--config',
      files.config,
      '--endpoint-url',
      moto.endpoint,
    ];
    const table = await runCli(common);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(
      // No session start in this history: the person is unknown, counted by principal, shortened
      // from the middle as every ARN cell is: the session name stays whole with its `/`.
      /^user created\s+medium\s+96\s+8\s+48\s+4\s+24\s+unknown person: arn:aws:sts::111111111111:assume…\/alice \(24\)\s+arn:aws:sts::111111111111:assumed-role\/Admin\/alice \(24\)$/m,
    );
    expect(table.stdout).toMatch(/^2026-10-02\s+24\s+2\s+user created \(24\)$/m);
    expect(table.stderr).toContain(`error: s3://${BUCKET}/${CORRUPT_KEY}`);
    // Not a terminal: no progress bar.
    expect(table.stderr).not.toContain('\r');

    const json = await runCli([
      ...common,
      '--output',
      'json',
      '--html',
      html,
      '--record-region',
      'us-east-1,eu-west-1',
    ]);
    const report = JSON.parse(json.stdout) as {
      records: number;
      regions: string[];
      rules: { alerts: number }[];
    };
    expect(report.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(report.records).toBe((EXPECTED_HISTORY.records * 2) / 3);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg');
    expect(page).toContain('Alerts per rule per day');
    expect(page).not.toMatch(/<script|<link|src="http/);
  });
});
