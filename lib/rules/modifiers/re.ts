import type { Modifier } from './types';
import { ModifierError, mapValues, requireUnmodified, typeError } from './types';

/** PCRE's leading inline flags (`(?i)`), which JavaScript does not accept, become RegExp flags. */
const INLINE_FLAGS = /^\(\?([ims]+)\)/;

export const reModifier: Modifier = {
  name: 're',
  description: 'the value is a regular expression (case-sensitive unless |i), searched in the field',
  apply: (item) => {
    requireUnmodified(item, 're');
    return mapValues(item, 're', (value) => {
      if (value.kind !== 'string') throw typeError('re', value, 'a string');
      let pattern = value.raw;
      let flags = '';
      const inline = INLINE_FLAGS.exec(pattern);
      if (inline) {
        flags = inline[1] as string;
        pattern = pattern.slice(inline[0].length);
      }
      try {
        new RegExp(pattern, flags);
      } catch (error) {
        throw new ModifierError(
          `bad regular expression ${JSON.stringify(value.raw)}: ${(error as Error).message}`,
        );
      }
      return { kind: 'regex', pattern, flags };
    });
  },
};
