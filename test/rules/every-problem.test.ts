import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../lib/rules';
import type { RuleErrorCode } from '../../lib/rules/errors';
import { runCli } from '../helpers/cli';
import { ruleDir } from '../helpers/rules';

/** One rule with four unrelated problems: a bad date, a bad modifier, an unknown selection in the condition, a bad level. */
const FOUR_PROBLEMS = `title: Four problems at once
id: 5f0c2a52-4f0e-4d3a-9a3e-000000000004
date: 2024-13-45
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: iam.amazonaws.com
    eventName|bogus: CreateUser
  condition: selection and not filter
level: severe
`;

function problems(text: string): { line: number | undefined; code: RuleErrorCode; message: string }[] {
  const dir = ruleDir({ 'rule.yml': text });
  return loadRules([join(dir, 'rule.yml')]).errors.map((error) => ({
    line: error.location?.line,
    code: error.code,
    message: error.message,
  }));
}

describe('a rule file reports every problem at once, each at its line', () => {
  it('a bad date, a bad modifier, an unknown selection and a bad level: all four, in file order', () => {
    expect(problems(FOUR_PROBLEMS)).toEqual([
      {
        line: 3,
        code: 'schema',
        message: expect.stringMatching(/^date: a day written YYYY-MM-DD.*"2024-13-45"/),
      },
      { line: 10, code: 'selection', message: expect.stringMatching(/unknown modifier 'bogus'/) },
      {
        line: 11,
        code: 'unknown-selection',
        message: "condition: the condition names 'filter', which is not a selection (defined: selection)",
      },
      { line: 12, code: 'schema', message: expect.stringMatching(/^level: .*"critical"/) },
    ]);
  });

  const base = `title: t
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: CreateUser}
  condition: selection
`;
  const cases: readonly [string, string, [number, RuleErrorCode, RegExp][]][] = [
    [
      'a bad level does not hide a bad first_seen',
      `${base}level: severe\nfirst_seen: {fields: [sourceIPAddress|nosuch]}\n`,
      [
        [6, 'schema', /^level:/],
        [7, 'first-seen', /nosuch/],
      ],
    ],
    [
      'a wrong type of tags does not hide two unknown selections in two conditions',
      `title: t
tags: security
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: CreateUser}
  condition:
    - selection and a
    - 1 of b_*
`,
      [
        [2, 'schema', /^tags:/],
        [7, 'unknown-selection', /names 'a', which is not a selection/],
        [8, 'unknown-selection', /'b_\*' matches no selection/],
      ],
    ],
    [
      'several unknown names in one condition are named together',
      `${base.replace('condition: selection', 'condition: selection and (x or not y)')}`,
      [[5, 'unknown-selection', /names 'x', which is not a selection; the condition names 'y', which/]],
    ],
    [
      'a bad modified date and a missing title',
      base.replace('title: t', 'modified: yesterday'),
      [
        [1, 'schema', /^title: title is required/],
        [1, 'schema', /^modified: a day written YYYY-MM-DD.*"yesterday"/],
      ],
    ],
    [
      'a condition that does not parse, next to a bad level',
      `${base.replace('condition: selection', 'condition: selection and')}level: 7\n`,
      [
        [5, 'condition', /^condition: the condition ends where a selection was expected/],
        [6, 'schema', /^level:/],
      ],
    ],
    [
      'every bad item of one selection, not only the first',
      `${base.replace('  selection: {eventName: CreateUser}', "  selection:\n    x|cidr: notacidr\n    y|gte: abc\n    z|bogus: 1\n    w|re: '['")}`,
      [
        [5, 'selection', /"notacidr" is not a CIDR network/],
        [6, 'selection', /'gte' takes a number/],
        [7, 'selection', /unknown modifier 'bogus'/],
        [8, 'selection', /bad regular expression "\["/],
      ],
    ],
    [
      'every bad element of a selection list, and every bad item of its maps',
      `${base.replace('  selection: {eventName: CreateUser}', '  selection:\n    - {x|cidr: nope, y|gte: abc}\n    - eventName: ok\n    - {z|bogus: 1}')}`,
      [
        [5, 'selection', /"nope" is not a CIDR network/],
        [5, 'selection', /'gte' takes a number/],
        [7, 'selection', /unknown modifier 'bogus'/],
      ],
    ],
    [
      'another log source is reported with the schema problems',
      'title: t\nlevel: x\nlogsource: {product: windows}\ndetection: {s: {a: 1}, condition: s}\n',
      [
        [2, 'schema', /^level:/],
        [3, 'logsource', /product: aws/],
      ],
    ],
  ];
  it('a correlation: a bad level does not hide a missing threshold or field', () => {
    const found = problems(`title: c
level: severe
correlation:
  type: value_count
  rules: [x]
  timespan: 1h
  condition: {}
`);
    expect(found.map((p) => [p.line, p.code])).toEqual([
      [2, 'schema'],
      [7, 'correlation'],
      [7, 'correlation'],
    ]);
  });

  it.each(cases)('%s', (_name, text, expected) => {
    const found = problems(text);
    expect(found.map((p) => [p.line, p.code])).toEqual(expected.map(([line, code]) => [line, code]));
    expected.forEach(([, , message], index) => {
      expect(found[index]?.message).toMatch(message);
    });
  });

  it.each([
    ['2024-05-01', true],
    ['2024-5-1', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024/05/01', false],
    ['01-05-2024', false],
    ['2024-05-01T10:00:00Z', false],
  ])('date %s is valid: %s', (date, valid) => {
    expect(problems(`date: '${date}'\n${base}`)).toHaveLength(valid ? 0 : 1);
  });

  it('trailwatch rules validate prints all four with file:line and exits 1', async () => {
    const dir = ruleDir({ 'four.yml': FOUR_PROBLEMS });
    const run = await runCli(['rules', 'validate', join(dir, 'four.yml')]);
    expect(run.code).toBe(1);
    const located = run.stderr.split('\n').filter((line) => line.includes('four.yml:'));
    expect(located.map((line) => /four\.yml:(\d+):/.exec(line)?.[1])).toEqual(['3', '10', '11', '12']);
  });
});

describe('rule errors are classified by kind, never by their message text', () => {
  it.each(['lib/rules/compile.ts', 'lib/rules/compile-detection.ts', 'lib/rules/loader.ts'])(
    '%s reads no error message to decide what to do',
    (file) => {
      const source = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      expect(source).not.toMatch(/\.message\s*\.\s*(includes|startsWith|endsWith|match|search|indexOf)\(/);
      expect(source).not.toMatch(/\.test\(\s*\w+\.message\)/);
    },
  );
});
