/**
 * `trailwatch backtest --engine athena` gives the report a backtest of the same log files gives:
 * the same alerts per rule and per day, after the same dedup, for the rules SQL compiles. Athena
 * is the SDK mock answered from the DuckDB emulation of the table (test/helpers/athena-duckdb.ts),
 * holding the records of a folder of log files that the JavaScript backtest reads directly.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAthenaDialect } from '../../lib/athena/dialect';
import type { BacktestReport } from '../../lib/history';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules } from '../../lib/rules';
import { compileHunt } from '../../lib/sql';
import { answerFromDuckdb, DATABASE, openTable } from '../helpers/athena-duckdb';
import { runCli } from '../helpers/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = join(ROOT, 'examples', 'trailwatch.yml');
const athena = mockClient(AthenaClient);

let folder: string;
let table: Awaited<ReturnType<typeof openTable>>;
let compiledCount = 0;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'trailwatch-athena-backtest-'));
  const logs = join(folder, 'logs');
  const rules = join(folder, 'rules');
  mkdirSync(logs);
  mkdirSync(rules);
  // The shipped detection rules SQL compiles, and their own test events as one log file.
  const { loadConfig } = await import('../../lib/config');
  const config = loadConfig(CONFIG);
  const set = loadRules([join(ROOT, 'rules')], { placeholders: config.placeholders });
  const compiled = compileHunt(set, createAthenaDialect({ database: DATABASE }), config.placeholders);
  const ids = new Set(compiled.rules.map((rule) => rule.ruleId));
  const records: CloudTrailRecord[] = [];
  for (const rule of set.detections) {
    if (!ids.has(rule.meta.id) || set.correlationOnly.has(rule.meta.id)) continue;
    copyFileSync(rule.location.file, join(rules, basename(rule.location.file)));
    compiledCount++;
    for (const test of rule.tests)
      if (test.event !== undefined) records.push(test.event as unknown as CloudTrailRecord);
  }
  writeFileSync(join(logs, 'events.json'), JSON.stringify({ Records: records }));
  table = await openTable(records);
  answerFromDuckdb(athena, table.connection, { scannedBytes: 3 * 2 ** 30 });
}, 120_000);

afterAll(() => {
  table.close();
  athena.restore();
  rmSync(folder, { recursive: true, force: true });
});

const WINDOW = ['--since', '2015-01-01T00:00:00Z', '--until', '2030-01-01T00:00:00Z'];

function comparable(report: BacktestReport) {
  return {
    alerts: report.alerts,
    afterDedup: report.afterDedup,
    rules: report.rules
      .filter((rule) => rule.alerts > 0)
      .map(({ id, alerts, afterDedup, deduplicated, suppressed, perDay, topPrincipals }) => ({
        id,
        alerts,
        afterDedup,
        deduplicated,
        suppressed,
        perDay,
        topPrincipals,
      })),
  };
}

describe('backtest --engine athena', () => {
  it('reports what the backtest of the same log files reports, with the scan and its cost', async () => {
    const common = [
      '--rules',
      join(folder, 'rules'),
      '--config',
      CONFIG,
      '--output',
      'json',
      '--no-progress',
      ...WINDOW,
    ];
    const files = await runCli(['backtest', join(folder, 'logs'), ...common]);
    expect(files.code, files.stderr).toBe(0);
    const onAthena = await runCli([
      'backtest',
      '--engine',
      'athena',
      '--workgroup',
      'trailwatch-test',
      '--database',
      DATABASE,
      '--region',
      'eu-west-1',
      ...common,
    ]);
    expect(onAthena.code, onAthena.stderr).toBe(0);
    const fromFiles = JSON.parse(files.stdout) as BacktestReport;
    const fromAthena = JSON.parse(onAthena.stdout) as BacktestReport & {
      athena: {
        queries: number;
        scannedBytes: number;
        usd: number;
        notReplayed: unknown[];
        workGroup: string;
      };
    };
    expect(compiledCount).toBeGreaterThan(100);
    expect(fromFiles.alerts).toBeGreaterThan(50);
    expect(comparable(fromAthena)).toEqual(comparable(fromFiles));
    expect(fromAthena.source).toBe(`athena:trailwatch-test/${DATABASE}.cloudtrail`);
    expect(fromAthena.athena).toMatchObject({ workGroup: 'trailwatch-test', notReplayed: [] });
    expect(fromAthena.athena.scannedBytes).toBe(fromAthena.athena.queries * 3 * 2 ** 30);
    expect(onAthena.stderr).toContain('trailwatch: backtest on Athena: workgroup trailwatch-test');
    expect(onAthena.stderr).toMatch(
      /trailwatch: Athena: \d+ matching record\(s\) from \d+ query\(ies\), scanned \d+\.\d+ GiB \(billed [^)]+\), about \$0\.\d+ at \$5\/TB/,
    );
    // The queries scan the window's partitions only.
    const start = athena.commandCalls((await import('@aws-sdk/client-athena')).StartQueryExecutionCommand);
    for (const call of start) {
      expect(call.args[0].input.QueryString).toContain(`"date" >= '2015/01/01'`);
      expect(call.args[0].input.WorkGroup).toBe('trailwatch-test');
    }
  }, 180_000);

  it('refuses a source with --engine athena, and asks for one without', async () => {
    const withSource = await runCli(['backtest', folder, '--engine', 'athena', ...WINDOW]);
    expect(withSource.code).not.toBe(0);
    expect(withSource.stderr).toContain("backtest --engine athena reads the stack's Athena table");
    const without = await runCli(['backtest', ...WINDOW]);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toContain('backtest reads s3://bucket/prefix or a folder of log files: name one');
  });
});
