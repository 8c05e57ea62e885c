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

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * Compiles a Sigma string to the cheapest test that decides it: equality, prefix, suffix,
 * substring, or an anchored regular expression for anything else. The common tests reject on
 * length before lowercasing anything, since most comparisons fail and lowercasing allocates.
 */
export function compileStringMatcher(value: SigmaString, cased: boolean): (text: string) => boolean {
  const parts = value.parts;
  const fold = (text: string): string => (cased ? text : text.toLowerCase());
  if (!value.hasWildcards) {
    const expected = fold(value.plain());
    const length = expected.length;
    return (text) => text.length === length && fold(text) === expected;
  }
  const [first, middle, last] = [parts[0], parts[1], parts[2]];
  if (parts.length === 1 && first === WILDCARD_MULTI) return () => true;
  if (parts.length === 2 && typeof first === 'string' && last === undefined && middle === WILDCARD_MULTI) {
    const prefix = fold(first);
    const length = prefix.length;
    return (text) => text.length >= length && fold(text.slice(0, length)) === prefix;
  }
  if (parts.length === 2 && first === WILDCARD_MULTI && typeof middle === 'string') {
    const suffix = fold(middle);
    const length = suffix.length;
    return (text) => text.length >= length && fold(text.slice(text.length - length)) === suffix;
  }
  if (
    parts.length === 3 &&
    first === WILDCARD_MULTI &&
    typeof middle === 'string' &&
    last === WILDCARD_MULTI
  ) {
    if (cased) return (text) => text.includes(middle);
    const needle = new RegExp(middle.replace(REGEX_SPECIAL, '\\$&'), 'i');
    const length = middle.length;
    return (text) => text.length >= length && needle.test(text);
  }
  return globMatcher(parts, fold);
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
    return (input) => input.length === first.text.length && segmentAt(fold(input), 0, first);
  }
  const last = segments[segments.length - 1] ?? NO_SEGMENT;
  const middle = segments.slice(1, -1).filter((segment) => segment.text !== '');
  const minimum = segments.reduce((sum, segment) => sum + segment.text.length, 0);
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
