import type { TrailwatchErrorOptions } from '../../errors';
import { TrailwatchError } from '../../errors';
import type { SigmaString } from '../sigma-string';

export type CompareOperator = 'lt' | 'lte' | 'gt' | 'gte';

/** A rule value on its way through the modifier chain (pySigma's value types, in TypeScript). */
export type RuleValue =
  | { readonly kind: 'string'; readonly text: SigmaString; readonly raw: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'regex'; readonly pattern: string; readonly flags: string }
  | {
      readonly kind: 'cidr';
      readonly network: string;
      readonly prefix: number;
      readonly family: 'ipv4' | 'ipv6';
    }
  | { readonly kind: 'compare'; readonly op: CompareOperator; readonly value: number }
  | { readonly kind: 'exists'; readonly value: boolean }
  | {
      readonly kind: 'fieldref';
      readonly field: string;
      readonly startsWith: boolean;
      readonly endsWith: boolean;
    };

/** One `field|mod1|mod2: values` line of a selection, as the modifiers shape it. */
export interface DetectionItem {
  /** The field path, or null for keyword search across the whole record. */
  readonly field: string | null;
  readonly values: readonly RuleValue[];
  /** `all`: every value must match instead of any. */
  readonly linking: 'any' | 'all';
  /** `neq`: the item matches when its values do not. */
  readonly negated: boolean;
  /** `cased`: string comparisons keep case. */
  readonly cased: boolean;
  /** Names of the modifiers applied so far, for the ones that must come first. */
  readonly applied: readonly string[];
}

export interface ModifierContext {
  /** Values of `%name%` placeholders from trailwatch.yml; undefined when the name is not configured. */
  placeholder(name: string): readonly string[] | undefined;
  /** Records that a placeholder was used without a value, so validation can say so. */
  warn(message: string): void;
  /**
   * A field no CloudTrail record can hold: refused when true; otherwise a warning, and the item
   * reads it as absent (rules written for other tools still load, as Sigma expects).
   */
  readonly strictFields?: boolean;
}

/** The kinds of value a rule can hold at some step of the modifier chain. */
export type ValueKind = RuleValue['kind'];

/** The values of the given kinds: what a modifier declaring `accepts: ['string']` is handed. */
export type ValueOf<K extends ValueKind> = Extract<RuleValue, { readonly kind: K }>;

/**
 * One Sigma modifier: takes the item as the previous modifiers left it and returns it changed.
 * Build one with `valueModifier` (each value changed on its own, its kind checked first) or
 * `itemModifier` (the item as a whole, any value) from `./define`, so the check of what it
 * accepts is made in one place, from its declaration, before it runs.
 */
export interface Modifier {
  readonly name: string;
  readonly description: string;
  /** The value kinds it takes; `any` for modifiers that change the item, not its values. */
  readonly accepts: readonly ValueKind[] | 'any';
  /** What it takes, in a rule author's words, as its refusal says: `'exists' takes true or false`. */
  readonly expects: string;
  /** It must be the first modifier after the field name (`re`, `cidr`, `exists`). */
  readonly mustComeFirst: boolean;
  apply(item: DetectionItem, context: ModifierContext): DetectionItem;
}

/**
 * A value a modifier cannot take. It has no place of its own: the detection item that applied the
 * modifier turns it into a DetectionError at the item's path (keeping it as the cause).
 */
export class ModifierError extends TrailwatchError {
  override readonly name = 'ModifierError';

  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'modifier', options);
  }
}

export function requireUnmodified(item: DetectionItem, modifier: string): void {
  if (item.applied.length > 0) {
    throw new ModifierError(`'${modifier}' must come first (found after ${item.applied.join('|')})`);
  }
}

/** The one refusal of a value a modifier does not take: `'gt' takes a number, not the string "many"`. */
export function typeError(modifier: string, value: RuleValue, expected: string): ModifierError {
  return new ModifierError(`'${modifier}' takes ${expected}, not ${describeValue(value)}`);
}

export function describeValue(value: RuleValue): string {
  switch (value.kind) {
    case 'string':
      return `the string ${JSON.stringify(value.raw)}`;
    case 'number':
    case 'boolean':
      return `the ${value.kind} ${String(value.value)}`;
    case 'null':
      return 'null';
    // The kinds below exist only after another modifier made them: name that modifier's result.
    case 'regex':
      return `a regular expression (from '|re')`;
    case 'cidr':
      return `a network (from '|cidr')`;
    case 'compare':
      return `a comparison (from '|${value.op}')`;
    case 'exists':
      return `a presence test (from '|exists')`;
    case 'fieldref':
      return `a field reference (from '|fieldref')`;
  }
}
