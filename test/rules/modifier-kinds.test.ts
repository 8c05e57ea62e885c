/**
 * Each modifier declares the value kinds it takes, and one check refuses every other kind before
 * the modifier runs (issue #13): every registered modifier, fed every kind of value, directly and
 * through the loader (where the refusal carries the rule's file and line).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, MODIFIERS } from '../../lib/rules';
import type { Modifier, RuleValue, ValueKind } from '../../lib/rules/modifiers/types';
import { ModifierError } from '../../lib/rules/modifiers/types';
import {
  DECLARED,
  type Declared,
  FIELD,
  itemOf,
  PLACEHOLDERS,
  stringValue,
  takes,
  testContext,
  VALUE_KINDS,
  validValue,
  WRITTEN,
} from '../helpers/modifier-kinds';
import { ruleDir } from '../helpers/rules';

function registered(name: string): Modifier {
  const modifier = MODIFIERS.get(name);
  if (!modifier) throw new Error(`'${name}' is not registered`);
  return modifier;
}

type Outcome =
  | { readonly ok: true; readonly values: number }
  | { readonly ok: false; readonly error: unknown };

function applyTo(name: string, values: readonly RuleValue[]): Outcome {
  try {
    return { ok: true, values: registered(name).apply(itemOf(values), testContext()).values.length };
  } catch (error) {
    return { ok: false, error };
  }
}

function refusal(name: string, declared: Declared, described: string): string {
  return `'${registered(name).name}' takes ${declared.expects}, not ${described}`;
}

const sorted = (kinds: readonly ValueKind[] | 'any') => (kinds === 'any' ? kinds : [...kinds].sort());

describe('every registered modifier declares the value kinds it takes', () => {
  it('the table here names every registered modifier', () => {
    expect(Object.keys(DECLARED).sort()).toEqual([...MODIFIERS.keys()].sort());
  });

  for (const [name, declared] of Object.entries(DECLARED)) {
    it(`${name}: ${declared.accepts === 'any' ? 'any value' : declared.accepts.join(', ')}`, () => {
      const modifier = registered(name);
      expect(sorted(modifier.accepts)).toEqual(sorted(declared.accepts));
      expect(modifier.mustComeFirst).toBe(declared.mustComeFirst ?? false);
      if (declared.expects !== undefined) expect(modifier.expects).toBe(declared.expects);
    });
  }
});

describe('each modifier, handed each kind of value', () => {
  for (const [name, declared] of Object.entries(DECLARED)) {
    for (const kind of VALUE_KINDS) {
      if (takes(declared, kind)) {
        it(`${name} takes ${kind}`, () => {
          const outcome = applyTo(name, [validValue(name, kind)]);
          expect(outcome).toEqual({ ok: true, values: expect.any(Number) });
          if (outcome.ok) expect(outcome.values).toBeGreaterThan(0);
        });
      } else {
        it(`${name} refuses ${kind} with its declared message`, () => {
          const outcome = applyTo(name, [WRITTEN[kind].value]);
          expect(outcome.ok).toBe(false);
          if (outcome.ok) return;
          expect(outcome.error).toBeInstanceOf(ModifierError);
          expect(outcome.error).toHaveProperty('message', refusal(name, declared, WRITTEN[kind].described));
        });
      }
    }
  }
});

describe('the first value at fault, in value order, is the one reported', () => {
  const cases: [string, string, readonly RuleValue[], string][] = [
    [
      'the first of two wrong kinds',
      'contains',
      [stringValue('x'), { kind: 'number', value: 5 }, { kind: 'boolean', value: true }],
      `'contains' takes a string, not the number 5`,
    ],
    [
      'a bad network before a wrong kind',
      'cidr',
      [stringValue('10.0.0.0/33'), { kind: 'number', value: 5 }],
      '"10.0.0.0/33" is not a CIDR network (such as 10.0.0.0/8 or 2001:db8::/32)',
    ],
    [
      'a wrong kind before a bad network',
      'cidr',
      [{ kind: 'number', value: 5 }, stringValue('10.0.0.0/33')],
      `'cidr' takes a network such as 10.0.0.0/8, not the number 5`,
    ],
    [
      'a wrong kind before a missing field',
      'fieldref',
      [{ kind: 'null' }, stringValue('userIdentity.nmae')],
      `'fieldref' takes a field name, not null`,
    ],
    [
      'a missing field before a wrong kind',
      'fieldref',
      [stringValue('userIdentity.nmae'), { kind: 'null' }],
      "fieldref: field 'userIdentity.nmae' cannot exist",
    ],
    [
      'text that is no number, after a number, before a wrong kind',
      'gt',
      [stringValue('12'), stringValue('many'), { kind: 'null' }],
      `'gt' takes a number, not the string "many"`,
    ],
  ];
  for (const [description, name, values, message] of cases) {
    it(`${name}: ${description}`, () => {
      const outcome = applyTo(name, values);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(String(outcome.error)).toContain(message);
    });
  }
});

/** One selection per case in one rule file; each refusal is expected at its selection's key line. */
interface Written {
  readonly key: string;
  readonly yaml: string;
  readonly message: string;
}

