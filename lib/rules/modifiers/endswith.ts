import { WILDCARD_MULTI } from '../sigma-string';
import { valueModifier } from './define';

export const endswithModifier = valueModifier({
  name: 'endswith',
  description: 'matches fields that end with the value',
  accepts: ['string', 'regex', 'fieldref'],
  expects: 'a string',
  modify: (value) => {
    switch (value.kind) {
      case 'string':
        return value.text.startsWithWildcard()
          ? value
          : { ...value, text: value.text.prepend(WILDCARD_MULTI) };
      case 'regex':
        return { ...value, pattern: `(?:${value.pattern})$` };
      case 'fieldref':
        return { ...value, endsWith: true };
    }
  },
});
