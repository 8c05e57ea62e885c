/**
 * The records that start sessions, and what each teaches: the temporary access key id every later
 * call of the session carries (STS), or the console session a sign-in opens (signin).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 */
import { uniqueStringField } from '../rules';
import { arnAccount, arnName, isIdentityCenterRole, parseRoleSessionArn, roleArnOf } from './arn';
import type { Claim } from './evidence';
import { withEvent } from './evidence';
import { interfaceOf, SIGNIN_SOURCE } from './interface';
import {
  CONSOLE_SESSION_MS,
  eventTimeOf,
  MAX_ROLE_SESSION_MS,
  MAX_USER_SESSION_MS,
  sessionExpiry,
} from './lifetime';
import type { Fields } from './read';
import { child, text } from './read';
import type { SessionRecord, SessionStart } from './store';
import type { Person, Proof } from './types';

const STS_SOURCE = 'sts.amazonaws.com';

/** STS calls that return temporary credentials, and how each starts a session. */
const STS_STARTS: Readonly<Record<string, SessionStart>> = {
  AssumeRole: 'assume-role',
  AssumeRoleWithSAML: 'assume-role-with-saml',
  AssumeRoleWithWebIdentity: 'assume-role-with-web-identity',
  GetSessionToken: 'get-session-token',
  GetFederationToken: 'get-federation-token',
};
const CONSOLE_STARTS: Readonly<Record<string, SessionStart>> = {
  ConsoleLogin: 'console-login',
  SwitchRole: 'switch-role',
};

/** Every event name `observe` learns from: for a raw-text pre-filter that must never drop one. */
export const SESSION_START_EVENT_NAMES: readonly string[] = [
  ...Object.keys(STS_STARTS),
  ...Object.keys(CONSOLE_STARTS),
];

const START_NAMES: ReadonlySet<string> = new Set(SESSION_START_EVENT_NAMES);

/** Substrings one of which every session start's raw text holds (`AssumeRole` covers its variants). */
const SESSION_START_LITERALS = [
  'AssumeRole',
  'GetSessionToken',
  'GetFederationToken',
  'ConsoleLogin',
  'SwitchRole',
];

/**
 * The caller of a role assumption AWS services make for themselves (a Lambda function's role, an
 * instance profile, a service-linked role), as CloudTrail writes it. Such sessions name no person
 * and are the bulk of AssumeRole traffic (97% of it in the trails we sampled); they are not
 * learned, so their calls show their role and session name with no person, as `invokedBy` and the
 * session name already tell.
 */
const SERVICE_CALLER = '"type":"AWSService"';

/**
 * A cheap look at a record's raw text: false when it cannot be a session start trailwatch learns.
 * `eventName` is the text's eventName when a caller already read it as `uniqueStringField` does
 * (undefined: not unambiguous); null (the default) reads it here.
 */
export function mayStartSession(raw: string, eventName: string | undefined | null = null): boolean {
  // The event name read once when it is unambiguous; otherwise any mention of one counts.
  const name = eventName === null ? uniqueStringField(raw, '"eventName"') : eventName;
  if (name !== undefined) {
    if (!START_NAMES.has(name)) return false;
    return !(name === 'AssumeRole' && raw.includes(SERVICE_CALLER));
  }
  for (const literal of SESSION_START_LITERALS)
    if (raw.includes(literal)) return !(literal === 'AssumeRole' && raw.includes(SERVICE_CALLER));
  return false;
}

/** How the record starts a session, or undefined when it does not (wrong source, failed call). */
export function sessionStartOf(record: Fields): SessionStart | undefined {
  const name = text(record, 'eventName');
  if (name === undefined || (record.errorCode !== undefined && record.errorCode !== null)) return undefined;
  const source = text(record, 'eventSource');
  if (source === STS_SOURCE && Object.hasOwn(STS_STARTS, name)) {
    // Sessions AWS services start for themselves name no person: not learned (see SERVICE_CALLER).
    return text(child(record, 'userIdentity'), 'type') === 'AWSService' ? undefined : STS_STARTS[name];
  }
  if (source === SIGNIN_SOURCE && Object.hasOwn(CONSOLE_STARTS, name)) {
    // A failed sign-in is logged with responseElements {ConsoleLogin: "Failure"} and no errorCode.
    const outcome = text(child(record, 'responseElements'), name);
    return outcome === undefined || outcome === 'Success' ? CONSOLE_STARTS[name] : undefined;
  }
  return undefined;
}

/** True for the records `observe` learns from. The driver never rules these out unparsed. */
export function isSessionStart(record: unknown): boolean {
  const fields = typeof record === 'object' && record !== null && !Array.isArray(record) ? record : undefined;
  return fields !== undefined && sessionStartOf(fields as Fields) !== undefined;
}

/** Who started a session, as far as known: the caller's actor, or the subject a federation names. */
export interface Starter {
  readonly person: Person;
  readonly proof: Proof;
  readonly via: readonly string[];
}

/** The key a console session is remembered under: its principal's ARN (console keys are never logged). */
export function consoleKey(principalArn: string): string {
  return `console#${principalArn}`;
}

/** The key the caller's copy of a cross-account call is remembered under, for the other account's copy. */
export function sharedKey(sharedEventID: string): string {
  return `shared#${sharedEventID}`;
}

/**
 * The session an STS start opens, keyed by the temporary access key id it returned; undefined when
 * the response carries no key. `starter` is the caller (AssumeRole, GetSessionToken,
 * GetFederationToken) or the federated subject (AssumeRoleWithSAML / WithWebIdentity).
 */
