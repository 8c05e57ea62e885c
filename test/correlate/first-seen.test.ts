import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor/types';
import { FirstSeenEngine } from '../../lib/correlate';
import type { CloudTrailRecord } from '../../lib/records';
import type { DetectionRule } from '../../lib/rules';
import { FIRST_SEEN_TRANSFORMS, loadRules, networkOf } from '../../lib/rules';
import { MemoryStateStore } from '../../lib/state';
import { namedActor } from '../factories/actors';
import { ruleDir } from '../helpers/rules';

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T00:00:00Z');

function firstSeenRule(firstSeen: string): DetectionRule {
  const set = loadRules([
    ruleDir({
      'rule.yml': `title: first-seen test rule
id: first-seen-test
level: medium
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventSource: ec2.amazonaws.com}
  condition: selection
${firstSeen}`,
    }),
  ]);
  expect(set.errors.map(String)).toEqual([]);
  return set.detections[0] as DetectionRule;
}

let serial = 0;
function record(region: string, day: number, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventID: `event-${++serial}`,
    eventTime: new Date(T0 + day * DAY).toISOString(),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: region,
    sourceIPAddress: '203.0.113.10',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
    recipientAccountId: '111122223333',
    ...extra,
  } as CloudTrailRecord;
}

const REGION_PER_PERSON = `first_seen:
  fields: [awsRegion]
  group-by: [actor.person.name]
  learning: 7d
  forget: 30d
`;

