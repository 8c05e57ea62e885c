import { TrailwatchError } from '../errors';
import type { Row } from './query';
import type { ColumnType, Field } from './table';
import { CLOUDTRAIL_COLUMNS, columnName } from './table';

/**
 * A result row of the dialect's match query (./dialect SELECT_LIST) back into a CloudTrail record
 * under the JSON's own field names, so findings print, dedup and correlate as `scan`'s do: JSON
 * text columns parsed, struct and array columns (sent as JSON) renamed field by field, `readOnly`
 * a boolean again. What the table does not keep (fields outside AWS's documented columns) is not
 * in the record; NULLs are left out, as CloudTrail leaves out fields it has no value for.
 */
export class AthenaRowError extends TrailwatchError {
  override readonly name = 'AthenaRowError';
  constructor(column: string, cause: unknown) {
    super(`column ${column} of an Athena result row is not JSON`, 'athena-row', {
      location: { service: 'Athena', call: 'GetQueryResults', pointer: column },
      cause,
    });
  }
}

function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AthenaRowError(column, error);
  }
}

/** A value of `type`, as JSON.parse gave it (lowercase keys), under the JSON's names. */
function renamed(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return undefined;
  switch (type.kind) {
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const field of type.fields) {
        const inner = renamed(Reflect.get(value, columnName(field)), field.type);
        if (inner !== undefined) out[field.name] = inner;
      }
      return Object.keys(out).length === 0 ? undefined : out;
    }
    case 'array':
      return Array.isArray(value)
        ? value.map((element) => renamed(element, type.element) ?? null)
        : undefined;
    case 'map':
    case 'json':
      return value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'string':
      return typeof value === 'string' ? value : String(value);
  }
}

function columnValue(text: string, field: Field): unknown {
  const column = columnName(field);
  switch (field.type.kind) {
    case 'string':
      return text;
    case 'boolean':
      return renamed(text, field.type);
    case 'json':
      return parseJson(text, column);
    case 'struct':
    case 'array':
    case 'map':
      return renamed(parseJson(text, column), field.type);
  }
}

export interface AthenaRecord {
  readonly record: Record<string, unknown>;
  /** `s3://bucket/key` of the log file the row came from, when the query selected it. */
  readonly source: string | undefined;
}

export function recordFromRow(row: Row, pathColumn: string): AthenaRecord {
  const record: Record<string, unknown> = {};
  for (const field of CLOUDTRAIL_COLUMNS) {
    const text = row[columnName(field)];
    if (text === null || text === undefined) continue;
    const value = columnValue(text, field);
    if (value !== undefined) record[field.name] = value;
  }
  return { record, source: row[pathColumn] ?? undefined };
}
