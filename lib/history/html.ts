import type { BacktestReport, RuleReport, TopPerson } from './backtest';
import { listsEveryDay, MAX_LISTED_DAYS } from './backtest';
import { type Band, CHART_CSS, OTHER_COLOUR, ruleBands, stackedBarChart } from './chart';
import { escapeHtml } from './escape';

export { CHART_RULES, countAxis, dayLabels, ruleBands, stackedBarChart } from './chart';
export { escapeHtml } from './escape';

/** `alice (3)`; a principal whose person is unknown says so: `unknown person: arn:… (2)`. */
export function topPersonText(person: TopPerson): string {
  return `${person.known ? person.name : `unknown person: ${person.name}`} (${person.alerts})`;
}

function row(cells: readonly (string | number)[], tag = 'td'): string {
  return `<tr>${cells.map((cell) => `<${tag}>${escapeHtml(String(cell))}</${tag}>`).join('')}</tr>`;
}

function swatch(colour: string): string {
  return `<span class="swatch" style="background:${colour}"></span>`;
}

/**
 * One rule's row. The id sits under the title in a small monospace line that may break anywhere,
 * so a long id (a UUID) never narrows the title's column; the title's swatch is its chart colour.
 */
function ruleRow(rule: RuleReport, colour: string): string {
  const count = (n: number): string => `<td class="num">${n}</td>`;
  const principals = rule.topPrincipals
    .map((p) => `<li>${escapeHtml(`${p.principal} (${p.alerts})`)}</li>`)
    .join('');
  return `<tr><td class="rule">${swatch(colour)}${escapeHtml(rule.title)}<code class="rule-id">${escapeHtml(rule.id)}</code></td><td>${escapeHtml(rule.level)}</td>${count(rule.alerts)}${count(rule.afterDedup)}${count(rule.deduplicated)}${count(rule.suppressed)}${count(Object.keys(rule.perDay).length)}<td class="who">${escapeHtml(rule.topPeople.map(topPersonText).join(', '))}</td><td class="who"><ul class="plain">${principals}</ul></td></tr>`;
}

function colourOf(bands: readonly Band[]): (rule: RuleReport) => string {
  const colours = new Map<RuleReport, string>();
  for (const band of bands) for (const rule of band.rules) colours.set(rule, band.colour);
  return (rule) => colours.get(rule) ?? OTHER_COLOUR;
}

const PAGE_CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
table.rules{width:100%}td.rule{min-width:22em}td.rule .swatch{margin-right:6px}
.rule-id{display:block;font-size:11px;color:#777;overflow-wrap:anywhere}
td.who{min-width:10em;overflow-wrap:anywhere}td.who:last-child{min-width:15em}ul.plain{list-style:none;margin:0;padding:0}p.note{color:#666}
div.wide{overflow-x:auto}
@media (max-width:1200px){td.rule{min-width:16em}td.who{min-width:8em}td.who:last-child{min-width:12em}}
${CHART_CSS}`;

/** The backtest as one self-contained HTML file: summary, charts of alerts per rule per day, and the tables. */
export function renderBacktestHtml(report: BacktestReport): string {
  const bands = ruleBands(report.rules);
  const colour = colourOf(bands);
  const ruleRows = report.rules
    .filter((rule) => rule.alerts > 0)
    .map((rule) => ruleRow(rule, colour(rule)))
    .join('');
  const quiet = report.rules.filter((rule) => rule.alerts === 0).length;
  const problems =
    report.problemCount === 0
      ? '<p>No input problems.</p>'
      : `<h2>Problems (${report.problemCount})</h2><ul>${report.problems.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('')}</ul>`;
  const scope = [
    `${report.since} to ${report.until}`,
    report.accounts ? `accounts ${report.accounts.join(', ')}` : 'all accounts',
    report.regions ? `regions ${report.regions.join(', ')}` : 'all regions',
  ].join('; ');
  const since = Date.parse(report.since);
  const until = Date.parse(report.until);
  const sparse = !Number.isNaN(since) && !Number.isNaN(until) && !listsEveryDay(since, until);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trailwatch backtest: ${escapeHtml(report.source)}</title>
<style>
${PAGE_CSS}
</style></head><body>
<h1>trailwatch backtest</h1>
<p><code>${escapeHtml(report.source)}</code>: ${escapeHtml(scope)}</p>
<table>${row(['records read', 'objects read', 'objects skipped', 'alerts', 'after dedup', 'problems'], 'th')}${row([report.records, report.objects.read, report.objects.skipped, report.alerts, report.afterDedup, report.problemCount])}</table>
${stackedBarChart(report.days, bands, 'alerts', 'Alerts per rule per day', 'alerts', sparse)}
${stackedBarChart(report.days, bands, 'afterDedup', 'Notifications per rule per day, after dedup and suppressions', 'notifications', sparse)}
${sparse ? `<p class="note">The window is longer than ${MAX_LISTED_DAYS} days: the charts show only the days with alerts.</p>` : ''}
<h2>Rules</h2>
<div class="wide"><table class="rules">${row(['rule', 'level', 'alerts', 'after dedup', 'deduplicated', 'suppressed', 'days', 'top people', 'top principals'], 'th')}${ruleRows}</table></div>
<p>${quiet} rule(s) raised no alert.</p>
${problems}
</body></html>
`;
}
