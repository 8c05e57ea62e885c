import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrailwatchConfig } from '../../lib/config';
import { loadConfig } from '../../lib/config';
import type { RuleReport } from '../../lib/history';
import { renderBacktestHtml, runBacktest } from '../../lib/history';
import {
  CHART_RULES,
  countAxis,
  dayLabels,
  OTHER_COLOUR,
  PALETTE,
  ruleBands,
  stackedBarChart,
} from '../../lib/history/chart';
import { loadRules } from '../../lib/rules';
import { fixtureDays, fixtureReport } from './report-fixture';

const DAY_MS = 86_400_000;

function rule(id: string, title: string, alerts: number, afterDedup = alerts): RuleReport {
  return {
    id,
    title,
    level: 'medium',
    kind: 'detection',
    alerts,
    afterDedup,
    deduplicated: alerts - afterDedup,
    suppressed: 0,
    perDay: { '2026-10-05': { alerts, afterDedup } },
    topPrincipals: [],
    topPeople: [],
  };
}

describe('countAxis: round ticks for a count axis', () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [3, [0, 1, 2, 3]],
    [5, [0, 1, 2, 3, 4, 5]],
    [7, [0, 2, 4, 6, 8]],
    [13, [0, 5, 10, 15]],
    [69, [0, 20, 40, 60, 80]],
    [100, [0, 20, 40, 60, 80, 100]],
    [12_345, [0, 5_000, 10_000, 15_000]],
  ])('a tallest bar of %i reads %j', (max, ticks) => {
    expect(countAxis(max).ticks).toEqual(ticks);
  });

  it('property: starts at 0, steps of 1, 2 or 5 × 10^k, at most 5 intervals, tight above the tallest bar', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (max) => {
        const { step, top, ticks } = countAxis(max);
        const mantissa = step / 10 ** Math.floor(Math.log10(step));
        expect([1, 2, 5]).toContain(mantissa);
        expect(ticks[0]).toBe(0);
        expect(ticks.at(-1)).toBe(top);
        expect(ticks.every((tick, i) => tick === i * step)).toBe(true);
        expect(ticks.length - 1).toBeLessThanOrEqual(5);
        expect(top).toBeGreaterThanOrEqual(max);
        if (max > 0) expect(top - step).toBeLessThan(max);
      }),
    );
  });
});

describe('dayLabels: day labels that never overlap', () => {
  it.each([
    ['3 days: every full date', fixtureDays('2026-10-05', 3), 253, 1, '2026-10-05', undefined],
    [
      '30 days of one year: month-day, every other day',
      fixtureDays('2026-10-05', 30),
      25.3,
      2,
      '10-05',
      '2026',
    ],
    [
      '30 days over new year: full dates, weekly',
      fixtureDays('2026-12-15', 30),
      25.3,
      7,
      '2026-12-15',
      undefined,
    ],
    ['365 days: month-day every 4 weeks', fixtureDays('2026-01-01', 365), 2.08, 28, '01-01', '2026'],
  ])('%s', (_, days, slot, every, first, year) => {
    const labels = dayLabels(days, slot);
    expect(labels.every).toBe(every);
    expect(labels.text(days[0] ?? '')).toBe(first);
    expect(labels.year).toBe(year);
  });

  it('property: labels of ~7.2 px a character always have room', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 800 }),
        (count, startOffset) => {
          const days = fixtureDays(
            new Date(Date.UTC(2025, 0, 1) + startOffset * DAY_MS).toISOString().slice(0, 10),
            count,
          );
          const slot = 760 / count;
          const labels = dayLabels(days, slot);
          const longest = Math.max(...days.map((day) => labels.text(day).length));
          expect(labels.every * slot).toBeGreaterThanOrEqual(longest * 7.2);
        },
      ),
    );
  });
});

