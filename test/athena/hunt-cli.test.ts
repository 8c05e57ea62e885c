/**
 * `trailwatch hunt --engine athena` prints the findings `scan` prints for the same records, for the
 * rules SQL compiles. Athena is the SDK mock answered from the DuckDB emulation of the table
 * (test/helpers/athena-duckdb.ts); the workgroup and database come from TRAILWATCH_ATHENA_*.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAthenaDialect } from '../../lib/athena/dialect';
import { loadConfig } from '../../lib/config';
import { readRecords } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules } from '../../lib/rules';
import { compileHunt } from '../../lib/sql';
import { answerFromDuckdb, DATABASE, openTable } from '../helpers/athena-duckdb';
import { jsonLines, runCli } from '../helpers/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = join(ROOT, 'examples', 'trailwatch.yml');
const athena = mockClient(AthenaClient);
const ENV = ['TRAILWATCH_ATHENA_WORKGROUP', 'TRAILWATCH_ATHENA_DATABASE'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

let folder: string;
let table: Awaited<ReturnType<typeof openTable>>;
let compiledIds: Set<string>;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'trailwatch-athena-hunt-'));
  const config = loadConfig(CONFIG);
  const set = loadRules([join(ROOT, 'rules')], { placeholders: config.placeholders });
  compiledIds = new Set(
    compileHunt(set, createAthenaDialect({ database: DATABASE }), config.placeholders).rules.map(
      (rule) => rule.ruleId,
    ),
  );
  const records: CloudTrailRecord[] = [];
  for await (const result of readRecords([{ kind: 'path', path: join(ROOT, 'test', 'fixtures', 'logs') }]))
    if (result.kind === 'record') records.push(result.record);
  for (const rule of set.detections)
    for (const test of rule.tests)
      if (test.event !== undefined) records.push(test.event as unknown as CloudTrailRecord);
  writeFileSync(join(folder, 'events.json'), JSON.stringify({ Records: records }));
  table = await openTable(records);
  answerFromDuckdb(athena, table.connection, { scannedBytes: 123_456_789 });
  process.env.TRAILWATCH_ATHENA_WORKGROUP = 'trailwatch-test';
  process.env.TRAILWATCH_ATHENA_DATABASE = DATABASE;
}, 120_000);

afterAll(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  table.close();
  athena.restore();
  rmSync(folder, { recursive: true, force: true });
});

const detections = (lines: Record<string, unknown>[]) =>
  lines
    .filter((finding) => finding.kind === 'detection' && compiledIds.has(String(finding.ruleId)))
    .map((finding) => `${String(finding.ruleId)} ${String(finding.eventID)} ${String(finding.eventTime)}`)
    .sort();

describe('hunt --engine athena', () => {
  it("prints scan's findings for the rules SQL compiles, and the bytes scanned", async () => {
    const scan = await runCli([
      'scan',
      join(folder, 'events.json'),
      '--config',
      CONFIG,
      '--output',
      'ndjson',
    ]);
    const hunt = await runCli([
      'hunt',
      '--engine',
      'athena',
      '--config',
      CONFIG,
      '--output',
      'ndjson',
      '--region',
      'eu-west-1',
    ]);
    expect(hunt.code, hunt.stderr).toBe(0);
    const expected = detections(jsonLines(scan.stdout));
    expect(expected.length).toBeGreaterThan(100);
    expect(detections(jsonLines(hunt.stdout))).toEqual(expected);
    expect(hunt.stderr).toContain('not run: the JavaScript engine needs local data');
    const queries = athena.commandCalls(StartQueryExecutionCommand).length;
    expect(hunt.stderr).toContain(`trailwatch: hunt (athena): ${queries * 123_456_789} byte(s) scanned`);
    for (const call of athena.commandCalls(StartQueryExecutionCommand))
      expect(call.args[0].input).toMatchObject({
        WorkGroup: 'trailwatch-test',
        QueryExecutionContext: { Database: DATABASE },
      });
  }, 180_000);
});
