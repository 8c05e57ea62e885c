/**
 * Parses the times users type: ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`), epoch seconds
 * (`1714557600`), and times relative to now (`-2h`, `-30m`, `-7d`, `-1w`, `now`), as the AWS CLI
 * and most log tools accept them.
 */

const RELATIVE = /^-(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const EPOCH_SECONDS = /^\d{9,11}$/;

export class TimeParseError extends Error {
  override readonly name = 'TimeParseError';
}

export function parseTime(text: string, now: number = Date.now()): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const relative = RELATIVE.exec(trimmed);
  if (relative) return now - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number);
  if (EPOCH_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  const parsed = Date.parse(trimmed);
  if (Number.isNaN(parsed)) {
    throw new TimeParseError(
      `cannot read ${JSON.stringify(text)} as a time: use ISO 8601 (2024-05-01T10:00:00Z), epoch seconds, or a relative time such as -2h, -30m, -7d`,
    );
  }
  return parsed;
}

export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/** The UTC days (`YYYY-MM-DD`) from the one holding `since` to the one holding `until`, both included. */
export function utcDays(since: number, until: number): string[] {
  const days: string[] = [];
  for (let t = Date.parse(isoDay(since)); t <= until; t += DAY_MS) days.push(isoDay(t));
  return days;
}
