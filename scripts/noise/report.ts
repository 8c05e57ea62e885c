/** rules/NOISE.md from the measured sets: deterministic (no dates, no timings), so it diffs cleanly. */
import type { RuleReport } from '../../lib/history';
import { levelRank } from '../../lib/rules';
import type { SetNoise } from './measure';
import { describeLoud, QUIET_FROM_LEVEL } from './measure';

function perDay(alerts: number, days: number): string {
  return (alerts / days).toFixed(2);
}

/** Table cells hold titles and ARNs: a pipe would split the cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function renderNoiseReport(sets: readonly SetNoise[]): string {
  const lines: string[] = [
    '# Benign noise of the shipped rule pack',
    '',
    'What every rule raises on normal traffic, measured by `npm run noise` (`scripts/noise.ts`): the',
    'real backtest (`lib/history`, as `trailwatch backtest` runs it, with dedup, correlations and',
    "suppressions) over each benign set below, with that set's configuration. Alerts per day are the",
    "alerts raised in the days counted. The organisation's history starts two weeks before the days",
    'counted, so that first-seen rules have learned what is usual before they are measured, as they',
    'would have live. The same rules and sets give the same file.',
    '',
    '| set | what | configuration | days counted | records replayed | alerts | alerts/day | notified (after dedup)/day |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const { set, report, alerts, afterDedup } of sets) {
    lines.push(
      `| ${set.name} | ${cell(set.description)} | \`${set.configFile}\` | ${set.days} | ${report.records} | ${alerts} | ${perDay(alerts, set.days)} | ${perDay(afterDedup, set.days)} |`,
    );
  }
  lines.push('');
  const totals = sets.map(({ set, alerts }) => `${perDay(alerts, set.days)} alerts/day on ${set.name}`);
  const ruleCount = sets[0]?.ruleCount ?? 0;
  lines.push(`**Pack total (${ruleCount} rules): ${totals.join(', ')}.**`, '');

  lines.push(`## Rules at ${QUIET_FROM_LEVEL} or above that fired on benign traffic`, '');
  const loud = sets.flatMap((set) => set.loud);
  if (loud.length === 0) lines.push('None.');
  else {
    lines.push(
      '| level | rule | id | set | alerts | what fired it (the first events) |',
      '|---|---|---|---|---:|---|',
    );
    for (const entry of loud) {
      const { rule } = entry;
      const alerts = sets.find((set) => set.set.name === entry.set)?.measured.get(rule.id) ?? 0;
      const what = describeLoud(entry).replace(/^.*? fired on [^;]*; /, '');
      lines.push(
        `| ${rule.level} | ${cell(rule.title)} | \`${rule.id}\` | ${entry.set} | ${alerts} | ${cell(what)} |`,
      );
    }
  }
  lines.push('');

  lines.push('## Per rule', '');
  const header = sets.map(({ set }) => `${set.name}: alerts | ${set.name}: /day`).join(' | ');
  lines.push(`| level | rule | id | ${header} |`);
  lines.push(`|---|---|---|${sets.map(() => '---:|---:').join('|')}|`);
  const byId = new Map<string, RuleReport>();
  for (const { report } of sets)
    for (const rule of report.rules) if (!byId.has(rule.id)) byId.set(rule.id, rule);
  const alertsOf = (id: string, set: SetNoise): number => set.measured.get(id) ?? 0;
  const total = (id: string): number => sets.reduce((sum, set) => sum + alertsOf(id, set), 0);
  const rules = [...byId.values()].sort(
    (a, b) =>
      levelRank(b.level) - levelRank(a.level) ||
      total(b.id) - total(a.id) ||
      (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) ||
      (a.id < b.id ? -1 : 1),
  );
  for (const rule of rules) {
    const counts = sets.map(
      (set) => `${alertsOf(rule.id, set)} | ${perDay(alertsOf(rule.id, set), set.set.days)}`,
    );
    const kind = rule.kind === 'correlation' ? ' (correlation)' : '';
    lines.push(`| ${rule.level} | ${cell(rule.title)}${kind} | \`${rule.id}\` | ${counts.join(' | ')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
