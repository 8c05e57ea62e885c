import type { Modifier } from './types';
import { mapValues, typeError } from './types';

/** The regular-expression flag modifiers of Sigma v2: each adds one flag to a `re` value. */
function regexFlagModifier(name: string, flag: 'i' | 'm' | 's', description: string): Modifier {
  return {
    name,
    description,
    apply: (item) =>
      mapValues(item, name, (value) => {
        if (value.kind !== 'regex')
          throw typeError(name, value, "a regular expression (put '|re' before it)");
        return value.flags.includes(flag) ? value : { ...value, flags: value.flags + flag };
      }),
  };
}

export const ignoreCaseModifier = regexFlagModifier('i', 'i', 'the regular expression ignores case');
export const multilineModifier = regexFlagModifier('m', 'm', '^ and $ match at line breaks');
export const dotAllModifier = regexFlagModifier('s', 's', '. matches line breaks too');
