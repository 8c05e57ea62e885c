import { formatActor } from '../actor';
import type { Actor } from '../actor/types';
import type { Alert } from './alert';
import { textField } from './text-field';

/**
 * The person behind an alert as text, for every output to put first. These strings carry event
 * data (a person name can be a SAML subject or a source identity anyone with AssumeRole rights
 * chose; a session name is free text): they are plain text, and every notifier, the table and the
 * HTML report escape them as they escape any event field. Lengths are capped here so a 1 MB name
 * cannot crowd out the rest of a summary; destinations cut further to their own limits.
 */

/** Longest person name or session name kept in a summary or title. */
export const PERSON_TEXT_MAX = 256;

/** What a reader is told when the evidence names no one. */
export const UNKNOWN_PERSON = 'unknown person';

function capped(text: string | null | undefined): string | undefined {
  return text === null || text === undefined ? undefined : textField(text, PERSON_TEXT_MAX);
}

/**
 * The readable name of a role from its ARN: `Admin` for `arn:aws:iam::111122223333:role/Admin`,
 * `AWSReservedSSO_Admin_0123` for a role under a path, and the role of an assumed-role ARN.
 */
export function roleName(arn: string): string {
  const resource = arn.slice(arn.lastIndexOf(':') + 1);
  const parts = resource.split('/');
  if (parts[0] === 'assumed-role' && parts.length >= 2) return parts[1] ?? resource;
  if (parts[0] === 'role' && parts.length >= 2) return parts[parts.length - 1] ?? resource;
  return resource;
}

/** At most this many roles of a chain are named in a summary; the Role chain fact lists them all. */
export const SUMMARY_CHAIN_MAX = 8;

/** `Admin → OrgAdmin`: the chain's role names, a long (forged) chain cut with a count of the rest. */
function roleNames(via: readonly string[]): string {
  const names = via.slice(0, SUMMARY_CHAIN_MAX).map((arn) => capped(roleName(arn)));
  const more = via.length - SUMMARY_CHAIN_MAX;
  return more > 0 ? `${names.join(' → ')} → … (${more} more)` : names.join(' → ');
}

/** True when the evidence names a person (or a service): the name can be shown as the actor. */
export function isKnownPerson(actor: Actor): boolean {
  return actor.person.kind !== 'unknown' && typeof actor.person.name === 'string' && actor.person.name !== '';
}

/**
 * `role Admin, session deploy` (a chain: `role Admin → OrgAdmin, …`): what is shown of an unknown
 * person's session, as it is.
 */
function unknownSessionText(actor: Actor): string | undefined {
  const session = capped(actor.sessionName);
  const parts = [
    actor.via.length === 0 ? undefined : `role ${roleNames(actor.via)}`,
    session === undefined ? undefined : `session ${session}`,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * The short name for titles and subjects: `alice`, `ec2.amazonaws.com`, or for an unknown person
 * `unknown person (role Admin, session deploy)`.
 */
export function personShort(actor: Actor): string {
  if (isKnownPerson(actor)) return capped(actor.person.name) ?? UNKNOWN_PERSON;
  const session = unknownSessionText(actor);
  return session === undefined ? UNKNOWN_PERSON : `${UNKNOWN_PERSON} (${session})`;
}

/**
 * The subject of a summary sentence: `alice (via Admin → OrgAdmin, console)`, `alice (cli)`,
 * `ec2.amazonaws.com (AWS service)`, `unknown person (role Admin, session deploy)`.
 */
export function personHeadline(actor: Actor): string {
  if (!isKnownPerson(actor)) return personShort(actor);
  const name = personShort(actor);
  if (actor.person.kind === 'aws-service') return `${name} (AWS service)`;
  const how = [
    actor.via.length > 0 ? `via ${roleNames(actor.via)}` : undefined,
    actor.interface === 'unknown' ? undefined : actor.interface,
  ].filter((part): part is string => part !== undefined);
  return how.length > 0 ? `${name} (${how.join(', ')})` : name;
}

/** For notifiers' Person field when the evidence names no one: `unknown person — role Admin, session deploy`. */
export function unknownPersonFact(actor: Actor): string {
  const session = unknownSessionText(actor);
  return session === undefined ? UNKNOWN_PERSON : `${UNKNOWN_PERSON} — ${session}`;
}

/** The role chain as full ARNs in order (accounts included), or undefined when there is none. */
export function roleChainFact(actor: Actor): string | undefined {
  return actor.via.length > 0 ? actor.via.join(' → ') : undefined;
}

/**
 * The evidence that linked the record to the person, as a reviewer checks it:
 * `access key ASIA…1234 from AssumeRole 7d1e…` (the resolver's detail), with the event that
 * carried it when the detail does not already name it.
 */
export function attributionFact(actor: Actor): string {
  const { detail, eventID } = actor.proof;
  const text = detail === '' ? actor.proof.kind : detail;
  return eventID && !text.includes(eventID) ? `${text} (event ${eventID})` : text;
}

/** The rule title with the person first, when one is known to the alert: `alice — IAM writes by a wide role`. */
export function titleWithPerson(alert: Alert): string {
  return alert.actor === undefined ? alert.title : `${personShort(alert.actor)} — ${alert.title}`;
}

/**
 * The alert's summary with the person first. A detection's summary already starts with the person
 * (describeAction); a correlation's counts events, so the person of its last event goes in front.
 * Without attribution the summary is as it was.
 */
export function alertLead(alert: Alert): string {
  if (alert.actor === undefined || alert.kind !== 'correlation') return alert.summary;
  return `${personHeadline(alert.actor)}, in the last event: ${alert.summary}`;
}

/**
 * The notifiers' Person field: the one line `formatActor` gives (`alice via Admin → OrgAdmin
 * (222222222222), console`) when the evidence names someone, else `unknown person — role Admin,
 * session deploy`, the role and session name as they are.
 */
export function personFact(actor: Actor): string {
  return isKnownPerson(actor) ? formatActor(actor) : unknownPersonFact(actor);
}

/** The labelled facts about the person, in the order every notifier shows them, absent ones left out. */
export function personFacts(actor: Actor): [label: string, value: string][] {
  const rows: [string, string | undefined][] = [
    ['Person', personFact(actor)],
    ['Role chain', roleChainFact(actor)],
    ['Attribution', attributionFact(actor)],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

/** At most this many roles of a chain are kept in a capped actor: no real chain comes near it. */
export const CAPPED_CHAIN_MAX = 16;

const cap = (text: string): string => textField(text) ?? '';
const capNullable = (text: string | null): string | null => (text === null ? null : cap(text));

/**
 * The actor with every text cut to FIELD_TEXT_MAX and the chain to CAPPED_CHAIN_MAX roles: for
 * payloads with a hard size limit, where a hostile name or a forged chain must not crowd out the
 * rest of the alert. The shape is the Actor's; only lengths change.
 */
export function cappedActor(actor: Actor): Actor {
  return {
    person: {
      name: capNullable(actor.person.name),
      arn: capNullable(actor.person.arn),
      kind: actor.person.kind,
    },
    via: actor.via.slice(0, CAPPED_CHAIN_MAX).map(cap),
    session: capNullable(actor.session),
    interface: actor.interface,
    proof: {
      kind: actor.proof.kind,
      detail: cap(actor.proof.detail),
      ...(actor.proof.eventID === undefined ? {} : { eventID: cap(actor.proof.eventID) }),
    },
    ...(actor.sessionName === undefined ? {} : { sessionName: cap(actor.sessionName) }),
  };
}
