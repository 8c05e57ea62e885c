import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import { fieldPathProblem, isActorField } from './cloudtrail-fields';
import { MODIFIERS, UNSUPPORTED_MODIFIERS } from './modifiers/registry';
import type { DetectionItem, ModifierContext, RuleValue } from './modifiers/types';
import { ModifierError } from './modifiers/types';
import { SigmaString } from './sigma-string';

/** Detection items: `field|mod|mod: value(s)` read into a DetectionItem, its modifiers applied. */

/** Thrown with the path inside `detection` where the fault is, so the caller can find its line. */
/**
 * A problem of one part of a `detection:` block, at its path inside the block (`selection.eventName|re`);
 * the compiler turns it into a RuleError at the rule file's line, where the path is the pointer.
 */
export class DetectionError extends TrailwatchError {
  override readonly name: string = 'DetectionError';
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
    options: TrailwatchErrorOptions = {},
  ) {
    super(message, 'detection', { ...options, location: { pointer: `detection.${path.join('.')}` } });
  }
}

/**
 * Every problem of one selection (several of its items or elements were wrong): thrown as the
 * first, carrying all of them, so the compiler reports each at its own line at once.
 */
export class DetectionErrors extends DetectionError {
  override readonly name = 'DetectionErrors';
  constructor(readonly errors: readonly [DetectionError, ...DetectionError[]]) {
    super(errors[0].message, errors[0].path, { cause: errors[0] });
  }
}

/** The problems one thrown DetectionError stands for: itself, or all those it gathered. */
export function detectionProblems(error: DetectionError): readonly DetectionError[] {
  return error instanceof DetectionErrors ? error.errors : [error];
}

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

/** What the item keys of a detection ask for (`policy|re: …`, `actor.via|expand: …`). */
export interface DetectionKeys {
  /** A value matched with the regex modifier. */
  readonly regex: boolean;
  /** A field of the actor namespace. */
  readonly actor: boolean;
}

/**
 * One walk over the item keys (`field|mod|mod`) of a detection's selections, at any depth (a list
 * may hold maps); values that are not maps or lists hold no keys and are not visited, and the
 * selection names and the condition are not keys. The engine runs it for every rule in a cold
 * start, so it makes no string or array per key beyond the field name.
 */
export function detectionKeys(detection: Readonly<Record<string, unknown>>): DetectionKeys {
  let regex = false;
  let actor = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const element of node) if (typeof element === 'object' && element !== null) visit(element);
    } else if (typeof node === 'object' && node !== null) {
      for (const key in node) {
        if (!Object.hasOwn(node, key)) continue;
        const bar = key.indexOf('|');
        if (isActorField(bar < 0 ? key : key.slice(0, bar))) actor = true;
        if (bar >= 0 && `${key.slice(bar)}|`.includes('|re|')) regex = true;
        const value: unknown = (node as Record<string, unknown>)[key];
        if (typeof value === 'object' && value !== null) visit(value);
      }
    }
  };
  for (const name in detection)
    if (name !== 'condition' && Object.hasOwn(detection, name)) visit(detection[name]);
  return { regex, actor };
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
      // Refuses, before the modifier runs, a value of a kind it does not declare (./modifiers/define).
      item = modifier.apply(item, context);
    } catch (error) {
      if (error instanceof ModifierError) throw new DetectionError(error.message, path, { cause: error });
      throw error;
    }
  }
  return item;
}
