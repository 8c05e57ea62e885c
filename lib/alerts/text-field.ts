/**
 * Typed readers for record fields shown to people. A CloudTrail record is parsed JSON: a field the
 * documentation calls a string can arrive as a number, an object, an array, null or a 10 MB string
 * (a forged or mangled record, an exporter that re-types fields). Facts, summaries, findings and
 * dedup keys read fields only through these, so no field type can make building an alert throw.
 */

/** Longest text kept for one field: more than any real ARN, IP, user agent or error message. */
export const FIELD_TEXT_MAX = 2048;

const CUT_MARK = '…';

function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - CUT_MARK.length;
  const code = text.charCodeAt(cut - 1);
  // Never leave half a surrogate pair at the cut.
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}${CUT_MARK}`;
}

/**
 * JSON text of a value, or a placeholder when it has none (nesting deep enough to overflow the
 * stack, a bigint): never throws.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[value that cannot be shown as JSON]';
  }
}

/**
 * A field as display text: strings as they are, numbers and booleans in their usual spelling,
 * objects and arrays as JSON; cut to `max` characters. `undefined` for absent, null and empty
 * values, so "not there" reads the same whatever the exporter wrote.
 */
export function textField(value: unknown, max: number = FIELD_TEXT_MAX): string | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? undefined : capText(value, max);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? undefined : capText(jsonText(value), max);
    default:
      return undefined;
  }
}

/** A field that only counts as text when it is one (an ARN, an account id): other types are absent. */
export function stringField(value: unknown, max: number = FIELD_TEXT_MAX): string | undefined {
  return typeof value === 'string' && value !== '' ? capText(value, max) : undefined;
}

/** A property of an object-shaped value; undefined for anything else (arrays included). */
export function member(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // Own properties only: a field named `toString` or `__proto__` is data, never the prototype's.
  const found: unknown = Object.hasOwn(value, key) ? Reflect.get(value, key) : undefined;
  return found;
}
