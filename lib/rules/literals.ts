import type { EventKeys, TextMode, TextTest } from './text-prefilter';

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

  /** Where the literal first occurs at or after `from`, as `indexOf` would say. */
  find(text: string, from: number): number {
    const { head, tail } = this;
    const offset = head.length;
    for (let at = text.indexOf(tail, from + offset); at !== -1; at = text.indexOf(tail, at + 1)) {
      if (offset === 0 || text.startsWith(head, at - offset)) return at - offset;
    }
    return -1;
  }
}

/**
 * A literal tied to a key: it must occur inside the value of some `"key"` of the text, as it does
 * when a rule's field ends in that key and one of its values holds the literal. For a key with one
 * literal, the untied literal (`free`, by number) is asked first: it is shared by every rule and
 * usually decides; a key with several is searched first (see `KEY_FIRST_MIN`). The key's values are
 * found once per record (`KeySpans`, by key number) and shared by its literals.
 *
 * Why this never rules out a match: the field's leaf is the value of a key spelled `key` (lowercase
 * ASCII without `"` or `\`, so its raw spelling is exact once \u escapes are excluded, as they are
 * for every literal), followed in the raw JSON by optional whitespace, `:`, optional whitespace and
 * the value. A string value holds the literal between its quotes (the literal has no quote, and no
 * character JSON escapes); a bare word (true, false, a number) holds it before the next delimiter;
 * an array or object value may hold the leaf anywhere inside, so its span runs to the text's end.
 */
class KeyedSearch {
  /** How often the free literal was found, and how often its key's values then lacked it. */
  tried = 0;
  ruledOut = 0;
  /**
   * Set once the key has proved not worth its search (see `occurs`): the free literal answers
   * alone, a weaker test, so still one that never rules out a match.
   */
  loose = false;

  constructor(
    readonly free: number,
    readonly key: number,
    readonly literal: string,
  ) {}

  /**
   * Whether the literal occurs inside one of the spans. Each span is searched on its own (a
   * search bounded by the span's end, not the text's), so a literal that is elsewhere in the text
   * costs no more than the key's values.
   */
  in(text: string, spans: readonly number[]): boolean {
    const { literal } = this;
    for (let s = 0; s < spans.length; s += 2) {
      const start = spans[s] as number;
      const end = spans[s + 1] as number;
      if (end === text.length) return text.indexOf(literal, start) !== -1;
      if (end - start >= literal.length && text.slice(start, end).includes(literal)) return true;
    }
    return false;
  }
}

/** A key of the text and where its values are: [start, end) pairs, in the order they occur. */
function keySpans(text: string, quotedKey: LiteralSearch): number[] {
  const spans: number[] = [];
  const step = quotedKey.literal.length;
  for (let at = quotedKey.find(text, 0); at !== -1; at = quotedKey.find(text, at + 1)) {
    let i = skipWhitespace(text, at + step);
    if (text.charCodeAt(i) !== 0x3a) continue;
    i = skipWhitespace(text, i + 1);
    const first = text.charCodeAt(i);
    const end =
      first === 0x5b || first === 0x7b
        ? text.length
        : first === 0x22
          ? stringEnd(text, i + 1)
          : wordEnd(text, i);
    spans.push(i, end);
  }
  return spans;
}

/** Where a JSON string whose text starts at `from` ends: its closing quote, or the text's end. */
export function stringEnd(text: string, from: number): number {
  for (let at = text.indexOf('"', from); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return text.length;
}

/** Where a bare JSON word (true, false, null, a number) starting at `from` ends. */
function wordEnd(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2c || code === 0x7d || code === 0x5d || code <= 0x20) break;
  }
  return i;
}

/** The index of the first character at or after `from` that is not JSON whitespace. */
export function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return i;
    i++;
  }
}

/** See `LiteralTable.keyed`. */
const KEYED_TRIAL = 256;
const KEYED_WORTH = 20;
/**
 * A key with at least this many literals tied to it is searched first: one search for `"key"`
 * finds the values every one of them is then looked for in (a few bytes each), where asking each
 * free literal first costs a pass over the whole text per literal (`userAgent` carries a dozen tool
 * names). Measured on the bench file: a third less time in the prefilter than free literals first;
 * with one literal, its free search first stays cheaper.
 */
const KEY_FIRST_MIN = 2;

/** Every distinct literal of a pack's text tests, numbered, so one record's answers fit in an array. */
export class LiteralTable {
  private readonly ids = new Map<string, number>();
  private readonly searches: (LiteralSearch | KeyedSearch)[] = [];
  /** Keys that literals are tied to, numbered (`"key"` searches, see `keySpans`). */
  private readonly keyIds = new Map<string, number>();
  private readonly keys: LiteralSearch[] = [];
  /** Per key number: how many literals are tied to it (see `KEY_FIRST_MIN`). */
  private readonly keyLiterals: number[] = [];
  /** Per literal: how often it was searched for, and found. */
  private readonly asked: number[] = [];
  private readonly found: number[] = [];
  /** Every all/any node compiled against this table, for `reorder`. */
  private readonly composites: { readonly kind: 'all' | 'any'; readonly terms: TextNode[] }[] = [];

