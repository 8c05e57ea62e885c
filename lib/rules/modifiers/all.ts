import type { Modifier } from './types';

export const allModifier: Modifier = {
  name: 'all',
  description: 'every value in the list must match, instead of any one',
  apply: (item) => ({ ...item, linking: 'all', applied: [...item.applied, 'all'] }),
};