describe('first-seen rules', () => {
  /** Each step: who, which region, which day, and whether it alerts. */
  const SCENARIOS: {
    name: string;
    steps: [person: string, region: string, day: number, alerts: boolean][];
  }[] = [
    {
      name: 'nothing alerts while learning; afterwards a known person in a new region does, once',
      steps: [
        ['alice', 'us-east-1', 0, false],
        ['alice', 'eu-west-1', 3, false],
        ['alice', 'us-east-1', 8, false],
        ['alice', 'sa-east-1', 9, true],
        ['alice', 'sa-east-1', 9.5, false],
      ],
    },
    {
      name: 'a person new after learning is learned, not reported; their next new region is',
      steps: [
        ['alice', 'us-east-1', 0, false],
        ['bob', 'us-east-1', 10, false],
        ['bob', 'us-west-2', 11, true],
      ],
    },
    {
      name: 'a region is new per person',
      steps: [
        ['alice', 'us-east-1', 0, false],
        ['bob', 'eu-west-1', 1, false],
        ['alice', 'eu-west-1', 10, true],
      ],
    },
    {
      name: 'a region unused for longer than forget is new again',
      steps: [
        ['alice', 'us-east-1', 0, false],
        ['alice', 'ap-south-1', 1, false],
        ['alice', 'us-east-1', 40, false],
        ['alice', 'ap-south-1', 41, true],
      ],
    },
  ];

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const engine = new FirstSeenEngine(new MemoryStateStore());
      const rule = firstSeenRule(REGION_PER_PERSON);
      for (const [person, region, day, alerts] of scenario.steps) {
        const alert = await engine.alertFor(rule, record(region, day), undefined, namedActor(person));
        expect(alert !== undefined, `${person} ${region} day ${day}`).toBe(alerts);
      }
    });
  }

  it('says what was new, for whom, in the alert', async () => {
    const engine = new FirstSeenEngine(new MemoryStateStore());
    const rule = firstSeenRule(REGION_PER_PERSON);
    await engine.alertFor(rule, record('us-east-1', 0), undefined, namedActor('alice'));
    const alert = await engine.alertFor(rule, record('sa-east-1', 8), undefined, namedActor('alice'));
    expect(alert?.summary).toMatch(/^First seen for actor\.person\.name=alice: awsRegion=sa-east-1\. /);
    expect(alert?.fields).toMatchObject({ awsRegion: 'sa-east-1', 'actor.person.name': 'alice' });
  });

  it('a retried event alerts again with the same alert id (delivery dedups it), another event does not', async () => {
    const state = new MemoryStateStore();
    const engine = new FirstSeenEngine(state);
    const rule = firstSeenRule(REGION_PER_PERSON);
    await engine.alertFor(rule, record('us-east-1', 0), undefined, namedActor('alice'));
    const event = record('sa-east-1', 8);
    const first = await engine.alertFor(rule, event, undefined, namedActor('alice'));
    // A retried invocation: a fresh process on the same state.
    const retried = await new FirstSeenEngine(state).alertFor(rule, event, undefined, namedActor('alice'));
    expect(first?.id).toBeDefined();
    expect(retried?.id).toBe(first?.id);
    expect(
      await engine.alertFor(rule, record('sa-east-1', 8.1), undefined, namedActor('alice')),
    ).toBeUndefined();
  });

  it('a record without a value for a field, or an unknown person, is neither reported nor learned', async () => {
    const engine = new FirstSeenEngine(new MemoryStateStore());
    const rule = firstSeenRule(REGION_PER_PERSON);
    const unknown: Actor = { ...namedActor('x'), person: { name: null, arn: null, kind: 'unknown' } };
    expect(await engine.judge(rule, record('us-east-1', 0), unknown)).toEqual({
      kind: 'incomplete',
      field: 'actor.person.name',
    });
    expect(await engine.judge(rule, record('', 0), namedActor('alice'))).toEqual({
      kind: 'incomplete',
      field: 'awsRegion',
    });
  });

  it('learn-only (a baseline run) alerts on nothing but remembers everything', async () => {
    const state = new MemoryStateStore();
    const rule = firstSeenRule(REGION_PER_PERSON);
    const baseline = new FirstSeenEngine(state, { learnOnly: true });
    for (const [region, day] of [
      ['us-east-1', 0],
      ['eu-west-1', 10],
    ] as const)
      expect(
        await baseline.alertFor(rule, record(region, day), undefined, namedActor('alice')),
      ).toBeUndefined();
    const live = new FirstSeenEngine(state);
    expect(
      await live.alertFor(rule, record('eu-west-1', 12), undefined, namedActor('alice')),
    ).toBeUndefined();
    expect(await live.alertFor(rule, record('ap-east-1', 12), undefined, namedActor('alice'))).toBeDefined();
  });

  it('compares fields through their transform', async () => {
    const rule = firstSeenRule(`first_seen:
  fields: [sourceIPAddress|network]
  group-by: [userIdentity.arn|role]
  learning: 1d
`);
    const engine = new FirstSeenEngine(new MemoryStateStore());
    const session = (name: string) => ({
      type: 'AssumedRole',
      arn: `arn:aws:sts::111122223333:assumed-role/web/${name}`,
    });
    const at = (ip: string, day: number, name: string) =>
      engine.alertFor(rule, record('us-east-1', day, { sourceIPAddress: ip, userIdentity: session(name) }));
    expect(await at('198.51.100.7', 0, 'i-1')).toBeUndefined();
    expect(await at('198.51.100.200', 2, 'i-2')).toBeUndefined(); // same /24, same role
    expect(await at('192.0.2.1', 3, 'i-3')).toBeDefined();
  });

  it('rules naming the same fields keep their own history, and a transform is part of the name', async () => {
    const rule = (id: string, field: string): DetectionRule => {
      const loaded = firstSeenRule(`first_seen:\n  fields: [${field}]\n  learning: 1d\n`);
      return { ...loaded, meta: { ...loaded.meta, id } };
    };
    const exact = rule('exact', 'sourceIPAddress');
    const copy = rule('copy', 'sourceIPAddress');
    const network = rule('network', 'sourceIPAddress|network');
    const engine = new FirstSeenEngine(new MemoryStateStore());
    const at = (ip: string, day: number) => record('us-east-1', day, { sourceIPAddress: ip });
    // Each record is judged by all three rules in turn, as the pipeline does for one record.
    const judged = async (event: CloudTrailRecord) => {
      const alerted: string[] = [];
      for (const r of [exact, network, copy]) if (await engine.alertFor(r, event)) alerted.push(r.meta.id);
      return alerted;
    };
    expect(await judged(at('198.51.100.7', 0))).toEqual([]);
    // A new address in the same /24: new to the exact rules, not to the network one.
    expect(await judged(at('198.51.100.9', 2))).toEqual(['exact', 'copy']);
    expect(await judged(at('192.0.2.1', 3))).toEqual(['exact', 'network', 'copy']);
    // The copy first sees an address the others know: it alerts alone.
    const event = at('203.0.113.5', 4);
    expect(await engine.alertFor(exact, event)).toBeDefined();
    expect(await engine.alertFor(exact, at('203.0.113.5', 5))).toBeUndefined();
    expect(await engine.alertFor(copy, at('203.0.113.5', 5))).toBeDefined();
  });

  it('never alerts twice for one combination, and alerts for each new one after learning (property)', async () => {
    const rule = firstSeenRule(`first_seen:
  fields: [awsRegion]
  learning: 2d
  forget: 1000d
`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'), fc.integer({ min: 0, max: 20 })), {
          maxLength: 40,
        }),
        async (steps) => {
          const sorted = [...steps].sort((a, b) => a[1] - b[1]);
          const engine = new FirstSeenEngine(new MemoryStateStore());
          const alerted: string[] = [];
          for (const [region, day] of sorted) {
            if (await engine.alertFor(rule, record(region, day))) alerted.push(region);
          }
          const start = sorted[0]?.[1] ?? 0;
          const firstDay = new Map<string, number>();
          for (const [region, day] of sorted) if (!firstDay.has(region)) firstDay.set(region, day);
          const expected = [...firstDay].filter(([, day]) => day >= start + 2).map(([region]) => region);
          expect(alerted).toEqual(expected);
        },
      ),
    );
  });
});

