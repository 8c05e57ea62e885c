/**
 * Who is behind each record. `observe` learns sessions from the records that start them;
 * `resolve` names the person behind any record from the strongest evidence it has:
 *   1. `sessionContext.sourceIdentity` (set at the first AssumeRole, kept through chains);
 *   2. Identity Center (`onBehalfOf`, `IdentityCenterUser`, the session name of `AWSReservedSSO_*` roles),
 *      and the SAML or web-identity subject of an AssumeRoleWithSAML / WithWebIdentity;
 *   3. key linkage: the temporary access key id the record carries was returned by a session start
 *      seen earlier (recursively: that start's caller was resolved the same way, across accounts);
 *   4. a console session (ConsoleLogin, SwitchRole), for calls CloudTrail marks `sessionCredentialFromConsole`;
 *   5. the IAM user or root itself (or the issuer of a GetFederationToken session);
 *   6. an AWS service (`AWSService`, `invokedBy`).
 * A name claimed by a caller (a source identity, a session name) never overrides the person the
 * record's key is linked to: when they disagree, the key wins and the proof says so.
 * Without evidence the person is unknown, and the role and session name are shown as they are.
 */
import { uniqueStringField } from '../rules';
import { arnName } from './arn';
import type { Claim } from './evidence';
import {
  federatedSubjectClaim,
  identityCenterClaim,
  onBehalfOfClaim,
  principalClaim,
  serviceClaim,
  sourceIdentityClaim,
} from './evidence';
import type { IdentityFacts } from './identity';
import { identityFacts } from './identity';
import { interfaceOf, SIGNIN_SOURCE } from './interface';
import { EXPIRY_SKEW_MS, eventTimeOf } from './lifetime';
import type { Fields } from './read';
import { asFields, child, flag, text } from './read';
import type { Starter } from './session-start';
import {
  consoleKey,
  consoleSession,
  isSessionStart,
  mayStartSession,
  sessionStartOf,
  sharedKey,
  stsSession,
  switchSource,
} from './session-start';
import type { SessionRecord, SessionStore } from './store';
import type { Actor, Person } from './types';

const UNKNOWN_PERSON: Person = { name: null, arn: null, kind: 'unknown' };

/** Records linked by principal (console calls, sign-in events) or by the caller's copy (`sharedEventID`). */
const LINKED_OTHERWISE = /sessionCredentialFromConsole|signin\.amazonaws\.com|"sharedEventID"/;

export class ActorResolver {
  constructor(private readonly store: SessionStore) {}

  isSessionStart(record: unknown): boolean {
    return isSessionStart(record);
  }

  mayStartSession(raw: string, eventName?: string | null): boolean {
    return mayStartSession(raw, eventName);
  }

  /**
   * True when a record's raw text shows its session is certainly its own: its temporary key (the
   * only link to an earlier session start) is unambiguous and no session is known under it. Then
   * every actor value of the record is named in its text. False when unsure.
   */
  isUnlinked(raw: string): boolean {
    // Console calls are linked by principal, the other account's copy by sharedEventID: never unlinked.
    const key = uniqueStringField(raw, '"accessKeyId"');
    if (key === undefined ? raw.includes('"accessKeyId"') : this.store.knows?.(key) !== false) return false;
    return !LINKED_OTHERWISE.test(raw);
  }

  /** Learns the session a record starts, if it starts one; any other record is ignored. */
  async observe(record: unknown): Promise<void> {
    const fields = asFields(record);
    if (fields === undefined) return;
    const start = sessionStartOf(fields);
    if (start === undefined) return;
    if (start === 'console-login' || start === 'switch-role') {
      const starter = start === 'switch-role' ? await this.switchStarter(fields) : await this.starter(fields);
      const session = consoleSession(fields, start, starter);
      if (session !== undefined) await this.store.put(session);
      return;
    }
    const federated = start === 'assume-role-with-saml' || start === 'assume-role-with-web-identity';
    const facts = identityFacts(fields);
    const subject = federated ? federatedSubjectClaim(fields, facts) : undefined;
    const caller = federated ? undefined : await this.resolve(fields);
    const starter: Starter = subject
      ? { ...subject, via: [] }
      : (caller ?? { person: UNKNOWN_PERSON, proof: { kind: 'none', detail: 'no subject' }, via: [] });
    const session = stsSession(fields, start, starter);
    if (session === undefined) return;
    // The other account's copy of a call whose caller's copy was seen adds nothing: that copy stored it.
    if (facts.type !== 'AWSAccount' || caller?.person.name === null) await this.store.put(session);
    // The caller's copy of a cross-account call names the person; the other account's copy, with the
    // same sharedEventID, shows only `AWSAccount`. Remember the caller for that copy.
    const shared = text(fields, 'sharedEventID');
    if (
      shared !== undefined &&
      caller !== undefined &&
      caller.person.name !== null &&
      facts.type !== 'AWSAccount'
    ) {
      await this.store.put({
        ...session,
        key: sharedKey(shared),
        person: caller.person,
        via: caller.via,
        session: caller.session ?? session.session,
        proof: caller.proof,
      });
    }
  }