const HEADER = 'title: value kinds\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n';
/** Lines before the first selection, and lines per selection (its name, then its one key). */
const HEADER_LINES = 3;
const LINES_PER_SELECTION = 2;

function ruleText(cases: readonly Written[]): string {
  const selections = cases.map((c, i) => `  sel_${i}:\n    ${c.key}: ${c.yaml}\n`).join('');
  return `${HEADER}${selections}  condition: 1 of sel_*\n`;
}

function keyLine(index: number): number {
  return HEADER_LINES + index * LINES_PER_SELECTION + 2;
}

function keyFor(name: string, kind: ValueKind): string {
  const maker = WRITTEN[kind].maker;
  return maker === undefined ? `${FIELD}|${name}` : `${FIELD}|${maker}|${name}`;
}

describe('through the loader, a refused kind is an error at the rule file and line', () => {
  const refused: Written[] = Object.entries(DECLARED).flatMap(([name, declared]) =>
    VALUE_KINDS.filter((kind) => !takes(declared, kind)).map((kind) => {
      const { maker, yaml, described } = WRITTEN[kind];
      const message =
        maker !== undefined && declared.mustComeFirst
          ? `'${registered(name).name}' must come first (found after ${maker})`
          : refusal(name, declared, described);
      return { key: keyFor(name, kind), yaml, message };
    }),
  );
  const taken: Written[] = Object.entries(DECLARED).flatMap(([name, declared]) =>
    VALUE_KINDS.filter((kind) => takes(declared, kind)).map((kind) => {
      const text = declared.validText;
      const yaml = kind === 'string' && text !== undefined ? JSON.stringify(text) : WRITTEN[kind].yaml;
      return { key: keyFor(name, kind), yaml, message: '' };
    }),
  );

  it(`refuses each of the ${refused.length} modifier and kind pairs not declared, each at its line`, () => {
    const dir = ruleDir({ 'refused.yml': ruleText(refused) });
    const set = loadRules([dir], { placeholders: PLACEHOLDERS, strictFields: true });
    expect(set.detections).toEqual([]);
    const found = set.errors.map((e) => ({
      file: e.location?.file,
      line: e.location?.line,
      code: e.code,
      message: e.message,
    }));
    expect(found).toEqual(
      refused.map((c, i) => ({
        file: join(dir, 'refused.yml'),
        line: keyLine(i),
        code: 'selection',
        message: c.message,
      })),
    );
  });

  it(`loads each of the ${taken.length} modifier and kind pairs declared`, () => {
    const dir = ruleDir({ 'taken.yml': ruleText(taken) });
    const set = loadRules([dir], { placeholders: PLACEHOLDERS, strictFields: true });
    expect(set.errors.map(String)).toEqual([]);
    expect(set.detections).toHaveLength(1);
  });

  it('a list reports its first value at fault, at the line of its key', () => {
    const dir = ruleDir({
      'list.yml': `${HEADER}  selection:\n    ${FIELD}|cidr:\n      - 10.0.0.0/8\n      - 7\n      - not-a-network\n  condition: selection\n`,
    });
    expect(loadRules([dir]).errors.map(String)).toEqual([
      `${join(dir, 'list.yml')}:5: 'cidr' takes a network such as 10.0.0.0/8, not the number 7`,
    ]);
  });
});
