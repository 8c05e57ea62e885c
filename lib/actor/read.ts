/**
 * Reading fields of a record that may hold any JSON anywhere: every reader checks the type it
 * needs and answers `undefined` otherwise, so attribution never throws on a hostile record.
 */

export type Fields = Readonly<Record<string, unknown>>;

/** The value as an object with named fields, or undefined (null, arrays and scalars are not). */
export function asFields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** A non-empty string field, or undefined. */
export function text(fields: Fields | undefined, name: string): string | undefined {
  const value = fields?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An object field, or undefined. */
export function child(fields: Fields | undefined, name: string): Fields | undefined {
  return asFields(fields?.[name]);
}

/** CloudTrail writes some flags as booleans and some as the strings "true"/"false". */
export function flag(fields: Fields | undefined, name: string): boolean {
  const value = fields?.[name];
  return value === true || value === 'true';
}

/** A positive number field, given as a number or a decimal string (`"28800"` in real records). */
export function positiveNumber(fields: Fields | undefined, name: string): number | undefined {
  const value = fields?.[name];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
}
