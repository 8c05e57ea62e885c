import type { CompareOperator, Modifier } from './types';
import { mapValues, typeError } from './types';

function compareModifier(op: CompareOperator, description: string): Modifier {
  return {
    name: op,
    description,
    apply: (item) =>
      mapValues(item, op, (value) => {
        if (value.kind === 'number') return { kind: 'compare', op, value: value.value };
        if (value.kind === 'string' && value.raw.trim() !== '' && Number.isFinite(Number(value.raw))) {
          return { kind: 'compare', op, value: Number(value.raw) };
        }
        throw typeError(op, value, 'a number');
      }),
  };
}

export const lessThanModifier = compareModifier('lt', 'the field is a number less than the value');
export const lessThanOrEqualModifier = compareModifier('lte', 'the field is a number at most the value');
export const greaterThanModifier = compareModifier('gt', 'the field is a number greater than the value');
export const greaterThanOrEqualModifier = compareModifier('gte', 'the field is a number at least the value');
