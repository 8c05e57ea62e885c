import { WILDCARD_MULTI } from '../sigma-string';
import type { Modifier } from './types';
import { mapValues, typeError } from './types';

export const startswithModifier: Modifier = {
  name: 'startswith',
  description: 'matches fields that begin with the value',
  apply: (item) =>
    mapValues(item, 'startswith', (value) => {
      if (value.kind === 'string') {
        return value.text.endsWithWildcard() ? value : { ...value, text: value.text.append(WILDCARD_MULTI) };
      }
      if (value.kind === 'regex') return { ...value, pattern: `^(?:${value.pattern})` };
      if (value.kind === 'fieldref') return { ...value, startsWith: true };
      throw typeError('startswith', value, 'a string');
    }),
};
