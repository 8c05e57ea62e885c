/**
 * Every record of every attribution scenario (test/fixtures/attribution) resolves to exactly the
 * person, role chain, session and proof written here, whether sessions are learned record by record
 * or batch-first as the driver does.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, PersonKind, ProofKind } from '../../lib/actor';
import { ActorResolver, formatActor, MemorySessionStore } from '../../lib/actor';
import type { Mode } from './scenario';
import { attribute, scenarioRecords } from './scenario';

const A1 = '111111111111';
const A2 = '222222222222';
const role = (name: string, account = A1, path = ''): string => `arn:aws:iam::${account}:role/${path}${name}`;
const SSO_ROLE = role(
  'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
  A1,
  'aws-reserved/sso.amazonaws.com/us-east-1/',
);

interface Expected {
  readonly person: string | null;
  readonly kind: PersonKind;
  readonly via: readonly string[];
  readonly session: string | null;
  readonly proof: ProofKind;
  /** The record whose evidence linked it, when one did. */
  readonly proofEvent?: string;
  readonly sessionName?: string;
}

const unknown = (via: readonly string[], session: string | null, sessionName?: string): Expected => ({
  person: null,
  kind: 'unknown',
  via,
  session,
  proof: 'none',
  ...(sessionName === undefined ? {} : { sessionName }),
});
const iamUser = (person: string): Expected => ({
  person,
  kind: 'iam-user',
  via: [],
  session: null,
  proof: 'iam-user',
});

