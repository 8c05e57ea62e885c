import type { CloudTrailRecord } from './types';
import { INSIGHT_EVENT_TYPE } from './types';

/** The fields without which a record cannot be placed in time, space and identity. */
export const REQUIRED_RECORD_FIELDS = [
  'eventVersion',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'eventID',
] as const;

/** Insights events carry eventSource and eventName inside insightDetails instead. */
export const REQUIRED_INSIGHT_FIELDS = ['eventVersion', 'eventTime', 'awsRegion', 'eventID'] as const;

/** Fields CloudTrail writes as booleans but some exporters (Cribl, Logstash) turn into strings. */
const BOOLEAN_FIELDS = ['readOnly', 'managementEvent'] as const;

/**
 * CloudTrail writes eventTime as ISO 8601 UTC, `2014-03-06T21:22:54Z` ("The date and time the
 * request was completed, in coordinated universal time (UTC)"); exporters add fractions of a second
 * and some write an offset instead of `Z`. `Date.parse` alone accepts far more (`"1"`, `"May 5"`).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
const ISO_EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Days of each month in a common year; February gains one in leap years. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Two or four ASCII digits at `at` as a number (the regular expression has checked they are digits). */
function digits(text: string, at: number, count: 2 | 4): number {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/**
 * Whether a string is a calendar-valid ISO 8601 date and time with a zone, as CloudTrail writes it.
 * It runs on every record, so fields are read by position rather than through capture groups.
 */
export function isIsoEventTime(text: string): boolean {
  if (!ISO_EVENT_TIME.test(text)) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return false;
  // A leap second (:60) is valid ISO 8601.
  if (digits(text, 11, 2) > 23 || digits(text, 14, 2) > 59 || digits(text, 17, 2) > 60) return false;
  if (text.charCodeAt(text.length - 1) !== 0x5a /* Z */) {
    const offset = text.length - 5;
    if (digits(text, offset, 2) > 23 || digits(text, offset + 3, 2) > 59) return false;
  }
  return true;
}

export type RecordCheck =
  | { readonly ok: true; readonly record: CloudTrailRecord }
  | { readonly ok: false; readonly reason: string };

export function isInsightEvent(value: Readonly<Record<string, unknown>>): boolean {
  return value.eventType === INSIGHT_EVENT_TYPE || value.eventCategory === 'Insight';
}

/**
 * Checks the minimal fields by hand rather than with a schema library: it runs on every record of
 * every file, and a hand-written check costs a fraction of a general validator on that hot path.
 * The value is returned as the same object (no copy), with string booleans normalised in place.
 */
export function checkRecord(value: Record<string, unknown>): RecordCheck {
  const insight = isInsightEvent(value);
  const required = insight ? REQUIRED_INSIGHT_FIELDS : REQUIRED_RECORD_FIELDS;
  const missing: string[] = [];
  const wrongType: string[] = [];
  for (const field of required) {
    const fieldValue = value[field];
    if (fieldValue === undefined || fieldValue === null || fieldValue === '') missing.push(field);
    else if (typeof fieldValue !== 'string') wrongType.push(`${field} is ${describeType(fieldValue)}`);
  }
  if (insight && (typeof value.insightDetails !== 'object' || value.insightDetails === null)) {
    missing.push('insightDetails');
  }
  if (missing.length > 0 || wrongType.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    if (wrongType.length > 0) parts.push(`${wrongType.join(', ')} (expected a string)`);
    return { ok: false, reason: `not a usable CloudTrail record: ${parts.join('; ')}` };
  }
  if (!isIsoEventTime(value.eventTime as string)) {
    return { ok: false, reason: `eventTime ${JSON.stringify(value.eventTime)} is not an ISO 8601 time` };
  }
  const identity = value.userIdentity;
  if (
    identity !== undefined &&
    (typeof identity !== 'object' || identity === null || Array.isArray(identity))
  ) {
    return { ok: false, reason: `userIdentity is ${describeType(identity)} (expected an object)` };
  }
  for (const field of BOOLEAN_FIELDS) {
    const flag = value[field];
    if (flag === 'true') value[field] = true;
    else if (flag === 'false') value[field] = false;
  }
  if (insight) fillInsightIdentity(value);
  return { ok: true, record: value as CloudTrailRecord };
}

/**
 * Gives Insights events the top-level eventSource/eventName every consumer keys on, taken from
 * insightDetails, so routing and rule indexing need no special case.
 */
function fillInsightIdentity(value: Record<string, unknown>): void {
  const details = value.insightDetails as Record<string, unknown>;
  if (typeof value.eventSource !== 'string' && typeof details.eventSource === 'string') {
    value.eventSource = details.eventSource;
  }
  if (typeof value.eventName !== 'string' && typeof details.eventName === 'string') {
    value.eventName = details.eventName;
  }
  if (typeof value.eventSource !== 'string') value.eventSource = 'insight.cloudtrail.amazonaws.com';
  if (typeof value.eventName !== 'string') value.eventName = String(details.insightType ?? 'Insight');
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
