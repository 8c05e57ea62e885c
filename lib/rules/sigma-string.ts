/**
 * Sigma string values: `*` matches any run of characters, `?` exactly one, and `\` escapes either
 * (or itself); a backslash before anything else is a plain backslash.
 * https://sigmahq.io/sigma-specification/specification/sigma-rules-specification.html#string-wildcard
 */
export const WILDCARD_MULTI = Symbol('*');
export const WILDCARD_SINGLE = Symbol('?');
export type SigmaStringPart = string | typeof WILDCARD_MULTI | typeof WILDCARD_SINGLE;

export class SigmaString {
  constructor(readonly parts: readonly SigmaStringPart[]) {}

  static parse(text: string): SigmaString {
    const parts: SigmaStringPart[] = [];
    let literal = '';
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (char === '\\') {
        const next = text[i + 1];
        if (next === '*' || next === '?' || next === '\\') {
          literal += next;
          i++;
        } else {
          literal += '\\';
        }
      } else if (char === '*' || char === '?') {
        if (literal) parts.push(literal);
        literal = '';
        parts.push(char === '*' ? WILDCARD_MULTI : WILDCARD_SINGLE);
      } else {
        literal += char;
      }
    }
    if (literal) parts.push(literal);
    return new SigmaString(parts);
  }

  static literal(text: string): SigmaString {
    return new SigmaString(text === '' ? [] : [text]);
  }

  get hasWildcards(): boolean {
    return this.parts.some((part) => typeof part !== 'string');
  }

  startsWithWildcard(): boolean {
    return this.parts[0] === WILDCARD_MULTI;
  }

  endsWithWildcard(): boolean {
    return this.parts[this.parts.length - 1] === WILDCARD_MULTI;
  }

  prepend(part: SigmaStringPart): SigmaString {
    return new SigmaString([part, ...this.parts]);
  }

  append(part: SigmaStringPart): SigmaString {
    return new SigmaString([...this.parts, part]);
  }

  /** The text without wildcards; only meaningful when `hasWildcards` is false. */
  plain(): string {
    return this.parts.filter((part): part is string => typeof part === 'string').join('');
  }

  /** Replaces every occurrence of `%name%` in literal parts, giving one string per combination. */
  expand(resolve: (name: string) => readonly SigmaString[]): SigmaString[] {
    let results: SigmaStringPart[][] = [[]];
    for (const part of this.parts) {
      if (typeof part !== 'string') {
        results = results.map((r) => [...r, part]);
        continue;
      }
      const pieces = part.split(/(%[A-Za-z0-9_.-]+%)/);
      for (const piece of pieces) {
        if (piece === '') continue;
        const placeholder = /^%([A-Za-z0-9_.-]+)%$/.exec(piece);
        if (!placeholder) {
          results = results.map((r) => [...r, piece]);
          continue;
        }
        const values = resolve(placeholder[1] as string);
        results = results.flatMap((r) => values.map((value) => [...r, ...value.parts]));
      }
    }
    return results.map((parts) => new SigmaString(mergeLiterals(parts)));
  }

  toString(): string {
    return this.parts
      .map((part) =>
        part === WILDCARD_MULTI ? '*' : part === WILDCARD_SINGLE ? '?' : part.replace(/([*?\\])/g, '\\$1'),
      )
      .join('');
  }
}

function mergeLiterals(parts: readonly SigmaStringPart[]): SigmaStringPart[] {
  const merged: SigmaStringPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return merged;
}

/**
 * Case-insensitive matching means one thing everywhere: the whole field text lowercased by
 * JavaScript's `toLowerCase()`, compared with each literal run of the pattern lowercased the same
 * way (the SQL dialects lowercase the same whole text: lib/sql, `foldedText`). Lowercasing a slice
 * of the text, or RegExp's `i` flag, would answer differently on a few characters:
 * - 'İ' (U+0130) lowercases to two code units, 'i' and U+0307 (the only one that changes length);
 * - 'Σ' lowercases to 'ς' at the end of a word and 'σ' elsewhere, so a slice's lowercase can differ
 *   from the whole text's (the only context-dependent lowercase);
 * - RegExp's `i` folds through upper case: /k/i misses the Kelvin sign 'K' (U+212A), which
 *   lowercases to 'k', and /σ/i finds 'ς', which does not lowercase to 'σ'.
 * The fast paths below lowercase only a slice, or search with classes of the characters that
 * lowercase to each pattern character, where the text's 'İ' and 'Σ' cannot change the answer:
 * a pattern free of what only they lowercase to (U+0307, 'σ', 'ς'). Other patterns lowercase the
 * whole text.
 */
const ONLY_FROM_CONTEXT_OR_EXPANSION = /[\u0307\u03c2\u03c3]/;
const COMBINING_DOT_ABOVE = /\u0307/g;
const CAPITAL_I_WITH_DOT = 0x130;

