import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileStringMatcher,
  SigmaString,
  WILDCARD_MULTI,
  WILDCARD_SINGLE,
} from '../../lib/rules/sigma-string';

/** The reference: Sigma wildcards as an anchored backtracking regular expression (fine on short text). */
function referenceMatches(value: SigmaString, cased: boolean, text: string): boolean {
  const source = value.parts
    .map((part) =>
      part === WILDCARD_MULTI
        ? '.*'
        : part === WILDCARD_SINGLE
          ? '.'
          : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, cased ? 's' : 'si').test(text);
}

describe('Sigma wildcard values', () => {
  it('match exactly like the anchored regular expression they stand for', () => {
    const pattern = fc.array(fc.constantFrom('a', 'b', 'A', '*', '?', '\\', 'ab', '.', '\n'), {
      maxLength: 8,
    });
    const text = fc.array(fc.constantFrom('a', 'b', 'A', 'B', '?', '*', '.', '\n', 'ab'), { maxLength: 10 });
    fc.assert(
      fc.property(pattern, text, fc.boolean(), (patternPieces, textPieces, cased) => {
        const value = SigmaString.parse(patternPieces.join(''));
        const input = textPieces.join('');
        expect(compileStringMatcher(value, cased)(input)).toBe(referenceMatches(value, cased, input));
      }),
      { numRuns: 3_000 },
    );
  });

  // A regular expression built from these backtracks polynomially: minutes for 2,000 characters.
  it.each([
    ['*a*a*a*a*z', 1_000_000],
    ['*a*a*a*a*a*a*a*a*z', 1_000_000],
    ['*a?a*?a*z', 1_000_000],
  ])('%s against %i a answers at once', (pattern, length) => {
    const matches = compileStringMatcher(SigmaString.parse(pattern), false);
    const start = performance.now();
    expect(matches('a'.repeat(length))).toBe(false);
    expect(performance.now() - start).toBeLessThan(1_500);
  });
});
