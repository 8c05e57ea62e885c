import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConditionError,
  compileDetection,
  loadRules,
  parseCondition,
  RuleError,
  readField,
} from '../../lib/rules';

/** Selections the generated conditions name; `_hidden` is left out of `them` by Sigma's rule. */
const NAMES = ['sel_a', 'sel_b', 'filter_a', 'filter_b', '_hidden', 'constructor', '__proto__'] as const;
const PATTERNS = ['sel_*', 'filter_*', '*_a', '*_?', 'them', 'sel_b', '*'] as const;

type Ast =
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'quantified'; readonly all: boolean; readonly pattern: string }
  | { readonly kind: 'not'; readonly operand: Ast }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Ast[] };

const astArbitrary: fc.Arbitrary<Ast> = fc.letrec<{ ast: Ast }>((tie) => ({
  ast: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NAMES).map((name): Ast => ({ kind: 'ref', name })),
    fc
      .record({ all: fc.boolean(), pattern: fc.constantFrom(...PATTERNS) })
      .map(({ all, pattern }): Ast => ({ kind: 'quantified', all, pattern })),
    tie('ast').map((operand): Ast => ({ kind: 'not', operand })),
    fc
      .record({
        op: fc.constantFrom('and', 'or' as const),
        operands: fc.array(tie('ast'), { minLength: 2, maxLength: 4 }),
      })
      .map(({ op, operands }): Ast => ({ kind: op, operands })),
  ),
})).ast;

/** A glob as Sigma's quantifier patterns mean it: `*` any run, `?` one character. */
function globMatches(pattern: string, name: string): boolean {
  if (pattern === '') return name === '';
  const [head, rest] = [pattern[0], pattern.slice(1)];
  if (head === '*')
    return [...Array(name.length + 1).keys()].some((skip) => globMatches(rest, name.slice(skip)));
  return name !== '' && (head === '?' || head === name[0]) && globMatches(rest, name.slice(1));
}

/** The reference evaluator: the Sigma semantics, written as plainly as possible. */
function evaluate(ast: Ast, truth: ReadonlyMap<string, boolean>): boolean {
  switch (ast.kind) {
    case 'ref':
      return truth.get(ast.name) === true;
    case 'quantified': {
      const names = NAMES.filter((name) =>
        ast.pattern === 'them' ? !name.startsWith('_') : globMatches(ast.pattern, name),
      );
      return ast.all ? names.every((name) => truth.get(name)) : names.some((name) => truth.get(name));
    }
    case 'not':
      return !evaluate(ast.operand, truth);
    case 'and':
      return ast.operands.every((operand) => evaluate(operand, truth));
    case 'or':
      return ast.operands.some((operand) => evaluate(operand, truth));
  }
}

const PRECEDENCE = { or: 1, and: 2, not: 3, ref: 4, quantified: 4 } as const;

/**
 * Prints a condition with only the parentheses precedence needs (`not` over `and` over `or`), or
 * more where `extra` says so, with keywords in random case: the parser must get precedence right.
 */
function render(ast: Ast, extra: () => boolean, keyword: (word: string) => string): string {
  const wrap = (child: Ast, parent: number): string => {
    const text = render(child, extra, keyword);
    return PRECEDENCE[child.kind] <= parent || extra() ? `(${text})` : text;
  };
  switch (ast.kind) {
    case 'ref':
      return ast.name;
    case 'quantified':
      return `${ast.all ? keyword('all') : '1'} ${keyword('of')} ${ast.pattern === 'them' ? keyword('them') : ast.pattern}`;
    case 'not':
      return `${keyword('not')} ${wrap(ast.operand, PRECEDENCE.not - 1)}`;
    case 'and':
    case 'or':
      return ast.operands
        .map((operand) => wrap(operand, PRECEDENCE[ast.kind]))
        .join(` ${keyword(ast.kind)} `);
  }
}

/** Selection `name` matches a record when its `requestParameters[name]` is true. */
function detectionFor(condition: string): Record<string, unknown> {
  const detection: Record<string, unknown> = Object.create(null);
  for (const name of NAMES) detection[name] = { [`requestParameters.${name}`]: true };
  detection.condition = condition;
  return detection;
}

