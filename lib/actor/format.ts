import { oneLine } from '../text';
import { arnAccount, arnName } from './arn';
import type { Actor } from './types';

/**
 * One line naming the person first: `alice via Admin → OrgAdmin (222222222222), console`;
 * without a role `alice, cli`; unknown `unknown (role Admin, session deploy), cli`. The account is
 * the last role's. The interface is left out when unknown. Control and bidi characters (a hostile
 * session name) are shown as escapes (lib/text's oneLine), so the line stays one line.
 */
export function formatActor(actor: Actor): string {
  const roles = actor.via.map(arnName).join(' → ');
  const lastRole = actor.via[actor.via.length - 1];
  const account = lastRole === undefined ? undefined : arnAccount(lastRole);
  let line: string;
  if (actor.person.name !== null) {
    line = actor.person.name;
    if (roles !== '') line += ` via ${roles}${account === undefined ? '' : ` (${account})`}`;
  } else {
    const shown: string[] = [];
    if (roles !== '') shown.push(`role ${roles}${account === undefined ? '' : ` (${account})`}`);
    if (actor.sessionName !== undefined) shown.push(`session ${actor.sessionName}`);
    line = shown.length === 0 ? 'unknown' : `unknown (${shown.join(', ')})`;
  }
  if (actor.interface !== 'unknown') line += `, ${actor.interface}`;
  return oneLine(line);
}

/** The plain object rules match under `actor.` (`actor.person.name`, `actor.via`, `actor.proof.kind`). */
export interface ActorFields {
  readonly person: { readonly name: string | null; readonly arn: string | null; readonly kind: string };
  readonly via: string[];
  readonly session: string | null;
  readonly sessionName: string | null;
  readonly interface: string;
  readonly proof: { readonly kind: string; readonly detail: string; readonly eventID: string | null };
}

export function actorFields(actor: Actor): ActorFields {
  return {
    person: { name: actor.person.name, arn: actor.person.arn, kind: actor.person.kind },
    via: [...actor.via],
    session: actor.session,
    sessionName: actor.sessionName ?? null,
    interface: actor.interface,
    proof: { kind: actor.proof.kind, detail: actor.proof.detail, eventID: actor.proof.eventID ?? null },
  };
}
