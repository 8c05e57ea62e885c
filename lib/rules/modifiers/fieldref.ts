import type { Modifier } from './types';
import { ModifierError, mapValues, typeError } from './types';

export const fieldrefModifier: Modifier = {
  name: 'fieldref',
  description: 'the value names another field; matches when both fields hold the same value',
  apply: (item) =>
    mapValues(item, 'fieldref', (value) => {
      if (value.kind !== 'string') throw typeError('fieldref', value, 'a field name');
      if (value.text.hasWildcards)
        throw new ModifierError(`a field reference cannot hold wildcards (${value.raw})`);
      return { kind: 'fieldref', field: value.text.plain(), startsWith: false, endsWith: false };
    }),
};
