import { WILDCARD_MULTI } from '../sigma-string';
import type { Modifier } from './types';
import { mapValues, typeError } from './types';

export const endswithModifier: Modifier = {
  name: 'endswith',
  description: 'matches fields that end with the value',
  apply: (item) =>
    mapValues(item, 'endswith', (value) => {
      if (value.kind === 'string') {
        return value.text.startsWithWildcard()
          ? value
          : { ...value, text: value.text.prepend(WILDCARD_MULTI) };
      }
      if (value.kind === 'regex') return { ...value, pattern: `(?:${value.pattern})$` };
      if (value.kind === 'fieldref') return { ...value, endsWith: true };
      throw typeError('endswith', value, 'a string');
    }),
};
