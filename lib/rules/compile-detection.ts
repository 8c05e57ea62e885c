import { ownEntry } from '../yaml/plain-record';
import type { ConditionNode } from './condition';
import { ConditionError, parseCondition, selectionsMatching } from './condition';
import type { CompiledPart } from './detection';
import {
  answeredOnce,
  anyOf,
  compileCondition,
  compileSelection,
  DetectionError,
  detectionProblems,
} from './detection';
import type { RuleErrorCode } from './errors';
import type { ModifierContext } from './modifiers/types';

export type Placeholders = Readonly<Record<string, readonly string[]>>;

/** One problem of a `detection:` block, at its path inside the block, with its kind. */
export interface DetectionProblem {
  readonly code: Extract<RuleErrorCode, 'selection' | 'condition' | 'unknown-selection'>;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export type DetectionOutcome =
  | { readonly ok: true; readonly part: CompiledPart }
  | { readonly ok: false; readonly errors: readonly DetectionProblem[] };

/**
 * Selections compiled in one load of rules (one set of placeholders), by name and definition. A
 * pack's rules often repeat one (a rule and its tuned copies, a common filter): it is compiled
 * once, and its copy in every rule after the first is matched once per evaluated record however
 * many rules hold it (`answeredOnce`). Each rule still gets the selection's warnings, at its own path.
 */
export class SelectionCache {
  private readonly compiled = new Map<
    string,
    { readonly part: CompiledPart; readonly warnings: readonly string[]; shared?: CompiledPart }
  >();

  compile(name: string, definition: unknown, context: ModifierContext): CompiledPart {
    const key = cacheKey(name, definition, context);
    if (key === undefined) return compileSelection(name, definition, context);
    const found = this.compiled.get(key);
    if (found !== undefined) {
      for (const message of found.warnings) context.warn(message);
      found.shared ??= answeredOnce(found.part);
      return found.shared;
    }
    const warnings: string[] = [];
    const part = compileSelection(name, definition, {
      ...context,
      warn: (message) => {
        warnings.push(message);
        context.warn(message);
      },
    });
    this.compiled.set(key, { part, warnings });
    return part;
  }
}

/** Undefined for a definition JSON cannot spell (a YAML alias cycle): compiled on its own. */
function cacheKey(name: string, definition: unknown, context: ModifierContext): string | undefined {
  try {
    return JSON.stringify([name, context.strictFields === true, definition]);
  } catch {
    return undefined;
  }
}

/** Every name and `1 of`/`all of` pattern of a condition that matches none of the selections. */
function unresolvedReferences(node: ConditionNode, names: readonly string[]): string[] {
  switch (node.kind) {
    case 'ref':
      return names.includes(node.name)
        ? []
        : [`the condition names '${node.name}', which is not a selection`];
    case 'quantified':
      return selectionsMatching(node.pattern, names).length > 0
        ? []
        : [`'${node.pattern}' matches no selection`];
    case 'not':
      return unresolvedReferences(node.operand, names);
    case 'and':
    case 'or':
      return node.operands.flatMap((operand) => unresolvedReferences(operand, names));
  }
}

/**
 * Compiles `detection:` (selections and condition) into one matcher. Every selection is compiled
 * even after a failure, and every condition is checked for the selections it names, so one run
 * reports every problem of the rule, each with its path and kind.
 */
export function compileDetection(
  detection: Readonly<Record<string, unknown>>,
  placeholders: Placeholders,
  warn: (message: string, path: readonly (string | number)[]) => void,
  /** Impossible fields refused (true, the default here: rule tests and tools) or only warned about. */
  strictFields = true,
  /** Selections already compiled by earlier rules of the same load (same placeholders). */
  shared: SelectionCache | undefined = undefined,
): DetectionOutcome {
  const errors: DetectionProblem[] = [];
  const selections = new Map<string, CompiledPart>();
  for (const [name, definition] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    const context: ModifierContext = {
      placeholder: (key) => ownEntry(placeholders, key),
      warn: (message) => warn(message, [name]),
      strictFields,
    };
    try {
      selections.set(
        name,
        shared === undefined
          ? compileSelection(name, definition, context)
          : shared.compile(name, definition, context),
      );
    } catch (error) {
      if (!(error instanceof DetectionError)) throw error;
      for (const problem of detectionProblems(error))
        errors.push({ code: 'selection', message: problem.message, path: problem.path });
      // Stand in for the broken selection: the condition may still name it, and reports only its own faults.
      selections.set(name, { match: () => false, requirement: undefined, text: true, partial: () => false });
    }
  }
  if ('timeframe' in detection) {
    errors.push({
      code: 'condition',
      message: "'timeframe' is Sigma v1: use a correlation rule with a timespan",
      path: ['timeframe'],
    });
  }
  const condition = detection.condition;
  const conditions =
    typeof condition === 'string' ? [condition] : Array.isArray(condition) ? condition : undefined;
  if (!conditions || conditions.length === 0 || !conditions.every((c) => typeof c === 'string')) {
    errors.push({
      code: 'condition',
      message: 'detection needs a condition (a string, or a list of strings)',
      path: ['condition'],
    });
    return { ok: false, errors };
  }
  const names = [...selections.keys()];
  const parts: CompiledPart[] = [];
  conditions.forEach((text, index) => {
    const path = conditions.length > 1 ? ['condition', index] : ['condition'];
    let tree: ConditionNode;
    try {
      tree = parseCondition(text);
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      errors.push({ code: 'condition', message: `condition: ${error.message}`, path });
      return;
    }
    const unresolved = [...new Set(unresolvedReferences(tree, names))];
    if (unresolved.length > 0) {
      errors.push({
        code: 'unknown-selection',
        message: `condition: ${unresolved.join('; ')} (defined: ${names.join(', ') || 'none'})`,
        path,
      });
      return;
    }
    try {
      parts.push(compileCondition(tree, selections));
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      errors.push({ code: 'condition', message: `condition: ${error.message}`, path });
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, part: anyOf(parts) };
}