describe('first-seen transforms', () => {
  const NETWORKS: [string, string][] = [
    ['203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::/48'],
    ['2001:0db8:0000:0042::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['AWS Internal', 'AWS Internal'],
    ['lambda.amazonaws.com', 'lambda.amazonaws.com'],
  ];
  it.each(NETWORKS)('network(%s) is %s', (address, network) => expect(networkOf(address)).toBe(network));

  it.each([
    ['arn:aws:sts::111122223333:assumed-role/Deploy/i-0abc', 'arn:aws:iam::111122223333:role/Deploy'],
    ['arn:aws-us-gov:sts::111122223333:assumed-role/A/b@c', 'arn:aws-us-gov:iam::111122223333:role/A'],
    ['arn:aws:iam::111122223333:user/alice', 'arn:aws:iam::111122223333:user/alice'],
  ])('role(%s) is %s', (arn, role) => expect(FIRST_SEEN_TRANSFORMS.get('role')?.(arn)).toBe(role));
});

describe('first-seen rule errors', () => {
  it.each([
    ['first_seen:\n  fields: [sourceIPAddress|country]\n', /rule\.yml:\d+: .*unknown transform 'country'/],
    ['first_seen:\n  fields: []\n', /first_seen\.fields/],
    [
      'first_seen:\n  fields: [awsRegion]\n  learning: 30d\n  forget: 7d\n',
      /forget .* longer than the learning/,
    ],
    ['first_seen:\n  fields: [awsRegion]\n  window: 7d\n', /first_seen/],
  ])('%j is refused with its location', (block, message) => {
    const set = loadRules([
      ruleDir({
        'rule.yml': `title: bad first-seen
logsource: {product: aws, service: cloudtrail}
detection: {selection: {eventName: RunInstances}, condition: selection}
${block}`,
      }),
    ]);
    expect(set.detections).toHaveLength(0);
    expect(set.errors.map(String).join('\n')).toMatch(message);
  });
});