function recordFor(truth: ReadonlyMap<string, boolean>): Record<string, unknown> {
  const requestParameters: Record<string, unknown> = Object.create(null);
  for (const [name, value] of truth) requestParameters[name] = value;
  return { requestParameters };
}

const truthArbitrary = fc
  .tuple(...NAMES.map(() => fc.boolean()))
  .map((values) => new Map(NAMES.map((name, index) => [name, values[index] === true])));

describe('the condition parser against a reference evaluator', () => {
  it('parses and evaluates random conditions like Sigma means them', () => {
    fc.assert(
      fc.property(
        astArbitrary,
        fc.array(truthArbitrary, { minLength: 1, maxLength: 4 }),
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.constantFrom('lower', 'upper', 'title' as const)),
        (ast, truths, extras, cases) => {
          const extraIterator = extras[Symbol.iterator]();
          const caseIterator = cases[Symbol.iterator]();
          const keyword = (word: string): string => {
            const style = caseIterator.next().value;
            if (style === 'upper') return word.toUpperCase();
            if (style === 'title') return word[0]?.toUpperCase() + word.slice(1);
            return word;
          };
          const condition = render(ast, () => extraIterator.next().value === true, keyword);
          const compiled = compileDetection(detectionFor(condition), {}, () => {});
          if (!compiled.ok)
            throw new Error(`${condition}: ${compiled.errors.map((e) => e.message).join('; ')}`);
          for (const truth of truths) {
            expect(compiled.part.match(recordFor(truth)), condition).toBe(evaluate(ast, truth));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

/** Text built from the pieces of the condition grammar, so that most inputs get past the tokenizer. */
const conditionish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '(',
        ')',
        ' ',
        'and',
        'or',
        'not',
        '1',
        'all',
        'any',
        'of',
        'them',
        '|',
        'count()',
        '>',
        '5',
      ),
      fc.constantFrom(...NAMES, 'sel_*', '*', 'missing'),
      fc.string(),
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(' '));

describe('hostile conditions', () => {
  it('parseCondition only ever throws ConditionError', () => {
    fc.assert(
      fc.property(
        fc.oneof(conditionish, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        (text) => {
          try {
            parseCondition(text);
          } catch (error) {
            if (!(error instanceof ConditionError)) throw error;
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('compileDetection reports bad conditions as errors at the condition, never throws', () => {
    fc.assert(
      fc.property(conditionish, (condition) => {
        const compiled = compileDetection(detectionFor(condition), {}, () => {});
        if (!compiled.ok) for (const error of compiled.errors) expect(error.path[0]).toBe('condition');
      }),
      { numRuns: 500 },
    );
  });
});

/** YAML-shaped noise: indentation, flow and block collections, anchors, tags, quotes, rule keys. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\n',
        '  ',
        '- ',
        ': ',
        '[',
        ']',
        '{',
        '}',
        ',',
        '&a ',
        '*a',
        '&b ',
        '*b',
        '!!str ',
        '!x ',
      ),
      fc.constantFrom('"', "'", '#', '|', '>', '? ', '%YAML 1.2\n', '---\n', '...\n', '\t', '\\', '<<: '),
      fc.constantFrom('title', 'detection', 'condition', 'selection', 'logsource', 'product: aws', 'tests'),
      fc.constantFrom('eventName|re', 'x|expand', '%__proto__%', '__proto__', 'constructor', 'not (', ')'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((pieces) => pieces.join(''));

const VALID_HEAD = 'title: fuzz\nlogsource: {product: aws, service: cloudtrail}\n';

describe('hostile rule files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-fuzz-'));
  const file = join(dir, 'fuzz.yml');

  const loadsWithLocatedErrors = (content: string | Uint8Array): void => {
    writeFileSync(file, content);
    const set = loadRules([file]);
    for (const error of set.errors) {
      expect(error).toBeInstanceOf(RuleError);
      expect(error.location?.file).toBe(file);
      expect(Number.isInteger(error.location?.line) && (error.location?.line ?? 0) >= 1, error.message).toBe(
        true,
      );
    }
  };

  it('random YAML-shaped text loads or is refused with file:line, never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          yamlish,
          yamlish.map((text) => VALID_HEAD + text),
        ),
        loadsWithLocatedErrors,
      ),
      { numRuns: 400 },
    );
  });

  it('random bytes load or are refused with file:line, never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), loadsWithLocatedErrors), { numRuns: 300 });
  });

  it('a random condition in a rule file is refused with file:line, never throws', () => {
    fc.assert(
      fc.property(conditionish, (condition) =>
        loadsWithLocatedErrors(
          `${VALID_HEAD}detection:\n  sel_a: {eventName: x}\n  condition: ${JSON.stringify(condition)}\n`,
        ),
      ),
      { numRuns: 300 },
    );
  });
});

/** Field and placeholder names, weighted toward the ones Object.prototype already has. */
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'toLocaleString',
  'prototype',
  'length',
] as const;
const nameArbitrary = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !/[.|]/.test(name)),
);

/** An object holding exactly this own key, whatever it is (`__proto__` included). */
function withOwn<Value>(key: string, value: Value): Record<string, Value> {
  const object: Record<string, Value> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

describe('field and placeholder names are plain data', () => {
  it('a rule on requestParameters.<name> matches exactly the records that hold that own key', () => {
    fc.assert(
      fc.property(
        nameArbitrary,
        nameArbitrary,
        fc.stringMatching(/^[a-z0-9]{1,8}$/),
        (name, other, value) => {
          const detection = { selection: { [`requestParameters.${name}`]: value }, condition: 'selection' };
          const compiled = compileDetection(detection, {}, () => {});
          if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('; '));
          const holding = { requestParameters: withOwn(name, value) };
          expect(compiled.part.match(holding)).toBe(true);
          expect(readField(holding, `requestParameters.${name}`)).toEqual([value]);
          expect(compiled.part.match({ requestParameters: {} })).toBe(false);
          expect(readField({ requestParameters: {} }, `requestParameters.${name}`)).toEqual([]);
          if (other !== name)
            expect(compiled.part.match({ requestParameters: withOwn(other, value) })).toBe(false);
          // exists: true only for the own key.
          const exists = compileDetection(
            { selection: { [`requestParameters.${name}|exists`]: true }, condition: 'selection' },
            {},
            () => {},
          );
          if (!exists.ok) throw new Error(exists.errors.map((e) => e.message).join('; '));
          expect(exists.part.match({ requestParameters: {} })).toBe(false);
          expect(exists.part.match(holding)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a top-level field name is refused or matches own keys only', () => {
    fc.assert(
      fc.property(nameArbitrary, (name) => {
        const compiled = compileDetection({ s: { [`${name}|exists`]: true }, condition: 's' }, {}, () => {});
        if (!compiled.ok) {
          expect(compiled.errors.map((e) => e.message)).toEqual([
            expect.stringMatching(/cannot exist in a CloudTrail record/),
          ]);
          return;
        }
        expect(compiled.part.match({})).toBe(false);
        expect(compiled.part.match(withOwn(name, 'x'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('placeholders of any valid name expand to their own values only', () => {
    const placeholderName = fc.oneof(
      fc.constantFrom(...PROTOTYPE_KEYS.filter((key) => /^[A-Za-z0-9_.-]+$/.test(key))),
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
    );
    fc.assert(
      fc.property(placeholderName, placeholderName, (name, configured) => {
        const placeholders = withOwn(configured, ['expected-value']);
        const warnings: string[] = [];
        const compiled = compileDetection(
          { s: { 'eventName|expand': `%${name}%` }, condition: 's' },
          placeholders,
          (message) => warnings.push(message),
        );
        if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('; '));
        expect(compiled.part.match({ eventName: 'expected-value' })).toBe(name === configured);
        expect(warnings.length > 0).toBe(name !== configured);
      }),
      { numRuns: 300 },
    );
  });
});
