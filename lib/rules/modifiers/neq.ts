import { itemModifier } from './define';

/** As in pySigma: the item is negated, so `field|neq: x` matches every record whose field is not x. */
export const notEqualModifier = itemModifier({
  name: 'neq',
  description: 'matches when the field does not equal the value (or any of the values)',
  change: (item) => ({ ...item, negated: true }),
});
