/**
 * Parses the times users type: ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00Z`), epoch seconds
 * (`1714557600`), and times relative to now (`-2h`, `-30m`, `-7d`, `-1w`, `now`), as the AWS CLI
 * and most log tools accept them.
 */

import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';

const RELATIVE = /^-(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const EPOCH_SECONDS = /^\d{9,11}$/;
const DAY_MS = 86_400_000;

export class TimeParseError extends TrailwatchError {
  override readonly name = 'TimeParseError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'time-parse', options);
  }
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

/** A calendar date alone, as `--until 2026-10-05` is typed: ISO 8601's date form, read as UTC. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The end of a window typed by a person: as `parseTime`, except that a date alone means the last
 * millisecond of that UTC day, so `--until 2026-10-05` includes what happened on the 5th (read with
 * `parseTime` it would stop at its first millisecond). Times with a clock part are taken as typed.
 */
export function parseEndTime(text: string, now: number = Date.now()): number {
  const start = parseTime(text, now);
  return DATE_ONLY.test(text.trim()) ? start + DAY_MS - 1 : start;
}

export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** The UTC days (`YYYY-MM-DD`) from the one holding `since` to the one holding `until`, both included. */
export function utcDays(since: number, until: number): string[] {
  const days: string[] = [];
  for (let t = Date.parse(isoDay(since)); t <= until; t += DAY_MS) days.push(isoDay(t));
  return days;
}