const SCENARIOS: Readonly<Record<string, Readonly<Record<string, Expected>>>> = {
  'two-people-one-role': {
    'a-01': iamUser('alice'),
    'a-02': iamUser('bob'),
    'a-03': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAAAALICEDEPLOY001',
      proof: 'access-key',
      proofEvent: 'a-01',
      sessionName: 'deploy',
    },
    'a-04': {
      person: 'bob',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAAAABOBDEPLOY0001',
      proof: 'access-key',
      proofEvent: 'a-02',
      sessionName: 'deploy',
    },
    'a-05': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAAAALICEDEPLOY001',
      proof: 'access-key',
      proofEvent: 'a-01',
      sessionName: 'deploy',
    },
    'a-06': {
      person: 'bob',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAAAABOBDEPLOY0001',
      proof: 'access-key',
      proofEvent: 'a-02',
      sessionName: 'deploy',
    },
    'a-07': iamUser('alice'),
    // alice named her session "bob": the key says alice.
    'a-08': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAAAALICEASBOB0001',
      proof: 'access-key',
      proofEvent: 'a-07',
      sessionName: 'bob',
    },
    'a-09': unknown([role('Admin')], 'ASIAAAAUNKNOWNKEY001', 'deploy'),
    // alice's key, 90 minutes after it expired: no longer hers to claim.
    'a-10': unknown([role('Admin')], 'ASIAAAALICEDEPLOY001', 'deploy'),
  },
  'chain-cross-account': {
    'b-01': iamUser('alice'),
    'b-02': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIABBBALICEADMIN001',
      proof: 'access-key',
      proofEvent: 'b-01',
      sessionName: 'alice-admin',
    },
    // The target account's copy (AWSAccount) is the caller's call: the sharedEventID links it.
    'b-03': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIABBBALICEADMIN001',
      proof: 'access-key',
      proofEvent: 'b-01',
    },
    'b-04': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin'), role('OrgAdmin', A2)],
      session: 'ASIABBBALICEORGADM01',
      proof: 'access-key',
      proofEvent: 'b-02',
      sessionName: 'alice-org',
    },
    'b-05': {
      person: 'alice',
      kind: 'iam-user',
      via: [role('Admin'), role('OrgAdmin', A2)],
      session: 'ASIABBBALICEORGADM01',
      proof: 'access-key',
      proofEvent: 'b-02',
      sessionName: 'alice-org',
    },
  },
  'console-switch-role': {
    'c-01': {
      person: 'carol',
      kind: 'iam-user',
      via: [],
      session: 'console:c-01',
      proof: 'console-session',
      proofEvent: 'c-01',
    },
    'c-02': {
      person: 'carol',
      kind: 'iam-user',
      via: [],
      session: 'console:c-01',
      proof: 'console-session',
      proofEvent: 'c-01',
    },
    'c-03': {
      person: 'carol',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'console:c-03',
      proof: 'console-session',
      proofEvent: 'c-03',
      sessionName: 'carol',
    },
    'c-04': {
      person: 'carol',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'console:c-03',
      proof: 'console-session',
      proofEvent: 'c-03',
      sessionName: 'carol',
    },
    'c-05': {
      person: 'carol',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'console:c-03',
      proof: 'console-session',
      proofEvent: 'c-03',
      sessionName: 'carol',
    },
    // Same role and session name, but not a console call (CLI; a browser agent is not proof): unknown.
    'c-06': unknown([role('Admin')], 'ASIACCCCFORGEDCLI001', 'carol'),
    'c-07': unknown([role('Admin')], 'ASIACCCCFORGEDUA0001', 'carol'),
  },
  'identity-center': {
    'd-01': {
      person: 'dave@example.com',
      kind: 'identity-center-user',
      via: [],
      session: null,
      proof: 'identity-center',
      proofEvent: 'd-01',
    },
    'd-02': {
      person: 'dave@example.com',
      kind: 'identity-center-user',
      via: [SSO_ROLE],
      session: 'console:d-02',
      proof: 'identity-center',
      sessionName: 'dave@example.com',
    },
    'd-03': {
      person: 'dave@example.com',
      kind: 'identity-center-user',
      via: [SSO_ROLE],
      session: 'console:d-02',
      proof: 'identity-center',
      sessionName: 'dave@example.com',
    },
    'd-04': {
      person: 'dave@example.com',
      kind: 'identity-center-user',
      via: [SSO_ROLE],
      session: 'ASIADDDDDAVESAML0001',
      proof: 'identity-center',
      sessionName: 'dave@example.com',
    },
    'd-05': {
      person: 'dave@example.com',
      kind: 'identity-center-user',
      via: [SSO_ROLE],
      session: 'ASIADDDDDAVECLI00001',
      proof: 'identity-center',
      sessionName: 'dave@example.com',
    },
    'd-06': {
      person: '94482488-3041-7026-18f3-be45837cd0e4',
      kind: 'identity-center-user',
      via: [],
      session: null,
      proof: 'identity-center',
    },
    'd-07': {
      person: '94482488-3041-7026-18f3-be45837cd0e4',
      kind: 'identity-center-user',
      via: [role('QBusinessApp')],
      session: 'ASIADDDDQAPPSESSION1',
      proof: 'identity-center',
      sessionName: 'app-session',
    },
    // A session name contradicting its key is not believed: dave's key.
    'd-08': {
      person: 'dave@example.com',
      kind: 'identity-center-user',
      via: [SSO_ROLE],
      session: 'ASIADDDDDAVESAML0001',
      proof: 'identity-center',
      proofEvent: 'd-01',
      sessionName: 'mallory@example.com',
    },
  },
  'source-identity-chain': {
    'e-01': iamUser('erin'),
    'e-02': {
      person: 'erin',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAEEEEERINADMIN001',
      proof: 'source-identity',
      sessionName: 'erin-admin',
    },
    'e-03': {
      person: 'erin',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'ASIAEEEEERINADMIN001',
      proof: 'source-identity',
      sessionName: 'erin-admin',
    },
    'e-04': {
      person: 'erin',
      kind: 'iam-user',
      via: [role('Admin'), role('OrgAdmin', A2)],
      session: 'ASIAEEEEERINORGADM01',
      proof: 'source-identity',
      sessionName: 'erin-org',
    },
    'e-05': {
      person: 'erin',
      kind: 'source-identity',
      via: [role('OrgAdmin', A2)],
      session: 'ASIAEEEEUNSEENKEY001',
      proof: 'source-identity',
      sessionName: 'erin-org',
    },
  },
  'outside-data': {
    'f-01': unknown([role('Admin')], 'ASIAFFFFOUTSIDE00001', 'deploy'),
    'f-02': unknown([role('Admin')], 'ASIAFFFFOUTSIDE00001', 'deploy'),
    'f-03': unknown([role('Admin'), role('OrgAdmin', A2)], 'ASIAFFFFOUTSIDEORG01', 'deploy-org'),
  },
  'eventbridge-only': {
    'g-01': iamUser('gina'),
    'g-02': { person: 'root', kind: 'root', via: [], session: null, proof: 'root' },
    'g-03': {
      person: 'hank',
      kind: 'source-identity',
      via: [role('Admin')],
      session: 'ASIAGGGGHANKKEY00001',
      proof: 'source-identity',
      sessionName: 'hank-deploy',
    },
    'g-04': {
      person: 'ivan@example.com',
      kind: 'identity-center-user',
      via: [SSO_ROLE],
      session: 'ASIAGGGGIVANSSO00001',
      proof: 'identity-center',
      sessionName: 'ivan@example.com',
    },
    'g-05': unknown([role('Admin')], 'ASIAGGGGDEPLOYKEY001', 'deploy'),
    'g-06': {
      person: 'cloudformation.amazonaws.com',
      kind: 'aws-service',
      via: [],
      session: null,
      proof: 'aws-service',
    },
    'g-07': {
      person: 'judy',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'console:g-07',
      proof: 'console-session',
      proofEvent: 'g-07',
      sessionName: 'judy',
    },
    'g-08': {
      person: 'judy',
      kind: 'iam-user',
      via: [role('Admin')],
      session: 'console:g-07',
      proof: 'console-session',
      proofEvent: 'g-07',
      sessionName: 'judy',
    },
  },
  'federated-subjects': {
    'h-01': {
      person: 'jack@example.com',
      kind: 'saml-subject',
      via: [],
      session: null,
      proof: 'saml',
      proofEvent: 'h-01',
    },
    'h-02': {
      person: 'jack@example.com',
      kind: 'saml-subject',
      via: [role('SAMLAdmin')],
      session: 'ASIAHHHHJACKSAML0001',
      proof: 'saml',
      proofEvent: 'h-01',
      sessionName: 'jack@example.com',
    },
    'h-03': {
      person: 'repo:example/app:ref:refs/heads/main',
      kind: 'web-identity-subject',
      via: [],
      session: null,
      proof: 'web-identity',
      proofEvent: 'h-03',
    },
    'h-04': {
      person: 'repo:example/app:ref:refs/heads/main',
      kind: 'web-identity-subject',
      via: [role('GitHubDeploy')],
      session: 'ASIAHHHHGITHUBOIDC01',
      proof: 'web-identity',
      proofEvent: 'h-03',
      sessionName: 'GitHubActions',
    },
  },
  'session-tokens': {
    'i-01': iamUser('kim'),
    'i-02': {
      person: 'kim',
      kind: 'iam-user',
      via: [],
      session: 'ASIAIIIIKIMSESSION01',
      proof: 'access-key',
      proofEvent: 'i-01',
    },
    'i-03': iamUser('kim'),
    'i-04': {
      person: 'kim',
      kind: 'iam-user',
      via: [],
      session: 'ASIAIIIIKIMFEDERATE1',
      proof: 'access-key',
      proofEvent: 'i-03',
      sessionName: 'partner-lee',
    },
    'i-05': {
      person: 'kim',
      kind: 'iam-user',
      via: [],
      session: 'ASIAIIIIUNSEENFED001',
      proof: 'iam-user',
      sessionName: 'partner-lee',
    },
  },
};