  get size(): number {
    return this.searches.length;
  }

  /** The number of a literal, or of a literal tied to a key (see `KeyedSearch`). */
  id(literal: string, key?: string): number {
    // A NUL cannot be in a literal (JSON escapes it), so the two kinds of name never collide.
    const name = key === undefined ? literal : `${key}\u0000${literal}`;
    let id = this.ids.get(name);
    if (id === undefined) {
      const search =
        key === undefined
          ? new LiteralSearch(literal)
          : new KeyedSearch(this.id(literal), this.keyId(key), literal);
      if (search instanceof KeyedSearch)
        this.keyLiterals[search.key] = (this.keyLiterals[search.key] as number) + 1;
      id = this.searches.length;
      this.searches.push(search);
      this.asked.push(0);
      this.found.push(0);
      this.ids.set(name, id);
    }
    return id;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(new LiteralSearch(`"${key}"`));
      this.keyLiterals.push(0);
      this.keyIds.set(key, id);
    }
    return id;
  }

  /** Where the values of the key numbered `key` are in `lowerText` (see `keySpans`). */
  spans(key: number, lowerText: string): number[] {
    return keySpans(lowerText, this.keys[key] as LiteralSearch);
  }

  /** Whether the literal numbered `id` occurs in the memo's text (a tied one: in its key's values). */
  occurs(id: number, memo: TextMemo): boolean {
    const search = this.searches[id] as LiteralSearch | KeyedSearch;
    const found = search instanceof KeyedSearch ? this.keyed(search, memo) : search.in(memo.lower);
    this.asked[id] = (this.asked[id] as number) + 1;
    if (found) this.found[id] = (this.found[id] as number) + 1;
    return found;
  }

  /**
   * A tied literal's answer: in its key's values when the key has several literals, else first
   * anywhere in the text, then in the key's values. Where the key rarely rules out a text the free
   * literal lets through (its literal is seldom anywhere else, as `assumedrole` outside `"type"`),
   * finding the key's values costs more than it spares: after `KEYED_TRIAL` texts with the free
   * literal, a key that ruled out fewer than one in `KEYED_WORTH` of them is no longer searched.
   */
  private keyed(search: KeyedSearch, memo: TextMemo): boolean {
    if ((this.keyLiterals[search.key] as number) >= KEY_FIRST_MIN)
      return search.in(memo.lower, memo.spans(search.key));
    if (!memo.has(search.free)) return false;
    if (search.loose) return true;
    const found = search.in(memo.lower, memo.spans(search.key));
    search.tried++;
    if (!found) search.ruledOut++;
    if (search.tried === KEYED_TRIAL && search.ruledOut * KEYED_WORTH < KEYED_TRIAL) search.loose = true;
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
  /** Per key number, where that key's values are (found on the first literal tied to it). */
  private readonly keySpans: (number[] | undefined)[] = [];
  /** The program `passes` answered last for this text, and its answer. */
  lastProgram: TextNode | undefined;
  lastAnswer = false;

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

  spans(key: number): readonly number[] {
    let spans = this.keySpans[key];
    if (spans === undefined) {
      spans = this.table.spans(key, this.lower);
      this.keySpans[key] = spans;
    }
    return spans;
  }

  has(id: number): boolean {
    const known = this.answers[id];
    if (known !== undefined) return known;
    const found = this.table.occurs(id, this);
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
 * literals must occur (see `TextMode`). With `known`, the literals of eventName and eventSource are
 * decided by those values (a program for records that have them). Booleans are folded away: false
 * decides an AND, true an OR.
 */
export function compileTextProgram(
  test: TextTest,
  mode: TextMode,
  table: LiteralTable,
  known?: EventKeys,
): TextProgram {
  if (typeof test === 'boolean') return test;
  if ('actor' in test) return mode === 'open' ? true : compileTextProgram(test.actor, mode, table, known);
  if ('literal' in test) {
    // A literal of eventName or eventSource is decided by the record's value, when it is known.
    if (test.event !== undefined && known !== undefined) return known[test.event].includes(test.literal);
    return { kind: 'literal', id: table.id(test.literal, test.key) };
  }
  const absorbing = test.op !== 'all';
  const terms: TextNode[] = [];
  for (const term of test.terms) {
    const compiled = compileTextProgram(term, mode, table, known);
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

/**
 * Whether a compiled program lets a record through (undefined and true: nothing known). Rules with
 * equal tests share one program and sit side by side in the engine's lists (a rule and its tuned
 * copies): the memo keeps the last program's answer, so such a run is walked once.
 */
export function passes(program: TextProgram | undefined, memo: TextMemo): boolean {
  if (program === undefined || program === true) return true;
  if (program === false) return false;
  if (memo.lastProgram === program) return memo.lastAnswer;
  const answer = holds(program, memo);
  memo.lastProgram = program;
  memo.lastAnswer = answer;
  return answer;
}
