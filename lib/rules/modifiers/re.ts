import { compileLinearRegex, RegexSyntaxError } from '../regex';
import { valueModifier } from './define';
import { ModifierError } from './types';

/** PCRE's leading inline flags (`(?i)`) become flags, so |startswith can still anchor the pattern. */
const INLINE_FLAGS = /^\(\?([ims]+)\)/;

export const reModifier = valueModifier({
  name: 're',
  description: 'the value is a regular expression (case-sensitive unless |i), searched in the field',
  accepts: ['string'],
  expects: 'a string',
  mustComeFirst: true,
  modify: (value) => {
    let pattern = value.raw;
    let flags = '';
    const inline = INLINE_FLAGS.exec(pattern);
    if (inline) {
      flags = inline[1] as string;
      pattern = pattern.slice(inline[0].length);
    }
    try {
      // Compiled here to refuse, at load and with the rule's line, what RE2 cannot run.
      compileLinearRegex(pattern, flags);
    } catch (error) {
      if (!(error instanceof RegexSyntaxError)) throw error;
      throw new ModifierError(`bad regular expression ${JSON.stringify(value.raw)}: ${error.message}`);
    }
    return { kind: 'regex', pattern, flags };
  },
});
