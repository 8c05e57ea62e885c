import { hash } from 'node:crypto';
import type { Actor } from '../actor/types';
import type { Origin } from '../ingest';
import { formatOrigin } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { CorrelationRule, DetectionRule, Level, RuleMeta } from '../rules';
import { readFieldValue } from '../rules';
import { consoleEventUrl } from './console-link';
import type { AlertFacts } from './facts';
import { alertFacts, principalName } from './facts';
import { personHeadline } from './person';
import { textField } from './text-field';

export interface AlertRule {
  readonly id: string;
  readonly title: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly description?: string;
  readonly runbook?: string;
  readonly references: readonly string[];
  /** Destinations the rule asks for in `notify.destinations`, on top of routing. */
  readonly destinations: readonly string[];
  /** The rule's own dedup settings, when it has them. */
  readonly dedup?: { readonly fields: readonly string[]; readonly windowMs?: number };
}

export interface CorrelationDetails {
  readonly type: CorrelationRule['type'];
  /** The group-by fields and their values for this group. */
  readonly group: Readonly<Record<string, string>>;
  readonly count: number;
  readonly timespanMs: number;
  readonly firstEventTime: string;
  readonly lastEventTime: string;
  readonly eventIDs: readonly string[];
}

/** One thing a person should look at, ready for any notifier. */
export interface Alert {
  /** Deterministic: the same rule and event (or correlation window) always give the same id. */
  readonly id: string;
  readonly kind: 'detection' | 'correlation';
  readonly rule: AlertRule;
  readonly level: Level;
  readonly title: string;
  readonly summary: string;
  readonly facts: AlertFacts;
  /** The rule's `fields:` read from the record. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Undefined when the record's region or event id cannot make a safe link (see consoleEventUrl). */
  readonly consoleUrl: string | undefined;
  readonly record: CloudTrailRecord;
  /**
   * The person behind the record (for a correlation: behind its last event), as far as the
   * evidence goes; every output names the person first.
   */
  readonly actor?: Actor;
  readonly origin?: string;
  readonly correlation?: CorrelationDetails;
  /** Duplicates of this alert suppressed in the previous dedup window, if any. */
  readonly suppressedDuplicates?: number;
}

/** Stable across retries and invocations: a hash of what identifies the alert, never of when it ran. */
export function alertId(...parts: readonly string[]): string {
  // The one-shot hash: a Hash object per alert costs more than the digest of a few dozen bytes.
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}

/** Each rule's AlertRule, built once: every alert of a rule carries the same (read-only) one. */
const alertRules = new WeakMap<RuleMeta, AlertRule>();

export function alertRule(meta: RuleMeta): AlertRule {
  let rule = alertRules.get(meta);
  if (rule === undefined) {
    rule = buildAlertRule(meta);
    alertRules.set(meta, rule);
  }
  return rule;
}

function buildAlertRule(meta: RuleMeta): AlertRule {
  return {
    id: meta.id,
    title: meta.title,
    level: meta.level,
    tags: meta.tags,
    references: meta.references,
    destinations: notifyDestinations(meta),
    ...(meta.description === undefined ? {} : { description: meta.description }),
    ...(meta.runbook === undefined ? {} : { runbook: meta.runbook }),
    ...(meta.dedup === undefined ? {} : { dedup: meta.dedup }),
  };
}

function notifyDestinations(meta: RuleMeta): string[] {
  const destinations = meta.notify?.destinations;
  return Array.isArray(destinations) ? destinations.filter((d): d is string => typeof d === 'string') : [];
}

/**
 * A field of a record for the alert's `fields:`, dedup keys and correlation groups: the rules'
 * own reader, so a rule matching on `resources.ARN` shows the ARNs it matched.
 */
export const readPath = readFieldValue;

/**
 * The record as rules, `fields:`, dedup keys and correlation groups read it: its own fields and,
 * when known, `actor` (the person behind it, under the `actor.` namespace).
 */
export function recordView(
  record: CloudTrailRecord,
  actor: Actor | undefined,
): Readonly<Record<string, unknown>> {
  if (actor === undefined) return record;
  // The rules, first-seen, correlations and every alert of a record ask for the same view in turn:
  // the last one is kept (records and actors are never changed once read), so it is copied once.
  const last = lastView;
  if (last !== undefined && last.record === record && last.actor === actor) return last.view;
  const view = { ...record, actor };
  lastView = { record, actor, view };
  return view;
}

