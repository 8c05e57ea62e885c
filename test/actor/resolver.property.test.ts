/**
 * Properties of attribution on generated records: observe and resolve never throw whatever JSON
 * sits in any field, and a person whose key linkage is known is never replaced by a name the caller
 * chose (a session name, a source identity, an Identity Center session name, a console look).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActorResolver, formatActor, MemorySessionStore } from '../../lib/actor';

const BASE = {
  eventVersion: '1.09',
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: 'us-east-1',
  eventID: 'e-1',
};

/** The fields attribution reads, each replaced by any JSON (or removed) in turn. */
const FIELD_PATHS = [
  ['userIdentity'],
  ['userIdentity', 'type'],
  ['userIdentity', 'arn'],
  ['userIdentity', 'accessKeyId'],
  ['userIdentity', 'userName'],
  ['userIdentity', 'invokedBy'],
  ['userIdentity', 'onBehalfOf'],
  ['userIdentity', 'sessionContext'],
  ['userIdentity', 'sessionContext', 'sourceIdentity'],
  ['userIdentity', 'sessionContext', 'sessionIssuer'],
  ['requestParameters'],
  ['requestParameters', 'roleArn'],
  ['requestParameters', 'durationSeconds'],
  ['responseElements'],
  ['responseElements', 'credentials'],
  ['responseElements', 'credentials', 'accessKeyId'],
  ['responseElements', 'credentials', 'expiration'],
  ['responseElements', 'subject'],
  ['responseElements', 'ConsoleLogin'],
  ['additionalEventData'],
  ['additionalEventData', 'SwitchFrom'],
  ['sessionCredentialFromConsole'],
  ['sharedEventID'],
  ['userAgent'],
  ['eventTime'],
  ['eventName'],
  ['eventSource'],
  ['errorCode'],
] as const;

const NAMES = [
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetSessionToken',
  'GetFederationToken',
  'ConsoleLogin',
  'SwitchRole',
  'CreateUser',
];

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

const hostileRecord = fc
  .tuple(
    fc.constantFrom(...NAMES),
    fc.constantFrom('sts.amazonaws.com', 'signin.amazonaws.com', 'iam.amazonaws.com'),
    fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), fc.jsonValue()), { maxLength: 8 }),
    fc.constantFrom(
      'AssumedRole',
      'IAMUser',
      'AWSAccount',
      'SAMLUser',
      'WebIdentityUser',
      'FederatedUser',
      'Root',
    ),
  )
  .map(([eventName, eventSource, replacements, type]) => {
    const record: Record<string, unknown> = {
      ...BASE,
      eventName,
      eventSource,
      userIdentity: {
        type,
        arn: 'arn:aws:sts::111111111111:assumed-role/Admin/deploy',
        accessKeyId: 'ASIAKEY',
        sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111111111111:role/Admin' } },
      },
      responseElements: { credentials: { accessKeyId: 'ASIAKEY', expiration: 'May 1, 2024, 11:00:00 AM' } },
      requestParameters: { roleArn: 'arn:aws:iam::111111111111:role/Admin', roleSessionName: 'deploy' },
      additionalEventData: { SwitchFrom: 'arn:aws:iam::111111111111:user/alice' },
    };
    for (const [path, value] of replacements) setPath(record, path, value);
    return record;
  });

describe('resolve and observe on hostile records', () => {
  it('never throw and always answer a well-formed actor, whatever JSON is in any field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(hostileRecord, fc.jsonValue()), { minLength: 1, maxLength: 6 }),
        async (records) => {
          const resolver = new ActorResolver(new MemorySessionStore());
          for (const record of records) {
            resolver.isSessionStart(record);
            await resolver.observe(record);
            const actor = await resolver.resolve(record);
            expect(actor.person.name === null || typeof actor.person.name === 'string').toBe(true);
            expect(actor.via.every((arn) => typeof arn === 'string')).toBe(true);
            expect(typeof actor.proof.detail).toBe('string');
            expect(formatActor(actor)).not.toMatch(/[\n\r]/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

const PEOPLE = ['alice', 'bob', 'carol'];
/** What callers may write into their own calls: other people's names, Identity Center roles. */
const CLAIMED = fc.constantFrom('alice', 'bob', 'carol', 'mallory', 'deploy', 'ALICE');

interface Start {
  readonly person: string;
  readonly role: string;
  readonly sessionName: string;
  readonly sourceIdentity: string | undefined;
}
interface Call {
  readonly session: number;
  readonly sessionName: string;
  readonly sourceIdentity: string | undefined;
  readonly console: boolean;
}

const start = fc.record({
  person: fc.constantFrom(...PEOPLE),
  role: fc.constantFrom('Admin', 'AWSReservedSSO_Admin_0123456789abcdef'),
  sessionName: CLAIMED,
  sourceIdentity: fc.option(CLAIMED, { nil: undefined }),
});
const callOf = (sessions: number) =>
  fc.record({
    session: fc.nat({ max: sessions - 1 }),
    sessionName: CLAIMED,
    sourceIdentity: fc.option(CLAIMED, { nil: undefined }),
    console: fc.boolean(),
  });

const A1 = '111111111111';
const keyOf = (index: number): string => `ASIAPROPERTY${String(index).padStart(8, '0')}`;

function assumeRole(index: number, s: Start): Record<string, unknown> {
  return {
    ...BASE,
    eventID: `start-${index}`,
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${A1}:user/${s.person}`,
      accountId: A1,
      userName: s.person,
      accessKeyId: `AKIA${s.person}`,
    },
    requestParameters: {
      roleArn: `arn:aws:iam::${A1}:role/${s.role}`,
      roleSessionName: s.sessionName,
      ...(s.sourceIdentity === undefined ? {} : { sourceIdentity: s.sourceIdentity }),
    },
    responseElements: { credentials: { accessKeyId: keyOf(index), expiration: 'May 1, 2024, 11:00:00 AM' } },
  };
}

function callRecord(index: number, c: Call, s: Start): Record<string, unknown> {
  return {
    ...BASE,
    eventTime: '2024-05-01T10:30:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    eventID: `call-${index}`,
    userAgent: c.console ? 'console.amazonaws.com' : 'aws-cli/2.15.30',
    ...(c.console ? { sessionCredentialFromConsole: 'true' } : {}),
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${A1}:assumed-role/${s.role}/${c.sessionName}`,
      accountId: A1,
      accessKeyId: keyOf(c.session),
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${A1}:role/${s.role}`, userName: s.role },
        ...(c.sourceIdentity === undefined ? {} : { sourceIdentity: c.sourceIdentity }),
      },
    },
  };
}

describe('key linkage is never overridden by a claimed name', () => {
  it('every call made with a key an AssumeRole returned names the person it was returned to', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(start, { minLength: 1, maxLength: 5 })
          .chain((starts) =>
            fc.tuple(fc.constant(starts), fc.array(callOf(starts.length), { minLength: 1, maxLength: 12 })),
          ),
        async ([starts, calls]) => {
          const resolver = new ActorResolver(new MemorySessionStore());
          for (const [index, s] of starts.entries()) await resolver.observe(assumeRole(index, s));
          for (const [index, c] of calls.entries()) {
            const s = starts[c.session];
            if (s === undefined) throw new Error('generator out of range');
            const actor = await resolver.resolve(callRecord(index, c, s));
            expect(actor.person.name).toBe(s.person);
            expect(actor.person.kind).toBe('iam-user');
            expect(actor.session).toBe(keyOf(c.session));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
