import type { ActorInterface, Person, Proof } from '../actor/types';
import type { Level } from '../rules';

/**
 * What `trailwatch audit` answers about one person: their sessions in time order, each with how it
 * started, the roles and accounts it went through, and every action in it with the rules it raised;
 * then a summary. Plain data: the JSON output is this object, the table and HTML render it.
 */
export interface AuditReport {
  /** The `--who` asked. */
  readonly who: string;
  /** The persons `--who` matched (usually one; an IAM user and an Identity Center user may share a name). */
  readonly people: readonly Person[];
  readonly sessions: readonly AuditSession[];
  readonly summary: AuditSummary;
  /** Sessions of the same roles whose person is unknown: shown as a count so nothing is silently hidden. */
  readonly unattributed: UnattributedSessions;
}

/** How a session started, by the event that gave it its credentials (or what the actions show). */
export type StartKind =
  | 'cli-assume-role'
  | 'sdk-assume-role'
  | 'assume-role'
  | 'console-switch-role'
  | 'console-sign-in'
  | 'identity-center'
  | 'saml'
  | 'web-identity'
  | 'session-token'
  | 'federation-token'
  | 'iam-user'
  | 'root'
  | 'aws-service'
  | 'unknown';

export interface SessionStartInfo {
  readonly kind: StartKind;
  /** What a reader sees: `CLI AssumeRole`, `console switch-role`, `Identity Center`. */
  readonly label: string;
  /** The starting event, when it was read (an AssumeRole outside the data leaves these out). */
  readonly eventID?: string;
  readonly eventName?: string;
  readonly eventTime?: string;
}

export type Access = 'read' | 'write' | 'unknown';

export interface RaisedRule {
  readonly ruleId: string;
  readonly title: string;
  readonly level: Level;
}

export interface AuditAction {
  readonly eventID: string;
  readonly eventTime: string;
  /** The account the call was made in (recipientAccountId, else the identity's account). */
  readonly account: string | null;
  readonly region: string;
  /** `iam`, `s3`: the eventSource without `.amazonaws.com`. */
  readonly service: string;
  readonly action: string;
  /** From `readOnly`; `unknown` when the record does not say (sign-in events). */
  readonly access: Access;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly sourceIPAddress: string | null;
  readonly userAgent: string | null;
  readonly interface: ActorInterface;
  readonly rules: readonly RaisedRule[];
}

export interface AuditSession {
  /** The actor's session id (stable across the session's records). */
  readonly id: string;
  readonly person: Person;
  readonly started: SessionStartInfo;
  /** Role ARNs in order, across accounts; empty when the person acted as themself. */
  readonly via: readonly string[];
  /** Accounts the session touched: the chain's, then those its actions were made in. */
  readonly accounts: readonly string[];
  /** The interfaces its actions were made from, most frequent first. */
  readonly interfaces: readonly ActorInterface[];
  readonly sourceIPs: readonly string[];
  readonly proof: Proof;
  readonly firstEventTime: string;
  readonly lastEventTime: string;
  readonly actions: readonly AuditAction[];
}

export interface CountedName {
  readonly name: string;
  readonly count: number;
}

export interface AuditSummary {
  readonly sessions: number;
  readonly actions: number;
  readonly reads: number;
  readonly writes: number;
  /** Actions whose record does not say read or write. */
  readonly unknownAccess: number;
  readonly errors: number;
  /** Services by number of actions, most first. */
  readonly services: readonly CountedName[];
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly sourceIPs: readonly string[];
  /** Rule matches on the person's actions, in all and per level. */
  readonly alerts: { readonly total: number; readonly byLevel: Readonly<Partial<Record<Level, number>>> };
  /** Correlation alerts whose last event was the person's. */
  readonly correlations: readonly RaisedRule[];
  readonly firstEventTime: string | null;
  readonly lastEventTime: string | null;
}

export interface UnattributedSessions {
  /** Sessions whose person is unknown, of any role the person also used. */
  readonly sessions: number;
  readonly actions: number;
  readonly roles: readonly CountedName[];
}
