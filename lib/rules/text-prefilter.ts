import { isActorField } from './cloudtrail-fields';
import { INDEXED_FIELDS, type IndexedField } from './field-index';
import { compileTextProgram, holds, LiteralTable, TextMemo } from './literals';
import type { DetectionItem, RuleValue } from './modifiers/types';
import { regexTextTest } from './regex-literals';

/**
 * The raw-text prefilter: what literals a record's raw JSON must hold for a part to match, so
 * that most records are ruled out before they are parsed.
 */

/**
 * A necessary condition on a record's raw JSON, lowercased: `false` means the part can never match,
 * `true` that nothing is known, otherwise literals that must occur, combined with all/any. Kept as
 * data so that a pack's conditions can be merged and their shared literals tested once.
 */
export type TextTest =
  | boolean
  /**
   * A literal that must occur; with `key`, inside the value of a `"key"` of the text (lowercase):
   * the last segment of the field whose value holds it (see `KeyedSearch` in lib/rules/literals.ts).
   */
  | { readonly literal: string; readonly key?: string; readonly event?: EventKey }
  /**
   * A test on the actor namespace: `actor.person.name: alice` needs `alice` in the text only when
   * the person is named by the record itself; a session linked to an earlier one (a key returned
   * by an AssumeRole) can carry a person and roles its text never names. Checked by literal only
   * where the caller knows the record's session is not linked (see `TextMode`).
   */
  | { readonly actor: TextTest }
  | { readonly op: 'all' | 'any'; readonly terms: readonly TextTest[] };

/**
 * `open`: actor tests are unknown (true), as they must be for a record whose session may be
 * linked. `unlinked`: the record's session is known to be its own, so actor values come from its
 * text and their literals must occur.
 */
export type TextMode = 'open' | 'unlinked';

/** A compiled text test, on a record's lowercased raw text. */
export type TextCheck = (lowerText: string) => boolean;

/** Characters whose presence means a literal may be written differently in raw JSON (escapes, structure). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes control characters, so a literal holding one is not verbatim in the raw text.
const UNSAFE_IN_RAW = /["\\:,{}[\]\u0000-\u001f]/;
const MIN_LITERAL = 3;

/**
 * The longest piece of a value that must appear verbatim in the raw JSON whenever the value
 * matches: split at wildcards and at characters JSON may escape or that belong to its structure.
 */
export function requiredLiteral(value: RuleValue): string | undefined {
  if (value.kind === 'boolean') return String(value.value);
  if (value.kind !== 'string') return undefined;
  let best = '';
  for (const part of value.text.parts) {
    if (typeof part !== 'string') continue;
    for (const piece of part.split(UNSAFE_IN_RAW)) if (piece.length > best.length) best = piece;
  }
  return best.length >= MIN_LITERAL ? best.toLowerCase() : undefined;
}
export function itemTextTest(item: DetectionItem): TextTest {
  if (item.field === null || item.negated) return true;
  if (item.values.length === 0) return false;
  const tests: TextTest[] = item.values.map((value) => {
    if (value.kind === 'regex') return regexTextTest(value.pattern, value.flags);
    const literal = requiredLiteral(value);
    return literal === undefined ? true : { literal };
  });
  const test = item.linking === 'all' ? textAll(tests) : textAny(tests);
  // The actor is resolved from evidence: its values are in the text only for an unlinked session.
  if (isActorField(item.field)) return typeof test !== 'boolean' ? { actor: test } : test;
  // Each value's literals are in the leaf. eventName and eventSource are read exactly from the text
  // before any literal is searched: their literals are marked as theirs, so a pack's tests can be
  // specialised to a record's values (see `EventKeys`). Any other leaf is the value of the field's
  // last key: `readOnly: false` needs `false` after a `"readonly"`, not just anywhere in the record.
  const indexed = INDEXED_FIELDS.find((name) => name === item.field);
  if (indexed !== undefined) return placeLiterals(test, { event: indexed });
  const key = item.field.slice(item.field.lastIndexOf('.') + 1);
  return PLAIN_KEY.test(key) ? placeLiterals(test, { key: key.toLowerCase() }) : test;
}

/**
 * The top-level fields whose values the engine reads from a record's text before its literals
 * (`eventKeys` in lib/rules/engine.ts). A literal of an item on one of them must occur in that
 * field's own value, as every literal of an item must occur in its field's leaf (see `placeLiterals`).
 */
export type EventKey = IndexedField;

/** A record's eventName and eventSource, lowercased, as the text tests' literals are. */
export type EventKeys = Readonly<Record<EventKey, string>>;

/**
 * Keys whose raw JSON spelling is exactly `"key"` when the text has no \u or \/ escapes: printable
 * ASCII without the quote and backslash JSON escapes (and without `/`, which it may).
 */
const PLAIN_KEY = /^[\x20-\x2e\x30-\x5b\x5d-\x7e]+$/;

/**
 * Every literal of a test, placed where it must occur: tied to `key` (in the value of the same
 * leaf), or marked as the value of `event`. A literal already placed stays as it is.
 */
function placeLiterals(
  test: TextTest,
  place: { readonly key: string } | { readonly event: EventKey },
): TextTest {
  if (typeof test === 'boolean') return test;
  if ('literal' in test)
    return test.key === undefined && test.event === undefined ? { literal: test.literal, ...place } : test;
  if ('op' in test) return { op: test.op, terms: test.terms.map((term) => placeLiterals(term, place)) };
  return test;
}

/**
 * Each term's JSON, kept per term object: terms are combined again at every level of a rule's
 * condition, and stringifying a nested term each time costs more than the rest of compiling it.
 * Text tests are never changed once built.
 */
const termKeys = new WeakMap<object, string>();

function termKey(term: TextTest): string {
  if (typeof term === 'boolean') return JSON.stringify(term);
  let key = termKeys.get(term);
  if (key === undefined) {
    key = JSON.stringify(term);
    termKeys.set(term, key);
  }
  return key;
}

function combine(op: 'all' | 'any', tests: readonly TextTest[]): TextTest {
  // false decides an AND, true decides an OR.
  const absorbing = op !== 'all';
  const terms: TextTest[] = [];
  const keys = new Set<string>();
  for (const test of tests) {
    if (test === absorbing) return absorbing;
    if (typeof test === 'boolean') continue;
    for (const term of 'op' in test && test.op === op ? test.terms : [test]) {
      const key = termKey(term);
      if (!keys.has(key)) {
        keys.add(key);
        terms.push(term);
      }
    }
  }
  if (terms.length === 0) return !absorbing;
  return terms.length === 1 ? (terms[0] as TextTest) : { op, terms };
}

/** Every part must match: all their literals must occur. */
export function textAll(tests: readonly TextTest[]): TextTest {
  return combine('all', tests);
}

/** Any part may match: the literals of one of them must occur. An empty list can never match. */
export function textAny(tests: readonly TextTest[]): TextTest {
  return tests.length === 0 ? false : combine('any', tests);
}

/**
 * A text test as one function of a record's lowercased text: for tests and tools. The engine
 * compiles a pack's tests against one literal table instead (lib/rules/literals.ts), so that a
 * record's answers are shared by every rule.
 */
export function compileText(test: TextTest, mode: TextMode = 'open'): boolean | TextCheck {
  const table = new LiteralTable();
  const program = compileTextProgram(test, mode, table);
  if (typeof program === 'boolean') return program;
  return (lowerText) => holds(program, new TextMemo(lowerText, table));
}
