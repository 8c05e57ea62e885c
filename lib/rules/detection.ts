import { BlockList, isIP } from 'node:net';
import { fieldPathProblem, isActorField } from './cloudtrail-fields';
import type { ConditionNode } from './condition';
import { ConditionError, selectionsMatching } from './condition';
import { compileFieldPath, leafText } from './fields';
import { compileTextProgram, holds, LiteralTable, TextMemo } from './literals';
import { MODIFIERS, UNSUPPORTED_MODIFIERS } from './modifiers/registry';
import type { DetectionItem, ModifierContext, RuleValue } from './modifiers/types';
import { ModifierError } from './modifiers/types';
import { compileLinearRegex } from './regex';
import { regexTextTest } from './regex-literals';
import { compileStringMatcher, SigmaString, WILDCARD_MULTI } from './sigma-string';

export type RecordView = Readonly<Record<string, unknown>>;
export type Matcher = (record: RecordView) => boolean;

/**
 * Where a matcher can match, as index keys: a record can only match if its eventName is in `names`
 * or its eventSource is in `sources` (lowercased). Undefined means anywhere. Each alternative of an
 * OR keeps its own most selective key, so `(lambda source) or (ec2 RunInstances)` indexes on the
 * lambda source and the RunInstances name, not on every ec2 call.
 */
export type Requirement =
  | { readonly names: ReadonlySet<string>; readonly sources: ReadonlySet<string> }
  | undefined;
export const INDEXED_FIELDS = ['eventName', 'eventSource'] as const;
export type IndexedField = (typeof INDEXED_FIELDS)[number];

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
  | { readonly literal: string; readonly key?: string }
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

export interface CompiledPart {
  readonly match: Matcher;
  readonly requirement: Requirement;
  readonly text: TextTest;
}

