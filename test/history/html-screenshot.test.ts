/**
 * The backtest HTML report as a person sees it: rendered by headless Chromium for a 3-day and a
 * 30-day window, screenshotted, and measured in the browser's own layout (a copy of the page with a
 * measuring script appended; the report itself has no script). Where Chromium is not installed
 * (`apt-get install chromium`, or CHROMIUM=/path), the suite skips with a message.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../lib/history';
import { renderBacktestHtml } from '../../lib/history';
import { decodePng, type Image } from '../audit/png';
import type { Measured } from './chromium';
import { BROWSER_TIMEOUT_MS, CHROMIUM, CHROMIUM_SKIP_MESSAGE, measure, rgb, screenshot } from './chromium';
import { fixtureReport, HOSTILE_TITLE } from './report-fixture';

if (CHROMIUM === undefined) console.warn(CHROMIUM_SKIP_MESSAGE);

const WINDOW = { width: 1280, height: 1400 };
/**
 * Set to a folder to write there the README's pictures (`backtest-3d.png`, `backtest-30d.png`,
 * kept in docs/): the reports the tests look at without the hostile title, in a window that holds
 * the summary and both charts.
 */
const KEEP_SCREENSHOTS = process.env.TRAILWATCH_SCREENSHOTS;
const README_WINDOW = { width: 900, height: 1200 };

