/**
 * The person behind a CloudTrail record, as far as the evidence goes. Rules match on it under the
 * `actor.` field namespace (`actor.person.name`, `actor.via`), alerts carry it, every output names
 * the person first.
 */

/** What kind of identity the person is. */
export type PersonKind =
  | 'iam-user'
  | 'identity-center-user'
  | 'saml-subject'
  | 'web-identity-subject'
  /** Only the source identity names the person (set at the first AssumeRole; no other evidence reached). */
  | 'source-identity'
  | 'root'
  | 'aws-service'
  | 'unknown';

/** How the call was made. */
export type ActorInterface = 'console' | 'cli' | 'sdk' | 'service' | 'unknown';

/**
 * Which evidence linked the record to the person, strongest first. `none`: the person is unknown
 * (the session started before the data, or in an account not read); the role and session name are
 * shown as they are.
 */
export type ProofKind =
  | 'source-identity'
  | 'identity-center'
  | 'saml'
  | 'web-identity'
  | 'access-key'
  | 'console-session'
  | 'iam-user'
  | 'root'
  | 'aws-service'
  | 'none';

export interface Person {
  /** The name a human reads: `alice`, `alice@example.com`, the SAML subject; null when unknown. */
  readonly name: string | null;
  /** The person's own ARN when there is one (IAM user, root, identity store user). */
  readonly arn: string | null;
  readonly kind: PersonKind;
}

export interface Proof {
  readonly kind: ProofKind;
  /** One line a reviewer can check: `AssumeRole 7d1e… returned ASIA…1234 to alice`. */
  readonly detail: string;
  /** The record that carried the evidence (the AssumeRole, ConsoleLogin, SwitchRole), when one did. */
  readonly eventID?: string;
}

export interface Actor {
  readonly person: Person;
  /** Role ARNs the person acted through, in order, across accounts (empty: acted as themself). */
  readonly via: readonly string[];
  /** A stable id of the session the record belongs to; null when there is no session to name. */
  readonly session: string | null;
  readonly interface: ActorInterface;
  readonly proof: Proof;
  /** The role session name, for a role session: shown as it is when the person is unknown. */
  readonly sessionName?: string;
}
