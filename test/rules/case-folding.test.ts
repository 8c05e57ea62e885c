/**
 * Case-insensitive Sigma strings fold one way in every shape (lib/rules/sigma-string.ts): the whole
 * field text lowercased by `toLowerCase()`, compared with the pattern's literal runs lowercased
 * alike. The characters where a slice's lowercase, or RegExp's `i` flag, would answer otherwise:
 * 'İ' (U+0130, two code units lowercased), 'Σ' (final 'ς' or 'σ' by context), the Kelvin sign
 * 'K' (U+212A, lowercases to 'k'), the Ångström sign (U+212B) and 'ϐ' (folds with 'β' by upper case
 * only).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDetection } from '../../lib/rules';
import type { SigmaStringPart } from '../../lib/rules/sigma-string';
import {
  compileStringMatcher,
  lowercasePreimages,
  SigmaString,
  WILDCARD_MULTI,
} from '../../lib/rules/sigma-string';

/** The meaning, written the slow, obvious way. */
function reference(shape: Shape, pattern: string, text: string): boolean {
  const folded = text.toLowerCase();
  const lower = pattern.toLowerCase();
  switch (shape) {
    case 'equals':
      return folded === lower;
    case 'startswith':
      return folded.startsWith(lower);
    case 'endswith':
      return folded.endsWith(lower);
    case 'contains':
      return folded.includes(lower);
    case 'glob': {
      // pattern `a*b`: starts with a, ends with b, the two not overlapping
      const [head = '', tail = ''] = lower.split('|');
      return folded.length >= head.length + tail.length && folded.startsWith(head) && folded.endsWith(tail);
    }
  }
}

type Shape = 'equals' | 'startswith' | 'endswith' | 'contains' | 'glob';
const SHAPES: readonly Shape[] = ['equals', 'startswith', 'endswith', 'contains', 'glob'];

function sigma(shape: Shape, pattern: string): SigmaString {
  switch (shape) {
    case 'equals':
      return SigmaString.literal(pattern);
    case 'startswith':
      return new SigmaString([pattern, WILDCARD_MULTI]);
    case 'endswith':
      return new SigmaString([WILDCARD_MULTI, pattern]);
    case 'contains':
      return new SigmaString([WILDCARD_MULTI, pattern, WILDCARD_MULTI]);
    case 'glob': {
      const [head = '', tail = ''] = pattern.split('|');
      const parts: SigmaStringPart[] = [head, WILDCARD_MULTI, tail];
      return new SigmaString(parts.filter((part) => part !== ''));
    }
  }
}

