import { describe, expect, it } from 'vitest';
import { parseTime, utcDays } from '../lib/time';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);

describe('parseTime', () => {
  const cases: [string, number][] = [
    ['2024-05-01', Date.UTC(2024, 4, 1)],
    ['2024-05-01T10:00:00Z', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T10:00:00+02:00', Date.UTC(2024, 4, 1, 8)],
    ['1714557600', 1714557600000],
    ['-2h', NOW - 2 * 3600_000],
    ['-30m', NOW - 30 * 60_000],
    ['-7d', NOW - 7 * 86_400_000],
    ['-1w', NOW - 7 * 86_400_000],
    ['now', NOW],
  ];
  for (const [text, expected] of cases) it(text, () => expect(parseTime(text, NOW)).toBe(expected));

  for (const bad of ['yesterday', '-2x', '', '2024-99-99']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      expect(() => parseTime(bad, NOW)).toThrow(/cannot read .* as a time/));
  }
});

describe('utcDays', () => {
  it.each([
    ['one instant', '2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z', ['2024-05-01']],
    ['across midnight', '2024-05-01T23:00:00Z', '2024-05-02T00:30:00Z', ['2024-05-01', '2024-05-02']],
    [
      'a month end',
      '2024-02-28T00:00:00Z',
      '2024-03-01T00:00:00Z',
      ['2024-02-28', '2024-02-29', '2024-03-01'],
    ],
    ['a backwards window', '2024-05-02T00:00:00Z', '2024-05-01T00:00:00Z', []],
  ])('%s', (_, since, until, days) => expect(utcDays(Date.parse(since), Date.parse(until))).toEqual(days));
});