/** Thrown with the path inside `detection` where the fault is, so the caller can find its line. */
export class DetectionError extends Error {
  override readonly name = 'DetectionError';
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

const NO_REQUIREMENT: Requirement = undefined;
const EMPTY_SET: ReadonlySet<string> = new Set();

// ---------------------------------------------------------------------------------------------
// Values and items

function toRuleValue(raw: unknown, path: readonly (string | number)[]): RuleValue {
  if (raw === null) return { kind: 'null' };
  if (typeof raw === 'string') return { kind: 'string', text: SigmaString.parse(raw), raw };
  if (typeof raw === 'number') return { kind: 'number', value: raw };
  if (typeof raw === 'boolean') return { kind: 'boolean', value: raw };
  throw new DetectionError(
    `a value must be a string, number, boolean or null, not ${describeRaw(raw)}`,
    path,
  );
}

function describeRaw(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object' && raw !== null) return 'a map';
  return typeof raw;
}

/** Builds one detection item from `field|mod|mod: value(s)`, running its modifiers in order. */
export function buildItem(
  key: string | null,
  rawValues: unknown,
  context: ModifierContext,
  path: readonly (string | number)[],
): DetectionItem {
  const [fieldName = '', ...modifierNames] = key === null ? [''] : key.split('|');
  if (key !== null && fieldName === '') {
    throw new DetectionError(`'${key}' has modifiers but no field name`, path);
  }
  const fieldProblem = key === null ? undefined : fieldPathProblem(fieldName);
  if (fieldProblem) {
    if (context.strictFields !== false) throw new DetectionError(fieldProblem, path);
    context.warn(`${fieldProblem}: read as absent`);
  }
  const list = Array.isArray(rawValues) ? rawValues : [rawValues];
  if (list.length === 0)
    throw new DetectionError('an empty list matches nothing; give at least one value', path);
  let item: DetectionItem = {
    field: key === null ? null : fieldName,
    values: list.map((raw, i) => toRuleValue(raw, Array.isArray(rawValues) ? [...path, i] : path)),
    linking: 'any',
    negated: false,
    cased: false,
    applied: [],
  };
  for (const name of modifierNames) {
    if (name === 'fieldref') checkReferencedFields(item.values, path);
    const modifier = MODIFIERS.get(name);
    if (!modifier) {
      const why = UNSUPPORTED_MODIFIERS.get(name);
      throw new DetectionError(
        why
          ? `modifier '${name}' is not supported: ${why}`
          : `unknown modifier '${name}' (known: ${[...MODIFIERS.keys()].join(', ')})`,
        path,
      );
    }
    try {
      item = modifier.apply(item, context);
    } catch (error) {
      if (error instanceof ModifierError) throw new DetectionError(error.message, path);
      throw error;
    }
  }
  return item;
}

function checkReferencedFields(values: readonly RuleValue[], path: readonly (string | number)[]): void {
  for (const value of values) {
    // Wildcards get the fieldref modifier's own, clearer error.
    const problem =
      value.kind === 'string' && !value.text.hasWildcards ? fieldPathProblem(value.raw) : undefined;
    if (problem) throw new DetectionError(`fieldref: ${problem}`, path);
  }
}

type LeafTest = (leaves: readonly unknown[], record: RecordView) => boolean;

function compileValue(value: RuleValue, cased: boolean): LeafTest {
  switch (value.kind) {
    case 'string': {
      const matches = compileStringMatcher(value.text, cased);
      return (leaves) => {
        for (const leaf of leaves) {
          const text = leafText(leaf);
          if (text !== undefined && matches(text)) return true;
        }
        return false;
      };
    }
    case 'number':
      return (leaves) =>
        leaves.some(
          (leaf) =>
            leaf === value.value ||
            (typeof leaf === 'string' && leaf.trim() !== '' && Number(leaf) === value.value),
        );
    case 'boolean': {
      const text = String(value.value);
      return (leaves) =>
        leaves.some(
          (leaf) => leaf === value.value || (typeof leaf === 'string' && leaf.toLowerCase() === text),
        );
    }
    case 'null':
      return (leaves) => leaves.length === 0 || leaves.some((leaf) => leaf === null);
    case 'regex': {
      const regex = compileLinearRegex(value.pattern, value.flags);
      return (leaves) =>
        leaves.some((leaf) => {
          const text = leafText(leaf);
          return text !== undefined && regex.test(text);
        });
    }
    case 'cidr': {
      if (value.family === 'ipv4') {
        // Compared as 32-bit numbers: BlockList.check builds a SocketAddress per address it is asked.
        const mask = value.prefix === 0 ? 0 : (0xffffffff << (32 - value.prefix)) >>> 0;
        const network = (ipv4Number(value.network) & mask) >>> 0;
        return (leaves) =>
          leaves.some(
            (leaf) =>
              typeof leaf === 'string' && isIP(leaf) === 4 && (ipv4Number(leaf) & mask) >>> 0 === network,
          );
      }
      const networks = new BlockList();
      networks.addSubnet(value.network, value.prefix, 'ipv6');
      return (leaves) =>
        leaves.some((leaf) => typeof leaf === 'string' && isIP(leaf) === 6 && networks.check(leaf, 'ipv6'));
    }
    case 'compare': {
      const limit = value.value;
      const holds =
        value.op === 'lt'
          ? (n: number) => n < limit
          : value.op === 'lte'
            ? (n: number) => n <= limit
            : value.op === 'gt'
              ? (n: number) => n > limit
              : (n: number) => n >= limit;
      return (leaves) =>
        leaves.some((leaf) => {
          const n =
            typeof leaf === 'number'
              ? leaf
              : typeof leaf === 'string' && leaf.trim() !== ''
                ? Number(leaf)
                : Number.NaN;
          return Number.isFinite(n) && holds(n);
        });
    }
    case 'exists':
      return value.value ? (leaves) => leaves.length > 0 : (leaves) => leaves.length === 0;
    case 'fieldref': {
      const other = compileFieldPath(value.field);
      const fold = (text: string): string => (cased ? text : text.toLowerCase());
      const compare =
        value.startsWith && value.endsWith
          ? (text: string, ref: string) => text.includes(ref)
          : value.startsWith
            ? (text: string, ref: string) => text.startsWith(ref)
            : value.endsWith
              ? (text: string, ref: string) => text.endsWith(ref)
              : (text: string, ref: string) => text === ref;
      return (leaves, record) => {
        const refs = other(record).flatMap((leaf) => {
          const text = leafText(leaf);
          return text === undefined ? [] : [fold(text)];
        });
        if (refs.length === 0) return false;
        return leaves.some((leaf) => {
          const text = leafText(leaf);
          return text !== undefined && refs.some((ref) => compare(fold(text), ref));
        });
      };
    }
  }
}

/** A dotted IPv4 address (one `isIP` accepts: four decimal octets) as an unsigned 32-bit number. */
function ipv4Number(address: string): number {
  let result = 0;
  let octet = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === 0x2e) {
      result = result * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + (code - 0x30);
    }
  }
  return result * 256 + octet;
}

