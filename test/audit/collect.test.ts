import { describe, expect, it } from 'vitest';
import type { Actor, ProofKind } from '../../lib/actor/types';
import type { StartKind } from '../../lib/audit';
import { AuditCollector, PersonQuery, StartIndex, sessionStart } from '../../lib/audit';
import type { CloudTrailRecord } from '../../lib/records';
import type { DetectionRule } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import {
  ADMIN_ROLE,
  ALICE_VIA_CHAIN,
  BOB_VIA_ADMIN,
  CLOUDFORMATION,
  namedActor,
  UNKNOWN_ADMIN,
} from '../factories/actors';
import { ruleDir } from '../helpers/rules';

let sequence = 0;
function record(overrides: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  sequence++;
  return {
    eventVersion: '1.09',
    eventTime: `2026-11-20T09:${String(sequence % 60).padStart(2, '0')}:00Z`,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    eventID: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    readOnly: false,
    recipientAccountId: '111111111111',
    ...overrides,
  };
}

/** A real rule of each level, loaded as the CLI loads them. */
function rule(level: 'high' | 'low'): DetectionRule {
  const dir = ruleDir({
    'r.yml': `title: rule ${level}
id: r-${level}
level: ${level}
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: CreateUser}, condition: s}
`,
  });
  const [loaded] = loadRules([dir]).detections;
  if (!loaded) throw new Error('test rule did not load');
  return loaded;
}

/** A record without `readOnly`, as sign-in events are. */
function withoutReadOnly(overrides: Partial<CloudTrailRecord>): CloudTrailRecord {
  const { readOnly: _, ...rest } = record(overrides);
  return rest;
}

describe('PersonQuery', () => {
  const withSourceIdentity = record({
    userIdentity: { type: 'AssumedRole', sessionContext: { sourceIdentity: 'Alice@Example.com' } },
  });
  it.each<[string, Actor | undefined, CloudTrailRecord | undefined, boolean]>([
    ['alice', ALICE_VIA_CHAIN, undefined, true],
    ['  ALICE ', ALICE_VIA_CHAIN, undefined, true],
    ['arn:aws:iam::111111111111:user/ALICE', ALICE_VIA_CHAIN, undefined, true],
    ['alice@example.com', ALICE_VIA_CHAIN, withSourceIdentity, true],
    ['bob', ALICE_VIA_CHAIN, undefined, false],
    ['ali', ALICE_VIA_CHAIN, undefined, false],
    // A session name is not a person: UNKNOWN_ADMIN's session is named `deploy`.
    ['deploy', UNKNOWN_ADMIN, undefined, false],
    // Nor is a source identity on a record whose person is unknown.
    ['alice@example.com', UNKNOWN_ADMIN, withSourceIdentity, false],
    ['cloudformation.amazonaws.com', CLOUDFORMATION, undefined, true],
    ['', ALICE_VIA_CHAIN, undefined, false],
    ['alice', undefined, undefined, false],
  ])('%j against %o matches: %s', (who, actor, withRecord, expected) => {
    expect(new PersonQuery(who).matches(actor, withRecord)).toBe(expected);
  });
});