  /** The actor behind any record. Reads fields with type checks only: a hostile record cannot make it throw. */
  async resolve(record: unknown): Promise<Actor> {
    const fields = asFields(record);
    if (fields === undefined) return unknownActor('the record is not an object');
    const facts = identityFacts(fields);
    const linked = await this.linkedSession(fields, facts);
    const chosen = this.strongestClaim(fields, facts, linked);
    const sessionName = sessionNameOf(facts);
    return {
      person: chosen.person,
      via: linked?.via ?? (facts.roleArn === undefined ? [] : [facts.roleArn]),
      session: linked?.session ?? ownSession(facts),
      interface: interfaceOf(fields),
      proof: chosen.proof,
      ...(sessionName === undefined ? {} : { sessionName }),
    };
  }

  /**
   * The remembered session the record belongs to: by its access key; else, for a call CloudTrail
   * marks as made from the console, by its principal (console keys never appear in a response, and a
   * user agent can be forged); else, for the other account's copy of a cross-account call, the
   * caller's copy. A session that does not fit the record (another role, a role for a user) is not it.
   */
  private async linkedSession(fields: Fields, facts: IdentityFacts): Promise<SessionRecord | undefined> {
    const at = eventTimeOf(fields);
    if (facts.accessKeyId !== undefined) {
      const keyed = fits(live(await this.store.get(facts.accessKeyId), at), facts);
      if (keyed !== undefined) return keyed;
    }
    const fromConsole =
      flag(fields, 'sessionCredentialFromConsole') || text(fields, 'eventSource') === SIGNIN_SOURCE;
    if (fromConsole && facts.arn !== undefined) {
      const console = fits(live(await this.store.get(consoleKey(facts.arn)), at), facts);
      if (console !== undefined) return console;
    }
    const shared = text(fields, 'sharedEventID');
    if (facts.type === 'AWSAccount' && shared !== undefined) {
      const copy = live(await this.store.get(sharedKey(shared)), at);
      if (copy !== undefined && copy.person.name !== null) {
        return {
          ...copy,
          proof: {
            ...copy.proof,
            detail: `the caller's copy (sharedEventID ${shared}): ${copy.proof.detail}`,
          },
        };
      }
    }
    return undefined;
  }

  private strongestClaim(fields: Fields, facts: IdentityFacts, linked: SessionRecord | undefined): Claim {
    const linkedClaim: Claim | undefined =
      linked === undefined || linked.person.name === null
        ? undefined
        : { person: linked.person, proof: linked.proof };
    const principal = principalClaim(facts);
    const behalf = onBehalfOfClaim(facts);
    // AWS writes it for the user a call was made for, whoever holds the role's key (an application).
    if (behalf !== undefined) return behalf;
    // Names a caller chose: honoured only where they agree with the key's person.
    for (const claimed of [sourceIdentityClaim(facts), identityCenterClaim(facts)]) {
      if (claimed === undefined) continue;
      if (linkedClaim !== undefined && !samePerson(claimed.person, linkedClaim.person)) {
        return {
          person: linkedClaim.person,
          proof: {
            ...linkedClaim.proof,
            detail: `${linkedClaim.proof.detail}; ${claimed.proof.detail} contradicts the key and is not believed`,
          },
        };
      }
      // Agreeing: the person as the chain (or the caller's own identity) knows them, with the stronger proof.
      if (linkedClaim !== undefined) return { person: linkedClaim.person, proof: claimed.proof };
      const own =
        principal !== undefined && samePerson(claimed.person, principal.person) ? principal : undefined;
      return own === undefined ? claimed : { person: own.person, proof: claimed.proof };
    }
    const subject = federatedSubjectClaim(fields, facts);
    if (subject !== undefined) return subject;
    if (linkedClaim !== undefined) return linkedClaim;
    if (principal !== undefined) return principal;
    const service = serviceClaim(facts);
    if (service !== undefined) return service;
    return { person: UNKNOWN_PERSON, proof: unknownProof(facts, linked) };
  }

