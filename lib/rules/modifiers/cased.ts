import type { Modifier } from './types';

export const casedModifier: Modifier = {
  name: 'cased',
  description: 'string comparison keeps case (the default ignores it)',
  apply: (item) => ({ ...item, cased: true, applied: [...item.applied, 'cased'] }),
};
