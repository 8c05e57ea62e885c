import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor/types';
import type { Alert } from '../../lib/alerts';
import { member, stringField } from '../../lib/alerts';
import { parseConfig } from '../../lib/config';
import type { DriverEvent } from '../../lib/driver';
import { drive } from '../../lib/driver';
import type { ActorSource } from '../../lib/driver/driver';
import type { DeliveryResult, Destination } from '../../lib/notify';
import { AlertPipeline } from '../../lib/pipeline';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules, RuleEngine } from '../../lib/rules';
import { MemoryStateStore } from '../../lib/state';
import { ALICE_VIA_CHAIN, BOB_VIA_ADMIN } from '../factories/actors';
import { ruleDir } from '../helpers/rules';

/**
 * alice and bob both assume Admin with the session name `deploy`: every record names the same
 * role session ARN, and only the temporary access key tells them apart. Dedup and correlation
 * keyed on `actor.person.name` must keep them apart, end to end: records read from a file, the
 * rules, attribution (a stand-in resolver keyed by access key, as the real one keys sessions),
 * the pipeline's dedup and correlation, and delivery.
 */
const SHARED_SESSION_ARN = 'arn:aws:sts::111111111111:assumed-role/Admin/deploy';
const KEYS: Readonly<Record<string, Actor>> = {
  ASIAALICE0000001234: ALICE_VIA_CHAIN,
  ASIABOB00000005678: BOB_VIA_ADMIN,
};

/** Resolves by `userIdentity.accessKeyId`, as the resolver links a session's calls to its AssumeRole. */
const byAccessKey: ActorSource = {
  isSessionStart: () => false,
  mayStartSession: () => false,
  observe: async () => {},
  resolve: async (record) => {
    const key = stringField(member(record.userIdentity, 'accessKeyId'));
    const actor = key === undefined ? undefined : KEYS[key];
    if (!actor) throw new Error(`no actor for access key ${key}`);
    return actor;
  },
};

function write(accessKeyId: string, minute: number, index: number): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventTime: new Date(Date.UTC(2025, 0, 1, 10, minute)).toISOString(),
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    eventID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    recipientAccountId: '111111111111',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:deploy',
      arn: SHARED_SESSION_ARN,
      accountId: '111111111111',
      accessKeyId,
      sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111111111111:role/Admin' } },
    },
  };
}

/** alice, bob, alice, bob, alice, bob: three writes each, a minute apart. */
function recordsFile(): string {
  const records = Array.from({ length: 6 }, (_, i) =>
    write(i % 2 === 0 ? 'ASIAALICE0000001234' : 'ASIABOB00000005678', i, i),
  );
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-people-'));
  const path = join(dir, 'records.json');
  writeFileSync(path, JSON.stringify({ Records: records }));
  return path;
}

function rules(groupBy: string) {
  return loadRules([
    ruleDir({
      'writes.yml': `title: IAM write by Admin
id: bbbbbbbb-0000-4000-8000-000000000001
name: admin_iam_write
level: high
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventSource: iam.amazonaws.com}, condition: s}
dedup: {fields: [${groupBy}], window: 1h}
---
title: Three IAM writes by one person
id: bbbbbbbb-0000-4000-8000-0000000000c1
level: critical
correlation: {type: event_count, rules: [admin_iam_write], group-by: [${groupBy}], timespan: 10m, condition: {gte: 3}, generate: true}
`,
    }),
  ]);
}

function destination(): Destination & { sent: Alert[] } {
  const sent: Alert[] = [];
  return {
    name: 'chat',
    type: 'fake',
    sent,
    send: async (alert): Promise<DeliveryResult> => {
      sent.push(alert);
      return { ok: true, attempts: 1 };
    },
  };
}

async function run(groupBy: string): Promise<{ sent: Alert[]; events: DriverEvent[] }> {
  const set = rules(groupBy);
  expect(set.errors).toEqual([]);
  const chat = destination();
  const config = parseConfig(
    `destinations:
  chat: {type: webhook, url: https://example.com/hook}
routing:
  defaults: {critical: [chat], high: [chat]}
`,
    'trailwatch.yml',
    Date.UTC(2025, 0, 1),
  );
  const pipeline = new AlertPipeline({
    config,
    rules: set,
    state: new MemoryStateStore(),
    destinations: new Map([['chat', chat]]),
    now: () => Date.UTC(2025, 0, 1, 10),
  });
  const events: DriverEvent[] = [];
  await drive([{ kind: 'path', path: recordsFile() }], {
    engine: new RuleEngine(set.detections),
    pipeline,
    read: {},
    handleAlerts: true,
    actors: byAccessKey,
    onEvent: async (event) => {
      events.push(event);
    },
  });
  return { sent: chat.sent, events };
}

const people = (alerts: readonly Alert[]): (string | null | undefined)[] =>
  alerts.map((alert) => alert.actor?.person.name);

describe('dedup and correlation by person', () => {
  it('dedup on actor.person.name: alice and bob through one role session are two groups', async () => {
    const { sent } = await run('actor.person.name');
    const detections = sent.filter((alert) => alert.kind === 'detection');
    expect(people(detections)).toEqual(['alice', 'bob']);
    expect(detections[0]?.summary).toMatch(/^alice \(via Admin → OrgAdmin, console\) called iam:CreateUser/);
  });

  it('correlation grouped by actor.person.name: one alert per person, each naming that person', async () => {
    const { sent } = await run('actor.person.name');
    const correlations = sent.filter((alert) => alert.kind === 'correlation');
    expect(correlations.map((alert) => alert.correlation?.group)).toEqual([
      { 'actor.person.name': 'alice' },
      { 'actor.person.name': 'bob' },
    ]);
    expect(people(correlations)).toEqual(['alice', 'bob']);
    expect(correlations.map((alert) => alert.correlation?.count)).toEqual([3, 3]);
  });

  it('keyed on the role session ARN instead, the two people collapse into one group', async () => {
    const { sent } = await run('userIdentity.arn');
    expect(sent.filter((alert) => alert.kind === 'detection')).toHaveLength(1);
    const correlations = sent.filter((alert) => alert.kind === 'correlation');
    // Three writes (alice, bob, alice) reach the threshold in the one shared group.
    expect(correlations).toHaveLength(1);
    expect(correlations[0]?.correlation?.group).toEqual({ 'userIdentity.arn': SHARED_SESSION_ARN });
    expect(correlations[0]?.actor?.person.name).toBe('alice');
  });
});
