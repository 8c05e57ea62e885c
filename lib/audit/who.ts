import type { Actor } from '../actor/types';
import type { CloudTrailRecord } from '../records';

/**
 * `--who`: the person asked about, matched case-insensitively against what names a person: the
 * name a human reads (IAM user name, Identity Center user name or email, source identity, SAML or
 * web-identity subject) and the person's own ARN. Only attributed persons match: a role session
 * whose person is unknown is never taken for anyone, however its session name reads (a session
 * name is chosen by whoever called AssumeRole). Those are counted apart (see `AuditCollector`).
 */
export class PersonQuery {
  private readonly needle: string;

  constructor(readonly who: string) {
    this.needle = who.trim().toLowerCase();
  }

  matches(actor: Actor | undefined, record?: CloudTrailRecord): boolean {
    if (actor === undefined || actor.person.kind === 'unknown' || this.needle === '') return false;
    const { name, arn } = actor.person;
    // The source identity names the person even when stronger evidence chose another name for them
    // (the IAM user `alice` set source identity `alice@example.com`): either finds the session.
    const sourceIdentity = record?.userIdentity?.sessionContext?.sourceIdentity;
    return [name, arn, typeof sourceIdentity === 'string' ? sourceIdentity : null].some(
      (candidate) => candidate?.toLowerCase() === this.needle,
    );
  }
}
