import { describe, expect, it } from 'vitest';
import { parseTime } from '../lib/time';

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