function observed(actor: Actor | undefined): Expected {
  if (actor === undefined) throw new Error('no actor');
  return {
    person: actor.person.name,
    kind: actor.person.kind,
    via: actor.via,
    session: actor.session,
    proof: actor.proof.kind,
    ...(actor.proof.eventID === undefined ? {} : { proofEvent: actor.proof.eventID }),
    ...(actor.sessionName === undefined ? {} : { sessionName: actor.sessionName }),
  };
}

/** Expected values name `proofEvent` only where the evidence is one record; compare it only there. */
function comparable(actual: Expected, expected: Expected): Expected {
  if (expected.proofEvent !== undefined) return actual;
  const { proofEvent: _ignored, ...rest } = actual;
  return rest;
}

describe.each<Mode>(['stream', 'batch'])('attribution scenarios, sessions learned %s', (mode) => {
  for (const [scenario, expectations] of Object.entries(SCENARIOS)) {
    it(`${scenario}: every record names exactly the expected person, chain, session and proof`, async () => {
      const records = scenarioRecords(scenario);
      expect(records.map((record) => record.eventID).sort()).toEqual(Object.keys(expectations).sort());
      const actors = await attribute(records, mode);
      for (const [eventID, expected] of Object.entries(expectations)) {
        const actual = observed(actors.get(eventID));
        expect({ eventID, ...comparable(actual, expected) }).toEqual({ eventID, ...expected });
      }
    });
  }
});