let lastView:
  | {
      readonly record: CloudTrailRecord;
      readonly actor: Actor;
      readonly view: Readonly<Record<string, unknown>>;
    }
  | undefined;

/** Longest rendering of one rule field in a summary: the notifiers cut further to their limits. */
const FIELD_SUMMARY_MAX = 512;

/**
 * "alice (via Admin, console) called iam:CreateAccessKey in 111122223333 us-east-1 from 203.0.113.10":
 * the person first when attribution names one (or says it cannot), else the principal as the
 * record names it ("deploy as role Admin").
 */
export function describeAction(facts: AlertFacts, actor?: Actor): string {
  const service = facts.eventSource.replace(/\.amazonaws\.com$/, '');
  const where = facts.account ? `${facts.account} ${facts.region}` : facts.region;
  const from = facts.sourceIPAddress ? ` from ${facts.sourceIPAddress}` : '';
  const failed = facts.errorCode ? ` (failed: ${facts.errorCode})` : '';
  const who = actor === undefined ? principalName(facts) : personHeadline(actor);
  return `${who} called ${service}:${facts.eventName} in ${where}${from}${failed}`;
}

function renderFields(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .map(([path, value]) => [path, textField(value, FIELD_SUMMARY_MAX)] as const)
    .filter(([, text]) => text !== undefined)
    .map(([path, text]) => `${path}: ${text}`)
    .join('; ');
}

/** What every alert on one record shares: built for its first alert, as a record often matches several rules. */
interface RecordParts {
  readonly record: CloudTrailRecord;
  readonly actor: Actor | undefined;
  readonly origin: Origin | undefined;
  readonly facts: AlertFacts;
  readonly view: Readonly<Record<string, unknown>>;
  readonly action: string;
  readonly consoleUrl: string | undefined;
  readonly originText: string | undefined;
  /** Each `fields:` list's values and their rendering, by the list (rules often list the same fields). */
  readonly rendered: Map<
    string,
    { readonly fields: Readonly<Record<string, unknown>>; readonly details: string }
  >;
}

/** The parts of the record alerted on last (records and actors are never changed once read). */
let lastParts: RecordParts | undefined;

function recordParts(
  record: CloudTrailRecord,
  origin: Origin | undefined,
  actor: Actor | undefined,
): RecordParts {
  const last = lastParts;
  if (last !== undefined && last.record === record && last.actor === actor && last.origin === origin)
    return last;
  const facts = alertFacts(record);
  lastParts = {
    record,
    actor,
    origin,
    facts,
    view: recordView(record, actor),
    action: describeAction(facts, actor),
    consoleUrl: consoleEventUrl(record.awsRegion, record.eventID),
    originText: origin === undefined ? undefined : formatOrigin(origin),
    rendered: new Map(),
  };
  return lastParts;
}

/** Each rule's `fields:` as one key (a NUL cannot be in a field path): built once per rule. */
const fieldsKeys = new WeakMap<RuleMeta, string>();

/** The values of a rule's `fields:` on the record, and their rendering, shared by rules listing the same fields. */
function renderedFields(
  parts: RecordParts,
  meta: RuleMeta,
): { readonly fields: Readonly<Record<string, unknown>>; readonly details: string } {
  let key = fieldsKeys.get(meta);
  if (key === undefined) {
    key = meta.fields.join('\u0000');
    fieldsKeys.set(meta, key);
  }
  let rendered = parts.rendered.get(key);
  if (rendered === undefined) {
    const fields = Object.fromEntries(meta.fields.map((path) => [path, readPath(parts.view, path) ?? null]));
    rendered = { fields, details: renderFields(fields) };
    parts.rendered.set(key, rendered);
  }
  return rendered;
}

export function detectionAlert(
  rule: DetectionRule,
  record: CloudTrailRecord,
  origin?: Origin,
  actor?: Actor,
): Alert {
  const parts = recordParts(record, origin, actor);
  const { facts, action, consoleUrl, originText } = parts;
  const { fields, details } = renderedFields(parts, rule.meta);
  return {
    id: alertId('detection', rule.meta.id, facts.eventID),
    kind: 'detection',
    rule: alertRule(rule.meta),
    level: rule.meta.level,
    title: rule.meta.title,
    summary: details ? `${action}. ${details}` : action,
    facts,
    fields,
    consoleUrl,
    record,
    ...(actor === undefined ? {} : { actor }),
    ...(originText === undefined ? {} : { origin: originText }),
  };
}
