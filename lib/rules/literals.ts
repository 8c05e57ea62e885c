import type { TextMode, TextTest } from './detection';

/**
 * Characters of lowercased CloudTrail JSON, most frequent first (measured on generated and real
 * logs: quotes, vowels, common consonants, digits, separators). A literal is searched from its
 * rarest character on: `indexOf` finds a pattern's first character first and then compares, so a
 * common first character (the `a` of `accessdenied`) means a false start every few bytes.
 * Characters not listed count as rarer than any listed.
 */
const BY_FREQUENCY = '"easntroic:dmluw2,01pvygfb4z-35khxq6j897./{}+ _[]=@';

const RANK = new Map<number, number>(
  [...BY_FREQUENCY].map((char, index) => [char.charCodeAt(0), BY_FREQUENCY.length - index]),
);

/** How common a character is: higher is more common, 0 for anything unlisted. */
function commonness(code: number): number {
  return RANK.get(code) ?? 0;
}

/**
 * One literal and how to find it: `tail` is the literal from its rarest character on, searched
 * with `indexOf`; each hit is confirmed by `head`, the part before it, just in front. Finds exactly
 * what `includes(literal)` finds, only with fewer false starts.
 */
class LiteralSearch {
  readonly head: string;
  readonly tail: string;

  constructor(readonly literal: string) {
    let best = 0;
    for (let i = 1; i < literal.length; i++) {
      if (commonness(literal.charCodeAt(i)) < commonness(literal.charCodeAt(best))) best = i;
    }
    this.head = literal.slice(0, best);
    this.tail = literal.slice(best);
  }

  in(text: string): boolean {
    const { head, tail } = this;
    if (head === '') return text.includes(tail);
    const offset = head.length;
    for (let at = text.indexOf(tail, offset); at !== -1; at = text.indexOf(tail, at + 1)) {
      if (text.startsWith(head, at - offset)) return true;
    }
    return false;
  }
}

/** Every distinct literal of a pack's text tests, numbered, so one record's answers fit in an array. */
export class LiteralTable {
  private readonly ids = new Map<string, number>();
  private readonly searches: LiteralSearch[] = [];
  /** Per literal: how often it was searched for, and found. */
  private readonly asked: number[] = [];
  private readonly found: number[] = [];
  /** Every all/any node compiled against this table, for `reorder`. */
  private readonly composites: { readonly kind: 'all' | 'any'; readonly terms: TextNode[] }[] = [];

  get size(): number {
    return this.searches.length;
  }

  id(literal: string): number {
    let id = this.ids.get(literal);
    if (id === undefined) {
      id = this.searches.length;
      this.searches.push(new LiteralSearch(literal));
      this.asked.push(0);
      this.found.push(0);
      this.ids.set(literal, id);
    }
    return id;
  }

  /** Whether the literal numbered `id` occurs in `lowerText`. */
  occurs(id: number, lowerText: string): boolean {
    const found = (this.searches[id] as LiteralSearch).in(lowerText);
    this.asked[id] = (this.asked[id] as number) + 1;
    if (found) this.found[id] = (this.found[id] as number) + 1;
    return found;
  }

  /** An all/any node, registered so that `reorder` can put its likeliest deciding term first. */
  composite(kind: 'all' | 'any', terms: TextNode[]): TextNode {
    const node = { kind, terms };
    this.composites.push(node);
    return node;
  }

  /**
   * Puts each any's likeliest terms first and each all's unlikeliest first, by how often each
   * literal was found so far: the term that decides comes first and the others are not searched
   * for. Order never changes an answer (the terms are pure tests of one text), only how many
   * searches it takes. Must not run while `holds` is walking a node: callers run it between records.
   */
  reorder(): void {
    const odds = new Map<TextNode, number>();
    const chance = (node: TextNode): number => {
      let p = odds.get(node);
      if (p !== undefined) return p;
      if (node.kind === 'literal') {
        p = ((this.found[node.id] as number) + 1) / ((this.asked[node.id] as number) + 2);
      } else if (node.kind === 'all') {
        p = node.terms.reduce((product, term) => product * chance(term), 1);
      } else {
        p = 1 - node.terms.reduce((product, term) => product * (1 - chance(term)), 1);
      }
      odds.set(node, p);
      return p;
    };
    for (const node of this.composites) {
      const sign = node.kind === 'any' ? -1 : 1;
      node.terms.sort((a, b) => sign * (chance(a) - chance(b)));
    }
  }
}

