import { SigmaString } from '../sigma-string';
import { valueModifier } from './define';
import type { RuleValue, ValueOf } from './types';
import { ModifierError } from './types';

function plainString(modifier: string, value: ValueOf<'string'>): string {
  if (value.text.hasWildcards)
    throw new ModifierError(`'${modifier}' cannot encode wildcards (${value.raw})`);
  return value.text.plain();
}

function encoded(text: string): RuleValue {
  return { kind: 'string', text: SigmaString.literal(text), raw: text };
}

export const base64Modifier = valueModifier({
  name: 'base64',
  description: 'matches the value encoded as base64',
  accepts: ['string'],
  expects: 'a string',
  modify: (value) => encoded(Buffer.from(plainString('base64', value), 'utf8').toString('base64')),
});

const START_OFFSETS = [0, 2, 3] as const;
const END_OFFSETS = [undefined, -3, -2] as const;

/**
 * The three base64 renderings of a value, one per alignment, trimmed of the characters that depend
 * on the surrounding bytes, so `|base64offset|contains` finds it anywhere inside encoded data.
 */
export const base64OffsetModifier = valueModifier({
  name: 'base64offset',
  description: 'matches the value base64-encoded at any of the three byte alignments',
  accepts: ['string'],
  expects: 'a string',
  modify: (value) => {
    const data = Buffer.from(plainString('base64offset', value), 'utf8');
    return [0, 1, 2].map((shift) => {
      const text = Buffer.concat([Buffer.alloc(shift, ' '), data]).toString('base64');
      const end = END_OFFSETS[(data.length + shift) % 3];
      return encoded(text.slice(START_OFFSETS[shift as 0 | 1 | 2], end));
    });
  },
});