describe('case-insensitive matching folds the whole text, whatever the shape', () => {
  it.each([
    // 'İ' lowercases to 'i' + U+0307
    ['equals', 'İ', 'i\u0307', true],
    ['equals', 'i\u0307', 'İ', true],
    ['equals', 'i', 'İ', false],
    ['startswith', 'ai', 'aİb', true],
    ['startswith', 'aib', 'aİb', false],
    ['startswith', 'ai\u0307', 'AİB', true],
    ['endswith', 'i', 'aİ', false],
    ['endswith', '\u0307', 'aİ', true],
    ['endswith', 'İ', 'Xİ', true],
    ['contains', 'ai', 'xaİb', true],
    ['contains', 'aib', 'xaİb', false],
    ['contains', 'İ', 'xi\u0307y', true],
    // 'Σ': final 'ς' at a word's end, 'σ' inside; a pattern's Σ is lowercased on its own
    ['equals', 'ΑΣ', 'ας', true],
    ['equals', 'ΑΣ', 'ασ', false],
    ['startswith', 'ΑΣ', 'ΑΣΒ', false],
    ['startswith', 'ΑΣ', 'ΑΣ', true],
    ['startswith', 'ασ', 'ΑΣΒ', true],
    ['endswith', 'Σ', 'ΑΣ', false],
    ['endswith', 'ς', 'ΑΣ', true],
    ['endswith', 'σ', 'Σ', true],
    ['contains', 'σ', 'ΑΣ', false],
    ['contains', 'σ', 'ας', false],
    ['contains', 'ς', 'ΑΣ.', true],
    ['contains', 'σβ', 'αΣΒ', true],
    // Kelvin sign: lowercases to ASCII 'k'; 'k' does not lowercase to it
    ['equals', 'k', '\u212a', true],
    ['startswith', 'kms', '\u212aMS:Decrypt', true],
    ['endswith', 'kms', 'aws\u212aMS', true],
    ['contains', 'kms', 'aws-\u212aMS-key', true],
    ['contains', '\u212a', 'k', true],
    ['contains', 'k', 'K', true],
    ['glob', 'kms|key', '\u212aMS-KEY', true],
    // Ångström sign, and 'ϐ' which only upper case folds with 'β'
    ['contains', 'å', 'x\u212b', true],
    ['contains', 'β', 'ϐ', false],
    ['contains', 'ϐ', 'Β', false],
    ['glob', 'i|x', 'İx', true],
    ['glob', 'ai\u0307|x', 'AİX', true],
  ] as const)('%s %j on %j: %s', (shape, pattern, text, expected) => {
    expect(reference(shape, pattern, text)).toBe(expected);
    expect(compileStringMatcher(sigma(shape, pattern), false)(text)).toBe(expected);
  });

  it('a rule reads the same: eventName|contains, startswith, endswith and equality on those characters', () => {
    const rule = (key: string, value: string) =>
      compileDetection({ selection: { [key]: value }, condition: 'selection' }, {}, () => {}, false);
    const cases: [string, string, string, boolean][] = [
      ['eventName|contains', 'kms', 'Get\u212aMSKey', true],
      ['eventName|startswith', 'ΑΣ', 'ΑΣΒ', false],
      ['eventName|endswith', 'ai', 'xaİ', false],
      ['eventName', 'İ', 'i\u0307', true],
    ];
    for (const [key, value, eventName, expected] of cases) {
      const compiled = rule(key, value);
      expect(compiled.ok).toBe(true);
      if (compiled.ok)
        expect(compiled.part.match({ eventName }), `${key}: ${value} on ${eventName}`).toBe(expected);
    }
  });

  const alphabet = fc.constantFrom(
    'a',
    'A',
    'i',
    'I',
    'İ',
    '\u0307',
    'k',
    'K',
    '\u212a',
    'Σ',
    'σ',
    'ς',
    'β',
    'ϐ',
    'Å',
    '\u212b',
    'å',
    'ß',
    'ẞ',
    ' ',
    '.',
    '😀',
  );
  const text = fc.string({ unit: alphabet, maxLength: 6 });

  it('property: every shape agrees with the whole text lowercased', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), text, text, text, (shape, pattern, tail, subject) => {
        const full = shape === 'glob' ? `${pattern}|${tail}` : pattern;
        if (shape === 'glob' && (pattern === '' || tail === '')) return;
        expect(compileStringMatcher(sigma(shape, full), false)(subject)).toBe(
          reference(shape, full, subject),
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it('property: a pattern found in the text is found wherever the text sits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SHAPES.filter((shape) => shape !== 'glob')),
        text,
        text,
        text,
        (shape, before, pattern, after) => {
          const subject = before + pattern + after;
          expect(compileStringMatcher(sigma(shape, pattern), false)(subject)).toBe(
            reference(shape, pattern, subject),
          );
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('the ASCII preimages (answered without the table) are every code unit lowercasing to that unit', () => {
    const all = new Map<string, string[]>();
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      const lower = char.toLowerCase();
      if (lower.length === 1 && lower.charCodeAt(0) < 0x80) all.set(lower, [...(all.get(lower) ?? []), char]);
    }
    for (let code = 0; code < 0x80; code++) {
      const unit = String.fromCharCode(code);
      expect([...lowercasePreimages(unit)].sort(), JSON.stringify(unit)).toEqual(
        (all.get(unit) ?? []).sort(),
      );
    }
    expect(lowercasePreimages('k')).toContain('\u212a');
    expect([...lowercasePreimages('å')].sort()).toEqual(['Å', 'å', '\u212b'].sort());
  });
});