describe('ruleBands: one colour per rule, decided once', () => {
  it('gives the noisiest rules their own colours by alerts raised and groups the rest', () => {
    const rules = Array.from({ length: CHART_RULES + 3 }, (_, i) => rule(`r${i}`, `Rule ${i}`, 100 - i, i));
    const bands = ruleBands(rules);
    expect(bands).toHaveLength(CHART_RULES + 1);
    expect(bands.slice(0, CHART_RULES).map((band) => band.label)).toEqual(
      rules.slice(0, CHART_RULES).map((r) => r.title),
    );
    expect(bands.map((band) => band.colour)).toEqual([...PALETTE.slice(0, CHART_RULES), OTHER_COLOUR]);
    expect(bands.at(-1)?.label).toBe('3 other rules');
  });

  it('keeps each rule in its colour in the notification chart, though dedup reorders the rules', () => {
    // Rule a raises the most alerts, rule b keeps the most notifications.
    const rules = [rule('a', 'Rule A', 10, 1), rule('b', 'Rule B', 5, 5)];
    const bands = ruleBands(rules);
    const alerts = stackedBarChart(['2026-10-05'], bands, 'alerts', 'Alerts', 'alerts');
    const notifications = stackedBarChart(
      ['2026-10-05'],
      bands,
      'afterDedup',
      'Notifications',
      'notifications',
    );
    for (const chart of [alerts, notifications]) {
      expect(chart).toMatch(/fill="#4e79a7"><title>2026-10-05: Rule A: \d+<\/title>/);
      expect(chart).toMatch(/fill="#f28e2b"><title>2026-10-05: Rule B: \d+<\/title>/);
    }
  });

  it('tells two rules of one title apart by id', () => {
    const bands = ruleBands([rule('id-1', 'Same', 2), rule('id-2', 'Same', 1)]);
    expect(bands.map((band) => band.label)).toEqual(['Same (id-1)', 'Same (id-2)']);
  });

  it("writes each bar's total, and 0 over a quiet day", () => {
    const bands = ruleBands([rule('a', 'Rule A', 3)]);
    const chart = stackedBarChart(['2026-10-05', '2026-10-06'], bands, 'alerts', 'Alerts', 'alerts');
    expect(
      chart
        .match(/<text class="total[^"]*"[^>]*>\d+<\/text>/g)
        ?.map((total) => total.replace(/<[^>]*>/g, '')),
    ).toEqual(['3', '0']);
    expect(chart).toMatch(/<text class="total quiet"[^>]*>0<\/text>/);
  });

  it('says when a chart has nothing to draw', () => {
    const bands = ruleBands([rule('a', 'Rule A', 3, 0)]);
    expect(stackedBarChart(['2026-10-05'], bands, 'afterDedup', 'Notifications', 'notifications')).toBe(
      '<p>Notifications: no notifications.</p>',
    );
  });
});

describe('the report window', () => {
  const emptyFolder = mkdtempSync(join(tmpdir(), 'trailwatch-window-'));
  const config: TrailwatchConfig = loadConfig(undefined, emptyFolder);
  const since = Date.parse('2026-10-05T00:00:00Z');

  it.each([
    [
      'ends on a midnight: that day is not drawn',
      '2026-10-08T00:00:00Z',
      ['2026-10-05', '2026-10-06', '2026-10-07'],
    ],
    [
      'ends on the last millisecond of a day',
      '2026-10-07T23:59:59.999Z',
      ['2026-10-05', '2026-10-06', '2026-10-07'],
    ],
    [
      'ends within a day: that day is drawn',
      '2026-10-08T06:00:00Z',
      ['2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'],
    ],
  ])('%s', async (_, until, days) => {
    const report = await runBacktest({
      source: { kind: 'dir', path: emptyFolder },
      filter: { since, until: Date.parse(until) },
      rules: loadRules([]),
      config,
    });
    expect(report.days).toEqual(days);
  });

  it('says when a long window shows only the days with alerts', () => {
    const report = { ...fixtureReport('2026-10-05', 3), since: '2024-01-01T00:00:00.000Z' };
    const page = renderBacktestHtml(report);
    expect(page).toContain('The window is longer than 366 days: the charts show only the days with alerts.');
    expect(page).toContain('>UTC days with alerts only</text>');
    const short = renderBacktestHtml(fixtureReport('2026-10-05', 3));
    expect(short).not.toContain('only the days with alerts');
    expect(short).toContain('>UTC day</text>');
  });
});
