/**
 * Fields read exactly from a record's raw text (`knownFields`, `topLevelObject`) let the prefilter
 * rule out records by a rule's `not filter_*` selections. A wrong value would hide a true alert, so:
 * the value read must be the one `JSON.parse` gives, or none; a rule's three-valued answer on the
 * known fields must agree with its full match whenever it decides; and the engine must never rule
 * out a record a rule matches, on generated records with hostile placements of the key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectionRule } from '../../lib/rules';
import { loadRules, RuleEngine, shippedRulesDir } from '../../lib/rules';
import { knownFields, topLevelObject } from '../../lib/rules/raw-fields';
import { inlineEvents } from '../helpers/rule-equivalence';

const KEY = '"userIdentity"';

describe('topLevelObject reads a top-level object value, or nothing', () => {
  const cases: [string, string, unknown][] = [
    [
      'compact record',
      '{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"x"}}',
      { type: 'AWSService', invokedBy: 'x' },
    ],
    ['pretty-printed', '{\n  "userIdentity" : {\n    "type": "Root"\n  }\n}', { type: 'Root' }],
    [
      'quotes and braces inside strings',
      '{"userIdentity":{"arn":"a\\"}{[","type":"IAMUser"},"x":1}',
      { arn: 'a"}{[', type: 'IAMUser' },
    ],
    ['nested only (an envelope)', '{"detail-type":"x","detail":{"userIdentity":{"type":"Root"}}}', undefined],
    [
      'twice (JSON.parse keeps the last)',
      '{"userIdentity":{"type":"AWSService"},"userIdentity":{"type":"IAMUser"}}',
      undefined,
    ],
    ['once nested, once at the top', '{"a":{"userIdentity":{}},"userIdentity":{"type":"Root"}}', undefined],
    ['the key as a string value too', '{"userIdentity":{"type":"Root"},"note":"userIdentity"}', undefined],
    ['not an object', '{"userIdentity":"Root"}', undefined],
    ['null', '{"userIdentity":null}', undefined],
    ['top-level array', '[{"userIdentity":{"type":"Root"}}]', undefined],
    ['after the top-level object closed', '{"a":1}{"userIdentity":{"type":"Root"}}', undefined],
    ['inside an escaped string', '{"message":"{\\"userIdentity\\":{\\"type\\":\\"Root\\"}}"}', undefined],
    ['unterminated object', '{"userIdentity":{"type":"Root"', undefined],
    ['array closing an object', '{"userIdentity":{"type":"Root"]}', undefined],
    [
      'a backslash run before a quote',
      '{"userIdentity":{"arn":"a\\\\","type":"Root"}}',
      { arn: 'a\\', type: 'Root' },
    ],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(topLevelObject(text, KEY)).toEqual(expected);
  });
});

/** Values and keys that make the scanner's job hard: quotes, backslashes, braces, look-alike keys. */
const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom('userIdentity', '"userIdentity"', '\\', '"', '{', '}', '[', ']', ':', 'AWSService', '\\"'),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(hostileString, fc.constant('userIdentity')), tie('value'), { maxKeys: 3 }),
  ),
})).value;
const identity = fc.record(
  {
    type: fc.constantFrom('AWSService', 'AssumedRole', 'IAMUser', 'Root', 'AWSAccount', 'FederatedUser'),
    invokedBy: fc.constantFrom('lambda.amazonaws.com', 'AWS Internal'),
    principalId: fc.constantFrom('AROAEXAMPLE:i-0123456789abcdef0', 'AROAEXAMPLE:session', 'AIDAEXAMPLE'),
    arn: fc.string(),
  },
  { requiredKeys: ['type'] },
);

/** A record's text: keys in any order, the identity maybe nested, repeated or absent, any spacing. */
const recordText = fc
  .record({
    before: fc.dictionary(hostileString, jsonValue, { maxKeys: 3 }),
    identity: fc.option(identity, { nil: undefined }),
    after: fc.dictionary(hostileString, jsonValue, { maxKeys: 3 }),
    duplicate: fc.option(identity, { nil: undefined }),
    indent: fc.constantFrom(0, 2),
  })
  .map(({ before, identity, after, duplicate, indent }) => {
    const parts = [JSON.stringify(before, null, indent).slice(1, -1).trim()];
    if (identity !== undefined) parts.push(`"userIdentity":${JSON.stringify(identity, null, indent)}`);
    parts.push(JSON.stringify(after, null, indent).slice(1, -1).trim());
    if (duplicate !== undefined) parts.push(`"userIdentity":${JSON.stringify(duplicate)}`);
    return `{${parts.filter((part) => part !== '').join(',')}}`;
  });

describe('what is read is what JSON.parse gives', () => {
  it('for generated records with hostile keys and values', () => {
    fc.assert(
      fc.property(recordText, (text) => {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const read = topLevelObject(text, KEY);
        if (read !== undefined) expect(read).toEqual(parsed.userIdentity);
      }),
      { numRuns: 2000 },
    );
  });
});

const placeholders = {
  wide_permission_roles: [
    'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AWSAdministratorAccess_*',
  ],
  ci_principals: ['arn:aws:iam::*:role/github-actions-*'],
};

describe('rules decided on known fields agree with the full match', () => {
  const set = loadRules([shippedRulesDir()], { placeholders });
  const { detections } = set;
  const events: Record<string, unknown>[] = inlineEvents(set);
  const engine = new RuleEngine(detections);
  const matching = (record: Record<string, unknown>): DetectionRule[] =>
    detections.filter((rule) => rule.match(record));

  it('on every inline test event of the shipped pack, with its identity swapped for generated ones', () => {
    expect(events.length).toBeGreaterThan(300);
    fc.assert(
      fc.property(fc.constantFrom(...events), identity, fc.boolean(), (event, swapped, swap) => {
        const record = swap ? { ...event, userIdentity: swapped } : event;
        const text = JSON.stringify(record);
        const known = knownFields(text);
        for (const rule of detections) {
          const decided = known === undefined ? undefined : rule.partial?.(known);
          if (decided !== undefined) expect(rule.match(record)).toBe(decided);
        }
        if (matching(record).length > 0) expect(engine.mayMatchText(text)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('rules out a service assuming a role for itself, and keeps a person doing it', () => {
    const base = events.find(
      (event) => event.eventName === 'AssumeRole' && event.eventSource === 'sts.amazonaws.com',
    );
    expect(base).toBeDefined();
    const byService = {
      ...base,
      userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
      requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/x', roleSessionName: 'y' },
    };
    expect(matching(byService).map((rule) => rule.meta.title)).toEqual([]);
    expect(new RuleEngine(detections).mayMatchText(JSON.stringify(byService))).toBe(false);
  });
});
