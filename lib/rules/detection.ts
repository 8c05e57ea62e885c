import type { ConditionNode } from './condition';
import { ConditionError, selectionsMatching } from './condition';
import { buildItem, DetectionError, DetectionErrors, detectionProblems } from './detection-item';
import type { Requirement } from './field-index';
import { intersectRequirements, itemRequirement, NO_REQUIREMENT, unionRequirements } from './field-index';
import { compileFieldPath } from './fields';
import { compileValue, type LeafTest, type Matcher, type RecordView } from './matchers';
import type { DetectionItem, ModifierContext, RuleValue } from './modifiers/types';
import { KNOWN_ROOTS } from './raw-fields';
import { WILDCARD_MULTI } from './sigma-string';
import { itemTextTest, type TextTest, textAll, textAny } from './text-prefilter';

/**
 * Compiling a detection: items, selections and conditions into parts (a matcher, its field-index
 * requirement and its raw-text prefilter). The pieces live in their own files; this one puts them
 * together and re-exports them, so existing imports keep working.
 */

export { buildItem, DetectionError, detectionProblems } from './detection-item';
export type { IndexedField, Requirement } from './field-index';
export { INDEXED_FIELDS } from './field-index';
export type { LeafTest, Matcher, RecordView } from './matchers';
export type { TextCheck, TextMode, TextTest } from './text-prefilter';
export { compileText, requiredLiteral, textAll, textAny } from './text-prefilter';

export interface CompiledPart {
  readonly match: Matcher;
  readonly requirement: Requirement;
  readonly text: TextTest;
  readonly partial: PartialMatcher;
}

/**
 * A compiled part whose raw-text test is derived when first read. A rule from the pre-compiled pack
 * already carries its text test and compiles only its matcher, on the first record it meets (in a
 * Lambda cold start): deriving the tests there too was a third of that compile, for nothing. A
 * class, not an object literal with a getter: V8 builds each such literal through its runtime.
 */
class LazyTextPart implements CompiledPart {
  private derived: TextTest | undefined;

  constructor(
    readonly match: Matcher,
    readonly requirement: Requirement,
    private readonly deriveText: () => TextTest,
    readonly partial: PartialMatcher,
  ) {}

  get text(): TextTest {
    this.derived ??= this.deriveText();
    return this.derived;
  }
}

/**
 * The match on a record of which only some top-level fields are known (see `knownFields`): true or
 * false where the known fields decide it, undefined where an unknown field could change the answer
 * (three-valued logic). A record it answers false for cannot match the rule.
 */
export type PartialMatcher = (known: RecordView) => boolean | undefined;

const UNKNOWN: PartialMatcher = () => undefined;

/** Whether a partial matcher can ever decide a record (most rules read no known field). */
export function canDecidePartly(partial: PartialMatcher | undefined): partial is PartialMatcher {
  return partial !== undefined && partial !== UNKNOWN;
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
  return new LazyTextPart(match, itemRequirement(item), () => itemTextTest(item), itemPartial(item, match));
}

/**
 * An item decides a partly known record when its field lies under a known top-level field: the
 * getter reads the same values there as in the whole record. A keyword (whole record) or a field
 * reference (another field's values) needs more than that field, so stays unknown.
 */
