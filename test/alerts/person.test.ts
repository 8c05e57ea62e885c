import { describe, expect, it } from 'vitest';
import { formatActor } from '../../lib/actor';
import type { Actor } from '../../lib/actor/types';
import type { Alert } from '../../lib/alerts';
import {
  alertFacts,
  alertLead,
  attributionFact,
  CAPPED_CHAIN_MAX,
  cappedActor,
  describeAction,
  FIELD_TEXT_MAX,
  PERSON_TEXT_MAX,
  personFact,
  personFacts,
  personHeadline,
  personShort,
  roleName,
  titleWithPerson,
} from '../../lib/alerts';
import {
  ALICE_VIA_CHAIN,
  BOB_VIA_ADMIN,
  CLOUDFORMATION,
  namedActor,
  UNKNOWN_ADMIN,
} from '../factories/actors';
import { injectedAlert, injectedRecord } from '../factories/alerts';

describe('roleName', () => {
  it.each([
    ['arn:aws:iam::111111111111:role/Admin', 'Admin'],
    [
      'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd',
      'AWSReservedSSO_Admin_0123abcd',
    ],
    ['arn:aws:sts::111111111111:assumed-role/Admin/deploy', 'Admin'],
    ['not-an-arn', 'not-an-arn'],
  ])('%s → %s', (arn, name) => {
    expect(roleName(arn)).toBe(name);
  });
});

function withoutSessionName(actor: Actor): Actor {
  const { sessionName: _dropped, ...rest } = actor;
  return rest;
}

describe('the person as text', () => {
  const cases: [string, Actor, { short: string; headline: string; fact: string }][] = [
    [
      'known person through a chain',
      ALICE_VIA_CHAIN,
      {
        short: 'alice',
        headline: 'alice (via Admin → OrgAdmin, console)',
        fact: formatActor(ALICE_VIA_CHAIN),
      },
    ],
    [
      'known person, one role, CLI',
      BOB_VIA_ADMIN,
      { short: 'bob', headline: 'bob (via Admin, cli)', fact: formatActor(BOB_VIA_ADMIN) },
    ],
    [
      'unknown person: the role and session name as they are',
      UNKNOWN_ADMIN,
      {
        short: 'unknown person (role Admin, session deploy)',
        headline: 'unknown person (role Admin, session deploy)',
        fact: 'unknown person — role Admin, session deploy',
      },
    ],
    [
      'AWS service',
      CLOUDFORMATION,
      {
        short: 'cloudformation.amazonaws.com',
        headline: 'cloudformation.amazonaws.com (AWS service)',
        fact: formatActor(CLOUDFORMATION),
      },
    ],
    [
      'unknown person with no role or session',
      withoutSessionName({ ...UNKNOWN_ADMIN, via: [] }),
      { short: 'unknown person', headline: 'unknown person', fact: 'unknown person' },
    ],
  ];
  it.each(cases)('%s', (_name, actor, expected) => {
    expect(personShort(actor)).toBe(expected.short);
    expect(personHeadline(actor)).toBe(expected.headline);
    expect(personFact(actor)).toBe(expected.fact);
    expect(personFacts(actor)[0]).toEqual(['Person', expected.fact]);
  });

  it.each([
    [
      'an unknown person through a chain: every role',
      { ...UNKNOWN_ADMIN, via: ALICE_VIA_CHAIN.via },
      'unknown person (role Admin → OrgAdmin, session deploy)',
    ],
    [
      'a forged 1,000-role chain: the first roles and a count',
      { ...BOB_VIA_ADMIN, via: Array.from({ length: 1_000 }, (_, i) => `arn:aws:iam::1:role/R${i}`) },
      'bob (via R0 → R1 → R2 → R3 → R4 → R5 → R6 → R7 → … (992 more), cli)',
    ],
  ])('%s', (_name, actor, headline) => {
    expect(personHeadline(actor)).toBe(headline);
  });

  it('the known person line is formatActor’s, starting with the name', () => {
    expect(personFact(ALICE_VIA_CHAIN)).toMatch(/^alice via Admin → OrgAdmin \(222222222222\)/);
  });

  it('lists the role chain as full ARNs in order and the evidence with its event', () => {
    expect(personFacts(ALICE_VIA_CHAIN)).toEqual([
      ['Person', formatActor(ALICE_VIA_CHAIN)],
      ['Role chain', 'arn:aws:iam::111111111111:role/Admin → arn:aws:iam::222222222222:role/OrgAdmin'],
      ['Attribution', 'access key ASIA…1234 from AssumeRole 7d1e2f3a-0000-4000-8000-000000000001'],
    ]);
    // A service acted through no role: no chain line.
    expect(personFacts(CLOUDFORMATION).map(([label]) => label)).toEqual(['Person', 'Attribution']);
  });

  it.each([
    [
      'names the event the detail does not',
      { kind: 'saml', detail: 'SAML subject alice', eventID: 'ev-1' },
      'SAML subject alice (event ev-1)',
    ],
    [
      'does not repeat an event already named',
      { kind: 'access-key', detail: 'from AssumeRole ev-2', eventID: 'ev-2' },
      'from AssumeRole ev-2',
    ],
    ['falls back to the kind for an empty detail', { kind: 'root', detail: '' }, 'root'],
  ] as const)('attribution fact %s', (_name, proof, expected) => {
    expect(attributionFact({ ...ALICE_VIA_CHAIN, proof })).toBe(expected);
  });

  it('caps a hostile name and session name in summaries, leaving them as text', () => {
    const long = 'x'.repeat(100_000);
    expect(personShort(namedActor(long)).length).toBe(PERSON_TEXT_MAX);
    const unknown = { ...UNKNOWN_ADMIN, sessionName: long };
    expect(personHeadline(unknown).length).toBeLessThan(PERSON_TEXT_MAX + 40);
    // Control characters are not this layer's business: each destination escapes its own way.
    expect(personShort(namedActor('a\u001b[31mb'))).toBe('a\u001b[31mb');
  });
});

