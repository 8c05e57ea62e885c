import { oneLine } from '../text';

/**
 * The AWS CLI's `--output text`, for a JSON document: the algorithm of its text formatter
 * (awscli/text.py, the same in v1 and v2), so `trailwatch lookup --output text` prints what
 * `aws cloudtrail lookup-events --output text` prints for the same events:
 * - an object prints one line of its scalar values, tab-separated, in key order, first the name
 *   of the list or object holding it in upper case (`EVENTS`, `RESOURCES`); then each of its
 *   lists and objects, in key order, named after its key;
 * - in a list of objects, every line has a column for each scalar key any of them has (empty when
 *   one lacks it), so the columns line up: `EVENTS  AccessKeyId  CloudTrailEvent  EventId …`;
 * - a list of scalars prints `NAME<tab>value` per value (bare at the top: one tab-separated line).
 * Scalars print as Python's `str()` does: `True`, `False`, `None`.
 *
 * One difference, on purpose: a value holding a tab, a line break or another control character
 * shows it as an escape (`\t`, `\n`, `\x1b`), so one event stays one line with its columns in
 * place and no value can drive the terminal; the AWS CLI writes such values raw.
 */
export function awsCliText(document: unknown): string[] {
  const lines: string[] = [];
  formatValue(document, undefined, undefined, lines);
  return lines;
}

type JsonObject = { readonly [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return !Array.isArray(value) && !isObject(value);
}

/** Python's `str()` of a JSON scalar, one line. */
function scalarText(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return oneLine(String(value));
}

/** Keys in Python's `sorted()` order: code points, which `<` on UTF-16 matches for these names. */
function sortedKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function formatValue(
  value: unknown,
  identifier: string | undefined,
  scalarKeys: readonly string[] | undefined,
  lines: string[],
): void {
  if (Array.isArray(value)) formatList(value, identifier, lines);
  else if (isObject(value)) formatObject(value, identifier, scalarKeys, lines);
  else lines.push(scalarText(value));
}

function formatList(items: readonly unknown[], identifier: string | undefined, lines: string[]): void {
  if (items.length === 0) return;
  if (items.some(isObject)) {
    const keys = new Set<string>();
    for (const item of items) {
      if (!isObject(item)) continue;
      for (const [key, member] of Object.entries(item)) if (isScalar(member)) keys.add(key);
    }
    const scalarKeys = sortedKeys(keys);
    for (const item of items) formatValue(item, identifier, scalarKeys, lines);
    return;
  }
  const scalars = items.filter(isScalar);
  if (scalars.length > 0) {
    if (identifier === undefined) lines.push(scalars.map(scalarText).join('\t'));
    else for (const item of scalars) lines.push(`${identifier.toUpperCase()}\t${scalarText(item)}`);
  }
  for (const nested of items.filter((item) => !isScalar(item)))
    formatValue(nested, identifier, undefined, lines);
}

function formatObject(
  object: JsonObject,
  identifier: string | undefined,
  scalarKeys: readonly string[] | undefined,
  lines: string[],
): void {
  const scalars: string[] = [];
  const nested: [string, unknown][] = [];
  if (scalarKeys === undefined) {
    for (const key of sortedKeys(Object.keys(object))) {
      const member = object[key];
      if (isScalar(member)) scalars.push(scalarText(member));
      else nested.push([key, member]);
    }
  } else {
    // Every object of one list has the list's columns, empty where it lacks the key.
    for (const key of scalarKeys) scalars.push(key in object ? scalarText(object[key]) : '');
    const listed = new Set(scalarKeys);
    for (const key of sortedKeys(Object.keys(object).filter((key) => !listed.has(key))))
      nested.push([key, object[key]]);
  }
  if (scalars.length > 0) {
    lines.push((identifier === undefined ? scalars : [identifier.toUpperCase(), ...scalars]).join('\t'));
  }
  for (const [key, member] of nested) formatValue(member, key, undefined, lines);
}

/**
 * `aws cloudtrail lookup-events --output text` (paginated, as it runs by default): each page's
 * events formatted on their own (`EVENTS` lines, each followed by its `RESOURCES` lines), then,
 * when events remain, `NEXTTOKEN<tab>token` last, as awscli's TextFormatter does. trailwatch's
 * alerts (`--rules`) come after the events as `FINDINGS` lines (and their nested objects'),
 * before the token.
 */
export function lookupEventsText(
  events: readonly Record<string, unknown>[],
  pages: readonly number[],
  nextToken: string | undefined,
  findings?: readonly unknown[],
): string[] {
  const lines: string[] = [];
  let start = 0;
  for (const size of pages) {
    lines.push(...awsCliText({ Events: events.slice(start, start + size) }));
    start += size;
  }
  if (findings !== undefined) lines.push(...awsCliText({ Findings: findings }));
  if (nextToken !== undefined) lines.push(...awsCliText({ NextToken: { NextToken: nextToken } }));
  return lines;
}
