import { itemModifier } from './define';

export const allModifier = itemModifier({
  name: 'all',
  description: 'every value in the list must match, instead of any one',
  change: (item) => ({ ...item, linking: 'all' }),
});
