import type { RuleReport } from './backtest';
import { escapeHtml } from './escape';

/** Rules drawn in their own colour; the rest share one "other rules" band. */
export const CHART_RULES = 10;
/**
 * One colour per charted rule, far enough apart to tell bands of a bar apart (Tableau 10, with its
 * grey replaced by a cyan so that no rule looks like the grey "other rules" band).
 */
export const PALETTE: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#17becf',
];
export const OTHER_COLOUR = '#c7c7c7';

/** What a chart counts per rule and day: the alerts raised, or those left after dedup and suppressions. */
export type Measure = 'alerts' | 'afterDedup';

/** One band of the stacked bars: a rule in its colour, or the quieter rules together. */
export interface Band {
  readonly label: string;
  readonly colour: string;
  readonly rules: readonly RuleReport[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The bands of every chart of a report, decided once from the alerts raised: the noisiest
 * `CHART_RULES` rules get their own colour, so a rule has the same colour in both charts, both
 * legends and the rules table, even where dedup reorders the rules. Two rules of the same title are
 * told apart by their ids.
 */
export function ruleBands(rules: readonly RuleReport[]): Band[] {
  const raising = rules
    .filter((rule) => rule.alerts > 0)
    .sort((a, b) => b.alerts - a.alerts || compareText(a.title, b.title) || compareText(a.id, b.id));
  const own = raising.slice(0, CHART_RULES);
  const titles = new Map<string, number>();
  for (const rule of own) titles.set(rule.title, (titles.get(rule.title) ?? 0) + 1);
  const bands: Band[] = own.map((rule, i) => ({
    label: (titles.get(rule.title) ?? 0) > 1 ? `${rule.title} (${rule.id})` : rule.title,
    colour: PALETTE[i] ?? OTHER_COLOUR,
    rules: [rule],
  }));
  const rest = raising.slice(CHART_RULES);
  if (rest.length > 0) {
    bands.push({
      label: `${rest.length} other rule${rest.length === 1 ? '' : 's'}`,
      colour: OTHER_COLOUR,
      rules: rest,
    });
  }
  return bands;
}

export function bandCount(band: Band, day: string, measure: Measure): number {
  return band.rules.reduce((sum, rule) => sum + (rule.perDay[day]?.[measure] ?? 0), 0);
}

/** A count axis from 0: `top` is the highest tick, `ticks` every labelled value. */
export interface CountAxis {
  readonly step: number;
  readonly top: number;
  readonly ticks: readonly number[];
}

/** Steps a reader can add up at a glance: 1, 2 or 5 times a power of ten. */
const NICE_MULTIPLIERS = [1, 2, 5] as const;
/** Intervals on a count axis at most: enough to read a bar's height, few enough to stay apart. */
export const MAX_TICK_INTERVALS = 5;

/**
 * Round ticks for a count axis reaching `max`: the smallest step of 1, 2 or 5 × 10^k (never below
 * 1, since counts are whole) that covers `max` in at most `maxIntervals` intervals.
 */
export function countAxis(max: number, maxIntervals: number = MAX_TICK_INTERVALS): CountAxis {
  const target = Math.max(max, 1) / maxIntervals;
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const found = NICE_MULTIPLIERS.map((multiplier) => multiplier * magnitude).find((s) => s >= target);
    if (found !== undefined) {
      step = found;
      break;
    }
  }
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return { step, top, ticks };
}

const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** Geometry of a chart, in CSS pixels (the SVG scales down to a narrower page). */
const PLOT_WIDTH = 760;
const PLOT_HEIGHT = 220;
const LEFT = 52;
const RIGHT = 16;
const TOP = 34;
const BOTTOM = 46;
/** A bar never grows wider than this, so a 3-day window shows three bars, not three walls. */
const MAX_BAR_WIDTH = 64;
/** Share of a day's slot its bar fills, the rest is the gap between bars. */
const BAR_SHARE = 0.7;
/** Below this bar width the white seams between bands would eat the colours. */
const MIN_SEAMED_BAR = 6;
/**
 * Width of a digit or dash at the 11 px of the axis labels (DejaVu Sans and most UI fonts advance
 * digits by 0.6–0.64 em), and the least room between two labels.
 */
const LABEL_CHAR_WIDTH = 7.2;
const LABEL_GAP = 10;

/** Days between labels: every day, a few days, or whole weeks (and their multiples), which a reader counts on. */
const LABEL_SPACINGS = [1, 2, 3, 7, 14, 28, 56, 91, 182, 364] as const;

export interface DayLabels {
  /** A label under every `every`-th day, starting with the first. */
  readonly every: number;
  readonly text: (day: string) => string;
  /** The year of every day when the labels leave it out. */
  readonly year: string | undefined;
}

/**
 * Labels for the day axis that never overlap: full dates when they fit, month-day when the days
 * share a year and full dates would have to be thinned, and then every `every`-th day.
 */
export function dayLabels(days: readonly string[], slotWidth: number): DayLabels {
  const spacing = (chars: number): number => {
    const needed = Math.ceil((chars * LABEL_CHAR_WIDTH + LABEL_GAP) / slotWidth);
    return LABEL_SPACINGS.find((days) => days >= needed) ?? needed;
  };
  const longest = Math.max(...days.map((day) => day.length));
  const full = spacing(longest);
  const years = new Set(days.map((day) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? day.slice(0, 4) : day)));
  const [year] = years;
  if (full <= 1 || years.size !== 1 || year === undefined || !/^\d{4}$/.test(year)) {
    return { every: full, text: (day) => day, year: undefined };
  }
  return { every: spacing('MM-DD'.length), text: (day) => day.slice(5), year };
}

