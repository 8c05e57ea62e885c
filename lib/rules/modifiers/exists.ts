import { valueModifier } from './define';
import { ModifierError } from './types';

export const existsModifier = valueModifier({
  name: 'exists',
  description: 'true: the field is present; false: it is absent',
  accepts: ['boolean'],
  expects: 'true or false',
  mustComeFirst: true,
  modify: (value, { item }) => {
    if (item.field === null) throw new ModifierError("'exists' needs a field");
    return { kind: 'exists', value: value.value };
  },
});