describe('AuditCollector', () => {
  it('keeps one copy of a cross-account call, the caller’s, whichever is read first', () => {
    for (const callerFirst of [true, false]) {
      const collector = new AuditCollector(new PersonQuery('alice'));
      const shared = { sharedEventID: 'shared-1', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' };
      const caller = record({ ...shared, userIdentity: { type: 'AssumedRole' } });
      const copy = record({
        ...shared,
        userIdentity: { type: 'AWSAccount', accountId: '111111111111' },
        recipientAccountId: '222222222222',
      });
      const copyActor: Actor = { ...ALICE_VIA_CHAIN, session: 'other', via: [] };
      const order = callerFirst
        ? ([
            [caller, ALICE_VIA_CHAIN],
            [copy, copyActor],
          ] as const)
        : ([
            [copy, copyActor],
            [caller, ALICE_VIA_CHAIN],
          ] as const);
      for (const [r, actor] of order) collector.addRecord(r, actor, []);
      const report = collector.report();
      expect(report.sessions.flatMap((s) => s.actions.map((a) => a.eventID))).toEqual([caller.eventID]);
      expect(report.sessions.map((s) => s.id)).toEqual([ALICE_VIA_CHAIN.session]);
    }
  });

  it('takes a record read twice (overlapping inputs) once', () => {
    const collector = new AuditCollector(new PersonQuery('alice'));
    const r = record();
    collector.addRecord(r, ALICE_VIA_CHAIN, []);
    collector.addRecord(r, ALICE_VIA_CHAIN, []);
    expect(collector.report().summary.actions).toBe(1);
  });

  it('counts unknown sessions of the roles the person used, and only those', () => {
    const collector = new AuditCollector(new PersonQuery('bob'));
    collector.addRecord(record(), BOB_VIA_ADMIN, []);
    collector.addRecord(record(), UNKNOWN_ADMIN, []);
    collector.addRecord(record(), UNKNOWN_ADMIN, []);
    collector.addRecord(
      record(),
      { ...UNKNOWN_ADMIN, session: 'ASIAOTHERUNKNOWN', via: ['arn:aws:iam::111111111111:role/Other'] },
      [],
    );
    // Another person's session of the same role is theirs, not "unknown".
    collector.addRecord(record(), { ...ALICE_VIA_CHAIN, via: [ADMIN_ROLE] }, []);
    expect(collector.report().unattributed).toEqual({
      sessions: 1,
      actions: 2,
      roles: [{ name: ADMIN_ROLE, count: 1 }],
    });
  });

  it('orders sessions by start and actions by time, whatever order they were read in', () => {
    const collector = new AuditCollector(new PersonQuery('alice'));
    const late = record({ eventTime: '2026-11-20T10:00:00.500Z' });
    const early = record({ eventTime: '2026-11-20T10:00:00Z' });
    const otherSession = record({ eventTime: '2026-11-20T08:00:00Z' });
    collector.addRecord(late, ALICE_VIA_CHAIN, []);
    collector.addRecord(early, ALICE_VIA_CHAIN, []);
    collector.addRecord(
      otherSession,
      { ...ALICE_VIA_CHAIN, session: 'earlier', proof: { kind: 'iam-user', detail: 'x' } },
      [],
    );
    const report = collector.report();
    expect(report.sessions.map((s) => s.actions.map((a) => a.eventID))).toEqual([
      [otherSession.eventID],
      [early.eventID, late.eventID],
    ]);
  });

  it('summarises writes, reads, errors, services, accounts and alerts per level', () => {
    const collector = new AuditCollector(new PersonQuery('alice'));
    collector.addRecord(
      record({ readOnly: true, eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' }),
      ALICE_VIA_CHAIN,
      [],
    );
    collector.addRecord(record({ errorCode: 'AccessDenied' }), ALICE_VIA_CHAIN, [rule('high'), rule('low')]);
    collector.addRecord(withoutReadOnly({ recipientAccountId: '222222222222' }), ALICE_VIA_CHAIN, [
      rule('high'),
    ]);
    const { summary } = collector.report();
    expect(summary).toMatchObject({ actions: 3, reads: 1, writes: 1, unknownAccess: 1, errors: 1 });
    expect(summary.services).toEqual([
      { name: 'iam', count: 2 },
      { name: 's3', count: 1 },
    ]);
    expect(summary.accounts).toEqual(['111111111111', '222222222222']);
    expect(summary.alerts).toEqual({ total: 3, byLevel: { high: 2, low: 1 } });
  });

  it('keeps nothing of other people: a person never seen gives an empty report', () => {
    const collector = new AuditCollector(new PersonQuery('carol'));
    collector.addRecord(record(), ALICE_VIA_CHAIN, []);
    collector.addRecord(record(), namedActor('mallory'), []);
    expect(collector.found).toBe(false);
    expect(collector.report().sessions).toEqual([]);
  });
});

describe('how a session started, when its starting event was not read', () => {
  const actor = (kind: ProofKind, via: readonly string[]): Actor => ({
    ...ALICE_VIA_CHAIN,
    session: null,
    via,
    proof: { kind, detail: 'x' },
  });
  it.each<[ProofKind, readonly string[], string | undefined, StartKind]>([
    ['iam-user', [], 'IAMUser', 'iam-user'],
    ['iam-user', [ADMIN_ROLE], 'AssumedRole', 'assume-role'],
    ['root', [], 'Root', 'root'],
    ['identity-center', [ADMIN_ROLE], 'AssumedRole', 'identity-center'],
    ['console-session', [ADMIN_ROLE], 'AssumedRole', 'console-switch-role'],
    ['console-session', [], 'IAMUser', 'console-sign-in'],
    ['source-identity', [ADMIN_ROLE], 'AssumedRole', 'assume-role'],
    ['access-key', [], 'IAMUser', 'session-token'],
    ['access-key', [], 'FederatedUser', 'federation-token'],
    ['saml', [ADMIN_ROLE], 'AssumedRole', 'saml'],
    ['web-identity', [ADMIN_ROLE], 'AssumedRole', 'web-identity'],
    ['aws-service', [], 'AWSService', 'aws-service'],
    ['none', [ADMIN_ROLE], 'AssumedRole', 'unknown'],
  ])('proof %s via %j (%s): %s', (proof, via, identityType, expected) => {
    const started = sessionStart(actor(proof, via), new StartIndex(), identityType);
    expect(started.kind).toBe(expected);
    expect(started.eventID).toBeUndefined();
  });

  it('names the AssumeRole that returned the session key, by its interface', () => {
    const starts = new StartIndex();
    const assume = record({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      responseElements: { credentials: { accessKeyId: 'ASIAKEY' } },
    });
    starts.add(assume, { ...ALICE_VIA_CHAIN, interface: 'cli' });
    const session: Actor = {
      ...ALICE_VIA_CHAIN,
      session: 'ASIAKEY',
      proof: { kind: 'source-identity', detail: 'x' },
    };
    expect(sessionStart(session, starts, 'AssumedRole')).toEqual({
      kind: 'cli-assume-role',
      label: 'CLI AssumeRole',
      eventID: assume.eventID,
      eventName: 'AssumeRole',
      eventTime: assume.eventTime,
    });
  });
});
