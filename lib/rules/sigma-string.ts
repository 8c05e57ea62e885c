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
  const source = parts
    .map((part) =>
      part === WILDCARD_MULTI ? '.*' : part === WILDCARD_SINGLE ? '.' : part.replace(REGEX_SPECIAL, '\\$&'),
    )
    .join('');
  const regex = new RegExp(`^${source}$`, cased ? 's' : 'si');
  return (text) => regex.test(text);
}
