import { WILDCARD_MULTI } from '../sigma-string';
import { valueModifier } from './define';

export const containsModifier = valueModifier({
  name: 'contains',
  description: 'matches the value anywhere inside the field',
  accepts: ['string', 'regex', 'fieldref'],
  expects: 'a string',
  modify: (value) => {
    switch (value.kind) {
      case 'string': {
        let text = value.text;
        if (!text.startsWithWildcard()) text = text.prepend(WILDCARD_MULTI);
        if (!text.endsWithWildcard()) text = text.append(WILDCARD_MULTI);
        return { ...value, text };
      }
      // A regular expression already searches the whole field: contains leaves it as it is.
      case 'regex':
        return value;
      case 'fieldref':
        return { ...value, startsWith: true, endsWith: true };
    }
  },
});
