import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, runRuleTests } from '../../lib/rules';
import { ruleDir } from '../helpers/rules';

const good = `title: IAM user created
id: 0f1d7d39-0000-4000-8000-000000000001
name: iam_user_created
level: low
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventSource: iam.amazonaws.com
    eventName: CreateUser
  condition: selection
tests:
  - name: a user is created
    expect: true
    event: {eventSource: iam.amazonaws.com, eventName: CreateUser}
  - name: a user is deleted
    expect: false
    event: {eventSource: iam.amazonaws.com, eventName: DeleteUser}
`;

describe('loading rules', () => {
  it('reports each bad rule with file:line and still loads the good ones', () => {
    const dir = ruleDir({
      'a-good.yml': good,
      'b-bad-modifier.yml': `title: bad modifier
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName|contain: CreateUser
  condition: selection
`,
      'c-undefined-selection.yml': `title: undefined selection
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: CreateUser
  condition: selection and not filter
`,
      'd-bad-regex.yml': `title: bad regex
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userAgent|re: '[unclosed'
  condition: selection
`,
      'e-yaml.yml': 'title: [unclosed\n',
      'f-level.yml': `title: bad level
level: severe
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventName: x}, condition: selection}
`,
      'g-windows.yml': `title: windows rule
logsource: {product: windows, category: process_creation}
detection: {selection: {Image: x}, condition: selection}
`,
      'h-duplicate.yml': good.replace('IAM user created', 'a copy'),
      'notes.txt': 'not a rule',
    });
    const set = loadRules([dir]);
    expect(set.detections.map((r) => r.meta.title)).toEqual(['IAM user created']);
    const messages = set.errors.map((e) => e.toString().replace(`${dir}/`, ''));
    expect(messages).toEqual([
      expect.stringMatching(/^b-bad-modifier\.yml:5: unknown modifier 'contain'/),
      expect.stringMatching(
        /^c-undefined-selection\.yml:6: condition: the condition names 'filter', which is not a selection/,
      ),
      expect.stringMatching(/^d-bad-regex\.yml:5: bad regular expression/),
      expect.stringMatching(/^e-yaml\.yml:\d+: YAML: /),
      expect.stringMatching(/^f-level\.yml:2: level: /),
      expect.stringMatching(
        /^g-windows\.yml:2: logsource is .*trailwatch reads product: aws, service: cloudtrail/,
      ),
      expect.stringMatching(
        /^h-duplicate\.yml:1: id 0f1d7d39-0000-4000-8000-000000000001 is already used by 'IAM user created'/,
      ),
    ]);
    expect(set.files).toBe(8);
  });

  it('reports every problem of one rule, not only the first', () => {
    const dir = ruleDir({
      'many.yml': `title: many problems
logsource: {product: aws, service: cloudtrail}
detection:
  one:
    eventName|nope: x
  two:
    sourceIPAddress|cidr: not-a-network
  condition: one or two
`,
    });
    const messages = loadRules([dir]).errors.map((e) => e.toString());
    expect(messages).toEqual([
      expect.stringMatching(/many\.yml:5: unknown modifier 'nope'/),
      expect.stringMatching(/many\.yml:7: "not-a-network" is not a CIDR/),
    ]);
  });

  it('tolerates keys written by other Sigma tools', () => {
    const dir = ruleDir({ 'extra.yml': `${good}custom_field: {anything: [1, 2]}\nx-vendor: yes\n` });
    const set = loadRules([dir]);
    expect(set.errors).toEqual([]);
    expect(set.detections).toHaveLength(1);
  });

  it('says where an unset placeholder is used', () => {
    const dir = ruleDir({
      'ph.yml': `title: placeholder
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userIdentity.arn|expand: '%admins%'
  condition: selection
`,
    });
    const set = loadRules([dir]);
    expect(set.warnings.map((w) => `${w.location.line}: ${w.message}`)).toEqual([
      '4: placeholder %admins% has no values in trailwatch.yml (placeholders.admins); it matches nothing',
    ]);
    expect(loadRules([dir], { placeholders: { admins: ['arn:*'] } }).warnings).toEqual([]);
  });

  it('a missing path is an error, not silence', () => {
    expect(loadRules([join(ruleDir({}), 'nope')]).errors.map((e) => e.message)).toEqual([
      'no such file or directory',
    ]);
  });
});