export function stsSession(record: Fields, start: SessionStart, starter: Starter): SessionRecord | undefined {
  const response = child(record, 'responseElements');
  const credentials = child(response, 'credentials');
  const key = text(credentials, 'accessKeyId');
  const startedAt = eventTimeOf(record);
  const eventTime = text(record, 'eventTime');
  if (key === undefined || startedAt === undefined || eventTime === undefined) return undefined;
  const request = child(record, 'requestParameters');
  const isRole = start.startsWith('assume-role');
  const roleArn = isRole ? assumedRoleArn(request, response) : undefined;
  const via = roleArn === undefined ? starter.via : [...starter.via, roleArn];
  const eventID = text(record, 'eventID');
  const eventName = text(record, 'eventName') ?? start;
  const federated = start === 'assume-role-with-saml' || start === 'assume-role-with-web-identity';
  const proof: Proof = federated
    ? starter.proof
    : starter.person.name === null
      ? withEvent({ kind: 'none', detail: `${eventName} returned ${key} to a caller not known` }, eventID)
      : withEvent(
          { kind: 'access-key', detail: `${eventName} returned ${key} to ${starter.person.name}` },
          eventID,
        );
  return {
    key,
    person: starter.person,
    via,
    session: key,
    proof,
    startedBy: start,
    interface: interfaceOf(record),
    startedAt: eventTime,
    expiresAt: sessionExpiry(
      credentials,
      request,
      startedAt,
      isRole ? MAX_ROLE_SESSION_MS : MAX_USER_SESSION_MS,
    ),
    accounts: accountsOf(via, text(child(record, 'userIdentity'), 'accountId')),
  };
}

/** The role an AssumeRole* assumed: `requestParameters.roleArn`, else from `assumedRoleUser.arn`. */
function assumedRoleArn(request: Fields | undefined, response: Fields | undefined): string | undefined {
  const requested = text(request, 'roleArn');
  if (requested !== undefined) return requested;
  const assumed = text(child(response, 'assumedRoleUser'), 'arn');
  const session = assumed === undefined ? undefined : parseRoleSessionArn(assumed);
  return session === undefined ? undefined : roleArnOf(session);
}

/**
 * The console session a sign-in opens, keyed by the signed-in principal's ARN (for SwitchRole, the
 * role session's). Its lifetime is not logged: CONSOLE_SESSION_MS.
 */
export function consoleSession(
  record: Fields,
  start: SessionStart,
  starter: Starter,
): SessionRecord | undefined {
  const principal = text(child(record, 'userIdentity'), 'arn');
  const eventTime = text(record, 'eventTime');
  const startedAt = eventTimeOf(record);
  if (principal === undefined || eventTime === undefined || startedAt === undefined) return undefined;
  const eventID = text(record, 'eventID');
  let via = starter.via;
  if (start === 'switch-role') {
    const session = parseRoleSessionArn(principal);
    if (session !== undefined) via = [...via, roleArnOf(session)];
  }
  const proof: Proof =
    starter.person.name === null
      ? withEvent(
          { kind: 'none', detail: `${start} of ${arnName(principal)}: who signed in is not known` },
          eventID,
        )
      : withEvent({ kind: 'console-session', detail: consoleDetail(record, start, starter) }, eventID);
  return {
    key: consoleKey(principal),
    person: starter.person,
    via,
    session: `console:${eventID ?? `${principal}@${eventTime}`}`,
    proof,
    startedBy: start,
    interface: 'console',
    startedAt: eventTime,
    expiresAt: startedAt + CONSOLE_SESSION_MS,
    accounts: accountsOf(via, arnAccount(principal)),
  };
}

function consoleDetail(record: Fields, start: SessionStart, starter: Starter): string {
  if (start === 'switch-role') {
    const from = text(child(record, 'additionalEventData'), 'SwitchFrom');
    return `SwitchRole from ${from ?? 'an unnamed principal'} (${starter.person.name})`;
  }
  return `ConsoleLogin of ${starter.person.name}`;
}

/** The accounts a chain crosses, in order, without repeats; the caller's own account when no role. */
function accountsOf(via: readonly string[], fallback: string | undefined): string[] {
  const accounts: string[] = [];
  for (const arn of via) {
    const account = arnAccount(arn);
    if (account !== undefined && !accounts.includes(account)) accounts.push(account);
  }
  if (accounts.length === 0 && fallback !== undefined) accounts.push(fallback);
  return accounts;
}

/** Who a SwitchRole came from when no console session of theirs is remembered: what the ARN says. */
export function switchSource(from: string): Claim & { readonly via: readonly string[] } {
  const session = parseRoleSessionArn(from);
  if (session !== undefined && isIdentityCenterRole(session.roleName)) {
    return {
      person: { name: session.sessionName, arn: null, kind: 'identity-center-user' },
      proof: {
        kind: 'identity-center',
        detail: `switched from Identity Center role ${session.roleName}, whose session name is the user`,
      },
      via: [roleArnOf(session)],
    };
  }
  if (session !== undefined) {
    return {
      person: { name: null, arn: null, kind: 'unknown' },
      proof: {
        kind: 'none',
        detail: `switched from role session ${session.roleName}/${session.sessionName}`,
      },
      via: [roleArnOf(session)],
    };
  }
  if (from.endsWith(':root')) {
    return {
      person: { name: 'root', arn: from, kind: 'root' },
      proof: { kind: 'root', detail: 'root' },
      via: [],
    };
  }
  if (/^arn:[^:]+:iam::[^:]*:user\//.test(from)) {
    const name = arnName(from);
    return {
      person: { name, arn: from, kind: 'iam-user' },
      proof: { kind: 'iam-user', detail: `IAM user ${name}` },
      via: [],
    };
  }
  return {
    person: { name: null, arn: null, kind: 'unknown' },
    proof: { kind: 'none', detail: `switched from ${from}` },
    via: [],
  };
}
