import { hash } from 'node:crypto';
import type { Actor } from '../actor/types';
import type { Alert } from '../alerts';
import { detectionAlert, readPath, recordView } from '../alerts';
import type { Origin } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, FirstSeenField, FirstSeenSpec } from '../rules';
import type { StateStore } from '../state';

export interface FirstSeenOptions {
  /** Record every combination, alert on none: `backtest --baseline` builds the history this way. */
  readonly learnOnly?: boolean;
}

/** What a first-seen rule made of one match. */
export type FirstSeenVerdict =
  | { readonly kind: 'new'; readonly values: Record<string, string>; readonly group: Record<string, string> }
  /** Seen before, a brand-new entity, or still learning: nothing to report. */
  | { readonly kind: 'known' | 'new-entity' | 'learning' }
  /** A field of the combination is absent from the record: what is new cannot be told. */
  | { readonly kind: 'incomplete'; readonly field: string };

/**
 * trailwatch's first-seen rules: a match alerts only when its combination of values (for its
 * group, when the rule has `group-by`) was never seen before, once the rule has learned for its
 * learning window. Everything is judged on event time and remembered in the state store, so a
 * backtest learns from history as the live pipeline would, and a baseline it builds in the state
 * table is what the live pipeline starts from.
 */
export class FirstSeenEngine {
  /** When each rule began learning (event time), read once per process: it never moves. */
  private readonly learningSince = new Map<string, Promise<number>>();
  /** The record view `combination` read last, and what it read there, by the rules' fields. */
  private combinationsOf: object | undefined;
  private readonly combinations = new Map<string, Combination>();

  constructor(
    private readonly state: StateStore,
    private readonly options: FirstSeenOptions = {},
  ) {}

  async judge(rule: DetectionRule, record: CloudTrailRecord, actor?: Actor): Promise<FirstSeenVerdict> {
    const spec = rule.firstSeen;
    if (spec === undefined) throw new Error(`${rule.meta.id} is not a first-seen rule`);
    const read = this.combination(spec, recordView(record, actor));
    if ('missing' in read) return { kind: 'incomplete', field: read.missing };
    const sighting = { eventID: record.eventID, t: Date.parse(record.eventTime) };
    const since = await this.learningStart(rule.meta.id, sighting, spec.forgetMs);
    const id = rule.meta.id;
    const combination = await this.state.sighting(`${id}#${read.digest}`, sighting, spec.forgetMs);
    // The group's own sighting is kept fresh on every match, so a known entity stays known.
    const entity =
      spec.groupBy.length === 0
        ? undefined
        : await this.state.sighting(`${id}#group#${read.groupDigest}`, sighting, spec.forgetMs);
    if (!combination.first) return { kind: 'known' };
    if (entity?.first === true) return { kind: 'new-entity' };
    if (this.options.learnOnly === true || sighting.t < since + spec.learningMs) return { kind: 'learning' };
    return { kind: 'new', values: read.values, group: read.group };
  }

  /**
   * The record's values for a rule's fields, with their digests. Rules that name the same fields
   * (a rule and its tuned copies) share them: kept for the record judged last (records are never
   * changed once read), so each is read and hashed once per record.
   */
  private combination(spec: FirstSeenSpec, view: Readonly<Record<string, unknown>>): Combination {
    if (view !== this.combinationsOf) {
      this.combinationsOf = view;
      this.combinations.clear();
    }
    const key = specKey(spec);
    let read = this.combinations.get(key);
    if (read === undefined) {
      read = readCombination(spec, view);
      this.combinations.set(key, read);
    }
    return read;
  }

  /** The alert of a first-seen match: the detection's alert, saying what was new. */
  async alertFor(
    rule: DetectionRule,
    record: CloudTrailRecord,
    origin?: Origin,
    actor?: Actor,
  ): Promise<Alert | undefined> {
    const verdict = await this.judge(rule, record, actor);
    if (verdict.kind !== 'new') return undefined;
    const alert = detectionAlert(rule, record, origin, actor);
    const newText = describe(verdict.values);
    const groupText = Object.keys(verdict.group).length > 0 ? ` for ${describe(verdict.group)}` : '';
    return {
      ...alert,
      summary: `First seen${groupText}: ${newText}. ${alert.summary}`,
      fields: { ...verdict.group, ...verdict.values, ...alert.fields },
    };
  }

  private learningStart(ruleId: string, sighting: { eventID: string; t: number }, forgetMs: number) {
    let since = this.learningSince.get(ruleId);
    if (since === undefined) {
      since = this.state.sighting(`${ruleId}#learning`, sighting, forgetMs).then((d) => d.firstAt);
      // A failed read is not cached: the next match asks the state store again.
      since.catch(() => this.learningSince.delete(ruleId));
      this.learningSince.set(ruleId, since);
    }
    return since;
  }
}

/** A record's values for a rule's fields and group, and the digests its state keys take. */
type Combination =
  | {
      readonly values: Record<string, string>;
      readonly group: Record<string, string>;
      readonly digest: string;
      readonly groupDigest: string;
    }
  | { readonly missing: string };

function readCombination(spec: FirstSeenSpec, view: Readonly<Record<string, unknown>>): Combination {
  const values = readValues(spec.fields, view);
  if ('missing' in values) return values;
  const group = readValues(spec.groupBy, view);
  if ('missing' in group) return group;
  return {
    values: values.values,
    group: group.values,
    digest: digest([group.values, values.values]),
    groupDigest: spec.groupBy.length === 0 ? '' : digest(group.values),
  };
}

/** A spec's fields and group as one key: the field specs say what is read and how it is transformed. */
const specKeys = new WeakMap<FirstSeenSpec, string>();

function specKey(spec: FirstSeenSpec): string {
  let key = specKeys.get(spec);
  if (key === undefined) {
    key = JSON.stringify([spec.fields.map((field) => field.spec), spec.groupBy.map((field) => field.spec)]);
    specKeys.set(spec, key);
  }
  return key;
}

function readValues(
  fields: readonly FirstSeenField[],
  view: Readonly<Record<string, unknown>>,
): { values: Record<string, string> } | { missing: string } {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = readPath(view, field.path);
    if (value === undefined || value === null || value === '') return { missing: field.spec };
    values[field.spec] = field.transform(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return { values };
}

/** Keys stay short whatever the values hold (a DynamoDB partition key is at most 2048 bytes). */
function digest(value: unknown): string {
  // One-shot `hash` (Node 20.12): the same digest as a Hash object's, at a fraction of its cost
  // for a short input, and first-seen rules take two per match.
  return hash('sha256', JSON.stringify(value), 'base64url').slice(0, 32);
}

function describe(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([field, value]) => `${field}=${value}`)
    .join(', ');
}
