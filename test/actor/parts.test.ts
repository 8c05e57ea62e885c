/** The small parts attribution is built from, one table each. */
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../lib/actor';
import {
  ActorResolver,
  actorFields,
  formatActor,
  interfaceOf,
  isSessionStart,
  MemorySessionStore,
  mayStartSession,
  parseTime,
  SESSION_START_EVENT_NAMES,
  unknownActor,
} from '../../lib/actor';

describe('parseTime reads every way CloudTrail writes a credentials expiration', () => {
  it.each([
    ['Jul 18, 2023, 4:07:39 PM', Date.UTC(2023, 6, 18, 16, 7, 39)],
    ['Jan 4, 2022 3:21:11 AM', Date.UTC(2022, 0, 4, 3, 21, 11)],
    ['Mar 23, 2016, 12:39:57 AM', Date.UTC(2016, 2, 23, 0, 39, 57)],
    ['Mar 23, 2016, 12:39:57 PM', Date.UTC(2016, 2, 23, 12, 39, 57)],
    ['2024-05-01T11:00:00Z', Date.UTC(2024, 4, 1, 11)],
    ['Foo 1, 2024, 1:00:00 AM', undefined],
    ['Jan 1, 2024, 13:00:00 PM', undefined],
    ['tomorrow', undefined],
    [null, undefined],
    [{}, undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseTime(value)).toBe(expected);
  });
});

describe('interfaceOf', () => {
  it.each([
    [{ sessionCredentialFromConsole: 'true', userAgent: 'aws-cli/2.15.0' }, 'console'],
    [{ eventSource: 'signin.amazonaws.com' }, 'console'],
    [{ userAgent: 'console.amazonaws.com' }, 'console'],
    [{ userAgent: '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.1030]' }, 'console'],
    [{ userAgent: 'Mozilla/5.0 (Macintosh)' }, 'console'],
    [{ userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 botocore/2.0' }, 'cli'],
    [{ userAgent: '[aws-cli/1.11.10 Python/2.7.8 botocore/1.4.67]' }, 'cli'],
    [{ userAgent: 'Boto3/1.34.84 md/Botocore#1.34.84' }, 'sdk'],
    [{ userAgent: 'aws-sdk-go-v2/1.25.0 os/linux' }, 'sdk'],
    [{ userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go/1.50' }, 'sdk'],
    [{ userIdentity: { type: 'AWSService', invokedBy: 'config.amazonaws.com' } }, 'service'],
    [{ userAgent: 'lambda.amazonaws.com' }, 'service'],
    [{ userAgent: 'curl/8.0' }, 'unknown'],
    [{ userAgent: 42, userIdentity: 'x' }, 'unknown'],
  ])('%j → %s', (record, expected) => {
    expect(interfaceOf(record)).toBe(expected);
  });
});

describe('session starts', () => {
  const base = { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' };
  it.each([
    [base, true],
    [{ ...base, eventName: 'AssumeRoleWithSAML' }, true],
    [{ ...base, eventName: 'GetFederationToken' }, true],
    [{ ...base, errorCode: 'AccessDenied' }, false],
    [{ ...base, eventSource: 'iam.amazonaws.com' }, false],
    [{ ...base, eventName: 'GetCallerIdentity' }, false],
    [
      {
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        responseElements: { ConsoleLogin: 'Success' },
      },
      true,
    ],
    [
      {
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        responseElements: { ConsoleLogin: 'Failure' },
      },
      false,
    ],
    [
      {
        eventSource: 'signin.amazonaws.com',
        eventName: 'SwitchRole',
        responseElements: { SwitchRole: 'Success' },
      },
      true,
    ],
    [{ eventSource: 'signin.amazonaws.com', eventName: 'CheckMfa' }, false],
    [null, false],
    ['AssumeRole', false],
  ])('%j → %s', (record, expected) => {
    expect(isSessionStart(record)).toBe(expected);
  });

  it('the raw-text pre-filter keeps every session start name', () => {
    for (const name of SESSION_START_EVENT_NAMES)
      expect(mayStartSession(`{"eventName":"${name}"}`)).toBe(true);
    expect(mayStartSession('{"eventName":"PutObject"}')).toBe(false);
  });
});

describe('isUnlinked: when a record can only be attributed from its own text', () => {
  const resolver = new ActorResolver(new MemorySessionStore());
  it.each([
    ['{"userIdentity":{"type":"IAMUser","userName":"alice"}}', true],
    ['{"userIdentity":{"accessKeyId":"ASIANEVERSEEN"}}', true],
    ['{"userIdentity":{"accessKeyId":"ASIANEVERSEEN"},"sessionCredentialFromConsole":"true"}', false],
    ['{"userIdentity":{"type":"AWSAccount"},"sharedEventID":"x"}', false],
    ['{"eventSource":"signin.amazonaws.com","userIdentity":{}}', false],
    ['{"a":{"accessKeyId":"K1"},"b":{"accessKeyId":"K2"}}', false],
  ])('%s → %s', (raw, expected) => {
    expect(resolver.isUnlinked(raw)).toBe(expected);
  });
});

const session = (key: string, name: string | null): SessionRecord => ({
  key,
  person: { name, arn: null, kind: name === null ? 'unknown' : 'iam-user' },
  via: [],
  session: key,
  proof: { kind: name === null ? 'none' : 'access-key', detail: 'test' },
  startedBy: 'assume-role',
  interface: 'cli',
  startedAt: '2024-05-01T10:00:00Z',
  expiresAt: Date.UTC(2024, 4, 1, 11),
  accounts: [],
});

describe('MemorySessionStore', () => {
  it('never replaces a session naming its person with one that does not, but fills in an unknown one', async () => {
    const store = new MemorySessionStore();
    await store.put(session('K', 'alice'));
    await store.put(session('K', null));
    expect((await store.get('K'))?.person.name).toBe('alice');
    await store.put(session('U', null));
    await store.put(session('U', 'bob'));
    expect((await store.get('U'))?.person.name).toBe('bob');
  });

  it('forgets the oldest tenth past its bound', async () => {
    const store = new MemorySessionStore(10);
    for (let i = 0; i < 11; i++) await store.put(session(`K${i}`, 'alice'));
    expect(store.size).toBe(10);
    expect(await store.get('K0')).toBeUndefined();
    expect(await store.get('K10')).toBeDefined();
  });
});

describe('formatActor and actorFields', () => {
  it('keep a hostile session name on one line', () => {
    const line = formatActor(unknownActor('x', 'evil\nname\u001b[31m'));
    expect(line).toBe('unknown (session evil\\nname\\x1b[31m)');
  });

  it('actorFields is the plain object rules match, nulls included', () => {
    expect(actorFields(unknownActor('why'))).toEqual({
      person: { name: null, arn: null, kind: 'unknown' },
      via: [],
      session: null,
      sessionName: null,
      interface: 'unknown',
      proof: { kind: 'none', detail: 'why', eventID: null },
    });
  });
});
