import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { loadRules, runRuleTests } from '../../lib/rules';
import { detects, ruleDir } from '../helpers/rules';

/** Names that are keys of Object.prototype (or its setter): each must be a name like any other. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

const expandOn = (name: string): Record<string, unknown> => ({
  selection: { 'userIdentity.arn|expand': `%${name}%` },
  condition: 'selection',
});

describe('placeholders named like Object.prototype members are plain data', () => {
  it.each(PROTOTYPE_NAMES)('%%%s%% from trailwatch.yml matches its configured value only', (name) => {
    const config = parseConfig(
      `placeholders:\n  ${JSON.stringify(name)}: ['arn:aws:iam::*:user/alice']\n`,
      'c.yml',
    );
    expect(Object.keys(config.placeholders)).toEqual([name]);
    const alice = { userIdentity: { arn: 'arn:aws:iam::111122223333:user/alice' } };
    const bob = { userIdentity: { arn: 'arn:aws:iam::111122223333:user/bob' } };
    expect(detects(expandOn(name), alice, config.placeholders)).toBe(true);
    expect(detects(expandOn(name), bob, config.placeholders)).toBe(false);
  });

  it.each(PROTOTYPE_NAMES)('%%%s%% without a configured value matches nothing and warns', (name) => {
    const dir = ruleDir({
      'r.yml': `title: expand ${name}
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userIdentity.arn|expand: '%${name}%'
  condition: selection
`,
    });
    const set = loadRules([dir], { placeholders: {} });
    expect(set.errors).toEqual([]);
    expect(set.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining(`placeholder %${name}% has no values`),
    ]);
    expect(set.detections[0]?.match({ userIdentity: { arn: 'anything' } })).toBe(false);
  });

  it("a rule test's own placeholders named __proto__ are used", () => {
    const dir = ruleDir({
      'r.yml': `title: test placeholders
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName|expand: '%__proto__%'
  condition: selection
tests:
  - {expect: true, placeholders: {__proto__: [CreateUser]}, event: {eventName: CreateUser}}
  - {expect: false, placeholders: {__proto__: [CreateUser]}, event: {eventName: DeleteUser}}
`,
    });
    const set = loadRules([dir]);
    expect(set.errors).toEqual([]);
    const rule = set.detections[0];
    if (rule === undefined) throw new Error('the rule did not load');
    expect(runRuleTests(rule, {}).map((result) => result.passed)).toEqual([true, true]);
  });
});

describe('selection names like Object.prototype members are plain data', () => {
  it.each(PROTOTYPE_NAMES)('a selection named %s', (name) => {
    const detection = JSON.parse(
      JSON.stringify({ [name]: { eventName: 'CreateUser' }, condition: `${name}` }),
    ) as Record<string, unknown>;
    const dir = ruleDir({
      'r.yml': `title: selection ${name}
logsource: {product: aws, service: cloudtrail}
detection:
  ${JSON.stringify(name)}: {eventName: CreateUser}
  condition: ${name === '__proto__' ? "'__proto__'" : name}
`,
    });
    const set = loadRules([dir]);
    expect(set.errors.map(String)).toEqual([]);
    expect(set.detections[0]?.match({ eventName: 'CreateUser' })).toBe(true);
    expect(set.detections[0]?.match({ eventName: 'DeleteUser' })).toBe(false);
    expect(detects(detection, { eventName: 'CreateUser' })).toBe(true);
  });

  it('a condition naming an inherited member that is no selection is an error', () => {
    const dir = ruleDir({
      'r.yml': `title: no such selection
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: CreateUser}
  condition: selection and not toString
`,
    });
    expect(loadRules([dir]).errors.map(String)).toEqual([
      expect.stringMatching(/r\.yml:5: condition: the condition names 'toString', which is not a selection/),
    ]);
  });
});

describe('destinations named like Object.prototype members are plain data', () => {
  it.each(PROTOTYPE_NAMES)('a destination named %s is kept and can be routed to', (name) => {
    const config = parseConfig(
      `destinations:\n  ${JSON.stringify(name)}: {type: slack, webhook_url: {env: SLACK_HOOK}}\nrouting:\n  defaults: {high: [${JSON.stringify(name)}]}\n`,
      'c.yml',
    );
    expect(Object.keys(config.destinations)).toEqual([name]);
    expect(Object.hasOwn(config.destinations, name)).toBe(true);
  });

  it('a route naming an inherited member that is not defined is refused with its line', () => {
    expect(() => parseConfig('routing:\n  defaults: {high: [constructor]}\n', 'c.yml')).toThrow(
      /c\.yml:2: routing\.defaults\.high\.0: destination 'constructor' is not defined/,
    );
  });
});