/**
 * A stacked bar per day, one band per rule in the colour `ruleBands` gave it, on a count axis with
 * round ticks, as inline SVG (no script, no external asset). Each band carries a tooltip with its
 * day, rule and count.
 */
export function stackedBarChart(
  days: readonly string[],
  bands: readonly Band[],
  measure: Measure,
  caption: string,
  unit: string,
  /** The days are only those with alerts (a long window), not every day: the axis says so. */
  onlyAlertDays = false,
): string {
  const totals = days.map((day) => bands.reduce((sum, band) => sum + bandCount(band, day, measure), 0));
  const shown = bands.filter((band) => days.some((day) => bandCount(band, day, measure) > 0));
  if (shown.length === 0) return `<p>${escapeHtml(caption)}: no ${escapeHtml(unit)}.</p>`;
  const axis = countAxis(Math.max(0, ...totals));
  const slot = PLOT_WIDTH / days.length;
  const barWidth = slot >= MIN_SEAMED_BAR ? Math.min(MAX_BAR_WIDTH, slot * BAR_SHARE) : slot * 0.9;
  const base = TOP + PLOT_HEIGHT;
  const yOf = (count: number): number => base - (count / axis.top) * PLOT_HEIGHT;
  const width = LEFT + PLOT_WIDTH + RIGHT;
  const height = base + BOTTOM;
  const px = (n: number): string => String(Math.round(n * 10) / 10);
  const parts: string[] = [];

  for (const tick of axis.ticks) {
    const y = px(yOf(tick));
    parts.push(
      `<line class="${tick === 0 ? 'axis' : 'grid'}" x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT_WIDTH}" y2="${y}"/>`,
      `<text class="tick" x="${LEFT - 6}" y="${px(yOf(tick) + 4)}" text-anchor="end">${COUNT_FORMAT.format(tick)}</text>`,
    );
  }
  const labels = dayLabels(days, slot);
  days.forEach((day, i) => {
    const centre = LEFT + (i + 0.5) * slot;
    const x = px(centre - barWidth / 2);
    let below = 0;
    for (const band of shown) {
      const count = bandCount(band, day, measure);
      if (count === 0) continue;
      const y = yOf(below + count);
      parts.push(
        `<rect${barWidth >= MIN_SEAMED_BAR ? ' class="seam"' : ''} x="${x}" y="${px(y)}" width="${px(barWidth)}" height="${px(yOf(below) - y)}" fill="${band.colour}"><title>${escapeHtml(`${day}: ${band.label}: ${count}`)}</title></rect>`,
      );
      below += count;
    }
    const top = yOf(below);
    const total = totals[i] ?? 0;
    const totalText = COUNT_FORMAT.format(total);
    // Every total that fits is written, 0 too, so a quiet day reads as quiet rather than missing.
    if (totalText.length * LABEL_CHAR_WIDTH + 4 <= slot) {
      parts.push(
        `<text class="total${total === 0 ? ' quiet' : ''}" x="${px(centre)}" y="${px(top - 5)}" text-anchor="middle">${totalText}</text>`,
      );
    }
    if (i % labels.every === 0) {
      const text = labels.text(day);
      // A label under the first or last bar is kept inside the picture; its tick still marks the bar.
      const half = (text.length * LABEL_CHAR_WIDTH) / 2 + 1;
      const labelX = Math.min(Math.max(centre, half), width - half);
      parts.push(
        `<line class="axis" x1="${px(centre)}" y1="${base}" x2="${px(centre)}" y2="${base + 4}"/>`,
        `<text class="day" x="${px(labelX)}" y="${base + 17}" text-anchor="middle">${escapeHtml(text)}</text>`,
      );
    }
  });
  const axisTitle = [
    `UTC ${onlyAlertDays ? 'days with alerts only' : 'day'}${labels.year === undefined ? '' : ` (${labels.year})`}`,
    ...(labels.every > 1 ? [`labelled every ${labels.every} ${onlyAlertDays ? 'bars' : 'days'}`] : []),
  ].join(', ');
  parts.push(
    `<text class="note" x="${LEFT + PLOT_WIDTH / 2}" y="${base + 38}" text-anchor="middle">${escapeHtml(axisTitle)}</text>`,
    `<text class="note" x="0" y="12">${escapeHtml(unit)}</text>`,
  );
  const legend = shown
    .map(
      (band) =>
        `<li><span class="swatch" style="background:${band.colour}"></span>${escapeHtml(band.label)}</li>`,
    )
    .join('');
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg><ul class="legend">${legend}</ul></figure>`;
}

/** The chart styles, for the page's one style sheet. */
export const CHART_CSS = `figure{margin:1.5rem 0}figcaption{font-weight:600;margin-bottom:.5rem}
svg{max-width:100%;height:auto;display:block}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#888}svg .seam{stroke:#fff;stroke-width:.6}
svg text{font:11px system-ui,sans-serif;fill:#444}svg .total{font-size:10px;fill:#222}svg .quiet{fill:#999}svg .note{fill:#777}
.legend{list-style:none;padding:0;margin:.5rem 0 0;display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:4px 16px;max-width:824px}
.legend li{display:flex;align-items:baseline}
.swatch{display:inline-block;flex:none;width:12px;height:12px;margin-right:6px;border-radius:2px;vertical-align:-1px}`;
