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

/** One Sigma modifier: takes the item as the previous modifiers left it and returns it changed. */
export interface Modifier {
  readonly name: string;
  readonly description: string;
  apply(item: DetectionItem, context: ModifierContext): DetectionItem;
}

export class ModifierError extends Error {
  override readonly name = 'ModifierError';
}

/** Applies `change` to every value, for modifiers that act on values one by one. */
export function mapValues(
  item: DetectionItem,
  modifier: string,
  change: (value: RuleValue) => RuleValue | readonly RuleValue[],
): DetectionItem {
  return {
    ...item,
    values: item.values.flatMap((value) => change(value)),
    applied: [...item.applied, modifier],
  };
}

export function requireUnmodified(item: DetectionItem, modifier: string): void {
  if (item.applied.length > 0) {
    throw new ModifierError(`'${modifier}' must come first (found after ${item.applied.join('|')})`);
  }
}

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
    default:
      return `a ${value.kind} value`;
  }
}
