/**
 * Property: for every modifier, a generated detection item and generated records with hostile
 * content (quotes, LIKE's % and _, backslashes, Sigma's * and ?, NUL, newlines, non-ASCII and
 * astral characters, numbers as text, nulls, arrays nested in arrays, objects) match the same
 * records in DuckDB as in the JavaScript engine, or the compiler says the item is unsupported.
 *
 * The alphabet holds the characters whose lowercase depends on context or differs from RegExp's
 * case folding ('İ' U+0130, 'Σ', the Kelvin sign U+212A): both engines lowercase the whole text
 * once (lib/rules/sigma-string.ts, test/rules/case-folding.test.ts), so they agree on them too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbHunt } from '../../lib/hunt/duckdb';
import type { CloudTrailRecord } from '../../lib/records';
import type { Placeholders } from '../../lib/rules';
import { compileDetection } from '../../lib/rules';
import { compileRuleWhere, SqlUnsupported } from '../../lib/sql';
import { createDuckdbDialect } from '../../lib/sql/duckdb-dialect';

const ALPHABET = [
  "'",
  '"',
  '%',
  '_',
  '\\',
  '*',
  '?',
  '\0',
  '\n',
  ' ',
  '.',
  ':',
  '/',
  'a',
  'A',
  'b',
  'B',
  'x',
  '0',
  '1',
  '9',
  'é',
  'É',
  'ß',
  'ǅ',
  '漢',
  '😀',
  '\u00a0',
  'İ',
  'i',
  'Σ',
  'σ',
  'ς',
  '\u212a',
  'k',
];

/**
 * Mostly short strings over a few characters, so that rule values and record values often meet
 * (equal, prefix, suffix, inside); sometimes anything over the whole alphabet.
 */
const FEW = ['a', 'A', '%', '_', '\\', '*', "'", 'é', 'É', '😀', '\0', 'İ', 'i', 'Σ', 'ς', '\u212a', 'k'];
const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...FEW), maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 8 }) },
);
/** Record texts: a few short pieces joined, so a rule value is often found inside one. */
const recordString = fc.array(hostileString, { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join(''));

/** Texts that read as numbers in some ways and not others. */
const numericText = fc.constantFrom(
  '12',
  ' 12 ',
  '12.0',
  '1e1',
  '0x10',
  '-3',
  '',
  ' ',
  '1_0',
  'Infinity',
  '.5',
  '\u00a012',
);

const ipv4Text = fc.oneof(
  fc.tuple(fc.nat(260), fc.nat(260), fc.nat(260), fc.nat(260)).map((octets) => octets.join('.')),
  fc.constantFrom('010.0.0.1', '10.0.0', '10.0.0.1 ', '::1', '10.0.0.1.5'),
);

const scalarLeaf: fc.Arbitrary<unknown> = fc.oneof(
  recordString,
  numericText,
  ipv4Text,
  fc.integer({ min: -20, max: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }),
  fc.boolean(),
  fc.constantFrom('true', 'FALSE', 'True'),
  fc.constant(null),
);

const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: scalarLeaf },
  { weight: 1, arbitrary: fc.array(scalarLeaf, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.array(scalarLeaf, { maxLength: 2 }), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.record({ k: hostileString }) },
  { weight: 1, arbitrary: fc.array(fc.record({ x: scalarLeaf }), { maxLength: 2 }) },
);

/** A record whose `requestParameters.x` and `.y` hold generated leaves (or are absent). */
const record: fc.Arbitrary<CloudTrailRecord> = fc
  .record({ x: leafValue, y: leafValue }, { requiredKeys: [] })
  .map((requestParameters) => ({ eventName: 'Generated', requestParameters }) as unknown as CloudTrailRecord);

const regexPiece = fc.constantFrom(
  'a',
  'A',
  '.',
  '.*',
  '[a-z]',
  '\\d',
  '^',
  '$',
  '(a|b)',
  '\\.',
  'é',
  '\\\\',
  "'",
  '%',
  '_',
  'x+',
  '\\n',
  '😀',
);

