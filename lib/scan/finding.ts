import type { AccountNames } from '../accounts';
import { NO_ACCOUNT_NAMES } from '../accounts';
import { formatActor } from '../actor';
import type { Actor } from '../actor/types';
import type { Alert } from '../alerts';
import { alertLead, isKnownPerson } from '../alerts';
import type { Level } from '../rules';

/**
 * The person behind a finding, as the Actor type has it: copied field by field, so a finding
 * prints exactly these keys whatever else an actor object may carry.
 */
export interface FindingActor {
  readonly person: Actor['person'];
  readonly via: readonly string[];
  readonly session: string | null;
  readonly interface: Actor['interface'];
  readonly proof: Actor['proof'];
  readonly sessionName?: string;
}

/**
 * The flat facts of an alert, as `scan --format ndjson|json` prints them. Every text comes from
 * the alert's facts, which are strings whatever JSON type the record held (see textField), so a
 * numeric ARN or an object user agent prints as text instead of failing the scan.
 */
export interface Finding {
  readonly alertId: string;
  readonly kind: Alert['kind'];
  readonly ruleId: string;
  readonly title: string;
  readonly level: Level;
  readonly tags: readonly string[];
  /** The alert's summary with the person first (see alertLead). */
  readonly summary: string;
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly recipientAccountId: string | null;
  /** The account's name (trailwatch.yml `accounts:` or AWS Organizations); null when none is known. */
  readonly recipientAccountName: string | null;
  /** The person's display name; null when attribution did not run or the evidence names no one. */
  readonly person: string | null;
  readonly principal: string | null;
  readonly principalType: string | null;
  readonly sourceIPAddress: string | null;
  readonly userAgent: string | null;
  readonly errorCode: string | null;
  readonly origin: string | null;
  /** Null when the record's region or event id could not make a safe link. */
  readonly consoleUrl: string | null;
  /** The rule's `fields:` read from the record (for a correlation: its group-by values). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly correlation?: Alert['correlation'];
  /** The person behind the record (a correlation: its last event); null without attribution. */
  readonly actor: FindingActor | null;
}

function findingActor(actor: Actor): FindingActor {
  return {
    person: { name: actor.person.name, arn: actor.person.arn, kind: actor.person.kind },
    via: [...actor.via],
    session: actor.session,
    interface: actor.interface,
    proof: {
      kind: actor.proof.kind,
      detail: actor.proof.detail,
      ...(actor.proof.eventID === undefined ? {} : { eventID: actor.proof.eventID }),
    },
    ...(actor.sessionName === undefined ? {} : { sessionName: actor.sessionName }),
  };
}

export function toFinding(alert: Alert, accounts: AccountNames = NO_ACCOUNT_NAMES): Finding {
  const f = alert.facts;
  return {
    alertId: alert.id,
    kind: alert.kind,
    ruleId: alert.rule.id,
    title: alert.title,
    level: alert.level,
    tags: alert.rule.tags,
    summary: alertLead(alert),
    eventID: f.eventID,
    eventTime: f.eventTime,
    eventSource: f.eventSource,
    eventName: f.eventName,
    awsRegion: f.region,
    recipientAccountId: f.account ?? null,
    recipientAccountName: f.accountName ?? accounts.name(f.account) ?? null,
    person: alert.actor && isKnownPerson(alert.actor) ? alert.actor.person.name : null,
    principal: f.principalArn ?? null,
    principalType: f.principalType ?? null,
    sourceIPAddress: f.sourceIPAddress ?? null,
    userAgent: f.userAgent ?? null,
    errorCode: f.errorCode ?? null,
    origin: alert.origin ?? null,
    consoleUrl: alert.consoleUrl ?? null,
    fields: alert.fields,
    ...(alert.correlation === undefined ? {} : { correlation: alert.correlation }),
    actor: alert.actor === undefined ? null : findingActor(alert.actor),
  };
}

/**
 * The finding's actor as one line for the table (`alice via Admin → OrgAdmin (222222222222), console`,
 * `unknown (role Admin, session deploy)`); without attribution, the principal as before.
 */
export function personLine(finding: Finding): string {
  return finding.actor === null ? (finding.principal ?? '-') : formatActor(finding.actor);
}
