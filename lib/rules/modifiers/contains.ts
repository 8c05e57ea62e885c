import { WILDCARD_MULTI } from '../sigma-string';
import type { Modifier } from './types';
import { mapValues, typeError } from './types';

export const containsModifier: Modifier = {
  name: 'contains',
  description: 'matches the value anywhere inside the field',
  apply: (item) =>
    mapValues(item, 'contains', (value) => {
      if (value.kind === 'string') {
        let text = value.text;
        if (!text.startsWithWildcard()) text = text.prepend(WILDCARD_MULTI);
        if (!text.endsWithWildcard()) text = text.append(WILDCARD_MULTI);
        return { ...value, text };
      }
      // A regular expression already searches the whole field: contains leaves it as it is.
      if (value.kind === 'regex') return value;
      if (value.kind === 'fieldref') return { ...value, startsWith: true, endsWith: true };
      throw typeError('contains', value, 'a string');
    }),
};
