import { fieldPathProblem } from '../cloudtrail-fields';
import { valueModifier } from './define';
import { ModifierError } from './types';

export const fieldrefModifier = valueModifier({
  name: 'fieldref',
  description: 'the value names another field; matches when both fields hold the same value',
  accepts: ['string'],
  expects: 'a field name',
  modify: (value) => {
    if (value.text.hasWildcards)
      throw new ModifierError(`a field reference cannot hold wildcards (${value.raw})`);
    // Refused whatever strictFields says: a reference to a field no record holds never matches.
    const problem = fieldPathProblem(value.text.plain());
    if (problem) throw new ModifierError(`fieldref: ${problem}`);
    return { kind: 'fieldref', field: value.text.plain(), startsWith: false, endsWith: false };
  },
});
