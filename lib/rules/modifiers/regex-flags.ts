import { valueModifier } from './define';
import type { Modifier } from './types';

/** The regular-expression flag modifiers of Sigma v2: each adds one flag to a `re` value. */
function regexFlagModifier(name: string, flag: 'i' | 'm' | 's', description: string): Modifier {
  return valueModifier({
    name,
    description,
    accepts: ['regex'],
    expects: "a regular expression (put '|re' before it)",
    modify: (value) => (value.flags.includes(flag) ? value : { ...value, flags: value.flags + flag }),
  });
}

export const ignoreCaseModifier = regexFlagModifier('i', 'i', 'the regular expression ignores case');
export const multilineModifier = regexFlagModifier('m', 'm', '^ and $ match at line breaks');
export const dotAllModifier = regexFlagModifier('s', 's', '. matches line breaks too');