/** How many code units `toLowerCase()` added: one per 'İ', each leaving a U+0307 in the pattern. */
function expansion(folded: string): number {
  return folded.match(COMBINING_DOT_ABOVE)?.length ?? 0;
}

/**
 * Compiles a Sigma string to the cheapest test that decides it: equality, prefix, suffix,
 * substring, or a linear glob for anything else. The common tests reject on length before
 * lowercasing anything, since most comparisons fail and lowercasing allocates.
 */
export function compileStringMatcher(value: SigmaString, cased: boolean): (text: string) => boolean {
  const parts = value.parts;
  const fold = (text: string): string => (cased ? text : text.toLowerCase());
  if (!value.hasWildcards) {
    const expected = fold(value.plain());
    const length = expected.length;
    // A text of another length lowercases to another length, unless 'İ' lengthened it.
    const shortest = length - expansion(expected);
    if (shortest === length) return (text) => text.length === length && fold(text) === expected;
    return (text) => text.length >= shortest && text.length <= length && fold(text) === expected;
  }
  const [first, middle, last] = [parts[0], parts[1], parts[2]];
  if (parts.length === 1 && first === WILDCARD_MULTI) return () => true;
  if (parts.length === 2 && typeof first === 'string' && last === undefined && middle === WILDCARD_MULTI)
    return prefixMatcher(fold(first), cased);
  if (parts.length === 2 && first === WILDCARD_MULTI && typeof middle === 'string')
    return suffixMatcher(fold(middle), cased);
  if (
    parts.length === 3 &&
    first === WILDCARD_MULTI &&
    typeof middle === 'string' &&
    last === WILDCARD_MULTI
  ) {
    if (cased) return (text) => text.includes(middle);
    return substringMatcher(fold(middle));
  }
  return globMatcher(parts, fold);
}

function prefixMatcher(prefix: string, cased: boolean): (text: string) => boolean {
  const length = prefix.length;
  if (cased) return (text) => text.startsWith(prefix);
  if (ONLY_FROM_CONTEXT_OR_EXPANSION.test(prefix)) {
    const shortest = length - expansion(prefix);
    return (text) => text.length >= shortest && text.toLowerCase().startsWith(prefix);
  }
  // Without 'σ', 'ς' or U+0307 in the prefix, a text whose first `length` units hold 'Σ' or 'İ'
  // fails both ways, but for one case: 'İ' last, its 'i' ending the prefix (U+0307 after it).
  const endsWithI = prefix.endsWith('i');
  return (text) =>
    text.length >= length &&
    (text.slice(0, length).toLowerCase() === prefix ||
      (endsWithI &&
        text.charCodeAt(length - 1) === CAPITAL_I_WITH_DOT &&
        text.toLowerCase().startsWith(prefix)));
}

function suffixMatcher(suffix: string, cased: boolean): (text: string) => boolean {
  const length = suffix.length;
  if (cased) return (text) => text.endsWith(suffix);
  if (ONLY_FROM_CONTEXT_OR_EXPANSION.test(suffix)) {
    const shortest = length - expansion(suffix);
    return (text) => text.length >= shortest && text.toLowerCase().endsWith(suffix);
  }
  // 'Σ' or 'İ' among the last `length` units fails both ways: their lowercase ('σ', 'ς', or a
  // U+0307 that runs to the end) is not in the suffix.
  return (text) => text.length >= length && text.slice(text.length - length).toLowerCase() === suffix;
}

/**
 * Substring, case-insensitive: a regular expression (no `i` flag) whose every position is the class
 * of the code units that lowercase to that needle unit, which finds exactly what
 * `text.toLowerCase().includes(needle)` finds without lowercasing the text (no allocation per
 * comparison). 'Σ' lowercases to 'σ' or 'ς', neither in such a needle, and 'İ' to 'i' and U+0307,
 * so only its 'i' can end a match. A needle holding those, or a surrogate (characters beyond the
 * BMP), lowercases the whole text instead.
 */
function substringMatcher(needle: string): (text: string) => boolean {
  const length = needle.length;
  if (ONLY_FROM_CONTEXT_OR_EXPANSION.test(needle) || /[\ud800-\udfff]/.test(needle)) {
    const shortest = length - expansion(needle);
    return (text) => text.length >= shortest && text.toLowerCase().includes(needle);
  }
  let source = '';
  for (let i = 0; i < length; i++) {
    const unit = needle[i] as string;
    const from = lowercasePreimages(unit);
    const units = unit === 'i' && i === length - 1 ? [...from, '\u0130'] : from;
    source += units.length === 1 ? escapeUnit(units[0] as string) : `[${units.map(escapeUnit).join('')}]`;
  }
  const search = new RegExp(source);
  return (text) => text.length >= length && search.test(text);
}

