/**
 * Properties of the declared value kinds (issue #13): whatever kind and content a value has, a
 * modifier either takes it (its declared check passes) or refuses it with its declared message,
 * never with a TypeError or any other crash; and along random modifier chains written in YAML the
 * compiler reports located problems, never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDetection, MODIFIERS } from '../../lib/rules';
import type { Modifier, RuleValue, ValueKind } from '../../lib/rules/modifiers/types';
import { describeValue, ModifierError } from '../../lib/rules/modifiers/types';
import { itemOf, PLACEHOLDERS, stringValue, testContext, validValue } from '../helpers/modifier-kinds';

/** Text with the characters each modifier's own checks look at: wildcards, escapes, %, /, :, regex syntax. */
const text = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      '9',
      '.',
      '/',
      ':',
      '*',
      '?',
      '\\',
      '%',
      ' ',
      '(',
      ')',
      '[',
      '+',
      'é',
    ),
    maxLength: 24,
  }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '10.0.0.0/8',
    '2001:db8::/32',
    '12',
    ' 12 ',
    '1e3',
    'eventName',
    '%admins%',
    'userIdentity.arn',
  ),
);
const number = fc.oneof(fc.integer(), fc.double());

const ruleValue: fc.Arbitrary<RuleValue> = fc.oneof(
  text.map(stringValue),
  number.map((value): RuleValue => ({ kind: 'number', value })),
  fc.boolean().map((value): RuleValue => ({ kind: 'boolean', value })),
  fc.constant<RuleValue>({ kind: 'null' }),
  fc
    .record({ pattern: text, flags: fc.subarray(['i', 'm', 's']).map((flags) => flags.join('')) })
    .map((regex): RuleValue => ({ kind: 'regex', ...regex })),
  fc
    .record({
      network: text,
      prefix: fc.integer({ min: -1, max: 200 }),
      family: fc.constantFrom<'ipv4' | 'ipv6'>('ipv4', 'ipv6'),
    })
    .map((cidr): RuleValue => ({ kind: 'cidr', ...cidr })),
  fc
    .record({ op: fc.constantFrom<'lt' | 'lte' | 'gt' | 'gte'>('lt', 'lte', 'gt', 'gte'), value: number })
    .map((compare): RuleValue => ({ kind: 'compare', ...compare })),
  fc.boolean().map((value): RuleValue => ({ kind: 'exists', value })),
  fc
    .record({ field: text, startsWith: fc.boolean(), endsWith: fc.boolean() })
    .map((fieldref): RuleValue => ({ kind: 'fieldref', ...fieldref })),
);

const NAMES = [...MODIFIERS.keys()];
const modifierName = fc.constantFrom(...NAMES);

function registered(name: string): Modifier {
  const modifier = MODIFIERS.get(name);
  if (!modifier) throw new Error(`'${name}' is not registered`);
  return modifier;
}

function takesKind(modifier: Modifier, kind: ValueKind): boolean {
  return modifier.accepts === 'any' || modifier.accepts.includes(kind);
}

function declaredRefusal(modifier: Modifier, value: RuleValue): string {
  return `'${modifier.name}' takes ${modifier.expects}, not ${describeValue(value)}`;
}

function run(modifier: Modifier, values: readonly RuleValue[], applied: readonly string[] = []) {
  try {
    return { result: modifier.apply(itemOf(values, applied), testContext()), error: undefined };
  } catch (error) {
    return { result: undefined, error };
  }
}

describe('declared value kinds (properties)', () => {
  it('any value: the modifier takes it, refuses its kind with the declared message, or finds its content wrong; nothing else', () => {
    fc.assert(
      fc.property(modifierName, ruleValue, fc.subarray(['contains', 're']), (name, value, applied) => {
        const modifier = registered(name);
        const { result, error } = run(modifier, [value], applied);
        if (error !== undefined) expect(error).toBeInstanceOf(ModifierError);
        const message = error instanceof Error ? error.message : undefined;
        if (modifier.mustComeFirst && applied.length > 0) {
          expect(message).toBe(`'${modifier.name}' must come first (found after ${applied.join('|')})`);
        } else if (!takesKind(modifier, value.kind)) {
          expect(message).toBe(declaredRefusal(modifier, value));
        } else if (message?.startsWith(`'${modifier.name}' takes `)) {
          // A check finer than kind (lt on "many") refuses with the same declared words.
          expect(message).toBe(declaredRefusal(modifier, value));
        } else if (result !== undefined) {
          expect(result.applied).toEqual([...applied, modifier.name]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('in a list, the first value of an undeclared kind is the one named, after values the modifier takes', () => {
    const valueModifiers = NAMES.filter((name) => registered(name).accepts !== 'any');
    const scenario = fc.constantFrom(...valueModifiers).chain((name) => {
      const modifier = registered(name);
      const accepted = acceptedKinds(modifier);
      return fc.record({
        name: fc.constant(name),
        before: fc.array(
          fc.constantFrom(...accepted).map((kind) => validValue(name, kind)),
          { maxLength: 3 },
        ),
        refused: ruleValue.filter((value) => !takesKind(modifier, value.kind)),
        after: fc.array(ruleValue, { maxLength: 3 }),
      });
    });
    fc.assert(
      fc.property(scenario, ({ name, before, refused, after }) => {
        const modifier = registered(name);
        const { error } = run(modifier, [...before, refused, ...after]);
        expect(error).toBeInstanceOf(ModifierError);
        expect(error).toHaveProperty('message', declaredRefusal(modifier, refused));
      }),
      { numRuns: 1500 },
    );
  });

  it('a random modifier chain over random YAML values compiles or reports located selection problems; it never throws', () => {
    const yamlValue = fc.oneof(text, number, fc.boolean(), fc.constant(null));
    const event = {
      eventName: 'CreateUser',
      requestParameters: { value: '10.1.2.3', count: 12, flag: true, note: null },
    };
    fc.assert(
      fc.property(
        fc.array(modifierName, { minLength: 1, maxLength: 3 }),
        fc.oneof(yamlValue, fc.array(yamlValue, { minLength: 1, maxLength: 3 })),
        (chain, value) => {
          const key = `requestParameters.value|${chain.join('|')}`;
          const outcome = compileDetection(
            { selection: { [key]: value }, condition: 'selection' },
            PLACEHOLDERS,
            () => {},
          );
          if (outcome.ok) {
            expect(typeof outcome.part.match(event)).toBe('boolean');
            return;
          }
          for (const problem of outcome.errors) {
            expect(problem.code).toBe('selection');
            expect(problem.path).toEqual(['selection', key]);
            expect(problem.message).not.toMatch(/TypeError|undefined/);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

function acceptedKinds(modifier: Modifier): ValueKind[] {
  return modifier.accepts === 'any' ? [] : [...modifier.accepts];
}