/** Keywords search the whole record, as full-text search does in a SIEM. */
function keywordValue(value: RuleValue): RuleValue {
  if (value.kind !== 'string') return value;
  let text = value.text;
  if (!text.startsWithWildcard()) text = text.prepend(WILDCARD_MULTI);
  if (!text.endsWithWildcard()) text = text.append(WILDCARD_MULTI);
  return { ...value, text };
}

export function compileItem(item: DetectionItem): CompiledPart {
  const getter =
    item.field === null
      ? (record: RecordView): unknown[] => [JSON.stringify(record)]
      : compileFieldPath(item.field);
  const values = item.field === null ? item.values.map(keywordValue) : item.values;
  const tests = values.map((value) => compileValue(value, item.cased));
  const single = tests.length === 1 ? (tests[0] as LeafTest) : undefined;
  const linked: LeafTest = single
    ? single
    : item.linking === 'all'
      ? (leaves, record) => tests.every((test) => test(leaves, record))
      : (leaves, record) => tests.some((test) => test(leaves, record));
  const match: Matcher = item.negated
    ? (record) => !linked(getter(record), record)
    : (record) => linked(getter(record), record);
  return { match, requirement: itemRequirement(item), text: itemTextTest(item) };
}

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

function itemTextTest(item: DetectionItem): TextTest {
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
  // Each value's literals are in the leaf, and the leaf is the value of the field's last key:
  // `readOnly: false` needs `false` after a `"readonly"`, not just anywhere in the record.
  // Not the indexed fields: the index already holds a record to their values, more cheaply.
  const key = item.field.slice(item.field.lastIndexOf('.') + 1);
  const indexed = INDEXED_FIELDS.some((name) => name === item.field);
  return PLAIN_KEY.test(key) && !indexed ? tieToKey(test, key.toLowerCase()) : test;
}

/**
 * Keys whose raw JSON spelling is exactly `"key"` when the text has no \u or \/ escapes: printable
 * ASCII without the quote and backslash JSON escapes (and without `/`, which it may).
 */
const PLAIN_KEY = /^[\x20-\x2e\x30-\x5b\x5d-\x7e]+$/;

