import type { Modifier } from './types';

/** As in pySigma: the item is negated, so `field|neq: x` matches every record whose field is not x. */
export const notEqualModifier: Modifier = {
  name: 'neq',
  description: 'matches when the field does not equal the value (or any of the values)',
  apply: (item) => ({ ...item, negated: true, applied: [...item.applied, 'neq'] }),
};