describe('an account not read', () => {
  it('the chain seen only from its target account: the person is unknown, the role and session shown', async () => {
    const targetOnly = scenarioRecords('chain-cross-account').filter(
      (record) => record.recipientAccountId === A2,
    );
    const actors = await attribute(targetOnly, 'stream');
    expect(observed(actors.get('b-03'))).toEqual(unknown([], null));
    expect(observed(actors.get('b-04'))).toEqual(
      unknown([role('OrgAdmin', A2)], 'ASIABBBALICEORGADM01', 'alice-org'),
    );
    // Then the caller's account is read too: the person is named from then on.
    const store = new MemorySessionStore();
    const all = await attribute(scenarioRecords('chain-cross-account'), 'stream', store);
    expect(all.get('b-04')?.person.name).toBe('alice');
  });

  it('the target copy seen before the caller copy does not hide the person', async () => {
    const records = scenarioRecords('chain-cross-account');
    const reordered = [records[0], records[2], records[1], records[3]].filter(
      (record) => record !== undefined,
    );
    const actors = await attribute(reordered, 'batch');
    expect(actors.get('b-04')?.person.name).toBe('alice');
    expect(actors.get('b-03')?.person.name).toBe('alice');
  });
});

describe('formatActor on the scenarios', () => {
  it.each([
    ['chain-cross-account', 'b-04', 'alice via Admin → OrgAdmin (222222222222), cli'],
    ['console-switch-role', 'c-04', 'carol via Admin (111111111111), console'],
    ['two-people-one-role', 'a-09', 'unknown (role Admin (111111111111), session deploy), cli'],
    ['outside-data', 'f-03', 'unknown (role Admin → OrgAdmin (222222222222), session deploy-org), cli'],
    [
      'identity-center',
      'd-03',
      'dave@example.com via AWSReservedSSO_AdministratorAccess_0123456789abcdef (111111111111), console',
    ],
    ['session-tokens', 'i-01', 'kim, cli'],
    ['eventbridge-only', 'g-06', 'cloudformation.amazonaws.com, service'],
  ])('%s %s: %s', async (scenario, eventID, line) => {
    const actors = await attribute(scenarioRecords(scenario), 'stream');
    const actor = actors.get(eventID);
    expect(actor && formatActor(actor)).toBe(line);
  });
});

describe('the real samples', () => {
  it('the IAM user guide cross-account AssumeRole: the role account copy (AWSAccount) is JohnDoe by sharedEventID', async () => {
    const [callerCopy, targetCopy, chained] = scenarioRecords('aws-docs-cross-account');
    if (!callerCopy || !targetCopy || !chained) throw new Error('sample missing');
    const resolver = new ActorResolver(new MemorySessionStore());
    for (const record of [callerCopy, targetCopy, chained]) await resolver.observe(record);
    const caller = await resolver.resolve(callerCopy);
    const target = await resolver.resolve(targetCopy);
    const chain = await resolver.resolve(chained);
    expect([caller.person.name, caller.person.kind, caller.proof.kind]).toEqual([
      'JohnDoe',
      'iam-user',
      'iam-user',
    ]);
    expect([target.person.name, target.person.kind]).toEqual(['JohnDoe', 'iam-user']);
    expect(target.proof.detail).toContain('sharedEventID bEXAMPLE-efea-4a70-b951-19a88EXAMPLE');
    expect([chain.person.name, chain.person.kind, chain.proof.kind]).toEqual([
      'JohnDoe',
      'source-identity',
      'source-identity',
    ]);
    expect(chain.via).toEqual(['arn:aws:iam::111111111111:role/JohnRole1']);
  });

  it('the cribl Identity Center user: every call of hers is kamilo@cribl.io; the service is the service', async () => {
    const records = scenarioRecords('cribl-identity-center');
    const actors = await attribute(records, 'batch');
    const [service, ...person] = records.map((record) => actors.get(record.eventID));
    expect([service?.person.name, service?.person.kind, service?.interface]).toEqual([
      'config.amazonaws.com',
      'aws-service',
      'service',
    ]);
    for (const actor of person) {
      expect([actor?.person.name, actor?.person.kind, actor?.proof.kind]).toEqual([
        'kamilo@cribl.io',
        'identity-center-user',
        'identity-center',
      ]);
    }
    expect(person.map((actor) => actor?.interface)).toEqual([
      'sdk',
      'console',
      'console',
      'console',
      'console',
    ]);
  });
});
