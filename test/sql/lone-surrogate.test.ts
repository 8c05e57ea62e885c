/**
 * A lone UTF-16 surrogate in a record's text (JSON `"\ud800"`) has no UTF-8 form: DuckDB holds it
 * as U+FFFD (lib/hunt/duckdb-load.ts), as any UTF-8 store would. What the README says it means
 * for matching, checked: patterns around it match as in JavaScript, a pattern naming U+FFFD
 * matches there only in SQL, and a rule value holding a lone surrogate is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbHunt } from '../../lib/hunt/duckdb';
import type { CloudTrailRecord } from '../../lib/records';
import { compileDetection } from '../../lib/rules';
import { compileRuleWhere, SqlUnsupported } from '../../lib/sql';
import { createDuckdbDialect } from '../../lib/sql/duckdb-dialect';

const RECORD = JSON.parse(
  '{"eventName":"Generated","requestParameters":{"x":"ab\\ud800cd"}}',
) as CloudTrailRecord;

let hunt: DuckdbHunt;
beforeAll(async () => {
  hunt = await DuckdbHunt.open();
});
afterAll(() => hunt.close());

async function bothEngines(value: Record<string, unknown>): Promise<{ js: boolean; sql: boolean }> {
  const detection = { selection: value, condition: 'selection' };
  const js = compileDetection(detection, {}, () => {}, false);
  if (!js.ok) throw new Error('the rule does not compile');
  const { where, fields } = compileRuleWhere({ detection }, createDuckdbDialect(), {});
  await hunt.load([{ record: RECORD }], fields);
  const { matches } = await hunt.match({
    dialect: 'duckdb',
    rules: [{ ruleId: 'r', title: 'r', level: 'low', where, fields, correlationOnly: false }],
    unsupported: [],
    correlations: [],
  });
  return { js: js.part.match(RECORD), sql: (matches.get('r') ?? []).length > 0 };
}

describe('a lone surrogate in a record is U+FFFD in SQL', () => {
  it.each([
    ['startswith around it', { 'requestParameters.x|startswith': 'AB' }, true, true],
    ['endswith around it', { 'requestParameters.x|endswith': 'CD' }, true, true],
    ['a glob over it', { 'requestParameters.x': 'ab*cd' }, true, true],
    ['equality with other text', { 'requestParameters.x': 'abcd' }, false, false],
    ['a regex reading it as one character', { 'requestParameters.x|re': '^ab.cd$' }, true, true],
    ['U+FFFD named in the rule', { 'requestParameters.x|contains': '\ufffd' }, false, true],
  ])('%s', async (_name, value, js, sql) => {
    expect(await bothEngines(value)).toEqual({ js, sql });
  });

  it('refuses a rule value holding a lone surrogate, with the reason', () => {
    const detection = { selection: { 'requestParameters.x|contains': 'b\ud800' }, condition: 'selection' };
    expect(() => compileRuleWhere({ detection }, createDuckdbDialect(), {})).toThrow(SqlUnsupported);
    expect(() => compileRuleWhere({ detection }, createDuckdbDialect(), {})).toThrow(/lone UTF-16 surrogate/);
  });
});
