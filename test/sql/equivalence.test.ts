/**
 * The SQL hunt answers as the JavaScript engine does: every shipped rule and every SigmaHQ
 * CloudTrail rule, on the fixture records and every rule's inline test events, through both
 * `rule.match` and DuckDB, must match the same records, rule by rule. Rules the compiler lists as
 * unsupported are counted and printed with their reasons. The SigmaHQ rules and the Control Tower
 * day's records are fixtures (test/fixtures/sigma, test/fixtures/cribl; sources in NOTICE.md).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbHunt, huntFields } from '../../lib/hunt/duckdb';
import type { CloudTrailRecord } from '../../lib/records';
import type { Placeholders, RuleSet } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import { compileHunt } from '../../lib/sql';
import { createDuckdbDialect } from '../../lib/sql/duckdb-dialect';
import { CRIBL_RECORDS, SIGMA_FIXTURES } from '../helpers/fixtures';
import { everyFixtureRecord, examplePlaceholders, inlineEvents } from '../helpers/rule-equivalence';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const SIGMA = SIGMA_FIXTURES;
const CRIBL = CRIBL_RECORDS;

interface Outcome {
  readonly compiled: number;
  readonly unsupported: readonly string[];
  readonly mismatches: readonly string[];
  readonly matches: number;
}

async function compare(
  set: RuleSet,
  records: readonly CloudTrailRecord[],
  placeholders: Placeholders,
): Promise<Outcome> {
  const compiled = compileHunt(set, createDuckdbDialect(), placeholders);
  const hunt = await DuckdbHunt.open();
  try {
    await hunt.load(
      records.map((record) => ({ record })),
      huntFields(compiled),
    );
    const { matches, refused } = await hunt.match(compiled);
    const byId = new Map(set.detections.map((rule) => [rule.meta.id, rule]));
    const mismatches: string[] = [];
    let total = 0;
    for (const ruleSql of compiled.rules) {
      const rule = byId.get(ruleSql.ruleId);
      if (rule === undefined || refused.some((r) => r.ruleId === ruleSql.ruleId)) continue;
      const expected = records.flatMap((record, index) => (rule.match(record) ? [index] : []));
      const actual = matches.get(ruleSql.ruleId) ?? [];
      total += expected.length;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        mismatches.push(
          `${rule.meta.title} (${rule.location.file}): JavaScript ${JSON.stringify(expected.slice(0, 10))}, DuckDB ${JSON.stringify(actual.slice(0, 10))}\n  ${ruleSql.where.slice(0, 400)}`,
        );
      }
    }
    return {
      compiled: compiled.rules.length - refused.length,
      unsupported: [...compiled.unsupported, ...refused].map((u) => `${u.title}: ${u.reason}`),
      mismatches,
      matches: total,
    };
  } finally {
    hunt.close();
  }
}

function report(name: string, set: RuleSet, outcome: Outcome, records: number): void {
  console.info(
    `${name}: ${outcome.compiled} of ${set.detections.length} detection rule(s) compile to SQL, ${outcome.unsupported.length} unsupported (correlations included); ${records} records, ${outcome.matches} matches, ${outcome.mismatches.length} mismatch(es)`,
  );
  for (const line of outcome.unsupported) console.info(`  unsupported: ${line}`);
  for (const line of outcome.mismatches) console.info(`  MISMATCH: ${line}`);
}

let fixtures: CloudTrailRecord[] = [];
beforeAll(async () => {
  fixtures = await everyFixtureRecord([CRIBL]);
});
afterAll(() => {
  fixtures = [];
});

describe('DuckDB hunt ≡ JavaScript engine', () => {
  it('every shipped rule matches the same fixture records and inline test events', async () => {
    const placeholders = examplePlaceholders();
    const set = loadRules([join(ROOT, 'rules')], { placeholders });
    expect(set.errors).toEqual([]);
    const records = [...fixtures, ...inlineEvents(set)];
    const outcome = await compare(set, records, placeholders);
    report('shipped rules', set, outcome, records.length);
    expect(outcome.mismatches).toEqual([]);
    expect(outcome.compiled).toBeGreaterThan(set.detections.length / 2);
    expect(outcome.matches).toBeGreaterThan(0);
  });

  it('every SigmaHQ CloudTrail rule matches the same records', async () => {
    const folders = ['rules', 'rules-placeholder'].map((folder) => join(SIGMA, folder));
    const set = loadRules(folders);
    const records = [...fixtures, ...inlineEvents(set)];
    const outcome = await compare(set, records, {});
    report('SigmaHQ rules', set, outcome, records.length);
    expect(outcome.mismatches).toEqual([]);
    expect(outcome.compiled).toBeGreaterThan(set.detections.length / 2);
    expect(outcome.matches).toBeGreaterThan(0);
  });
});

// Keep the folder listing honest: the fixtures this test reads exist.
it('reads the fixture folders it names', () => {
  expect(readdirSync(join(FIXTURES, 'logs')).length).toBeGreaterThan(0);
  expect(readdirSync(join(FIXTURES, 'jsonl')).length).toBeGreaterThan(0);
});
