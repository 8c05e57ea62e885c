import { itemModifier } from './define';

export const casedModifier = itemModifier({
  name: 'cased',
  description: 'string comparison keeps case (the default ignores it)',
  change: (item) => ({ ...item, cased: true }),
});
