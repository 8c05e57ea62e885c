/**
 * A rule file that is one line of canonical JSON is read with JSON.parse instead of the YAML
 * parser: the document must be exactly what the YAML parser makes of the same text (value, line,
 * no errors), and anything the fast path does not take must still reach the YAML parser.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseYamlDocuments } from '../../lib/yaml';

const keys = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('detection', 'a|contains', '1', '__proto__', '<<', 'é', '#x', 'a: b', '- x', '&a', '*a'),
);
const scalars = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom(
    '',
    'null',
    'true',
    '~',
    '0x1F',
    '1e3',
    '.inf',
    '- a',
    '# no comment',
    '%expand%',
    '*',
    'a\tb',
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const values = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalars,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
  ),
}));

describe('rule files in canonical JSON', () => {
  it('read as the YAML parser reads them (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(keys, values.value, { maxKeys: 6 }), fc.boolean(), (object, newline) => {
        const text = `${JSON.stringify(object)}${newline ? '\n' : ''}`;
        const [document, ...more] = parseYamlDocuments('rule.json', text);
        expect(more).toEqual([]);
        expect(document?.syntaxErrors).toEqual([]);
        expect(document?.line).toBe(1);
        expect(document?.value).toStrictEqual(parse(text, { uniqueKeys: true }));
      }),
      { numRuns: 3000 },
    );
  });

  it('leave faults and anything not canonical to the YAML parser', () => {
    const duplicate = parseYamlDocuments('rule.json', '{"a":1,"a":2}')[0];
    expect(duplicate?.syntaxErrors.length).toBeGreaterThan(0);
    const spaced = parseYamlDocuments('rule.json', '{\n  "title": "x",\n  "id": 1\n}\n')[0];
    expect(spaced?.value).toEqual({ title: 'x', id: 1 });
    expect(spaced?.lineOf(['id'])).toBe(3);
    let deep: unknown = 1;
    for (let i = 0; i < 130; i++) deep = [deep];
    const tooDeep = parseYamlDocuments('rule.json', JSON.stringify({ deep }))[0];
    expect(tooDeep?.syntaxErrors[0]?.message).toMatch(/nest deeper than 128/);
  });

  it('refuse canonical JSON nested far past the limit with its line, not a stack overflow', () => {
    // JSON.parse reads 20,000 levels; JSON.stringify, which the fast path compared the text with
    // before it checked the nesting, overflowed the stack and the whole load failed.
    const depth = 20_000;
    const text = `{"detection":{"s":${'['.repeat(depth)}"x"${']'.repeat(depth)}}}`;
    const [document, ...more] = parseYamlDocuments('rule.json', text);
    expect(more).toEqual([]);
    expect(document?.value).toBeUndefined();
    expect(document?.syntaxErrors[0]).toEqual({
      line: 1,
      message: expect.stringMatching(/^maps and lists nest /),
    });
  });
});
