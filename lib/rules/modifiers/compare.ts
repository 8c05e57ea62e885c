import { valueModifier } from './define';
import type { CompareOperator, Modifier } from './types';

function compareModifier(op: CompareOperator, description: string): Modifier {
  return valueModifier({
    name: op,
    description,
    // A quoted number ('12') is a number too, as YAML authors write it either way.
    accepts: ['number', 'string'],
    expects: 'a number',
    modify: (value, step) => {
      if (value.kind === 'number') return { kind: 'compare', op, value: value.value };
      if (value.raw.trim() === '' || !Number.isFinite(Number(value.raw))) throw step.refuse();
      return { kind: 'compare', op, value: Number(value.raw) };
    },
  });
}

export const lessThanModifier = compareModifier('lt', 'the field is a number less than the value');
export const lessThanOrEqualModifier = compareModifier('lte', 'the field is a number at most the value');
export const greaterThanModifier = compareModifier('gt', 'the field is a number greater than the value');
export const greaterThanOrEqualModifier = compareModifier('gte', 'the field is a number at least the value');
