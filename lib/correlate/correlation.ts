import type { Actor } from '../actor/types';
import type { Alert } from '../alerts';
import { alertFacts, alertId, alertRule, consoleEventUrl, readPath, recordView } from '../alerts';
import type { CloudTrailRecord } from '../records';
import type { CorrelationRule, DetectionRule } from '../rules';
import type { StateStore, WindowEntry } from '../state';
import { textDigest } from '../state';

/**
 * Stateful evaluation of Sigma correlation rules over event time: event_count (N matches),
 * value_count (N distinct values of a field) and temporal (all the rules, within the timespan,
 * in order for temporal_ordered), per group-by group. A window that fires is emptied, so the
 * next alert for the group needs a fresh set of events.
 * https://sigmahq.io/sigma-specification/specification/sigma-correlation-rules-specification.html
 */
export class CorrelationEngine {
  private readonly byRule = new Map<string, CorrelationRule[]>();

  constructor(
    correlations: readonly CorrelationRule[],
    private readonly state: StateStore,
  ) {
    for (const correlation of correlations) {
      for (const id of correlation.ruleIds) {
        const list = this.byRule.get(id);
        if (list) list.push(correlation);
        else this.byRule.set(id, [correlation]);
      }
    }
  }

  /** Whether any correlation counts matches of this rule. */
  feeds(ruleId: string): boolean {
    return this.byRule.has(ruleId);
  }

  /** Records a match; returns the alerts of the correlations it completes. */
  async observe(rule: DetectionRule, record: CloudTrailRecord, actor?: Actor): Promise<Alert[]> {
    const alerts: Alert[] = [];
    // Groups and counted values may name the actor (`group-by: [actor.person.name]`).
    const view = recordView(record, actor);
    for (const correlation of this.byRule.get(rule.meta.id) ?? []) {
      const group = groupOf(correlation, view);
      const key = `${correlation.meta.id}#${JSON.stringify(group)}`;
      const value = correlatedValue(correlation, rule, view);
      const entry: WindowEntry = {
        t: Date.parse(record.eventTime),
        eventID: record.eventID,
        ...(value === undefined ? {} : { value }),
      };
      const keep = correlation.type === 'value_count' ? 'newest-per-value' : 'every-event';
      const entries = uniqueEvents(await this.state.appendToWindow(key, entry, correlation.timespanMs, keep));
      const count = measure(correlation, entries);
      if (!fires(correlation, entries, count)) continue;
      alerts.push(correlationAlert(correlation, group, entries, count, record, actor));
      await this.state.resetWindow(key);
    }
    return alerts;
  }
}

function groupOf(
  correlation: CorrelationRule,
  record: Readonly<Record<string, unknown>>,
): Record<string, string> {
  return Object.fromEntries(correlation.groupBy.map((field) => [field, stringify(readPath(record, field))]));
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function correlatedValue(
  correlation: CorrelationRule,
  rule: DetectionRule,
  record: Readonly<Record<string, unknown>>,
): string | undefined {
  if (correlation.type === 'value_count')
    return boundedValue(stringify(readPath(record, String(correlation.condition.field))));
  if (correlation.type === 'temporal' || correlation.type === 'temporal_ordered') return rule.meta.id;
  return undefined;
}

/**
 * Counted values longer than this are kept as their SHA-256: a window stores one entry per value,
 * and a record's field can be as long as the record (a policy document, a hostile value), which
 * would fill a state table item with one entry. Distinct values stay distinct.
 */
const MAX_COUNTED_VALUE_CHARS = 256;

function boundedValue(value: string): string {
  return value.length <= MAX_COUNTED_VALUE_CHARS ? value : textDigest(value);
}

/** A retried invocation appends the same events again: each event counts once. */
function uniqueEvents(entries: readonly WindowEntry[]): WindowEntry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    if (seen.has(entry.eventID)) return false;
    seen.add(entry.eventID);
    return true;
  });
}

function measure(correlation: CorrelationRule, entries: readonly WindowEntry[]): number {
  if (correlation.type === 'value_count') return new Set(entries.map((entry) => entry.value)).size;
  if (correlation.type === 'event_count') return entries.length;
  return new Set(entries.map((entry) => entry.value)).size;
}

function fires(correlation: CorrelationRule, entries: readonly WindowEntry[], count: number): boolean {
  if (correlation.type === 'temporal' || correlation.type === 'temporal_ordered') {
    const firstSeen = correlation.ruleIds.map((id) => entries.find((entry) => entry.value === id)?.t);
    if (firstSeen.some((t) => t === undefined)) return false;
    if (correlation.type === 'temporal') return true;
    return firstSeen.every((t, i) => i === 0 || (t as number) >= (firstSeen[i - 1] as number));
  }
  return compare(count, correlation.condition);
}

function compare(count: number, condition: Readonly<Record<string, number | string>>): boolean {
  const checks: [string, (limit: number) => boolean][] = [
    ['gt', (limit) => count > limit],
    ['gte', (limit) => count >= limit],
    ['lt', (limit) => count < limit],
    ['lte', (limit) => count <= limit],
    ['eq', (limit) => count === limit],
  ];
  const present = checks.filter(([key]) => typeof condition[key] === 'number');
  return present.length > 0 && present.every(([key, holds]) => holds(condition[key] as number));
}

function describeCount(correlation: CorrelationRule, count: number): string {
  const minutes = Math.round(correlation.timespanMs / 60_000);
  const within = minutes >= 1 ? `${minutes} min` : `${Math.round(correlation.timespanMs / 1000)} s`;
  if (correlation.type === 'value_count') {
    return `${count} distinct ${String(correlation.condition.field)} values within ${within}`;
  }
  if (correlation.type === 'event_count') return `${count} matching events within ${within}`;
  return `all ${correlation.ruleIds.length} rules matched within ${within}`;
}

function correlationAlert(
  correlation: CorrelationRule,
  group: Record<string, string>,
  entries: readonly WindowEntry[],
  count: number,
  record: CloudTrailRecord,
  actor: Actor | undefined,
): Alert {
  const first = entries[0] ?? { t: Date.parse(record.eventTime), eventID: record.eventID };
  const last = entries[entries.length - 1] ?? first;
  const groupText = Object.entries(group)
    .map(([field, value]) => `${field}=${value || '(none)'}`)
    .join(', ');
  return {
    id: alertId('correlation', correlation.meta.id, JSON.stringify(group), first.eventID),
    kind: 'correlation',
    rule: alertRule(correlation.meta),
    level: correlation.meta.level,
    title: correlation.meta.title,
    summary: `${describeCount(correlation, count)}${groupText ? ` for ${groupText}` : ''}.`,
    facts: alertFacts(record),
    fields: group,
    consoleUrl: consoleEventUrl(record.awsRegion, record.eventID),
    record,
    ...(actor === undefined ? {} : { actor }),
    correlation: {
      type: correlation.type,
      group,
      count,
      timespanMs: correlation.timespanMs,
      firstEventTime: new Date(first.t).toISOString(),
      lastEventTime: new Date(last.t).toISOString(),
      eventIDs: entries.map((entry) => entry.eventID),
    },
  };
}
