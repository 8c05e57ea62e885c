import { describe, expect, it } from 'vitest';
import { requiredLiteral } from '../../lib/rules/detection';
import type { RuleValue } from '../../lib/rules/modifiers/types';
import { SigmaString } from '../../lib/rules/sigma-string';

const string = (raw: string): RuleValue => ({ kind: 'string', text: SigmaString.parse(raw), raw });

describe('the literal a value needs in the raw JSON', () => {
  const cases: [string, RuleValue, string | undefined][] = [
    ['a plain value', string('ConsoleLogin'), 'consolelogin'],
    ['the longest piece between wildcards', string('*Unauthorized*Operation'), 'unauthorized'],
    ['stops at JSON structure', string('arn:aws:iam::*:role/Admin'), 'role/admin'],
    ['too short to help', string('*ab*'), undefined],
    ['a quote may be escaped', string('"a"'), undefined],
    ['booleans appear as words', { kind: 'boolean', value: false }, 'false'],
    ['numbers can be written many ways', { kind: 'number', value: 12 }, undefined],
    ['regular expressions give none', { kind: 'regex', pattern: 'Root', flags: '' }, undefined],
  ];
  for (const [description, value, expected] of cases)
    it(description, () => expect(requiredLiteral(value)).toBe(expected));
});
