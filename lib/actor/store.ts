import type { ActorInterface, Person, Proof } from './types';

/** How a session was started: the event that returned (or implied) its credentials. */
export type SessionStart =
  | 'assume-role'
  | 'assume-role-with-saml'
  | 'assume-role-with-web-identity'
  | 'get-session-token'
  | 'get-federation-token'
  | 'console-login'
  | 'switch-role';

/**
 * What is remembered of a session for its credentials' lifetime: who is behind it and through
 * which roles, keyed by the temporary access key id its calls carry (or, for a console session
 * whose keys never appear in a response, by role ARN and session name).
 */
export interface SessionRecord {
  readonly key: string;
  readonly person: Person;
  readonly via: readonly string[];
  /** The stable session id every record of the session gets. */
  readonly session: string;
  readonly proof: Proof;
  readonly startedBy: SessionStart;
  readonly interface: ActorInterface;
  /** ISO 8601 time of the starting event. */
  readonly startedAt: string;
  /** Epoch ms when the credentials expire: the record is forgotten then (DynamoDB TTL). */
  readonly expiresAt: number;
  /** Accounts the chain has crossed, in order. */
  readonly accounts: readonly string[];
}

/**
 * How much a remembered session tells: naming the person first, then the length of the role chain
 * it knows. The two copies of a cross-account AssumeRole arrive in any order; the caller's copy
 * names the person and the roles before, the target account's copy at most the person: a session
 * is never replaced by one that tells less.
 */
export function sessionWeight(record: SessionRecord): number {
  return (record.person.name === null ? 0 : 1_000_000) + record.via.length;
}

/** Where sessions are remembered: in memory for the CLI, the DynamoDB state table in Lambda. */
export interface SessionStore {
  get(key: string): Promise<SessionRecord | undefined>;
  /**
   * Remembers a session until `expiresAt`. Never replaces a record that names its person with one
   * that does not: the two copies of a cross-account AssumeRole arrive in any order, and only the
   * caller's copy names the person.
   */
  put(record: SessionRecord): Promise<void>;
  /**
   * Whether a session is known under this key, answered at once where the store can (in memory);
   * undefined where it cannot (a remote table). Lets the reader skip parsing records no rule on the
   * actor could match.
   */
  knows?(key: string): boolean | undefined;
}
