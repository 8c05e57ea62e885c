import type { Modifier } from './types';
import { ModifierError, mapValues, requireUnmodified, typeError } from './types';

export const existsModifier: Modifier = {
  name: 'exists',
  description: 'true: the field is present; false: it is absent',
  apply: (item) => {
    if (item.field === null) throw new ModifierError("'exists' needs a field");
    requireUnmodified(item, 'exists');
    return mapValues(item, 'exists', (value) => {
      if (value.kind !== 'boolean') throw typeError('exists', value, 'true or false');
      return { kind: 'exists', value: value.value };
    });
  },
};
