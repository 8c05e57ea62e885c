import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectionsMatching } from '../../lib/rules/condition';
import { compileErrors, detects } from '../helpers/rules';

const event = {
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  errorCode: 'AccessDenied',
  awsRegion: 'us-east-1',
};

const selections = {
  sel_iam: { eventSource: 'iam.amazonaws.com' },
  sel_create: { eventName: 'CreateUser' },
  sel_delete: { eventName: 'DeleteUser' },
  filter_denied: { errorCode: 'AccessDenied' },
  _helper: { eventName: 'Nothing' },
};

const cases: [string, boolean][] = [
  ['sel_iam', true],
  ['sel_delete', false],
  ['sel_iam and sel_create', true],
  ['sel_iam and sel_delete', false],
  ['sel_delete or sel_create', true],
  ['not sel_delete', true],
  ['sel_iam and not filter_denied', false],
  ['sel_iam and not (filter_denied or sel_delete)', false],
  ['(sel_delete or sel_create) and sel_iam', true],
  ['sel_delete or sel_iam and sel_create', true],
  ['not sel_create or sel_delete', false],
  ['not not sel_create', true],
  ['1 of sel_*', true],
  ['all of sel_*', false],
  ['any of sel_*', true],
  ['all of sel_i*', true],
  ['1 of them', true],
  ['all of them', false],
  ['all of filter_*', true],
  ['sel_iam AND NOT sel_delete', true],
];

describe('conditions', () => {
  for (const [condition, expected] of cases) {
    it(`${condition} -> ${expected}`, () =>
      expect(detects({ ...selections, condition }, event)).toBe(expected));
  }

  it('a list of conditions is their OR', () => {
    expect(detects({ ...selections, condition: ['sel_delete', 'sel_create'] }, event)).toBe(true);
  });

  it('them leaves out selections whose names start with _', () => {
    expect(
      detects(
        { sel: { eventName: 'CreateUser' }, _x: { eventName: 'Other' }, condition: 'all of them' },
        event,
      ),
    ).toBe(true);
  });

  it('a map is AND, a list of maps OR of ANDs', () => {
    const detection = {
      selection: [
        { eventName: 'DeleteUser', eventSource: 'iam.amazonaws.com' },
        { eventName: 'CreateUser', errorCode: 'AccessDenied' },
      ],
      condition: 'selection',
    };
    expect(detects(detection, event)).toBe(true);
    expect(detects(detection, { ...event, errorCode: undefined })).toBe(false);
  });
});

describe('condition errors', () => {
  const errors: [string, RegExp][] = [
    ['sel_iam and missing', /names 'missing', which is not a selection/],
    ['SEL_IAM and sel_create', /names 'SEL_IAM', which is not a selection/],
    ['1 of nothing_*', /'nothing_\*' matches no selection/],
    ['sel_iam and', /ends where a selection was expected/],
    ['(sel_iam', /expected '\)'/],
    ['sel_iam)', /unexpected '\)'/],
    ['sel_iam sel_create', /unexpected 'sel_create'/],
    ['2 of sel_*', /only '1 of', 'any of' and 'all of' exist/],
    ['1 sel_iam', /expected 'of' after '1'/],
    ['selection | count() > 5', /aggregation '\| count\(\)' is Sigma v1 syntax/],
    ['', /detection needs a condition|the condition is empty/],
  ];
  for (const [condition, message] of errors) {
    it(JSON.stringify(condition), () =>
      expect(compileErrors({ ...selections, condition })).toEqual([expect.stringMatching(message)]),
    );
  }

  it('a missing condition', () => {
    expect(compileErrors({ ...selections })).toEqual([expect.stringMatching(/needs a condition/)]);
  });
});

describe('quantifier patterns', () => {
  // The reference: the pattern as an anchored regular expression, `*` any run and `?` one UTF-16
  // unit, newlines included, every other character itself (fine to backtrack on short names).
  const reference = (pattern: string, name: string): boolean =>
    new RegExp(
      `^${[...pattern]
        .map((char) =>
          char === '*'
            ? '[\\s\\S]*'
            : char === '?'
              ? '[\\s\\S]'
              : char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
        )
        .join('')}$`,
    ).test(name);
  const piece = fc.constantFrom('sel', '_', 'a', 'A', '*', '?', '\\', '.', '\n', '1', 'é', '😀');

  it('name the selections the pattern stands for, as the anchored regular expression does', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 7 }).map((parts) => parts.join('')),
        fc.array(
          fc.array(
            piece.filter((p) => p !== '*' && p !== '?'),
            { maxLength: 6 },
          ),
          { maxLength: 5 },
        ),
        (pattern, nameParts) => {
          const names = nameParts.map((parts) => parts.join(''));
          fc.pre(pattern !== 'them');
          expect(selectionsMatching(pattern, names)).toEqual(
            names.filter((name) => reference(pattern, name)),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['sel_*', ['sel_a', 'sel_', 'sel', 'xsel_a'], ['sel_a', 'sel_']],
    ['sel?', ['sel1', 'sel', 'sel12'], ['sel1']],
    ['a\\*', ['a\\*', 'a\\xyz', 'a*'], ['a\\*', 'a\\xyz']],
    ['them', ['sel', '_filter'], ['sel']],
    ['*'.repeat(200), ['a'.repeat(5000)], ['a'.repeat(5000)]],
  ])('%s', (pattern, names, expected) => {
    expect(selectionsMatching(pattern, names)).toEqual(expected);
  });
});