  private async starter(fields: Fields): Promise<Starter> {
    const actor = await this.resolve(fields);
    return { person: actor.person, proof: actor.proof, via: actor.via };
  }

  /** A SwitchRole's person: the console session it switched from, else what the `SwitchFrom` ARN says. */
  private async switchStarter(fields: Fields): Promise<Starter> {
    const from = text(child(fields, 'additionalEventData'), 'SwitchFrom');
    if (from === undefined)
      return { person: UNKNOWN_PERSON, proof: { kind: 'none', detail: 'no SwitchFrom' }, via: [] };
    const previous = live(await this.store.get(consoleKey(from)), eventTimeOf(fields));
    if (previous !== undefined && previous.person.name !== null) return previous;
    return switchSource(from);
  }
}

/** A remembered session still valid at the record's time (DynamoDB deletes expired items only lazily). */
function live(session: SessionRecord | undefined, at: number | undefined): SessionRecord | undefined {
  if (session === undefined) return undefined;
  return at === undefined || at <= session.expiresAt + EXPIRY_SKEW_MS ? session : undefined;
}

/**
 * A remembered session fits a record when the record could be one of its calls: a role session's
 * role is the last of the chain; an IAM user's, root's or federated user's session has no role.
 */
function fits(session: SessionRecord | undefined, facts: IdentityFacts): SessionRecord | undefined {
  if (session === undefined) return undefined;
  const lastRole = session.via[session.via.length - 1];
  if (facts.roleSession !== undefined) {
    return lastRole !== undefined && arnName(lastRole) === facts.roleSession.roleName ? session : undefined;
  }
  if (facts.type === 'IAMUser' || facts.type === 'Root' || facts.type === 'FederatedUser') {
    return lastRole === undefined ? session : undefined;
  }
  return session;
}

/** Two claims name the same person: same ARN, or same name ignoring case (a source identity is often the user name). */
function samePerson(a: Person, b: Person): boolean {
  if (a.arn !== null && a.arn === b.arn) return true;
  if (a.name === null || b.name === null) return false;
  const name = a.name.toLowerCase();
  return name === b.name.toLowerCase() || (b.arn !== null && name === arnName(b.arn).toLowerCase());
}

function sessionNameOf(facts: IdentityFacts): string | undefined {
  if (facts.roleSession !== undefined) return facts.roleSession.sessionName;
  if (facts.type === 'FederatedUser' && facts.arn !== undefined) return arnName(facts.arn);
  return undefined;
}

/** A session not learned: its temporary key still names it, for calls made with temporary credentials. */
function ownSession(facts: IdentityFacts): string | null {
  const temporary =
    facts.roleSession !== undefined || facts.type === 'FederatedUser' || facts.type === 'IdentityCenterUser';
  return temporary ? (facts.accessKeyId ?? null) : null;
}

function unknownProof(
  facts: IdentityFacts,
  linked: SessionRecord | undefined,
): { kind: 'none'; detail: string } {
  if (linked !== undefined) return { kind: 'none', detail: linked.proof.detail };
  const session = facts.roleSession;
  if (session !== undefined) {
    const key = facts.accessKeyId === undefined ? 'no access key' : `key ${facts.accessKeyId}`;
    return {
      kind: 'none',
      detail: `role session ${session.roleName}/${session.sessionName} (${key}) did not start in the data read`,
    };
  }
  if (facts.type === 'AWSAccount') {
    return {
      kind: 'none',
      detail: `called from account ${facts.accountId ?? 'not named'}; its own trail names the caller`,
    };
  }
  return { kind: 'none', detail: `no evidence names the caller (identity type ${facts.type ?? 'missing'})` };
}

/** The actor of a record nothing attributes: the person is unknown, the reason is the proof's detail. */
export function unknownActor(detail: string, sessionName?: string): Actor {
  return {
    person: UNKNOWN_PERSON,
    via: [],
    session: null,
    interface: 'unknown',
    proof: { kind: 'none', detail },
    ...(sessionName === undefined ? {} : { sessionName }),
  };
}
