import type { Actor, ActorInterface } from '../actor/types';
import type { CloudTrailRecord } from '../records';
import type { SessionStartInfo, StartKind } from './model';

/**
 * The events that hand out credentials or open a console session: a session's `proof.eventID`
 * points at one of them when it was read.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_examples-sts-api
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_signin-tempcreds
 */
const SIGNIN_SOURCE = 'signin.amazonaws.com';

export const SESSION_START_EVENTS: Readonly<Record<string, string>> = {
  AssumeRole: 'sts.amazonaws.com',
  AssumeRoleWithSAML: 'sts.amazonaws.com',
  AssumeRoleWithWebIdentity: 'sts.amazonaws.com',
  GetSessionToken: 'sts.amazonaws.com',
  GetFederationToken: 'sts.amazonaws.com',
  ConsoleLogin: SIGNIN_SOURCE,
  SwitchRole: SIGNIN_SOURCE,
};

/** The few facts of a starting event the report needs, kept by eventID. */
export interface StartEvent {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventTime: string;
  /** How the starting call itself was made (the AWS CLI, the console), from its own actor. */
  readonly interface: ActorInterface;
}

export function isStartEvent(record: CloudTrailRecord): boolean {
  const source = SESSION_START_EVENTS[record.eventName];
  return source !== undefined && record.eventSource === source;
}

/**
 * The starting events read, by eventID (a session's `proof.eventID`) and by the temporary access key
 * their response returned (a session id is that key): a session whose person came from stronger
 * evidence (a source identity) still finds the AssumeRole that opened it.
 */
export class StartIndex {
  private readonly byEvent = new Map<string, StartEvent>();
  private readonly byKey = new Map<string, StartEvent>();

  add(record: CloudTrailRecord, actor: Actor | undefined): void {
    if (!isStartEvent(record) || this.byEvent.has(record.eventID)) return;
    const start: StartEvent = {
      eventID: record.eventID,
      eventName: record.eventName,
      eventTime: record.eventTime,
      interface: actor?.interface ?? 'unknown',
    };
    this.byEvent.set(start.eventID, start);
    const key = returnedKey(record);
    // The caller's copy of a cross-account start is kept over the other account's (`AWSAccount`).
    if (key !== undefined && (!this.byKey.has(key) || record.userIdentity?.type !== 'AWSAccount')) {
      this.byKey.set(key, start);
    }
  }

  /**
   * The start of `actor`'s session: the event its proof names, else the one that returned its key,
   * else a sign-in among its own records (`ownEventIDs`: a console session's records begin with the
   * ConsoleLogin or SwitchRole that opened it, logged under the session's own identity).
   */
  of(actor: Actor, ownEventIDs: readonly string[] = []): StartEvent | undefined {
    const byEvent = actor.proof.eventID === undefined ? undefined : this.byEvent.get(actor.proof.eventID);
    const byKey = actor.session === null ? undefined : this.byKey.get(actor.session);
    if (byEvent ?? byKey) return byEvent ?? byKey;
    for (const id of ownEventIDs) {
      const own = this.byEvent.get(id);
      if (own !== undefined && SESSION_START_EVENTS[own.eventName] === SIGNIN_SOURCE) return own;
    }
    return undefined;
  }
}

function returnedKey(record: CloudTrailRecord): string | undefined {
  const credentials = record.responseElements?.credentials;
  if (typeof credentials !== 'object' || credentials === null) return undefined;
  const key: unknown = Reflect.get(credentials, 'accessKeyId');
  return typeof key === 'string' && key !== '' ? key : undefined;
}

const LABELS: Readonly<Record<StartKind, string>> = {
  'cli-assume-role': 'CLI AssumeRole',
  'sdk-assume-role': 'SDK AssumeRole',
  'assume-role': 'AssumeRole',
  'console-switch-role': 'console switch-role',
  'console-sign-in': 'console sign-in',
  'identity-center': 'Identity Center',
  saml: 'SAML federation (AssumeRoleWithSAML)',
  'web-identity': 'web identity federation (AssumeRoleWithWebIdentity)',
  'session-token': 'GetSessionToken',
  'federation-token': 'GetFederationToken',
  'iam-user': 'IAM user',
  root: 'root user',
  'aws-service': 'AWS service',
  unknown: 'unknown (started outside the data read)',
};

export function startLabel(kind: StartKind): string {
  return LABELS[kind];
}

/** From the starting event's name, when it was read. */
function kindOfEvent(event: StartEvent, actor: Actor): StartKind | undefined {
  switch (event.eventName) {
    case 'SwitchRole':
      return 'console-switch-role';
    case 'ConsoleLogin':
      // A console sign-in into a role is Identity Center's or a SAML IdP's; the proof says which.
      return actor.proof.kind === 'identity-center' ? 'identity-center' : 'console-sign-in';
    case 'AssumeRole':
      // The console's own switch-role is logged as SwitchRole; an AssumeRole made from the console
      // (CloudShell, a console back end) is told by the call's interface like any other.
      if (event.interface === 'cli') return 'cli-assume-role';
      if (event.interface === 'sdk') return 'sdk-assume-role';
      return 'assume-role';
    case 'AssumeRoleWithSAML':
      return actor.proof.kind === 'identity-center' ? 'identity-center' : 'saml';
    case 'AssumeRoleWithWebIdentity':
      return 'web-identity';
    case 'GetSessionToken':
      return 'session-token';
    case 'GetFederationToken':
      return 'federation-token';
    default:
      return undefined;
  }
}

/** From the evidence alone, when the starting event was not read. */
function kindOfProof(actor: Actor, identityType: string | undefined): StartKind {
  const roleSession = actor.via.length > 0;
  // A federated user's session always comes from GetFederationToken.
  if (identityType === 'FederatedUser') return 'federation-token';
  switch (actor.proof.kind) {
    case 'identity-center':
      return 'identity-center';
    case 'saml':
      return 'saml';
    case 'web-identity':
      return 'web-identity';
    case 'root':
      return 'root';
    case 'aws-service':
      return 'aws-service';
    case 'iam-user':
      return roleSession ? 'assume-role' : 'iam-user';
    case 'console-session':
      return roleSession ? 'console-switch-role' : 'console-sign-in';
    case 'source-identity':
    case 'access-key':
      return roleSession ? 'assume-role' : 'session-token';
    case 'none':
      return 'unknown';
  }
}

/** Kinds that need no starting event: the person acted with their own long-term identity. */
const WITHOUT_START: ReadonlySet<StartKind> = new Set(['iam-user', 'root', 'aws-service', 'unknown']);

/**
 * How the session of `actor` started, from its starting event when it was read, else from the
 * evidence (`identityType`: the `userIdentity.type` of its records).
 */
export function sessionStart(
  actor: Actor,
  starts: StartIndex,
  identityType: string | undefined,
  ownEventIDs: readonly string[] = [],
): SessionStartInfo {
  const event = starts.of(actor, ownEventIDs);
  const kind = (event && kindOfEvent(event, actor)) ?? kindOfProof(actor, identityType);
  if (event === undefined) {
    const label = WITHOUT_START.has(kind)
      ? startLabel(kind)
      : `${startLabel(kind)} (its start is not in the data read)`;
    return { kind, label };
  }
  return {
    kind,
    label: startLabel(kind),
    eventID: event.eventID,
    eventName: event.eventName,
    eventTime: event.eventTime,
  };
}
