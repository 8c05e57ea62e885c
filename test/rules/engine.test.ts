import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectionRule } from '../../lib/rules';
import { loadRules, RuleEngine, uniqueStringField } from '../../lib/rules';
import { eventKeys } from '../../lib/rules/engine';
import { ruleDir } from '../helpers/rules';

const rule = (title: string, detection: string) => `title: ${title}
logsource: {product: aws, service: cloudtrail}
detection:
${detection}
`;

function engineFor(files: Record<string, string>): { engine: RuleEngine; rules: readonly DetectionRule[] } {
  const set = loadRules([ruleDir(files)]);
  if (set.errors.length > 0) throw new Error(set.errors.join('\n'));
  return { engine: new RuleEngine(set.detections), rules: set.detections };
}

const byName = rule(
  'by name',
  '  s: {eventSource: iam.amazonaws.com, eventName: [CreateUser, DeleteUser]}\n  condition: s',
);
const bySource = rule('by source', '  s: {eventSource: kms.amazonaws.com}\n  condition: s');
const orBoth = rule(
  'or of names',
  '  a: {eventName: StopLogging}\n  b: {eventName: DeleteTrail}\n  condition: a or b',
);
const unindexed = rule('root', '  s: {userIdentity.type: Root}\n  condition: s');

describe('the text tests', () => {
  it('are compiled when a record first needs them, only for the rules it may match', () => {
    const { rules } = engineFor({ '1.yml': byName, '2.yml': bySource, '3.yml': orBoth, '4.yml': unindexed });
    const read: string[] = [];
    // Each rule's text test, read through a getter that notes which rule's was asked for.
    const counted = rules.map((original) => ({
      ...original,
      get text() {
        read.push(original.meta.title);
        return original.text;
      },
    }));
    const engine = new RuleEngine(counted);
    expect(read).toEqual([]);
    const record = {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      userIdentity: { type: 'IAMUser' },
    };
    const raw = JSON.stringify(record);
    engine.mayMatchText(raw);
    engine.evaluate(record, raw);
    expect([...new Set(read)].sort()).toEqual(['by name', 'root']);
  });
});

