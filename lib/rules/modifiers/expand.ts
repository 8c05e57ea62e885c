import { SigmaString } from '../sigma-string';
import { valueModifier } from './define';

/**
 * `%name%` placeholders take their values from `placeholders:` in trailwatch.yml; each value may
 * itself hold wildcards (ARN patterns). A placeholder without a value matches nothing, and
 * validation says so, rather than the rule failing to load.
 */
export const expandModifier = valueModifier({
  name: 'expand',
  description: 'replaces %name% placeholders with the values configured in trailwatch.yml',
  accepts: ['string'],
  expects: 'a string with %placeholders%',
  modify: (value, { context }) => {
    const expanded = value.text.expand((name) => {
      const configured = context.placeholder(name);
      if (configured === undefined || configured.length === 0) {
        context.warn(
          `placeholder %${name}% has no values in trailwatch.yml (placeholders.${name}); it matches nothing`,
        );
        return [];
      }
      return configured.map((text) => SigmaString.parse(text));
    });
    return expanded.map((text) => ({ kind: 'string' as const, text, raw: text.toString() }));
  },
});