/**
 * One record's raw text, lowercased once, and each literal's answer in it, shared by every rule's
 * test (and by the prefilter and the evaluation of the same record). Answers are kept by literal
 * number: no per-record map, no string hashing. (A typed array per record cost more to allocate, in
 * the profile, than the few answers a record needs.)
 */
export class TextMemo {
  private lowerText: string | undefined;
  private escapes: boolean | undefined;
  private readonly answers: (boolean | undefined)[] = [];

  constructor(
    readonly raw: string,
    private readonly table: LiteralTable,
  ) {}

  /** False when escapes may spell a literal differently: then literals prove nothing. */
  get usable(): boolean {
    this.escapes ??= hasSpellingEscapes(this.raw);
    return !this.escapes;
  }

  get lower(): string {
    this.lowerText ??= this.raw.toLowerCase();
    return this.lowerText;
  }

  has(id: number): boolean {
    const known = this.answers[id];
    if (known !== undefined) return known;
    const found = this.table.occurs(id, this.lower);
    this.answers[id] = found;
    return found;
  }
}

/**
 * \\u and \\/ escapes can spell a literal differently from the parsed value: then literals prove
 * nothing. One pass over the backslashes (any backslash followed by u or /, as `includes` would find).
 */
export function hasSpellingEscapes(text: string): boolean {
  for (let at = text.indexOf('\\'); at !== -1; at = text.indexOf('\\', at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next === 0x75 || next === 0x2f) return true;
  }
  return false;
}

/**
 * A text test compiled against a literal table: a literal by number, or all/any of terms. Data,
 * not closures, so one module function evaluates every rule's test (`holds`).
 */
export type TextNode =
  | { readonly kind: 'literal'; readonly id: number }
  | { readonly kind: 'all' | 'any'; readonly terms: readonly TextNode[] };

/** A compiled test: `true` and `false` are decided without looking at the text. */
export type TextProgram = boolean | TextNode;

/**
 * Compiles a text test. In `open` mode actor tests are unknown (true); in `unlinked` mode their
 * literals must occur (see `TextMode`). Booleans are folded away: false decides an AND, true an OR.
 */
export function compileTextProgram(test: TextTest, mode: TextMode, table: LiteralTable): TextProgram {
  if (typeof test === 'boolean') return test;
  if ('actor' in test) return mode === 'open' ? true : compileTextProgram(test.actor, mode, table);
  if ('literal' in test) return { kind: 'literal', id: table.id(test.literal) };
  const absorbing = test.op !== 'all';
  const terms: TextNode[] = [];
  for (const term of test.terms) {
    const compiled = compileTextProgram(term, mode, table);
    if (compiled === absorbing) return absorbing;
    if (typeof compiled !== 'boolean') terms.push(compiled);
  }
  if (terms.length === 0) return !absorbing;
  if (terms.length === 1) return terms[0] as TextNode;
  return table.composite(test.op, terms);
}

/** Whether a record's text may pass a compiled test (always true for a memo whose text is unusable: callers check). */
export function holds(node: TextNode, memo: TextMemo): boolean {
  if (node.kind === 'literal') return memo.has(node.id);
  const terms = node.terms;
  if (node.kind === 'all') {
    for (let i = 0; i < terms.length; i++) if (!holds(terms[i] as TextNode, memo)) return false;
    return true;
  }
  for (let i = 0; i < terms.length; i++) if (holds(terms[i] as TextNode, memo)) return true;
  return false;
}

/** Whether a compiled program lets a record through (undefined and true: nothing known). */
export function passes(program: TextProgram | undefined, memo: TextMemo): boolean {
  return program === undefined || program === true || (program !== false && holds(program, memo));
}
