/**
 * The benign noise measurement: the real backtest (lib/history, as `trailwatch backtest` runs it)
 * over a set of benign trail history, per rule, and for every rule at medium or above that fired,
 * the records that made it fire, found by running that rule alone over the same records.
 */

import { loadRuleSet } from '../../lib/cli/rule-options';
import type { TrailwatchConfig } from '../../lib/config';
import { loadConfig } from '../../lib/config';
import type { BacktestReport, RuleReport } from '../../lib/history';
import { runBacktest } from '../../lib/history';
import type { Origin } from '../../lib/ingest';
import { filesUnder, formatOrigin, readRecords } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import type { RuleSet } from '../../lib/rules';
import { levelRank, RuleEngine } from '../../lib/rules';
import { isoDay } from '../../lib/time';

/** Rules at this level or above must raise nothing on benign traffic (issue 12, Precision). */
export const QUIET_FROM_LEVEL = 'medium';
/** Triggering events listed per loud rule: enough to see the pattern, few enough to read. */
export const EXAMPLES_PER_RULE = 3;

export interface BenignSet {
  /** Short name used in the report's columns. */
  readonly name: string;
  readonly description: string;
  /** A folder in the trail's S3 layout. */
  readonly dir: string;
  readonly since: number;
  readonly until: number;
  /**
   * Where counting starts (epoch ms, a day's start): the history before it is replayed too, so
   * first-seen rules learn from it as they would live, but its alerts are not counted.
   */
  readonly measuredSince: number;
  /** Days counted, from `measuredSince` to `until`: alerts per day are alerts over this. */
  readonly days: number;
  /** The trailwatch.yml whose placeholders (CI principals, trusted accounts…) the set is run with. */
  readonly configFile: string;
}

export interface TriggeringEvent {
  readonly where: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principal: string;
  readonly identityType: string;
  readonly account: string;
  readonly region: string;
}

export interface LoudRule {
  readonly rule: RuleReport;
  readonly set: string;
  /** Up to EXAMPLES_PER_RULE records the rule matches alone; empty when it fired through a correlation or the actor. */
  readonly events: readonly TriggeringEvent[];
}

export interface SetNoise {
  readonly set: BenignSet;
  readonly report: BacktestReport;
  readonly ruleCount: number;
  /** Alerts raised in the measured days, per rule id; and all of them, and those notified after dedup. */
  readonly measured: ReadonlyMap<string, number>;
  readonly alerts: number;
  readonly afterDedup: number;
  readonly loud: readonly LoudRule[];
}

/** The rules and configuration of a set, loaded as the CLI's `--config` would. */
export function rulesFor(configFile: string): { config: TrailwatchConfig; rules: RuleSet } {
  const config = loadConfig(configFile);
  return { config, rules: loadRuleSet({}, config) };
}

export function isLoudLevel(level: RuleReport['level']): boolean {
  return levelRank(level) >= levelRank(QUIET_FROM_LEVEL);
}

async function* logFiles(dir: string): AsyncGenerator<{ kind: 'path'; path: string }> {
  const paths: string[] = [];
  for await (const entry of filesUnder(dir)) if (entry.kind !== 'unreadable') paths.push(entry.path);
  for (const path of paths.sort()) yield { kind: 'path', path };
}

/** A field of a JSON object, or undefined for anything else. */
function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? Reflect.get(value, key) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function describeEvent(record: CloudTrailRecord, origin: Origin): TriggeringEvent {
  const identity: unknown = record.userIdentity;
  const issuer = member(member(identity, 'sessionContext'), 'sessionIssuer');
  return {
    where: formatOrigin(origin),
    eventTime: record.eventTime,
    eventSource: record.eventSource,
    eventName: record.eventName,
    principal:
      text(member(identity, 'arn')) ||
      text(member(issuer, 'arn')) ||
      text(member(identity, 'invokedBy')) ||
      text(member(identity, 'principalId')),
    identityType: text(member(identity, 'type')),
    account: text(record.recipientAccountId),
    region: record.awsRegion,
  };
}

/** The records each loud detection rule matches on its own, read with trailwatch's own reader. */
async function triggeringEvents(
  set: BenignSet,
  rules: RuleSet,
  ids: ReadonlySet<string>,
): Promise<Map<string, TriggeringEvent[]>> {
  const found = new Map<string, TriggeringEvent[]>();
  const loud = rules.detections.filter((rule) => ids.has(rule.meta.id));
  if (loud.length === 0) return found;
  const engine = new RuleEngine(loud);
  for await (const result of readRecords(logFiles(set.dir))) {
    if (result.kind !== 'record' || Date.parse(result.record.eventTime) < set.measuredSince) continue;
    for (const outcome of engine.evaluate(result.record, result.raw)) {
      if (outcome.kind !== 'match') continue;
      const events = found.get(outcome.rule.meta.id) ?? [];
      if (events.length < EXAMPLES_PER_RULE) events.push(describeEvent(result.record, result.origin));
      found.set(outcome.rule.meta.id, events);
    }
  }
  return found;
}

/** Backtests one benign set with its configuration and names every loud rule that fired. */
export async function measureSet(set: BenignSet): Promise<SetNoise> {
  const { config, rules } = rulesFor(set.configFile);
  if (rules.errors.length > 0) {
    throw new Error(`rules that did not load:\n${rules.errors.map((error) => error.toString()).join('\n')}`);
  }
  const report = await runBacktest({
    source: { kind: 'dir', path: set.dir },
    filter: { since: set.since, until: set.until },
    rules,
    config,
    concurrency: 1,
  });
  const firstDay = isoDay(set.measuredSince);
  const counted = (perDay: RuleReport['perDay'], pick: 'alerts' | 'afterDedup'): number =>
    Object.entries(perDay).reduce((sum, [day, counts]) => (day >= firstDay ? sum + counts[pick] : sum), 0);
  const measured = new Map(report.rules.map((rule) => [rule.id, counted(rule.perDay, 'alerts')]));
  const afterDedup = report.rules.reduce((sum, rule) => sum + counted(rule.perDay, 'afterDedup'), 0);
  const alerts = [...measured.values()].reduce((sum, count) => sum + count, 0);
  const loudReports = report.rules.filter(
    (rule) => (measured.get(rule.id) ?? 0) > 0 && isLoudLevel(rule.level),
  );
  const events = await triggeringEvents(set, rules, new Set(loudReports.map((rule) => rule.id)));
  const loud = loudReports.map((rule) => ({ rule, set: set.name, events: events.get(rule.id) ?? [] }));
  const ruleCount = rules.detections.length + rules.correlations.length;
  return { set, report, ruleCount, measured, alerts, afterDedup, loud };
}

/** One line naming a loud rule and what fired it, for test failures and the report. */
export function describeLoud(loud: LoudRule): string {
  const { rule } = loud;
  const head = `${rule.level} ${rule.id} "${rule.title}" fired on ${loud.set}`;
  if (loud.events.length === 0) {
    const principals = rule.topPrincipals.map((p) => `${p.principal} (${p.alerts})`).join(', ');
    return `${head}; top principals: ${principals}`;
  }
  const events = loud.events.map(
    (event) =>
      `${event.eventSource} ${event.eventName} by ${event.principal || '?'} (${event.identityType}) in ${event.account} ${event.region} at ${event.eventTime} [${event.where}]`,
  );
  return `${head}; e.g. ${events.join('; ')}`;
}