describe('correlation rules', () => {
  const correlation = (body: string) => `${good}---
title: many users created
id: 0f1d7d39-0000-4000-8000-0000000000c1
${body}`;

  it('load and resolve the rules they name by name or id', () => {
    const dir = ruleDir({
      'c.yml': correlation(`correlation:
  type: event_count
  rules: [iam_user_created]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: {gte: 5}
`),
    });
    const set = loadRules([dir]);
    expect(set.errors).toEqual([]);
    expect(set.correlations[0]).toMatchObject({
      type: 'event_count',
      ruleIds: ['0f1d7d39-0000-4000-8000-000000000001'],
      groupBy: ['userIdentity.arn'],
      timespanMs: 600_000,
      condition: { gte: 5 },
    });
  });

  const bad: [string, string, RegExp][] = [
    [
      'an unknown rule',
      'correlation: {type: event_count, rules: [nobody], timespan: 1h, condition: {gte: 2}}',
      /c\.yml:\d+: correlation names rule 'nobody', which is not loaded/,
    ],
    [
      'a bad timespan',
      'correlation: {type: event_count, rules: [iam_user_created], timespan: 10 minutes, condition: {gte: 2}}',
      /correlation\.timespan: a duration such as 30s/,
    ],
    [
      'a timespan of no time',
      'correlation: {type: event_count, rules: [iam_user_created], timespan: 0s, condition: {gte: 2}}',
      /correlation\.timespan: a duration longer than 0/,
    ],
    [
      'a timespan past exact milliseconds',
      'correlation: {type: event_count, rules: [iam_user_created], timespan: 99999999999999999999w, condition: {gte: 2}}',
      /correlation\.timespan: a duration of at most 14,892,855 weeks/,
    ],
    [
      'a negative count',
      'correlation: {type: event_count, rules: [iam_user_created], timespan: 1h, condition: {gte: -1}}',
      /correlation\.condition\.gte: a count, 0 or more/,
    ],
    [
      'a missing threshold',
      'correlation: {type: event_count, rules: [iam_user_created], timespan: 1h}',
      /needs a condition such as \{gte: 5\}/,
    ],
    [
      'value_count without field',
      'correlation: {type: value_count, rules: [iam_user_created], timespan: 1h, condition: {gte: 2}}',
      /names the field to count/,
    ],
    [
      'an unknown type',
      'correlation: {type: sum, rules: [iam_user_created], timespan: 1h}',
      /correlation\.type: /,
    ],
  ];
  for (const [description, body, message] of bad) {
    it(`are rejected for ${description}`, () => {
      const set = loadRules([ruleDir({ 'c.yml': correlation(`${body}\n`) })]);
      expect(set.correlations).toEqual([]);
      expect(set.detections).toHaveLength(1);
      expect(set.errors.map((e) => e.toString())).toEqual([expect.stringMatching(message)]);
    });
  }
});

describe('inline rule tests', () => {
  it('pass, and explain a failure by selection', () => {
    const broken = good.replace('expect: false', 'expect: true');
    const [rule] = loadRules([ruleDir({ 'r.yml': broken })]).detections;
    if (!rule) throw new Error('rule did not load');
    const results = runRuleTests(rule, {});
    expect(results.map((r) => r.passed)).toEqual([true, false]);
    expect(results[1]?.why).toBe(
      'expected a match but the rule did not match: selection did not match; condition: selection',
    );
  });

  it('use their own placeholder values and fixture files', () => {
    const dir = ruleDir({
      'r.yml': `title: admin acts
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userIdentity.arn|expand: '%admins%'
  condition: selection
tests:
  - expect: true
    placeholders: {admins: ['arn:aws:iam::*:user/root-like']}
    file: event.json
  - expect: false
    file: event.json
`,
      'event.json': JSON.stringify({ userIdentity: { arn: 'arn:aws:iam::1:user/root-like' } }),
    });
    const [rule] = loadRules([dir]).detections;
    if (!rule) throw new Error('rule did not load');
    expect(runRuleTests(rule, {}).map((r) => r.passed)).toEqual([true, true]);
  });
});