function itemPartial(item: DetectionItem, match: Matcher): PartialMatcher {
  if (item.field === null || item.values.some((value) => value.kind === 'fieldref')) return UNKNOWN;
  const root = item.field.split('.')[0] ?? '';
  return KNOWN_ROOTS.has(root) ? (known) => (Object.hasOwn(known, root) ? match(known) : undefined) : UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// Answers shared between rules

/** The evaluation under way (`sharingAnswers`): a fresh object per record, undefined outside one. */
let evaluation: object | undefined;

/**
 * Runs one record's evaluation by several rules; a part shared between them (`answeredOnce`)
 * matches the record once and gives every other rule the same answer. Outside such a run every
 * call matches afresh, so a caller that changes a record between two calls is never answered stale.
 */
export function sharingAnswers<T>(run: () => T): T {
  const outer = evaluation;
  evaluation = {};
  try {
    return run();
  } finally {
    evaluation = outer;
  }
}

/** A part whose match is computed once per evaluation (see `sharingAnswers`). */
export function answeredOnce(part: CompiledPart): CompiledPart {
  const inner = part.match;
  let answeredIn: object | undefined;
  let answer = false;
  const match: Matcher = (record) => {
    const current = evaluation;
    if (current !== undefined && current === answeredIn) return answer;
    const result = inner(record);
    answeredIn = current;
    answer = result;
    return result;
  };
  return new LazyTextPart(match, part.requirement, () => part.text, partialOnce(part.partial));
}

/**
 * A shared part's partial match, computed once per set of known fields: the engine asks each rule
 * it holds back (`heldMayMatch`) with the one object `knownFields` read from a text, so rules
 * sharing a selection (a rule and its tuned copies) read it once. Keyed by that object's identity,
 * which is fresh per text and never changed after it is read.
 */
function partialOnce(partial: PartialMatcher): PartialMatcher {
  if (partial === UNKNOWN) return UNKNOWN;
  let answeredFor: RecordView | undefined;
  let answer: boolean | undefined;
  return (known) => {
    if (known !== answeredFor) {
      answer = partial(known);
      answeredFor = known;
    }
    return answer;
  };
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
    const parts = compileEach(definition, (element, index) => {
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
  return allOf(
    compileEach(entries, ([key, raw]) => compileItem(buildItem(key, raw, context, [...path, key]))),
  );
}

/** Compiles every input, so that a selection's faults are reported all at once, not only its first. */
function compileEach<T>(
  inputs: readonly T[],
  compile: (input: T, index: number) => CompiledPart,
): CompiledPart[] {
  const parts: CompiledPart[] = [];
  const errors: DetectionError[] = [];
  inputs.forEach((input, index) => {
    try {
      parts.push(compile(input, index));
    } catch (error) {
      if (!(error instanceof DetectionError)) throw error;
      errors.push(...detectionProblems(error));
    }
  });
  const [first, ...more] = errors;
  if (first === undefined) return parts;
  throw more.length === 0 ? first : new DetectionErrors([first, ...more]);
}

export function allOf(parts: readonly CompiledPart[]): CompiledPart {
  if (parts.length === 1) return parts[0] as CompiledPart;
  const matchers = parts.map((part) => part.match);
  return new LazyTextPart(
    (record) => {
      for (const matcher of matchers) if (!matcher(record)) return false;
      return true;
    },
    intersectRequirements(parts.map((part) => part.requirement)),
    () => textAll(parts.map((part) => part.text)),
    partialAll(parts.map((part) => part.partial)),
  );
}

/** Kleene AND: false if any part is false, else unknown if any is unknown. */
function partialAll(partials: readonly PartialMatcher[]): PartialMatcher {
  if (partials.every((partial) => partial === UNKNOWN)) return UNKNOWN;
  return (known) => {
    let answer: boolean | undefined = true;
    for (const partial of partials) {
      const part = partial(known);
      if (part === false) return false;
      if (part === undefined) answer = undefined;
    }
    return answer;
  };
}

/** Kleene OR: true if any part is true, else unknown if any is unknown. */
function partialAny(partials: readonly PartialMatcher[]): PartialMatcher {
  if (partials.some((partial) => partial === UNKNOWN)) {
    // One unknown part keeps the OR from ever being false; only a true one could still decide it.
    const deciding = partials.filter((partial) => partial !== UNKNOWN);
    if (deciding.length === 0) return UNKNOWN;
    return (known) => (deciding.some((partial) => partial(known) === true) ? true : undefined);
  }
  return (known) => {
    let answer: boolean | undefined = false;
    for (const partial of partials) {
      const part = partial(known);
      if (part === true) return true;
      if (part === undefined) answer = undefined;
    }
    return answer;
  };
}

export function anyOf(parts: readonly CompiledPart[]): CompiledPart {
  if (parts.length === 1) return parts[0] as CompiledPart;
  const matchers = parts.map((part) => part.match);
  return new LazyTextPart(
    (record) => {
      for (const matcher of matchers) if (matcher(record)) return true;
      return false;
    },
    unionRequirements(parts.map((part) => part.requirement)),
    () => textAny(parts.map((part) => part.text)),
    partialAny(parts.map((part) => part.partial)),
  );
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
      const operand = compileCondition(node.operand, selections);
      const inner = operand.match;
      const innerPartial = operand.partial;
      const partial: PartialMatcher =
        innerPartial === UNKNOWN
          ? UNKNOWN
          : (known) => {
              const answer = innerPartial(known);
              return answer === undefined ? undefined : !answer;
            };
      return { match: (record) => !inner(record), requirement: NO_REQUIREMENT, text: true, partial };
    }
  }
}