/** One `field|modifiers: value` key and its value, for each modifier hunt compiles. */
const item: fc.Arbitrary<{ key: string; value: unknown }> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      key: fc.constantFrom('x|endswith', 'x|startswith', 'x|contains'),
      value: hostileString,
    }),
  },
  fc.record({
    key: fc.constantFrom(
      'x',
      'x|contains',
      'x|startswith',
      'x|endswith',
      'x|cased',
      'x|contains|cased',
      'x|neq',
      'x|contains|all',
      'x|base64',
      'x|base64offset|contains',
    ),
    value: fc.oneof(hostileString, fc.array(hostileString, { minLength: 1, maxLength: 3 })),
  }),
  fc.record({
    key: fc.constantFrom('x|re', 'x|re|i', 'x|re|m', 'x|re|s', 'x|re|i|m|s'),
    value: fc.array(regexPiece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join('')),
  }),
  fc.record({
    key: fc.constant('x|cidr'),
    value: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(32)).map(([a, b, prefix]) => `${a}.${b}.0.0/${prefix}`),
  }),
  fc.record({
    key: fc.constantFrom('x|lt', 'x|lte', 'x|gt', 'x|gte'),
    value: fc.integer({ min: -20, max: 20 }),
  }),
  fc.record({ key: fc.constant('x|exists'), value: fc.boolean() }),
  fc.record({
    key: fc.constantFrom(
      'x|fieldref',
      'x|fieldref|contains',
      'x|fieldref|startswith',
      'x|fieldref|endswith',
      'x|fieldref|cased',
    ),
    value: fc.constant('requestParameters.y'),
  }),
  fc.record({ key: fc.constant('x|expand'), value: fc.constantFrom('%p%', 'pre%p%', '%p%*', '%missing%') }),
  fc.record({
    key: fc.constant('x'),
    value: fc.oneof(
      fc.integer({ min: -20, max: 20 }),
      fc.boolean(),
      fc.constant(null),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }),
    ),
  }),
);

/**
 * The item under requestParameters, or keywords (a list of plain strings), compiled as
 * `rule.match(record)` reads them: the record's own text (`recordTextKeywords`; hunt refuses them).
 */
const detection: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  {
    weight: 6,
    arbitrary: item.map(({ key, value }) => ({
      selection: { [`requestParameters.${key}`]: value },
      condition: 'selection',
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(hostileString, { minLength: 1, maxLength: 2 })
      .map((words) => ({ keywords: words, condition: 'keywords' })),
  },
  {
    weight: 1,
    arbitrary: item.map(({ key, value }) => ({
      selection: { [`requestParameters.${key}`]: value },
      condition: 'not selection',
    })),
  },
);

const placeholders: fc.Arbitrary<Placeholders> = fc.record({ p: fc.array(hostileString, { maxLength: 2 }) });

let hunt: DuckdbHunt;
beforeAll(async () => {
  hunt = await DuckdbHunt.open();
});
afterAll(() => hunt.close());

describe('DuckDB matches as the JavaScript engine, item by item', () => {
  it('every modifier, hostile values and records', { timeout: 180_000 }, async () => {
    let compared = 0;
    let matched = 0;
    let unsupported = 0;
    await fc.assert(
      fc.asyncProperty(
        detection,
        fc.array(record, { minLength: 1, maxLength: 6 }),
        placeholders,
        async (rule, records, values) => {
          const js = compileDetection(rule, values, () => {}, false);
          fc.pre(js.ok);
          if (!js.ok) return;
          let where: { where: string; fields: (string | null)[] };
          try {
            where = compileRuleWhere({ detection: rule }, createDuckdbDialect(), values, {
              recordTextKeywords: true,
            });
          } catch (error) {
            if (!(error instanceof SqlUnsupported)) throw error;
            unsupported++;
            return;
          }
          await hunt.load(
            records.map((one) => ({ record: one })),
            where.fields,
          );
          const { matches, refused } = await hunt.match({
            dialect: 'duckdb',
            rules: [
              {
                ruleId: 'r',
                title: 'r',
                level: 'low',
                where: where.where,
                fields: where.fields,
                correlationOnly: false,
              },
            ],
            unsupported: [],
            correlations: [],
          });
          expect(refused).toEqual([]);
          const expected = records.flatMap((one, index) => (js.part.match(one) ? [index] : []));
          expect(matches.get('r')).toEqual(expected);
          compared++;
          if (expected.length > 0 && expected.length < records.length) matched++;
        },
      ),
      { numRuns: 1000 },
    );
    console.info(
      `modifier property: ${compared} compared (${matched} where some records match and others not), ${unsupported} unsupported by the compiler`,
    );
    expect(compared).toBeGreaterThan(unsupported);
    expect(matched).toBeGreaterThan(compared / 10);
  });
});
