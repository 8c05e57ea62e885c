import type { Fields } from './read';
import { positiveNumber, text } from './read';

const HOUR_MS = 3_600_000;

/**
 * How long a session is remembered when its start does not say (no parseable `expiration`, no
 * `durationSeconds`): the longest lifetime the API allows, so a session is never forgotten early.
 * AssumeRole*: up to the role's maximum session duration, at most 12 h
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, DurationSeconds);
 * GetSessionToken and GetFederationToken: at most 36 h
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).
 */
export const MAX_ROLE_SESSION_MS = 12 * HOUR_MS;
export const MAX_USER_SESSION_MS = 36 * HOUR_MS;

/**
 * A console session's keys never appear in any response, so its lifetime is not logged. A console
 * session of an IAM user lasts 12 hours, and a role switched to in the console lasts at most the
 * role's maximum session duration, itself at most 12 hours
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html, "Methods to assume a role";
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/console_controlling-access.html).
 */
export const CONSOLE_SESSION_MS = 12 * HOUR_MS;

/** Calls may be logged a little after the credentials' expiry by a skewed clock: tolerated this much. */
export const EXPIRY_SKEW_MS = 5 * 60_000;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** CloudTrail writes `credentials.expiration` as `Jul 18, 2023, 4:07:39 PM` or `Jan 4, 2022 3:21:11 AM` (UTC). */
const CLOUDTRAIL_DATE = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ([AP])M$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;

/** Epoch ms of a time as CloudTrail writes it in `expiration` or `eventTime`, or undefined. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (ISO_DATE.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const match = CLOUDTRAIL_DATE.exec(value);
  if (!match) return undefined;
  const [, month = '', day, year, hour, minute, second, half] = match;
  const monthIndex = MONTHS[month];
  const hour12 = Number(hour);
  if (monthIndex === undefined || hour12 < 1 || hour12 > 12) return undefined;
  const hour24 = (hour12 % 12) + (half === 'P' ? 12 : 0);
  const ms = Date.UTC(Number(year), monthIndex, Number(day), hour24, Number(minute), Number(second));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * When the credentials a session start returned expire: the logged `expiration`, else the start
 * time plus the requested `durationSeconds`, else plus the longest lifetime the API allows.
 */
export function sessionExpiry(
  credentials: Fields | undefined,
  request: Fields | undefined,
  startedAt: number,
  longest: number,
): number {
  const logged = parseTime(credentials?.expiration);
  if (logged !== undefined) return logged;
  const seconds = positiveNumber(request, 'durationSeconds');
  return startedAt + (seconds === undefined ? longest : Math.min(seconds * 1000, longest));
}

/** The record's eventTime in epoch ms, or undefined when absent or not a time. */
export function eventTimeOf(record: Fields): number | undefined {
  return parseTime(text(record, 'eventTime'));
}
