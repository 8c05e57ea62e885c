/**
 * A rule value's literals are tied to the last key of its field (`readOnly: false` needs `false` in
 * the value of a `"readonly"`, not anywhere in the record). The tied test must never rule out a
 * record the item matches, however the record is written: compact or spaced, keys in any order,
 * quotes and backslashes escaped in its strings, the field's value a string, a word, an array or an
 * object, and the same key at other depths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildItem, compileItem, compileText, DetectionError } from '../../lib/rules/detection';
import { hasSpellingEscapes } from '../../lib/rules/literals';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KEYS = ['k1', 'K1', 'a', 'ARN', 'readOnly', 'type'];
const WORDS = ['false', 'true', 'AssumedRole', 'root', 'x"y', 'a\\b', 'kali', ' ', ':', 'é', 'i-0a'];

const word = fc.array(fc.constantFrom(...WORDS), { maxLength: 2 }).map((parts) => parts.join(''));

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word,
    fc.boolean(),
    fc.constantFrom(0, 12, 1.5),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
  ),
})).value;

// The fields the rules read are usually present, so that many generated items match.
const record = fc.record({
  readOnly: fc.oneof(fc.boolean(), word, json),
  requestParameters: fc
    .tuple(
      fc.record({ k1: json, a: fc.oneof(json, fc.record({ K1: json, k1: json })) }),
      fc.dictionary(fc.constantFrom(...KEYS), json, { maxKeys: 3 }),
    )
    .map(([fields, more]) => ({ ...more, ...fields })),
  resources: fc.array(fc.dictionary(fc.constantFrom('ARN', 'type'), json, { maxKeys: 2 }), { maxLength: 2 }),
});

const FIELDS = [
  'readOnly',
  'requestParameters.k1',
  'requestParameters.a.K1',
  'requestParameters.a.k1',
  'resources.ARN',
];
const MODIFIERS = ['', '|contains', '|startswith', '|endswith', '|re', '|contains|all', '|cased'];
const VALUES = [
  'false',
  'true',
  'AssumedRole',
  'root',
  'kali',
  'x"y',
  'a\\b',
  'i-0a',
  'root*kali',
  'rootkali',
];

/** The record with its keys in the reverse order, at every level. */
function reversed(value: Json): Json {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reversed(inner)]),
  );
}

const context = { placeholder: () => undefined, warn: () => {} };

describe('a literal tied to its field key', () => {
  it('never rules out a record the item matches, however it is written (property)', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        record,
        fc.constantFrom(...FIELDS),
        fc.constantFrom(...MODIFIERS),
        fc.oneof(
          fc.constantFrom(...VALUES),
          fc.boolean(),
          fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
        ),
        (shape, field, modifier, value) => {
          const rawValue =
            modifier === '|re' && typeof value === 'string' ? value.replace(/[*\\]/g, '.') : value;
          let part: ReturnType<typeof compileItem>;
          try {
            part = compileItem(buildItem(`${field}${modifier}`, rawValue, context, []));
          } catch (error) {
            // A modifier refusing a value (`contains` of a boolean): the loader rejects the rule.
            if (error instanceof DetectionError) return;
            throw error;
          }
          const view = shape as unknown as Record<string, unknown>;
          if (!part.match(view)) return;
          matched++;
          const check = compileText(part.text);
          const texts = [
            JSON.stringify(shape),
            JSON.stringify(shape, null, 2),
            JSON.stringify(reversed(shape as unknown as Json), null, '\t'),
            // Escaped forward slashes and \u escapes spell literals differently: the engine lets
            // such texts through without looking, so they are not asked here.
            JSON.stringify(shape).replaceAll(',', ' , ').replaceAll(':', ' :\n '),
          ];
          for (const text of texts) {
            if (hasSpellingEscapes(text)) continue;
            expect(check === true || (check !== false && check(text.toLowerCase()))).toBe(true);
          }
        },
      ),
      { numRuns: 6000 },
    );
    expect(matched).toBeGreaterThan(100);
  });

  it('rules out a record whose field holds another value', () => {
    const part = compileItem(buildItem('readOnly', false, context, []));
    const check = compileText(part.text);
    if (typeof check === 'boolean') throw new Error('a literal test was expected');
    expect(check('{"readonly":true,"a":"false"}')).toBe(false);
    expect(check('{"readonly":false}')).toBe(true);
    expect(check('{"readonly" : "false"}')).toBe(true);
    expect(check('{"a":{"readonly":[true,false]}}')).toBe(true);
  });
});
