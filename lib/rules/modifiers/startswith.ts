import { WILDCARD_MULTI } from '../sigma-string';
import { valueModifier } from './define';

export const startswithModifier = valueModifier({
  name: 'startswith',
  description: 'matches fields that begin with the value',
  accepts: ['string', 'regex', 'fieldref'],
  expects: 'a string',
  modify: (value) => {
    switch (value.kind) {
      case 'string':
        return value.text.endsWithWildcard() ? value : { ...value, text: value.text.append(WILDCARD_MULTI) };
      case 'regex':
        return { ...value, pattern: `^(?:${value.pattern})` };
      case 'fieldref':
        return { ...value, startsWith: true };
    }
  },
});