/** Every literal of a test, tied to `key` (each must occur in the value of the same leaf). */
function tieToKey(test: TextTest, key: string): TextTest {
  if (typeof test === 'boolean') return test;
  if ('literal' in test) return test.key === undefined ? { literal: test.literal, key } : test;
  if ('op' in test) return { op: test.op, terms: test.terms.map((term) => tieToKey(term, key)) };
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

/** An item pins an indexed field when it is a plain, non-negated equality on literal strings. */
function itemRequirement(item: DetectionItem): Requirement {
  const field = INDEXED_FIELDS.find((name) => name === item.field);
  if (!field || item.negated || item.applied.length > 0) return NO_REQUIREMENT;
  if (item.linking === 'all' && item.values.length > 1) return NO_REQUIREMENT;
  const allowed = new Set<string>();
  for (const value of item.values) {
    if (value.kind !== 'string' || value.text.hasWildcards) return NO_REQUIREMENT;
    allowed.add(value.text.plain().toLowerCase());
  }
  return field === 'eventName'
    ? { names: allowed, sources: EMPTY_SET }
    : { names: EMPTY_SET, sources: allowed };
}

/** How many records a requirement lets through, roughly: names are far more selective than sources. */
function breadth(requirement: NonNullable<Requirement>): number {
  return requirement.names.size + requirement.sources.size * 1000;
}

// ---------------------------------------------------------------------------------------------
// Selections

/**
 * A selection: a map is the AND of its items, a list the OR of its elements (maps, or keywords for
 * plain values). Returns the matcher and what any record it matches must hold.
 */
export function compileSelection(name: string, definition: unknown, context: ModifierContext): CompiledPart {
  const path = [name];
  if (definition === null || definition === undefined) {
    throw new DetectionError(`selection '${name}' is empty`, path);
  }
  if (Array.isArray(definition)) {
    if (definition.length === 0) throw new DetectionError(`selection '${name}' is an empty list`, path);
    const parts = definition.map((element, index) => {
      if (typeof element === 'object' && element !== null && !Array.isArray(element)) {
        return compileMap(element as Record<string, unknown>, context, [name, index]);
      }
      return compileItem(buildItem(null, element, context, [name, index]));
    });
    return anyOf(parts);
  }
  if (typeof definition === 'object') return compileMap(definition as Record<string, unknown>, context, path);
  return compileItem(buildItem(null, definition, context, path));
}

function compileMap(
  map: Record<string, unknown>,
  context: ModifierContext,
  path: (string | number)[],
): CompiledPart {
  const entries = Object.entries(map);
  if (entries.length === 0)
    throw new DetectionError('an empty map matches everything; name at least one field', path);
  return allOf(entries.map(([key, raw]) => compileItem(buildItem(key, raw, context, [...path, key]))));
}

export function allOf(parts: readonly CompiledPart[]): CompiledPart {
  if (parts.length === 1) return parts[0] as CompiledPart;
  const matchers = parts.map((part) => part.match);
  return {
    match: (record) => {
      for (const matcher of matchers) if (!matcher(record)) return false;
      return true;
    },
    requirement: intersectRequirements(parts.map((part) => part.requirement)),
    text: textAll(parts.map((part) => part.text)),
  };
}

export function anyOf(parts: readonly CompiledPart[]): CompiledPart {
  if (parts.length === 1) return parts[0] as CompiledPart;
  const matchers = parts.map((part) => part.match);
  return {
    match: (record) => {
      for (const matcher of matchers) if (matcher(record)) return true;
      return false;
    },
    requirement: unionRequirements(parts.map((part) => part.requirement)),
    text: textAny(parts.map((part) => part.text)),
  };
}

/**
 * All parts must match, so any part's requirement holds for the whole: keep the narrowest. Two
 * name-only requirements intersect (a record has one eventName).
 */
function intersectRequirements(requirements: readonly Requirement[]): Requirement {
  let best: Requirement;
  for (const requirement of requirements) {
    if (requirement === undefined) continue;
    if (best === undefined) {
      best = requirement;
    } else if (best.sources.size === 0 && requirement.sources.size === 0) {
      best = {
        names: new Set([...best.names].filter((name) => requirement.names.has(name))),
        sources: EMPTY_SET,
      };
    } else if (breadth(requirement) < breadth(best)) {
      best = requirement;
    }
  }
  return best;
}

/** Any part may match, so the whole may match wherever any part may: the union of their keys. */
function unionRequirements(requirements: readonly Requirement[]): Requirement {
  if (requirements.some((requirement) => requirement === undefined)) return NO_REQUIREMENT;
  const present = requirements as readonly NonNullable<Requirement>[];
  return {
    names: new Set(present.flatMap((requirement) => [...requirement.names])),
    sources: new Set(present.flatMap((requirement) => [...requirement.sources])),
  };
}

// ---------------------------------------------------------------------------------------------
// Conditions

/** Turns a parsed condition into one matcher over the compiled selections. */
export function compileCondition(
  node: ConditionNode,
  selections: ReadonlyMap<string, CompiledPart>,
): CompiledPart {
  switch (node.kind) {
    case 'ref': {
      const selection = selections.get(node.name);
      if (!selection) {
        throw new ConditionError(
          `the condition names '${node.name}', which is not a selection (defined: ${[...selections.keys()].join(', ') || 'none'})`,
        );
      }
      return selection;
    }
    case 'quantified': {
      const names = selectionsMatching(node.pattern, [...selections.keys()]);
      if (names.length === 0) {
        throw new ConditionError(`'${node.pattern === 'them' ? 'them' : node.pattern}' matches no selection`);
      }
      const parts = names.map((name) => selections.get(name) as CompiledPart);
      return node.quantifier === 'all' ? allOf(parts) : anyOf(parts);
    }
    case 'and':
      return allOf(node.operands.map((operand) => compileCondition(operand, selections)));
    case 'or':
      return anyOf(node.operands.map((operand) => compileCondition(operand, selections)));
    case 'not': {
      const inner = compileCondition(node.operand, selections).match;
      return { match: (record) => !inner(record), requirement: NO_REQUIREMENT, text: true };
    }
  }
}
