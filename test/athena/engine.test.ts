/**
 * The Athena hunt engine end to end on the SDK mock, answered from the DuckDB emulation of the
 * table (test/helpers/athena-duckdb.ts): every compiled shipped rule in as few queries as the query
 * size limit allows, one idempotency token per query, results paged and read back into records,
 * matches equal to the JavaScript engine's, a rule Athena refuses isolated while the others still
 * run, and the scanned bytes summed into the cost.
 */
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AthenaQueryError, queryCost } from '../../lib/athena';
import { createAthenaDialect } from '../../lib/athena/dialect';
import { batches, MAX_QUERY_BYTES, runAthenaHunt } from '../../lib/athena/engine';
import type { AthenaSettings } from '../../lib/athena/settings';
import { readRecords } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules } from '../../lib/rules';
import type { CompiledHunt } from '../../lib/sql';
import { compileHunt } from '../../lib/sql';
import { answerFromDuckdb, DATABASE, openTable } from '../helpers/athena-duckdb';
import { examplePlaceholders, inlineEvents } from '../helpers/rule-equivalence';

const ROOT = join(import.meta.dirname, '..', '..');
const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

const settings: AthenaSettings = {
  workGroup: 'trailwatch-test',
  database: DATABASE,
  table: 'cloudtrail',
  region: 'us-east-1',
};
const noWait = { now: () => 0, sleep: async () => undefined };

/** A hunt of the compiled rules against the mocked Athena, with no waiting between polls. */
function hunt(compiled: CompiledHunt): ReturnType<typeof runAthenaHunt> {
  return runAthenaHunt(compiled, {
    inputs: [],
    read: {},
    scope: {},
    settings,
    client: new AthenaClient({ region: 'us-east-1' }),
    ...noWait,
  });
}

let records: CloudTrailRecord[] = [];
let table: Awaited<ReturnType<typeof openTable>>;
beforeAll(async () => {
  for await (const result of readRecords([{ kind: 'path', path: join(ROOT, 'test', 'fixtures', 'logs') }]))
    if (result.kind === 'record') records.push(result.record);
  // The shipped rules' own test events, so most rules have something to match.
  records.push(...inlineEvents(loadRules([join(ROOT, 'rules')], { placeholders: examplePlaceholders() })));
  table = await openTable(records);
}, 60_000);
afterAll(() => {
  table.close();
  records = [];
});

describe('runAthenaHunt', () => {
  it('matches what the JavaScript engine matches, in few queries, read back into records in event-time order', async () => {
    const set = loadRules([join(ROOT, 'rules')], { placeholders: examplePlaceholders() });
    const compiled = compileHunt(set, createAthenaDialect({ database: DATABASE }), examplePlaceholders());
    const fake = answerFromDuckdb(athena, table.connection, { scannedBytes: 5 * 2 ** 30 });
    const result = await hunt(compiled);
    // Every rule in as few queries as the 256 KB query limit allows, each under it.
    const expectedQueries = batches(compiled.rules, settings, {}).length;
    expect(result.queries).toBe(expectedQueries);
    expect(expectedQueries).toBeLessThan(compiled.rules.length / 10);
    for (const sql of fake.queries) expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(MAX_QUERY_BYTES);
    // A batch of more rules than one concat_ws takes joins its flags in nested groups.
    expect(fake.queries.some((sql) => sql.includes("nullif(concat_ws(',', CASE WHEN"))).toBe(true);
    expect(new Set(fake.tokens).size).toBe(fake.queries.length);
    expect(result.cost).toEqual({
      scannedBytes: expectedQueries * 5 * 2 ** 30,
      billedBytes: expectedQueries * queryCost(5 * 2 ** 30).billedBytes,
      usd: expectedQueries * queryCost(5 * 2 ** 30).usd,
    });
    expect(result.refused).toEqual([]);

    const byId = new Map(set.detections.map((rule) => [rule.meta.id, rule]));
    const mismatches: string[] = [];
    for (const ruleSql of compiled.rules) {
      const rule = byId.get(ruleSql.ruleId);
      if (rule === undefined) continue;
      const expected = records
        .filter((record) => rule.match(record))
        .map((record) => record.eventID)
        .sort();
      const actual = result.matches
        .filter((match) => match.ruleId === ruleSql.ruleId)
        .map((match) => match.record.eventID)
        .sort();
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        mismatches.push(`${rule.meta.title}: ${JSON.stringify({ expected, actual })}`);
    }
    expect(mismatches).toEqual([]);
    expect(result.matches.length).toBeGreaterThan(0);
    // Reading order: event time, then event id; positions count records, not matches.
    const times = result.matches.map(
      (match) => `${String(match.record.eventTime)} ${String(match.record.eventID)}`,
    );
    expect(times).toEqual([...times].sort());
    const first = result.matches[0];
    expect(first?.origin?.source).toMatch(/^rec:\d+$/);
    const original = records[Number(first?.origin?.source.slice(4))];
    expect(first?.record.eventID).toBe(original?.eventID);
    expect(first?.record.userIdentity).toEqual(original?.userIdentity);
  }, 120_000);

  it('isolates a rule whose query Athena refuses and still runs the others', async () => {
    const set = loadRules([join(ROOT, 'rules')], { placeholders: examplePlaceholders() });
    const compiled = compileHunt(set, createAthenaDialect({ database: DATABASE }), examplePlaceholders());
    const victim = compiled.rules.find((rule) => rule.where.includes('regexp_like'));
    expect(victim).toBeDefined();
    const marker = victim?.where ?? '';
    answerFromDuckdb(athena, table.connection, {
      scannedBytes: 1,
      fails: (sql) => (sql.includes(marker) ? 'line 1:1: Java regex refused: Illegal repetition' : undefined),
    });
    const result = await hunt(compiled);
    expect(result.refused).toEqual([
      {
        ruleId: victim?.ruleId,
        title: victim?.title,
        reason: 'Athena refused the query: line 1:1: Java regex refused: Illegal repetition',
      },
    ]);
    const others = new Set(result.matches.map((match) => match.ruleId));
    expect(others.has(victim?.ruleId ?? '')).toBe(false);
    expect(others.size).toBeGreaterThan(5);
  }, 120_000);
  it('ends the hunt on a query the scan cutoff cancelled, without scanning again in halves', async () => {
    const set = loadRules([join(ROOT, 'rules')], { placeholders: examplePlaceholders() });
    const compiled = compileHunt(set, createAthenaDialect({ database: DATABASE }), examplePlaceholders());
    answerFromDuckdb(athena, table.connection, { scannedBytes: 1 });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'CANCELLED',
          StateChangeReason: 'Query exceeded the bytes scanned limit of the workgroup',
        },
      },
    });
    const running = hunt(compiled);
    await expect(running).rejects.toBeInstanceOf(AthenaQueryError);
    await expect(running).rejects.toMatchObject({ code: 'athena-cancelled' });
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  }, 60_000);
});