function escapeUnit(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** BMP code units by the single code unit `toLowerCase()` gives them, built on first use. */
let preimages: Map<string, string[]> | undefined;

/** The Kelvin sign: the one code unit beyond ASCII that lowercases to an ASCII letter alone ('k'). */
const KELVIN_SIGN = '\u212a';

/** Every code unit whose lowercase is `unit` (empty when `unit` is no lowercase). */
export function lowercasePreimages(unit: string): readonly string[] {
  const code = unit.charCodeAt(0);
  // ASCII, the needles rules hold: answered without the table (test/rules/case-folding.test.ts
  // checks these against it), since building it lowercases every BMP unit (some 30 ms), which a
  // Lambda cold start should not pay.
  if (code < 0x80) {
    if (code < 0x61 || code > 0x7a) return code >= 0x41 && code <= 0x5a ? [] : [unit];
    const upper = unit.toUpperCase();
    return unit === 'k' ? [upper, unit, KELVIN_SIGN] : [upper, unit];
  }
  if (preimages === undefined) {
    preimages = new Map();
    for (let at = 0; at <= 0xffff; at++) {
      if (at >= 0xd800 && at <= 0xdfff) continue;
      const char = String.fromCharCode(at);
      const lower = char.toLowerCase();
      if (lower.length !== 1) continue;
      const list = preimages.get(lower);
      if (list) list.push(char);
      else preimages.set(lower, [char]);
    }
  }
  return preimages.get(unit) ?? [];
}

/** One run of a pattern between `*` wildcards: literal characters, with `?` at the marked positions. */
interface Segment {
  readonly text: string;
  /** Positions holding `?` (any one character); undefined when there is none. */
  readonly any: readonly boolean[] | undefined;
}

const NO_SEGMENT: Segment = { text: '', any: undefined };

function segmentOf(parts: readonly SigmaStringPart[], fold: (text: string) => string): Segment {
  let text = '';
  const any: boolean[] = [];
  for (const part of parts) {
    if (part === WILDCARD_SINGLE) {
      any[text.length] = true;
      text += '?';
    } else if (typeof part === 'string') {
      text += fold(part);
    }
  }
  return { text, any: any.length > 0 ? any : undefined };
}

function segmentAt(text: string, at: number, segment: Segment): boolean {
  const length = segment.text.length;
  if (at < 0 || at + length > text.length) return false;
  if (segment.any === undefined) return text.startsWith(segment.text, at);
  for (let i = 0; i < length; i++) {
    if (segment.any[i] !== true && text.charCodeAt(at + i) !== segment.text.charCodeAt(i)) return false;
  }
  return true;
}

/** The leftmost position at or after `from` where the segment occurs, or -1. */
function findSegment(text: string, from: number, segment: Segment): number {
  if (segment.any === undefined) return text.indexOf(segment.text, from);
  for (let at = from; at + segment.text.length <= text.length; at++) {
    if (segmentAt(text, at, segment)) return at;
  }
  return -1;
}

/**
 * Any mix of `*`, `?` and literals, matched without backtracking: the first segment must start
 * the text, the last must end it, and each one between is taken at its leftmost occurrence after
 * the previous (leftmost is always safe for `*`, which can absorb whatever is skipped). Time is
 * linear in the text for a given pattern; a regular expression built from `*a*a*a*z` backtracks
 * polynomially and froze on a few thousand characters.
 */
function globMatcher(
  parts: readonly SigmaStringPart[],
  fold: (text: string) => string,
): (text: string) => boolean {
  const runs: SigmaStringPart[][] = [[]];
  for (const part of parts) {
    if (part === WILDCARD_MULTI) runs.push([]);
    else runs[runs.length - 1]?.push(part);
  }
  const segments = runs.map((run) => segmentOf(run, fold));
  const first = segments[0] ?? NO_SEGMENT;
  if (segments.length === 1) {
    if (expansion(first.text) === 0)
      return (input) => input.length === first.text.length && segmentAt(fold(input), 0, first);
    return (input) => segmentAt(fold(input), 0, first) && fold(input).length === first.text.length;
  }
  const last = segments[segments.length - 1] ?? NO_SEGMENT;
  const middle = segments.slice(1, -1).filter((segment) => segment.text !== '');
  // Each unit of a segment comes from its own unit of the text, but for the U+0307 of an 'İ'.
  const minimum = segments.reduce((sum, segment) => sum + segment.text.length - expansion(segment.text), 0);
  return (input) => {
    if (input.length < minimum) return false;
    const text = fold(input);
    if (!segmentAt(text, 0, first)) return false;
    const end = text.length - last.text.length;
    if (end < first.text.length || !segmentAt(text, end, last)) return false;
    let position = first.text.length;
    for (const segment of middle) {
      const at = findSegment(text, position, segment);
      if (at === -1 || at + segment.text.length > end) return false;
      position = at + segment.text.length;
    }
    return true;
  };
}
