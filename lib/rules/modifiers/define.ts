import type { DetectionItem, Modifier, ModifierContext, RuleValue, ValueKind, ValueOf } from './types';
import { type ModifierError, requireUnmodified, typeError } from './types';

/**
 * The two ways to build a modifier, after pySigma's SigmaValueModifier and SigmaListModifier: a
 * value modifier declares the kinds it takes and is handed only those, each value checked here,
 * in value order, before its `modify` runs; an item modifier changes the item and takes any value.
 */

/** What a value modifier's `modify` may use besides the value. */
export interface ValueStep {
  /** The item as the previous modifiers left it. */
  readonly item: DetectionItem;
  readonly context: ModifierContext;
  /** This value refused with the modifier's declared message, for a check finer than its kind. */
  refuse(): ModifierError;
}

export interface ValueModifierSpec<K extends ValueKind> {
  readonly name: string;
  readonly description: string;
  /** The kinds `modify` is written for; every other value is refused before it runs. */
  readonly accepts: readonly K[];
  /** What it takes, as its refusal says it: `'gt' takes a number, not the string "many"`. */
  readonly expects: string;
  readonly mustComeFirst?: boolean;
  modify(value: ValueOf<K>, step: ValueStep): RuleValue | readonly RuleValue[];
}

export interface ItemModifierSpec {
  readonly name: string;
  readonly description: string;
  change(item: DetectionItem): DetectionItem;
}

function isOfKind<K extends ValueKind>(kinds: readonly K[], value: RuleValue): value is ValueOf<K> {
  return kinds.some((kind) => kind === value.kind);
}

/** A modifier that changes each value on its own (one value may become several, or none). */
export function valueModifier<K extends ValueKind>(spec: ValueModifierSpec<K>): Modifier {
  const { name, description, accepts, expects } = spec;
  const mustComeFirst = spec.mustComeFirst ?? false;
  return {
    name,
    description,
    accepts,
    expects,
    mustComeFirst,
    apply(item, context) {
      if (mustComeFirst) requireUnmodified(item, name);
      // One pass in value order, so the first value at fault, of kind or content, is the one reported.
      const values = item.values.flatMap((value) => {
        const refuse = (): ModifierError => typeError(name, value, expects);
        if (!isOfKind(accepts, value)) throw refuse();
        return spec.modify(value, { item, context, refuse });
      });
      return { ...item, values, applied: [...item.applied, name] };
    },
  };
}

/** A modifier that changes how the item matches (`all`, `cased`, `neq`), whatever its values. */
export function itemModifier(spec: ItemModifierSpec): Modifier {
  const { name, description } = spec;
  return {
    name,
    description,
    accepts: 'any',
    expects: 'any value',
    mustComeFirst: false,
    apply: (item) => ({ ...spec.change(item), applied: [...item.applied, name] }),
  };
}
