/**
 * The engine searches a literal from its rarest character on and confirms the part before it:
 * it must find exactly what `includes` finds, wherever the literal sits and however it repeats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralTable } from '../../lib/rules/literals';

describe('a literal searched from its rarest character', () => {
  it('is found exactly where includes finds it (property)', () => {
    const alphabet = fc.constantFrom(...'aeks_/":-.z0q '.split(''));
    const text = fc.array(alphabet, { maxLength: 60 }).map((chars) => chars.join(''));
    const literal = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, literal, fc.nat(), (haystack, needle, at) => {
        const table = new LiteralTable();
        const id = table.id(needle);
        expect(table.occurs(id, haystack)).toBe(haystack.includes(needle));
        // And planted somewhere, possibly overlapping a partial copy of itself.
        const cut = at % (haystack.length + 1);
        const planted = `${haystack.slice(0, cut)}${needle.slice(0, -1)}${needle}${haystack.slice(cut)}`;
        expect(table.occurs(id, planted)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