/** How many pixels have each colour (`#rrggbb`). */
function colourCounts(image: Image): Map<string, number> {
  const counts = new Map<string, number>();
  const hex = (n: number | undefined): string => (n ?? 0).toString(16).padStart(2, '0');
  for (let i = 0; i < image.pixels.length; i += 4) {
    const colour = `#${hex(image.pixels[i])}${hex(image.pixels[i + 1])}${hex(image.pixels[i + 2])}`;
    counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  return counts;
}

/** The rule a bar band stands for, from its tooltip `day: label: count`. */
function bandLabel(title: string): string {
  return title.slice(title.indexOf(': ') + 2, title.lastIndexOf(': '));
}

interface Rendered {
  readonly report: BacktestReport;
  readonly measured: Measured;
  readonly png: Buffer;
}

describe.skipIf(CHROMIUM === undefined)('the backtest HTML report in Chromium', () => {
  let folder = '';
  const rendered = new Map<number, Rendered>();

  async function render(dayCount: number): Promise<Rendered> {
    const report = fixtureReport('2026-10-05', dayCount);
    const page = renderBacktestHtml(report);
    const file = join(folder, `backtest-${dayCount}d.html`);
    const png = join(folder, `backtest-${dayCount}d.png`);
    writeFileSync(file, page);
    const [measured] = await Promise.all([
      measure(
        page,
        join(folder, `backtest-${dayCount}d-measured.html`),
        WINDOW,
        join(folder, `profile-${dayCount}-dom`),
      ),
      screenshot(file, png, WINDOW, join(folder, `profile-${dayCount}-png`)),
    ]);
    if (KEEP_SCREENSHOTS) {
      mkdirSync(KEEP_SCREENSHOTS, { recursive: true });
      const readme = join(folder, `readme-${dayCount}d.html`);
      writeFileSync(readme, renderBacktestHtml(fixtureReport('2026-10-05', dayCount, { hostile: false })));
      const picture = join(KEEP_SCREENSHOTS, `backtest-${dayCount}d.png`);
      await screenshot(readme, picture, README_WINDOW, join(folder, `profile-${dayCount}-readme`));
    }
    return { report, measured, png: readFileSync(png) };
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'trailwatch-html-'));
    for (const days of [3, 30]) rendered.set(days, await render(days));
  }, 2 * BROWSER_TIMEOUT_MS);
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const get = (days: number): Rendered => {
    const result = rendered.get(days);
    if (!result) throw new Error(`the ${days}-day report was not rendered`);
    return result;
  };

  it.each([3, 30])('%i days: the screenshot shows the page, its bars in their rules colours', (days) => {
    const { png, measured } = get(days);
    const pixels = decodePng(png);
    expect([pixels.width, pixels.height]).toEqual([WINDOW.width, WINDOW.height]);
    const counts = colourCounts(pixels);
    const white = counts.get('#ffffff') ?? 0;
    expect(white / (pixels.width * pixels.height)).toBeLessThan(0.9);
    // Each colour of a bar band covers at least the inside of its rectangles that are on screen:
    // the colours the legend promises are the colours painted.
    const inside = new Map<string, number>();
    for (const figure of measured.figures) {
      for (const bar of figure.bars) {
        if (bar.bottom > WINDOW.height) continue;
        const area = Math.max(0, Math.floor(bar.width) - 2) * Math.max(0, Math.floor(bar.height) - 2);
        inside.set(bar.fill, (inside.get(bar.fill) ?? 0) + area);
      }
    }
    expect(inside.size).toBeGreaterThanOrEqual(10);
    for (const [fill, area] of inside) expect(counts.get(fill) ?? 0, fill).toBeGreaterThanOrEqual(area);
  });

  it.each([3, 30])('%i days: one colour per rule across both charts, their legends and the table', (days) => {
    const { measured } = get(days);
    expect(measured.figures).toHaveLength(2);
    const colourOf = new Map<string, string>();
    for (const figure of measured.figures) {
      for (const bar of figure.bars) {
        const label = bandLabel(bar.title);
        expect(colourOf.get(label) ?? bar.fill, label).toBe(bar.fill);
        colourOf.set(label, bar.fill);
      }
      for (const entry of figure.legend)
        expect(entry.colour, entry.text).toBe(rgb(colourOf.get(entry.text) ?? ''));
    }
    // Eleven bands: ten rules in their own colours and the two quietest together, each colour once.
    expect(colourOf.size).toBe(11);
    expect(new Set(colourOf.values()).size).toBe(11);
    for (const rule of measured.rules) {
      const own = colourOf.get(rule.title);
      if (own !== undefined) expect(rule.colour, rule.title).toBe(rgb(own));
    }
  });

  it.each([3, 30])('%i days: the legends list the charted rules, noisiest first', (days) => {
    const { report, measured } = get(days);
    const raising = report.rules.filter((rule) => rule.alerts > 0);
    const expected = [...raising.slice(0, 10).map((rule) => rule.title), '2 other rules'];
    expect(measured.figures[0]?.legend.map((entry) => entry.text)).toEqual(expected);
    // The notification chart keeps the alert chart's order (and so its colours), though dedup reranks.
    expect(measured.figures[1]?.legend.map((entry) => entry.text)).toEqual(expected);
  });

  it.each([3, 30])('%i days: the count axes have round ticks from 0 past the tallest bar', (days) => {
    const { report, measured } = get(days);
    for (const [index, measure] of (['alerts', 'afterDedup'] as const).entries()) {
      const tallest = Math.max(
        ...report.days.map((day) =>
          report.rules.reduce((sum, rule) => sum + (rule.perDay[day]?.[measure] ?? 0), 0),
        ),
      );
      const ticks = (measured.figures[index]?.ticks ?? []).map(Number);
      const step = ticks[1] ?? 0;
      expect(ticks[0]).toBe(0);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(6);
      expect(ticks.every((tick, i) => tick === i * step)).toBe(true);
      expect(step / 10 ** Math.floor(Math.log10(step))).toSatisfy((m: number) => [1, 2, 5].includes(m));
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(tallest);
      expect(ticks.at(-2)).toBeLessThan(tallest);
    }
  });

  it("3 days: the fixture's axes read 0–80 by 20 and 0–40 by 10", () => {
    const { measured } = get(3);
    expect(measured.figures[0]?.ticks).toEqual(['0', '20', '40', '60', '80']);
    expect(measured.figures[1]?.ticks).toEqual(['0', '10', '20', '30', '40']);
  });

  it.each([
    [3, 3, 40],
    [30, 6, 10],
  ])(
    '%i days: at least %i day labels, none overlapping or cut, bars at least %i px wide',
    (days, labels, barWidth) => {
      const { report, measured } = get(days);
      for (const figure of measured.figures) {
        expect(figure.days.length).toBeGreaterThanOrEqual(labels);
        expect(figure.days[0]?.text).toContain(report.days[0]?.slice(5));
        for (const [i, label] of figure.days.entries()) {
          expect(label.left).toBeGreaterThanOrEqual(figure.svg.left);
          expect(label.right).toBeLessThanOrEqual(figure.svg.right);
          const next = figure.days[i + 1];
          if (next) expect(label.right, `${label.text} / ${next.text}`).toBeLessThanOrEqual(next.left);
        }
        const widths = figure.bars.map((bar) => bar.width);
        expect(Math.min(...widths)).toBeGreaterThanOrEqual(barWidth);
        // A few wide bars, not walls: a 3-day chart keeps gaps between its bars.
        expect(Math.max(...widths)).toBeLessThanOrEqual(80);
      }
    },
  );

  it('3 days: every day of the window has its label and nothing follows the last', () => {
    const { report, measured } = get(3);
    for (const figure of measured.figures) {
      expect(figure.days.map((label) => label.text)).toEqual(report.days);
      const barDays = new Set(figure.bars.map((bar) => bar.title.slice(0, 10)));
      expect([...barDays].sort()).toEqual(report.days);
    }
  });

  it.each([3, 30])('%i days: rule ids sit under the titles without squeezing them', (days) => {
    const { measured } = get(days);
    expect(measured.rules.length).toBe(12);
    for (const rule of measured.rules) {
      expect(rule.width, rule.title).toBeGreaterThanOrEqual(180);
      expect(rule.id).toMatch(/^[0-9a-f-]{36}$/);
      // Titles of up to 40 characters fit on one line; the id never pushes them onto a second.
      if (rule.title.length <= 40) expect(rule.titleLines, rule.title).toBe(1);
    }
    // At 1280 px the whole table fits: nothing to scroll, on the page or in the table's box.
    expect(measured.scrollWidth).toBeLessThanOrEqual(measured.innerWidth);
    expect(measured.tableOverflow).toBeLessThanOrEqual(0);
  });

  it('a hostile rule title is text in the browser: no element, no script of its own', () => {
    const { measured } = get(3);
    expect(measured.images).toBe(0);
    // The one script is the measuring script the test appended.
    expect(measured.scripts).toBe(1);
    expect(measured.figures[0]?.legend.map((entry) => entry.text)).toContain(HOSTILE_TITLE);
    expect(measured.rules.map((rule) => rule.title)).toContain(HOSTILE_TITLE);
  });
});
