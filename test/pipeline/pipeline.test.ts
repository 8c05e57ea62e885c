import { describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/alerts';
import type { TrailwatchConfig } from '../../lib/config';
import { parseConfig } from '../../lib/config';
import type { DeliveryResult, Destination } from '../../lib/notify';
import type { AlertOutcome } from '../../lib/pipeline';
import { AlertPipeline, DeliveryError, throwIfRetryable } from '../../lib/pipeline';
import type { CloudTrailRecord } from '../../lib/records';
import type { DetectionRule, RuleSet } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import { MemoryStateStore } from '../../lib/state';
import { ruleDir } from '../helpers/rules';

const RULES = ruleDir({
  'failed-login.yml': `title: Console sign-in failed
id: aaaaaaaa-0000-4000-8000-000000000001
name: failed_login
level: low
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: ConsoleLogin, errorMessage: Failed authentication}, condition: s}
---
title: Five failed sign-ins for one user
id: aaaaaaaa-0000-4000-8000-0000000000c1
level: high
correlation: {type: event_count, rules: [failed_login], group-by: [userIdentity.arn], timespan: 10m, condition: {gte: 5}, generate: true}
`,
  'secret.yml': `title: Secret read
id: aaaaaaaa-0000-4000-8000-000000000002
name: secret_read
level: informational
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: GetSecretValue}, condition: s}
---
title: Many secrets read
id: aaaaaaaa-0000-4000-8000-0000000000c2
level: high
correlation: {type: value_count, rules: [secret_read], group-by: [userIdentity.arn], timespan: 10m, condition: {field: requestParameters.secretId, gte: 3}}
`,
  'temporal.yml': `title: Trail stopped
id: aaaaaaaa-0000-4000-8000-000000000004
name: trail_stopped
level: low
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: StopLogging}, condition: s}
---
title: Trail deleted
id: aaaaaaaa-0000-4000-8000-000000000005
name: trail_deleted
level: low
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: DeleteTrail}, condition: s}
---
title: Trail stopped then deleted
id: aaaaaaaa-0000-4000-8000-0000000000c3
level: critical
correlation: {type: temporal_ordered, rules: [trail_stopped, trail_deleted], group-by: [userIdentity.arn], timespan: 30m}
`,
  'stop.yml': `title: Logging stopped
id: aaaaaaaa-0000-4000-8000-000000000003
level: critical
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: StopLogging}, condition: s}
dedup: {fields: [userIdentity.arn], window: 1h}
`,
});
const set = loadRules([RULES]);
const rule = (name: string): DetectionRule =>
  set.detections.find((r) => r.meta.title === name) as DetectionRule;

let counter = 0;
function record(eventName: string, minute: number, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  counter++;
  return {
    eventVersion: '1.09',
    eventTime: new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString(),
    eventSource: 'signin.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    eventID: `ev-${counter}`,
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
    recipientAccountId: '111122223333',
    ...extra,
  };
}

/** A destination that records what it got and answers as told. */
function fakeDestination(name: string, answers: DeliveryResult[] = []): Destination & { sent: Alert[] } {
  const sent: Alert[] = [];
  return {
    name,
    type: 'fake',
    sent,
    send: async (alert) => {
      sent.push(alert);
      return answers.shift() ?? { ok: true, attempts: 1 };
    },
  };
}

function config(extra = ''): TrailwatchConfig {
  return parseConfig(
    `destinations:
  slack: {type: slack, webhook_url: {env: X}}
  pager: {type: pagerduty, routing_key: {env: Y}}
routing:
  defaults: {critical: [slack, pager], high: [slack], low: [slack], informational: [slack]}
${extra}`,
    'trailwatch.yml',
    Date.UTC(2025, 0, 1),
  );
}

function pipeline(
  destinations: Destination[],
  cfg: TrailwatchConfig = config(),
  state = new MemoryStateStore(),
) {
  return new AlertPipeline({
    config: cfg,
    rules: set as RuleSet,
    state,
    destinations: new Map(destinations.map((d) => [d.name, d])),
    now: () => Date.UTC(2025, 0, 1),
  });
}

async function feed(
  p: AlertPipeline,
  ruleName: string,
  records: CloudTrailRecord[],
): Promise<AlertOutcome[]> {
  const outcomes: AlertOutcome[] = [];
  for (const r of records) outcomes.push(...(await p.handleMatch(rule(ruleName), r)));
  return outcomes;
}

describe('dedup', () => {
  it('sends one notification per key and window, and shows how many were suppressed', async () => {
    const slack = fakeDestination('slack');
    const pager = fakeDestination('pager');
    const p = pipeline([slack, pager]);
    const first = await feed(p, 'Logging stopped', [
      record('StopLogging', 0),
      record('StopLogging', 10),
      record('StopLogging', 20),
    ]);
    expect(first.map((o) => o.status)).toEqual(['routed', 'deduplicated', 'deduplicated']);
    expect(first[2]).toMatchObject({ suppressedSoFar: 2 });
    expect(slack.sent).toHaveLength(1);
    const later = await feed(p, 'Logging stopped', [record('StopLogging', 75)]);
    expect(later[0]?.status).toBe('routed');
    expect(slack.sent[1]?.suppressedDuplicates).toBe(2);
  });

  it('keys on the rule dedup fields: another principal is another alert', async () => {
    const slack = fakeDestination('slack');
    const p = pipeline([slack, fakeDestination('pager')]);
    await feed(p, 'Logging stopped', [
      record('StopLogging', 0),
      record('StopLogging', 1, {
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob' },
      }),
    ]);
    expect(slack.sent).toHaveLength(2);
  });
});

describe('thresholds (correlation rules)', () => {
  it('five failed sign-ins for one user within ten minutes raise one alert', async () => {
    const slack = fakeDestination('slack');
    const p = pipeline([slack]);
    const outcomes = await feed(
      p,
      'Console sign-in failed',
      [0, 2, 4, 6, 8].map((m) => record('ConsoleLogin', m, { errorMessage: 'Failed authentication' })),
    );
    const correlations = outcomes.filter((o) => o.alert.kind === 'correlation');
    expect(correlations).toHaveLength(1);
    expect(correlations[0]?.alert).toMatchObject({
      title: 'Five failed sign-ins for one user',
      level: 'high',
      correlation: { count: 5, group: { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/alice' } },
    });
    expect(correlations[0]?.alert.summary).toBe(
      '5 matching events within 10 min for userIdentity.arn=arn:aws:iam::111122223333:user/alice.',
    );
  });

  it('four, or five spread over more than the timespan, raise nothing', async () => {
    const p = pipeline([fakeDestination('slack')]);
    const fail = (m: number) => record('ConsoleLogin', m, { errorMessage: 'Failed authentication' });
    expect(
      (await feed(p, 'Console sign-in failed', [0, 1, 2, 3].map(fail))).filter(
        (o) => o.alert.kind === 'correlation',
      ),
    ).toEqual([]);
    const q = pipeline([fakeDestination('slack')]);
    expect(
      (await feed(q, 'Console sign-in failed', [0, 4, 8, 12, 16].map(fail))).filter(
        (o) => o.alert.kind === 'correlation',
      ),
    ).toEqual([]);
  });

  it('a retried batch does not count the same events twice', async () => {
    const p = pipeline([fakeDestination('slack')]);
    const three = [0, 1, 2].map((m) => record('ConsoleLogin', m, { errorMessage: 'Failed authentication' }));
    await feed(p, 'Console sign-in failed', three);
    const again = await feed(p, 'Console sign-in failed', three);
    expect(again.filter((o) => o.alert.kind === 'correlation')).toEqual([]);
  });

  it('value_count counts distinct values, and the base rule raises nothing alone', async () => {
    const slack = fakeDestination('slack');
    const p = pipeline([slack]);
    const read = (m: number, secret: string) =>
      record('GetSecretValue', m, { requestParameters: { secretId: secret } });
    const outcomes = await feed(p, 'Secret read', [read(0, 'a'), read(1, 'a'), read(2, 'b'), read(3, 'c')]);
    expect(outcomes.map((o) => o.alert.title)).toEqual(['Many secrets read']);
    expect(outcomes[0]?.alert.correlation?.count).toBe(3);
  });

  it('value_count counts long values by their digest: distinct stay distinct, equal stay equal', async () => {
    // A value as long as a record could fill a state table item with one window entry.
    const state = new MemoryStateStore();
    const stored: number[] = [];
    const append = state.appendToWindow.bind(state);
    state.appendToWindow = (key, entry, ...rest) => {
      stored.push(entry.value?.length ?? 0);
      return append(key, entry, ...rest);
    };
    const p = pipeline([fakeDestination('slack')], config(), state);
    const huge = (fill: string) => fill.repeat(300_000);
    const read = (m: number, secret: string) =>
      record('GetSecretValue', m, { requestParameters: { secretId: secret } });
    const same = await feed(p, 'Secret read', [read(0, huge('a')), read(1, huge('a')), read(2, huge('b'))]);
    expect(same).toEqual([]);
    const third = await feed(p, 'Secret read', [read(3, `${huge('a')}c`)]);
    expect(third.map((o) => o.alert.correlation?.count)).toEqual([3]);
    expect(Math.max(...stored)).toBeLessThanOrEqual(256);
  });
});

describe('temporal correlations', () => {
  it('fire when every rule matched within the timespan, in order for temporal_ordered', async () => {
    const p = pipeline([fakeDestination('slack'), fakeDestination('pager')]);
    await feed(p, 'Trail stopped', [record('StopLogging', 0)]);
    const outcomes = await feed(p, 'Trail deleted', [record('DeleteTrail', 5)]);
    expect(outcomes.map((o) => o.alert.title)).toEqual(['Trail stopped then deleted']);
    expect(outcomes[0]?.alert.summary).toBe(
      'all 2 rules matched within 30 min for userIdentity.arn=arn:aws:iam::111122223333:user/alice.',
    );
  });

  it('out of order or too far apart, they do not', async () => {
    const p = pipeline([fakeDestination('slack'), fakeDestination('pager')]);
    await feed(p, 'Trail deleted', [record('DeleteTrail', 0)]);
    expect((await feed(p, 'Trail stopped', [record('StopLogging', 5)])).map((o) => o.alert.kind)).toEqual([]);
    const q = pipeline([fakeDestination('slack'), fakeDestination('pager')]);
    await feed(q, 'Trail stopped', [record('StopLogging', 0)]);
    expect((await feed(q, 'Trail deleted', [record('DeleteTrail', 45)])).map((o) => o.alert.kind)).toEqual(
      [],
    );
  });
});

describe('suppressions', () => {
  const suppression = (expires: string) => `suppressions:
  - match: {rules: [aaaaaaaa-0000-4000-8000-000000000003], principals: ['arn:aws:iam::*:user/alice']}
    reason: trail migration
    owner: secops
    expires: ${expires}
`;

  it('an active suppression stops the alert and says why', async () => {
    const slack = fakeDestination('slack');
    const outcomes = await feed(
      pipeline([slack, fakeDestination('pager')], config(suppression('2025-06-30'))),
      'Logging stopped',
      [record('StopLogging', 0)],
    );
    expect(outcomes[0]).toMatchObject({
      status: 'suppressed',
      reason: 'trail migration (owner secops, until 2025-06-30)',
    });
    expect(slack.sent).toEqual([]);
  });

  it('an expired one stops applying and is reported by config validation', async () => {
    const cfg = config(suppression('2024-12-31'));
    expect(cfg.warnings).toEqual([
      expect.stringMatching(
        /trailwatch\.yml:\d+: suppression expired on 2024-12-31 \(owner secops: trail migration\); it no longer applies/,
      ),
    ]);
    const slack = fakeDestination('slack');
    const outcomes = await feed(pipeline([slack, fakeDestination('pager')], cfg), 'Logging stopped', [
      record('StopLogging', 0),
    ]);
    expect(outcomes[0]?.status).toBe('routed');
    expect(slack.sent).toHaveLength(1);
  });

  it('does not cover other principals', async () => {
    const outcomes = await feed(
      pipeline([fakeDestination('slack'), fakeDestination('pager')], config(suppression('2025-06-30'))),
      'Logging stopped',
      [
        record('StopLogging', 0, {
          userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory' },
        }),
      ],
    );
    expect(outcomes[0]?.status).toBe('routed');
  });
});

describe('delivery guarantees', () => {
  it('a retry after a partial failure sends only what did not go out', async () => {
    const state = new MemoryStateStore();
    const slack = fakeDestination('slack');
    const pager = fakeDestination('pager', [
      { ok: false, retryable: true, attempts: 4, error: 'PagerDuty: HTTP 503 after 4 attempts' },
    ]);
    const stop = record('StopLogging', 0);
    const first = await feed(pipeline([slack, pager], config(), state), 'Logging stopped', [stop]);
    expect(first[0]).toMatchObject({
      status: 'routed',
      deliveries: [
        { destination: 'slack', status: 'sent' },
        { destination: 'pager', status: 'failed' },
      ],
    });
    // Lambda retries the invocation: the same record, the same alert id.
    const retry = await feed(pipeline([slack, pager], config(), state), 'Logging stopped', [stop]);
    expect(retry[0]).toMatchObject({
      status: 'routed',
      deliveries: [
        { destination: 'slack', status: 'already-sent' },
        { destination: 'pager', status: 'sent' },
      ],
    });
    expect(slack.sent).toHaveLength(1);
    expect(pager.sent).toHaveLength(2);
    expect(pager.sent[0]?.id).toBe(pager.sent[1]?.id);
    expect(() => throwIfRetryable(first)).toThrow(DeliveryError);
    expect(() => throwIfRetryable(first)).toThrow(
      /1 alert delivery\(ies\) failed and can be retried: pager: PagerDuty: HTTP 503/,
    );
    expect(() => throwIfRetryable(retry)).not.toThrow();
  });

  it('a failure no retry can fix is reported but does not ask for a retry', async () => {
    const pager = fakeDestination('pager', [{ ok: false, retryable: false, attempts: 1, error: 'HTTP 400' }]);
    const outcomes = await feed(pipeline([fakeDestination('slack'), pager]), 'Logging stopped', [
      record('StopLogging', 0),
    ]);
    expect(outcomes[0]).toMatchObject({ deliveries: [{ status: 'sent' }, { status: 'failed' }] });
    expect(() => throwIfRetryable(outcomes)).not.toThrow();
  });

  it('gives the same alert id for the same rule and event, and another for another event', async () => {
    const p = pipeline([fakeDestination('slack'), fakeDestination('pager')]);
    const stop = record('StopLogging', 0);
    const [a] = await p.alertsFor(rule('Logging stopped'), stop);
    const [b] = await p.alertsFor(rule('Logging stopped'), { ...stop });
    const [c] = await p.alertsFor(rule('Logging stopped'), record('StopLogging', 0));
    expect(a?.id).toBe(b?.id);
    expect(a?.id).not.toBe(c?.id);
  });

  it('routes by rule, level, tag and account, adding rule hints, else the level default', async () => {
    const slack = fakeDestination('slack');
    const pager = fakeDestination('pager');
    const cfg = config(
      `  routes:
    - match: {levels: [low], accounts: ['999999999999']}
      destinations: [pager]
`.replace(/^/, ''),
    );
    // The extra route is appended under routing: (the fixture puts it after defaults).
    const outcomes = await feed(pipeline([slack, pager], cfg), 'Console sign-in failed', [
      record('ConsoleLogin', 0, {
        errorMessage: 'Failed authentication',
        recipientAccountId: '999999999999',
      }),
      record('ConsoleLogin', 1, {
        errorMessage: 'Failed authentication',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/carol' },
      }),
    ]);
    expect(
      outcomes.map((o) => (o.status === 'routed' ? o.deliveries.map((d) => d.destination) : [])),
    ).toEqual([['pager'], ['slack']]);
  });
});
