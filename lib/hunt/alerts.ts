import type { Alert } from '../alerts';
import { detectionAlert } from '../alerts';
import { CorrelationEngine } from '../correlate';
import type { DetectionRule, RuleSet } from '../rules';
import type { CompiledHunt } from '../sql';
import { MemoryStateStore } from '../state';
import type { HuntMatch } from './types';

/**
 * The alerts of a hunt's SQL matches, as scan builds them: a detection alert per match (not for
 * rules that only feed a correlation), and the correlations the compiler handed over
 * (`CorrelationFeed`) counted by lib/correlate over the matches in reading order, so a correlation
 * fires exactly where scan's would on the same records.
 */
export async function huntAlerts(
  set: RuleSet,
  compiled: CompiledHunt,
  matches: readonly HuntMatch[],
): Promise<Alert[]> {
  const rules = new Map<string, DetectionRule>(set.detections.map((rule) => [rule.meta.id, rule]));
  const fed = new Set(compiled.correlations.map((feed) => feed.ruleId));
  const correlations = new CorrelationEngine(
    set.correlations.filter((correlation) => fed.has(correlation.meta.id)),
    new MemoryStateStore(),
  );
  const alerts: Alert[] = [];
  for (const match of matches) {
    const rule = rules.get(match.ruleId);
    if (rule === undefined) continue;
    if (!set.correlationOnly.has(rule.meta.id)) alerts.push(detectionAlert(rule, match.record, match.origin));
    if (correlations.feeds(rule.meta.id)) alerts.push(...(await correlations.observe(rule, match.record)));
  }
  return alerts;
}

/**
 * The rules the JavaScript engine runs for a hunt: the unsupported detection rules, the unsupported
 * correlations and the detection rules those count (their own alerts come from SQL already, so
 * the caller keeps only `keep` ids' alerts).
 */
export function javascriptSubset(
  set: RuleSet,
  compiled: CompiledHunt,
): { set: RuleSet; keep: ReadonlySet<string> } {
  const unsupported = new Set(compiled.unsupported.map((rule) => rule.ruleId));
  const correlations = set.correlations.filter((correlation) => unsupported.has(correlation.meta.id));
  const counted = new Set(correlations.flatMap((correlation) => correlation.ruleIds));
  const detections = set.detections.filter(
    (rule) => unsupported.has(rule.meta.id) || counted.has(rule.meta.id),
  );
  const ids = new Set(detections.map((rule) => rule.meta.id));
  return {
    set: {
      ...set,
      detections,
      correlations,
      correlationOnly: new Set([...set.correlationOnly].filter((id) => ids.has(id))),
      errors: [],
      warnings: [],
    },
    keep: unsupported,
  };
}
