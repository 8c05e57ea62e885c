/**
 * The engine searches a literal from its rarest character on and confirms the part before it:
 * it must find exactly what `includes` finds, wherever the literal sits and however it repeats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TextTest } from '../../lib/rules/detection';
import { compileTextProgram, LiteralTable, passes, TextMemo } from '../../lib/rules/literals';

describe('a literal searched from its rarest character', () => {
  it('is found exactly where includes finds it (property)', () => {
    const alphabet = fc.constantFrom(...'aeks_/":-.z0q '.split(''));
    const text = fc.array(alphabet, { maxLength: 60 }).map((chars) => chars.join(''));
    const literal = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, literal, fc.nat(), (haystack, needle, at) => {
        const table = new LiteralTable();
        const id = table.id(needle);
        expect(table.occurs(id, new TextMemo(haystack, table))).toBe(haystack.includes(needle));
        // And planted somewhere, possibly overlapping a partial copy of itself.
        const cut = at % (haystack.length + 1);
        const planted = `${haystack.slice(0, cut)}${needle.slice(0, -1)}${needle}${haystack.slice(cut)}`;
        expect(table.occurs(id, new TextMemo(planted, table))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("reordering a pack's literal tests by what records held", () => {
  it('never changes an answer (property)', () => {
    const literals = ['ab', 'ba', 'kali', 'root', 'zz', 'a"b'];
    const test: fc.Arbitrary<TextTest> = fc.letrec<{ test: TextTest }>((tie) => ({
      test: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(...literals).map((literal): TextTest => ({ literal })),
        fc.boolean(),
        fc
          .tuple(
            fc.constantFrom('all' as const, 'any' as const),
            fc.array(tie('test'), { minLength: 1, maxLength: 4 }),
          )
          .map(([op, terms]): TextTest => ({ op, terms })),
      ),
    })).test;
    const text = fc
      .array(fc.constantFrom('ab', 'ba', 'kali', 'root', 'z', '"', 'x'), { maxLength: 8 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(test, { minLength: 1, maxLength: 4 }),
        fc.array(text, { minLength: 1, maxLength: 12 }),
        (tests, texts) => {
          const table = new LiteralTable();
          const programs = tests.map((one) => compileTextProgram(one, 'open', table));
          const answers = (): boolean[][] =>
            texts.map((lower) => {
              const memo = new TextMemo(lower, table);
              return programs.map((program) => passes(program, memo));
            });
          const before = answers();
          table.reorder();
          expect(answers()).toEqual(before);
          table.reorder();
          expect(answers()).toEqual(before);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