describe('the rule index', () => {
  it('tests a record only against rules that could match it', () => {
    const { engine } = engineFor({ '1.yml': byName, '2.yml': bySource, '3.yml': orBoth });
    const titles = (record: Record<string, unknown>) => engine.candidates(record).map((r) => r.meta.title);
    expect(titles({ eventSource: 'iam.amazonaws.com', eventName: 'createuser' })).toEqual(['by name']);
    expect(titles({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' })).toEqual(['by source']);
    expect(titles({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail' })).toEqual([
      'or of names',
    ]);
    expect(titles({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })).toEqual([]);
  });

  it('indexes each alternative of an OR on its own most selective key', () => {
    const mixed = rule(
      'mixed',
      '  lambda: {eventSource: lambda.amazonaws.com, eventName|startswith: Create}\n  ec2: {eventSource: ec2.amazonaws.com, eventName: RunInstances}\n  condition: lambda or ec2',
    );
    const { engine } = engineFor({ '1.yml': mixed });
    const titles = (record: Record<string, unknown>) => engine.candidates(record).map((r) => r.meta.title);
    expect(titles({ eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunction20150331' })).toEqual([
      'mixed',
    ]);
    expect(titles({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' })).toEqual(['mixed']);
    expect(titles({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' })).toEqual([]);
  });

  it('keeps rules it cannot index on every record', () => {
    const { engine } = engineFor({ '1.yml': byName, '4.yml': unindexed });
    expect(
      engine.candidates({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' }).map((r) => r.meta.title),
    ).toEqual(['root']);
  });

  it('never indexes through not, neq, wildcards or modifiers', () => {
    const rules = [
      rule('not', '  s: {eventName: CreateUser}\n  condition: not s'),
      rule('neq', '  s: {eventName|neq: CreateUser}\n  condition: s'),
      rule('wild', '  s: {eventName: Create*}\n  condition: s'),
      rule('contains', '  s: {eventName|contains: User}\n  condition: s'),
      rule(
        'or with another field',
        '  a: {eventName: CreateUser}\n  b: {errorCode: AccessDenied}\n  condition: a or b',
      ),
    ];
    const { rules: loaded } = engineFor(Object.fromEntries(rules.map((text, i) => [`${i}.yml`, text])));
    for (const r of loaded) expect(r.requirement, r.meta.title).toBeUndefined();
  });
});

describe('ruling out records from their text', () => {
  const { engine } = engineFor({ '1.yml': byName, '2.yml': bySource });
  const cases: [string, string, boolean][] = [
    ['an indexed event name', '{"eventSource":"iam.amazonaws.com","eventName":"CreateUser"}', true],
    ['an indexed source', '{"eventSource":"kms.amazonaws.com","eventName":"Decrypt"}', true],
    ['nothing indexed', '{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}', false],
    ['pretty-printed', '{\n  "eventSource" : "s3.amazonaws.com",\n  "eventName": "GetObject"\n}', false],
    [
      'a key that occurs twice is unclear',
      '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"eventName":"x"}}',
      true,
    ],
    ['an escaped value is unclear', '{"eventSource":"s3.amazonaws.com","eventName":"Get\\u004fbject"}', true],
    [
      'an S3 notification is never ruled out',
      '{"eventSource":"aws:s3","eventName":"ObjectCreated:Put"}',
      true,
    ],
    ['no event name is unclear', '{"eventSource":"s3.amazonaws.com"}', true],
    ['an envelope is parsed', '{"Type":"Notification","Message":"{}"}', true],
  ];
  for (const [description, text, expected] of cases)
    it(description, () => expect(engine.mayMatchText(text)).toBe(expected));

  it('rules out records by the literals unindexed rules need', () => {
    const { engine: withRoot } = engineFor({ '1.yml': byName, '4.yml': unindexed });
    const s3 = (extra: string) => `{"eventSource":"s3.amazonaws.com","eventName":"GetObject"${extra}}`;
    expect(withRoot.mayMatchText(s3(',"userIdentity":{"type":"IAMUser"}'))).toBe(false);
    expect(withRoot.mayMatchText(s3(',"userIdentity":{"type":"Root"}'))).toBe(true);
    expect(withRoot.mayMatchText(s3(',"userIdentity":{"type":"\\u0052oot"}'))).toBe(true);
  });

  it('rules out everything an unset placeholder makes unmatchable', () => {
    const placeholderRule = rule('admins', "  s: {userIdentity.arn|expand: '%admins%'}\n  condition: s");
    const { engine: unset } = engineFor({ '5.yml': placeholderRule });
    expect(
      unset.mayMatchText(
        '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"arn":"x"}}',
      ),
    ).toBe(false);
  });

  describe("an unindexed rule's eventName and eventSource branches", () => {
    // One branch needs no name (so the rule is tried on every record), the other pins one.
    const consoler = rule(
      'tool or consoler',
      [
        '  tool: {userAgent|contains: Pacu-Session}',
        '  consoler: {eventSource: sts.amazonaws.com, eventName: AssumeRole, requestParameters.roleSessionName: aws_consoler}',
        '  condition: tool or consoler',
      ].join('\n'),
    );
    // Unindexed too (a contains is no index key), and decided by the name alone.
    const nameContains = rule('name contains', '  s: {eventName|contains: RoleWith}\n  condition: s');
    const { engine: tools, rules } = engineFor({ '1.yml': consoler, '2.yml': nameContains });
    const text = (name: string, session: string, agent = 'aws-cli/2', nameKey = 'eventName') =>
      `{"eventSource":"sts.amazonaws.com","${nameKey}":"${name}","userAgent":"${agent}","requestParameters":{"roleSessionName":"${session}"}}`;
    const cases: [string, string, boolean][] = [
      ['the pinned name and the value', text('AssumeRole', 'aws_consoler'), true],
      ['the pinned name, another value', text('AssumeRole', 'alice'), false],
      ['the value under another name', text('GetFederationToken', 'aws_consoler'), false],
      ['the other branch under any name', text('GetCallerIdentity', 'x', 'Pacu-Session-1'), true],
      // JSON.parse keeps the last of two keys, and this one is spelled with an escape.
      [
        'a second eventName spelled with an escape',
        `${text('GetCallerIdentity', 'aws_consoler').slice(0, -1)},"event\\u004eame":"AssumeRole"}`,
        true,
      ],
      ["a name holding the other rule's value", text('AssumeRoleWithSAML', 'x'), true],
    ];
    for (const [description, record, expected] of cases)
      it(description, () => expect(tools.mayMatchText(record)).toBe(expected));

    it('answers records with names too long to keep, by the general tests', () => {
      const long = `AssumeRoleWith${'X'.repeat(10_000)}`;
      expect(tools.mayMatchText(text(long, 'x'))).toBe(true);
      expect(tools.mayMatchText(text(`Get${'X'.repeat(10_000)}`, 'x'))).toBe(false);
    });

    it('reads an escape as unclear where the name alone decides every rule', () => {
      const { engine: byNameAlone } = engineFor({ '2.yml': nameContains });
      expect(byNameAlone.mayMatchText(text('GetCallerIdentity', 'x'))).toBe(false);
      const escaped = `${text('GetCallerIdentity', 'x').slice(0, -1)},"event\\u004eame":"AssumeRoleWithSAML"}`;
      expect(byNameAlone.mayMatchText(escaped)).toBe(true);
    });

    it('never rules out a record the rule matches, across more pairs than it specialises (property)', () => {
      const names = fc.oneof(
        fc.constantFrom('AssumeRole', 'assumerole', 'AssumeRoleWithSAML', 'GetCallerIdentity', 'XAssumeRole'),
        fc.stringMatching(/^[A-Za-z]{1,12}$/),
      );
      const sessions = fc.constantFrom('aws_consoler', 'AWS_Consoler', 'alice', 'x-aws_consoler-y');
      const agents = fc.constantFrom('aws-cli/2', 'Pacu-Session-7', 'pacu-session', 'boto3');
      fc.assert(
        fc.property(names, sessions, agents, (name, session, agent) => {
          const record = text(name, session, agent);
          const parsed = JSON.parse(record) as Record<string, unknown>;
          if (rules.some((r) => r.match(parsed))) expect(tools.mayMatchText(record)).toBe(true);
        }),
        { numRuns: 12_000 },
      );
    });
  });

  it('reads eventName as uniqueStringField does, so the actor reader can take it (property)', () => {
    const piece = fc.constantFrom(
      '"eventName"',
      '"eventSource"',
      ':',
      ' ',
      '"',
      '\\',
      'vent',
      '"e',
      'Name"',
      'x',
      ',',
    );
    const text = fc
      .array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 12 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(eventKeys(t).name).toBe(uniqueStringField(t, '"eventName"'));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a unique field', () => {
    expect(uniqueStringField('{"a":"x", "b" :\t"y"}', '"b"')).toBe('y');
    expect(uniqueStringField('{"a":"x"}', '"b"')).toBeUndefined();
  });
});

describe('evaluation', () => {
  it('a rule that throws yields an error outcome and the others still match', () => {
    const { rules } = engineFor({ '1.yml': byName });
    const good = rules[0] as DetectionRule;
    const throwing: DetectionRule = {
      ...good,
      meta: { ...good.meta, title: 'throws', id: 'throws' },
      match: () => {
        throw new Error('boom');
      },
    };
    const engine = new RuleEngine([throwing, good]);
    const outcomes = engine.evaluate({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' });
    expect(outcomes.map((o) => [o.kind, o.rule.meta.title])).toEqual([
      ['error', 'throws'],
      ['match', 'by name'],
    ]);
    expect(outcomes[0]).toMatchObject({ message: 'boom' });
  });
});

describe('which records need their actor first', () => {
  // A rule reading `actor.*` fires only on an attributed record, so the engine must say so for any
  // such key, wherever the detection holds it; a field that merely starts with "actor" is not one.
  const record = { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' };
  const selectionOf = (body: string) => `  s: ${body}\n  condition: s`;
  it.each([
    ['a field of the person', selectionOf('{eventName: CreateUser, actor.person.name: alice}'), true],
    ['a field with modifiers', selectionOf('{eventName: CreateUser, actor.via|contains: console}'), true],
    ['the namespace itself', selectionOf('{eventName: CreateUser, actor|exists: true}'), true],
    [
      'a map inside a list',
      selectionOf('[{eventName: DeleteUser}, {eventName: CreateUser, actor.session: x}]'),
      true,
    ],
    [
      'a later selection',
      '  a: {eventName: CreateUser}\n  b: {actor.interface: cli}\n  condition: a and b',
      true,
    ],
    ['no actor field', selectionOf('{eventName: CreateUser, userIdentity.type: IAMUser}'), false],
    [
      'an actor field in a value, not a key',
      selectionOf('{eventName: CreateUser, requestParameters.userName: actor.person}'),
      false,
    ],
  ])('%s', (_what, detection, needed) => {
    const { engine } = engineFor({ 'a.yml': rule('actor', detection) });
    expect(engine.needsActor(record)).toBe(needed);
  });
});
