import { describe, expect, it } from 'vitest';
import { compileErrors, detects } from '../helpers/rules';

const one = (key: string, value: unknown): Record<string, unknown> => ({
  selection: { [key]: value },
  condition: 'selection',
});

/** The shipped rules' pattern (rules/persistence/inline-policy-grants-everything.yml). */
const SHIPPED_ACTION_STAR = '"Action"\\s*:\\s*(\\[[^\\]]*)?"\\*"';

/** A 1 MiB policy document with many `"Action": [` openings and no `]`: quadratic for a backtracker. */
function hostilePolicyDocument(): string {
  const unit = '"Action":["s3:GetObject",';
  return unit.repeat(Math.ceil(1_048_576 / unit.length)).slice(0, 1_048_576);
}

function elapsedMs(run: () => boolean): { ms: number; result: boolean } {
  const start = performance.now();
  const result = run();
  return { ms: performance.now() - start, result };
}

// V8's backtracking RegExp takes 80 s for each of these on the CI-sized machine; RE2 takes under 11 ms.
// The bound is loose so a slow, shared runner cannot make the test flaky, and tight enough that a
// return to backtracking (seconds at least) fails it.
const LINEAR_BOUND_MS = 1_500;

describe('|re runs in linear time', () => {
  it.each([
    ['(a+)+$', `${'a'.repeat(30)}!`, false],
    ['(a+)+$', 'a'.repeat(30), true],
    ['^(a|aa)+b$', 'a'.repeat(40), false],
    ['^(\\w+\\s?)*$', `${'word '.repeat(20)}!`, false],
  ])('%s against %j answers at once', (pattern, userAgent, expected) => {
    const { ms, result } = elapsedMs(() => detects(one('userAgent|re', pattern), { userAgent }));
    expect(result).toBe(expected);
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });

  it.each([
    ['without a wildcard grant', '', false],
    ['with a wildcard grant at the very end', '"*"]', true],
  ])('the shipped policyDocument pattern on a 1 MiB document %s', (_name, tail, expected) => {
    const policyDocument = hostilePolicyDocument() + tail;
    const { ms, result } = elapsedMs(() =>
      detects(one('requestParameters.policyDocument|re', SHIPPED_ACTION_STAR), {
        requestParameters: { policyDocument },
      }),
    );
    expect(result).toBe(expected);
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});

describe('|re keeps its meaning on RE2', () => {
  const event = { userAgent: 'aws-cli/2.15.0 Python/3.11.6\nLinux/6.1', eventName: 'PutRolePolicy' };
  const cases: [string, string, string, boolean][] = [
    ['searches, unanchored', 'userAgent|re', 'Python/3\\.11', true],
    ['case-sensitive by default', 'userAgent|re', 'python', false],
    ['|i ignores case', 'userAgent|re|i', 'python', true],
    ['(?i) inline flag', 'userAgent|re', '(?i)PYTHON', true],
    ['$ is end of text without |m', 'userAgent|re', '3\\.11\\.6$', false],
    ['|m: $ at line ends', 'userAgent|re|m', '3\\.11\\.6$', true],
    ['. stops at newline without |s', 'userAgent|re', '3\\.11\\.6.Linux', false],
    ['|s: . matches newline', 'userAgent|re|s', '3\\.11\\.6.Linux', true],
    ['|startswith anchors at the start', 'userAgent|re|startswith', 'Python', false],
    ['|endswith anchors at the end', 'userAgent|re|endswith', 'Linux/6\\.1', true],
    ['named groups (?P<n>…) are accepted', 'eventName|re', '(?P<verb>Put)Role', true],
    ['escaped slash is a slash', 'userAgent|re', 'aws-cli\\/2', true],
  ];
  it.each(cases)('%s', (_name, key, pattern, expected) => {
    expect(detects(one(key, pattern), event)).toBe(expected);
  });
});

describe('patterns RE2 cannot run are refused at load', () => {
  const cases: [string, string, RegExp][] = [
    ['backreference', '(a)\\1', /bad regular expression "\(a\)\\\\1": .*backreferences/],
    ['named backreference', '(?<x>a)\\k<x>', /backreferences/],
    ['lookahead', 'foo(?=bar)', /lookaround/],
    ['negative lookahead', '^(?!root)', /lookaround/],
    ['lookbehind', '(?<=arn:)aws', /lookaround/],
    ['negative lookbehind', '(?<!x)y', /lookaround/],
    ['atomic group', '(?>a+)b', /atomic groups/],
    ['possessive quantifier', 'a*+b', /possessive quantifiers/],
    ['unclosed bracket', '[unclosed', /bad regular expression "\[unclosed": missing closing \]/],
    ['repeat count past RE2 limit', 'a{1001}', /invalid repeat count/],
  ];
  it.each(cases)('%s', (_name, pattern, message) => {
    const errors = compileErrors(one('userAgent|re', pattern));
    expect(errors).toEqual([expect.stringMatching(message)]);
    expect(errors[0]).toContain('https://github.com/google/re2/wiki/Syntax');
  });
});
