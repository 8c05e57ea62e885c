import { neutralizeControl } from '../text';
import type { BacktestReport, RuleReport, TopPerson } from './backtest';

/** Rules drawn in their own colour; the rest share one "other rules" band. */
export const CHART_RULES = 10;
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const OTHER_COLOUR = '#d3d3d3';

/**
 * Every text in the report comes from rules and events: escaped wherever it lands. The five HTML
 * specials are entities (so text cannot open a tag or leave a quoted attribute), and control and bidi
 * characters are shown as escapes (`neutralizeControl`), so an override cannot make a rule title read
 * backwards. The report builds no link from data: no `href`, `src` or script takes a value from it.
 */
export function escapeHtml(text: string): string {
  return neutralizeControl(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly perDay: (day: string) => number;
}

function series(rules: readonly RuleReport[], measure: 'alerts' | 'afterDedup'): Series[] {
  const raising = rules.filter((rule) => rule[measure] > 0).sort((a, b) => b[measure] - a[measure]);
  const own = raising.slice(0, CHART_RULES);
  const rest = raising.slice(CHART_RULES);
  const result: Series[] = own.map((rule, i) => ({
    label: rule.title,
    colour: PALETTE[i % PALETTE.length] ?? OTHER_COLOUR,
    perDay: (day) => rule.perDay[day]?.[measure] ?? 0,
  }));
  if (rest.length > 0) {
    result.push({
      label: `${rest.length} other rule(s)`,
      colour: OTHER_COLOUR,
      perDay: (day) => rest.reduce((sum, rule) => sum + (rule.perDay[day]?.[measure] ?? 0), 0),
    });
  }
  return result;
}

/** A stacked bar per day, one band per rule, as inline SVG (no script, no external asset). */
export function stackedBarChart(days: readonly string[], bands: readonly Series[], caption: string): string {
  if (days.length === 0 || bands.length === 0) return `<p>${escapeHtml(caption)}: no alerts.</p>`;
  const barWidth = Math.max(8, Math.min(40, Math.floor(900 / days.length) - 4));
  const plotHeight = 240;
  const left = 48;
  const bottom = 70;
  const width = left + days.length * (barWidth + 4) + 16;
  const totals = days.map((day) => bands.reduce((sum, band) => sum + band.perDay(day), 0));
  const max = Math.max(1, ...totals);
  const parts: string[] = [];
  parts.push(
    `<line x1="${left}" y1="10" x2="${left}" y2="${10 + plotHeight}" stroke="#888"/>`,
    `<line x1="${left}" y1="${10 + plotHeight}" x2="${width - 8}" y2="${10 + plotHeight}" stroke="#888"/>`,
    `<text x="${left - 6}" y="16" text-anchor="end" font-size="11">${max}</text>`,
    `<text x="${left - 6}" y="${10 + plotHeight}" text-anchor="end" font-size="11">0</text>`,
  );
  days.forEach((day, i) => {
    const x = left + 4 + i * (barWidth + 4);
    let y = 10 + plotHeight;
    for (const band of bands) {
      const count = band.perDay(day);
      if (count === 0) continue;
      const height = (count / max) * plotHeight;
      y -= height;
      parts.push(
        `<rect x="${x}" y="${y.toFixed(1)}" width="${barWidth}" height="${height.toFixed(1)}" fill="${band.colour}"><title>${escapeHtml(`${day}: ${band.label}: ${count}`)}</title></rect>`,
      );
    }
    const labelY = 10 + plotHeight + 8;
    parts.push(
      `<text x="${x + barWidth / 2}" y="${labelY}" font-size="10" text-anchor="end" transform="rotate(-60 ${x + barWidth / 2} ${labelY})">${escapeHtml(day)}</text>`,
    );
  });
  const legend = bands
    .map(
      (band) =>
        `<li><span class="swatch" style="background:${band.colour}"></span>${escapeHtml(band.label)}</li>`,
    )
    .join('');
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${10 + plotHeight + bottom}" viewBox="0 0 ${width} ${10 + plotHeight + bottom}">${parts.join('')}</svg><ul class="legend">${legend}</ul></figure>`;
}

/** `alice (3)`; a principal whose person is unknown says so: `unknown person: arn:… (2)`. */
export function topPersonText(person: TopPerson): string {
  return `${person.known ? person.name : `unknown person: ${person.name}`} (${person.alerts})`;
}

function row(cells: readonly (string | number)[], tag = 'td'): string {
  return `<tr>${cells.map((cell) => `<${tag}>${escapeHtml(String(cell))}</${tag}>`).join('')}</tr>`;
}

/** The backtest as one self-contained HTML file: summary, charts of alerts per rule per day, and the tables. */
export function renderBacktestHtml(report: BacktestReport): string {
  const ruleRows = report.rules
    .filter((rule) => rule.alerts > 0)
    .map((rule) =>
      row([
        rule.title,
        rule.id,
        rule.level,
        rule.alerts,
        rule.afterDedup,
        rule.deduplicated,
        rule.suppressed,
        Object.keys(rule.perDay).length,
        rule.topPeople.map(topPersonText).join(', '),
        rule.topPrincipals.map((p) => `${p.principal} (${p.alerts})`).join(', '),
      ]),
    )
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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trailwatch backtest: ${escapeHtml(report.source)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td:nth-child(n+4):nth-child(-n+8){text-align:right}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px}.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
figure{margin:1.5rem 0}figcaption{font-weight:600;margin-bottom:.5rem}
</style></head><body>
<h1>trailwatch backtest</h1>
<p><code>${escapeHtml(report.source)}</code>: ${escapeHtml(scope)}</p>
<table>${row(['records read', 'objects read', 'objects skipped', 'alerts', 'after dedup', 'problems'], 'th')}${row([report.records, report.objects.read, report.objects.skipped, report.alerts, report.afterDedup, report.problemCount])}</table>
${stackedBarChart(report.days, series(report.rules, 'alerts'), 'Alerts per rule per day')}
${stackedBarChart(report.days, series(report.rules, 'afterDedup'), 'Notifications per rule per day (after dedup and suppressions)')}
<h2>Rules</h2>
<table>${row(['rule', 'id', 'level', 'alerts', 'after dedup', 'deduplicated', 'suppressed', 'days', 'top people', 'top principals'], 'th')}${ruleRows}</table>
<p>${quiet} rule(s) raised no alert.</p>
${problems}
</body></html>
`;
}