describe('summaries name the person first', () => {
  const facts = alertFacts(injectedRecord('x'));

  it.each([
    [
      ALICE_VIA_CHAIN,
      /^alice \(via Admin → OrgAdmin, console\) called iam:CreateAccessKey in 111122223333 us-east-1/,
    ],
    [UNKNOWN_ADMIN, /^unknown person \(role Admin, session deploy\) called iam:CreateAccessKey/],
    [CLOUDFORMATION, /^cloudformation\.amazonaws\.com \(AWS service\) called iam:CreateAccessKey/],
  ])('describeAction with %#', (actor, expected) => {
    expect(describeAction(facts, actor)).toMatch(expected);
  });

  it('without attribution, the principal as before', () => {
    expect(describeAction(facts)).toMatch(/^x as role Admin called iam:CreateAccessKey/);
  });

  it('puts the person of the last event before a correlation’s count, and before the title', () => {
    const base = injectedAlert('x');
    const correlation: Alert = {
      ...base,
      kind: 'correlation',
      summary: '5 matching events within 10 min.',
      actor: BOB_VIA_ADMIN,
    };
    expect(alertLead(correlation)).toBe(
      'bob (via Admin, cli), in the last event: 5 matching events within 10 min.',
    );
    const { actor: _unattributed, ...withoutActor } = correlation;
    expect(alertLead(withoutActor)).toBe('5 matching events within 10 min.');
    expect(titleWithPerson(correlation)).toBe(`bob — ${base.title}`);
    expect(titleWithPerson(base)).toBe(base.title);
  });
});

describe('cappedActor', () => {
  it('keeps the shape and cuts every text and the chain', () => {
    const huge = 'y'.repeat(1_000_000);
    const actor: Actor = {
      ...namedActor(huge, huge),
      via: Array.from({ length: 1_000 }, () => huge),
      proof: { kind: 'saml', detail: huge, eventID: huge },
    };
    const capped = cappedActor(actor);
    expect(capped.person.kind).toBe('saml-subject');
    expect(capped.via).toHaveLength(CAPPED_CHAIN_MAX);
    for (const text of [
      capped.person.name,
      capped.sessionName,
      capped.proof.detail,
      capped.proof.eventID,
      ...capped.via,
    ])
      expect(text?.length).toBe(FIELD_TEXT_MAX);
    expect(Buffer.byteLength(JSON.stringify(capped))).toBeLessThan(64 * 1024);
    expect(cappedActor(ALICE_VIA_CHAIN)).toEqual(ALICE_VIA_CHAIN);
  });
});
