import { DELIVERY_LAG_MS } from '../ingest';
import type { GlobPart, HuntScope, LeafKind, LeafSql, Sql, SqlDialect } from '../sql';
import { SqlUnsupported } from '../sql';
import { javaRegex } from './java-regex';
import type { ColumnType, Field } from './table';
import { CLOUDTRAIL_COLUMNS, CLOUDTRAIL_TABLE_NAME, columnName } from './table';

/**
 * The Athena (Trino SQL, engine 3) dialect over the stack's typed CloudTrail table
 * (./table, deploy/athena.yml). A rule's field path is read where the table keeps it:
 * - struct fields: `"useridentity"."sessioncontext"."sessionissuer"."arn"` (typed, so a field the
 *   JSON spells in another case, or one the documented table lacks, is refused, never guessed);
 * - the array of structs `resources`: `filter("resources", r -> …)`, any element;
 * - JSON text columns (`requestParameters`, `responseElements`, `additionalEventData`,
 *   `serviceEventDetails`, `edgeDeviceDetails`): walked with `json_extract` a key at a time, through
 *   arrays at each step and at the leaf, as lib/rules/fields.ts walks the record.
 * Partition columns scope each query (`account`, `region`, and `date` as `yyyy/MM/dd`), so Athena
 * reads only the asked days, accounts and regions: it bills the bytes it scans.
 *
 * Known differences the SQL cannot see (the README lists them): an array directly inside an array
 * inside a JSON column is not flattened; a JSON column's objects print as Trino's `json_format`
 * does; and `lower()` is Java's, not JavaScript's, for the few characters where they differ.
 */

export interface AthenaDialectOptions {
  readonly database: string;
  readonly table?: string;
}

/** The column holding the S3 object a row came from (Athena's `$path` pseudo-column). */
export const PATH_COLUMN = 'trailwatch_path';

/** The JSON kinds by the first character of `json_format`'s text. */
function jsonKind(json: Sql, kind: LeafKind): Sql {
  const text = `json_format(${json})`;
  switch (kind) {
    case 'string':
      return `(substr(${text}, 1, 1) = '"')`;
    case 'object':
      return `(substr(${text}, 1, 1) = '{')`;
    case 'null':
      return `(${text} = 'null')`;
    case 'boolean':
      return `(${text} IN ('true', 'false'))`;
    case 'number':
      return `(substr(${text}, 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))`;
  }
}

/** A Trino string literal: quotes doubled, NUL spliced in with chr(0). */
export function trinoString(text: string): Sql {
  const pieces = text.split('\0').map((piece) => `'${piece.replaceAll("'", "''")}'`);
  return pieces.length === 1 ? (pieces[0] as Sql) : `(${pieces.join(' || chr(0) || ')})`;
}

/** `"database"."table"`, the table's name in a query. */
export function tableName(options: AthenaDialectOptions): Sql {
  return `${quoted(options.database)}.${quoted(options.table ?? CLOUDTRAIL_TABLE_NAME)}`;
}

function quoted(identifier: string): Sql {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/**
 * JavaScript's `Number(text)` for the decimal forms, finite only: optional spaces (the ones
 * JavaScript's `trim()` takes that appear in logs), a sign, digits with an optional point, an
 * exponent. Hex, binary and octal prefixes (`0x1F`) give NULL here where JavaScript reads a number.
 */
const DECIMAL = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
const SPACE = '[\\t\\n\\x0B\\f\\r \\x{A0}\\x{FEFF}\\x{2028}\\x{2029}\\p{Zs}]*';
function numberFromText(text: Sql): Sql {
  const number = `CAST(regexp_extract(${text}, '${DECIMAL}') AS DOUBLE)`;
  return `(CASE WHEN regexp_like(${text}, '^${SPACE}${DECIMAL}${SPACE}\\z') AND is_finite(${number}) THEN ${number} END)`;
}

type Resolved =
  | { readonly kind: 'typed'; readonly leaf: (row: Sql) => Sql; readonly type: ColumnType }
  | { readonly kind: 'array'; readonly column: Field; readonly field: Field }
  | { readonly kind: 'json'; readonly column: Field; readonly keys: readonly string[] };

/** Where the table keeps a field path, or the reason it does not. */
function resolve(path: string): Resolved | string {
  const [first, ...rest] = path.split('.');
  const column = CLOUDTRAIL_COLUMNS.find((candidate) => candidate.name === first);
  const documented = `not a column of AWS's documented CloudTrail table (lib/athena/table.ts; field names are case-sensitive, as the JavaScript engine reads them)`;
  if (column === undefined) return `'${first}' is ${documented}`;
  if (column.type.kind === 'json') {
    for (const key of rest)
      if (/["\\]/.test(key))
        return `the key '${key}' holds a quote or backslash, which a JSON path here cannot name`;
    return { kind: 'json', column, keys: rest };
  }
  if (column.type.kind === 'array') {
    const element = column.type.element;
    const [name, ...deeper] = rest;
    const inner =
      element.kind === 'struct' ? element.fields.find((candidate) => candidate.name === name) : undefined;
    if (inner === undefined || deeper.length > 0 || inner.type.kind !== 'string')
      return `'${path}' is ${documented}`;
    return { kind: 'array', column, field: inner };
  }
  let type: ColumnType = column.type;
  const names = [columnName(column)];
  for (const segment of rest) {
    if (type.kind === 'map')
      return `'${path}' reads into a map column, whose keys this dialect does not read`;
    if (type.kind !== 'struct') return `'${path}' is ${documented}`;
    const inner: Field | undefined = type.fields.find((candidate) => candidate.name === segment);
    if (inner === undefined) return `'${path}' is ${documented}`;
    names.push(columnName(inner));
    type = inner.type;
  }
  if (type.kind !== 'string' && type.kind !== 'boolean')
    return `'${path}' is an object: its JSON text cannot be rebuilt exactly from the table's struct columns`;
  return { kind: 'typed', type, leaf: (row) => [row, ...names.map(quoted)].filter(Boolean).join('.') };
}

export function createAthenaDialect(options: AthenaDialectOptions): SqlDialect {
  let lambdas = 0;
  const table = tableName(options);

  /**
   * A leaf that is a typed STRING column value (never NULL where it is a leaf). A `boolean` column
   * (readOnly) holds 'true' or 'false' for a JSON boolean, and any other text for a JSON string;
   * the string "true" and the boolean true read the same, and every Sigma test treats them alike.
   */
  const typedLeaf = (value: Sql, type: ColumnType): LeafSql => {
    const isBoolean = type.kind === 'boolean' ? `(${value} IN ('true', 'false'))` : '(1 = 0)';
    return {
      isKind: (kind) =>
        kind === 'boolean' ? isBoolean : kind === 'string' ? `(NOT ${isBoolean})` : '(1 = 0)',
      text: value,
      foldedText: `lower(${value})`,
      number: `(CASE WHEN NOT ${isBoolean} THEN ${numberFromText(value)} END)`,
    };
  };

  /** A leaf that is a JSON value (from a JSON text column). */
  const jsonLeaf = (json: Sql): LeafSql => {
    const text = `(CASE WHEN ${jsonKind(json, 'string')} THEN json_extract_scalar(${json}, '$') WHEN ${jsonKind(json, 'null')} THEN NULL ELSE json_format(${json}) END)`;
    return {
      // A leaf that is SQL NULL is a JSON null element of an array: casting JSON to ARRAY(JSON)
      // makes JSON null elements SQL NULL (missing keys never reach a leaf: jsonLeaves drops them).
      isKind: (kind) =>
        kind === 'null'
          ? `(${json} IS NULL OR ${jsonKind(json, 'null')})`
          : `coalesce(${jsonKind(json, kind)}, false)`,
      text,
      foldedText: `lower(${text})`,
      number: `(CASE WHEN ${jsonKind(json, 'number')} THEN CAST(${json} AS DOUBLE) WHEN ${jsonKind(json, 'string')} THEN ${numberFromText(text)} END)`,
    };
  };

  /** The JSON leaves at `keys` under a JSON text column: an ARRAY(JSON) expression. */
  const jsonLeaves = (column: Field, keys: readonly string[]): Sql => {
    const name = () => `j${++lambdas}`;
    let nodes = `filter(ARRAY[json_extract(${quoted(columnName(column))}, '$')], ${(() => {
      const x = name();
      return `${x} -> ${x} IS NOT NULL`;
    })()})`;
    const elements = (node: Sql): Sql =>
      `(CASE WHEN json_array_length(${node}) IS NOT NULL THEN CAST(${node} AS ARRAY(JSON)) ELSE ARRAY[${node}] END)`;
    for (const key of keys) {
      const node = name();
      const element = name();
      const found = name();
      const path = trinoString(`$["${key}"]`);
      nodes = `flatten(transform(${nodes}, ${node} -> filter(transform(${elements(node)}, ${element} -> json_extract(${element}, ${path})), ${found} -> ${found} IS NOT NULL)))`;
    }
    const node = name();
    return `flatten(transform(${nodes}, ${node} -> ${elements(node)}))`;
  };

  const resolved = (path: string): Resolved => {
    const found = resolve(path);
    if (typeof found === 'string') throw new SqlUnsupported(found);
    return found;
  };

  /**
   * Boolean: the resolved path has at least one leaf. For a whole JSON column, a NULL column (the
   * record had no such field, or null: the SerDe stores both alike) has none.
   */
  const leavesPresent = (found: Resolved): Sql => {
    switch (found.kind) {
      case 'typed':
        return `(${found.leaf('')} IS NOT NULL)`;
      case 'array': {
        const element = `r${++lambdas}`;
        return `(cardinality(filter(${quoted(columnName(found.column))}, ${element} -> ${element}.${quoted(columnName(found.field))} IS NOT NULL)) > 0)`;
      }
      case 'json':
        return `(cardinality(${jsonLeaves(found.column, found.keys)}) > 0)`;
    }
  };

  const dialect: SqlDialect = {
    name: 'athena',
    fieldProblem: (path) => {
      if (path === null)
        return "keywords search the record's whole JSON text, which Athena's typed CloudTrail table does not keep";
      const found = resolve(path);
      return typeof found === 'string' ? found : undefined;
    },
    anyLeaf: (path, predicate) => {
      if (path === null) throw new SqlUnsupported('keywords are not read from the typed table');
      const found = resolved(path);
      switch (found.kind) {
        case 'typed': {
          const value = found.leaf('');
          return `(${value} IS NOT NULL AND ${predicate(typedLeaf(value, found.type))})`;
        }
        case 'array': {
          const element = `r${++lambdas}`;
          const value = `${element}.${quoted(columnName(found.field))}`;
          return `(cardinality(filter(${quoted(columnName(found.column))}, ${element} -> ${value} IS NOT NULL AND ${predicate(typedLeaf(value, found.field.type))})) > 0)`;
        }
        case 'json': {
          const leaf = `j${++lambdas}`;
          return `coalesce(cardinality(filter(${jsonLeaves(found.column, found.keys)}, ${leaf} -> ${predicate(jsonLeaf(leaf))})) > 0, false)`;
        }
      }
    },
    hasLeaves: (path) => {
      const found = resolved(path);
      // The SerDe stores `"requestParameters": null` and an absent key alike, as NULL: whether the
      // record has a whole JSON column's field at all cannot be told, so `exists` on one is
      // refused; Sigma's `null` is true either way (absentOrNull below).
      if (found.kind === 'json' && found.keys.length === 0)
        throw new SqlUnsupported(
          `'${path}' is NULL in the table both when the record has no such field and when CloudTrail wrote null, which the JavaScript engine's exists tells apart`,
        );
      return leavesPresent(found);
    },
    absentOrNull: (path) =>
      `(NOT ${leavesPresent(resolved(path))} OR ${dialect.anyLeaf(path, (leaf) => leaf.isKind('null'))})`,
    glob: (text, parts) => globSql(text, parts),
    regex: (text, pattern, flags) => `regexp_like(${text}, ${trinoString(javaRegex(pattern, flags))})`,
    startsWith: (text, part) => `(substr(${text}, 1, length(${part})) = ${part})`,
    endsWith: (text, part) =>
      `(length(${part}) <= length(${text}) AND substr(${text}, length(${text}) - length(${part}) + 1) = ${part})`,
    contains: (text, part) => `(strpos(${text}, ${part}) > 0)`,
    ipv4Number: (text) =>
      `(CASE WHEN regexp_like(${text}, '^${IPV4}\\z') THEN ${[1, 2, 3, 4]
        .map((octet) => `CAST(split_part(${text}, '.', ${octet}) AS BIGINT) * ${256 ** (4 - octet)}`)
        .join(' + ')} END)`,
    string: trinoString,
    number: (value) => `CAST('${String(value)}' AS DOUBLE)`,
    matchQuery: (where, scope) =>
      `SELECT ${SELECT_LIST} FROM ${table} WHERE ${[...scopeConditions(scope), where].join(' AND ')} ORDER BY "eventtime", "eventid"`,
  };
  return dialect;
}

/** Node's net.isIP for IPv4: four decimal octets 0-255, none with a leading zero. */
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = `${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}`;

/** Every column of the table as text: structs and arrays as JSON, plus the object each row is from. */
export const SELECT_LIST: Sql = [
  ...CLOUDTRAIL_COLUMNS.map((column) => {
    const name = quoted(columnName(column));
    const complex =
      column.type.kind === 'struct' || column.type.kind === 'array' || column.type.kind === 'map';
    return complex ? `json_format(CAST(${name} AS JSON)) AS ${name}` : name;
  }),
  `"$path" AS ${quoted(PATH_COLUMN)}`,
].join(', ');

/** LIKE's own wildcards and its escape character, escaped with `\`. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function globSql(text: Sql, parts: readonly GlobPart[]): Sql {
  if (parts.length === 0) return `(${text} = '')`;
  const [only] = parts;
  if (parts.length === 1 && only !== undefined && only !== 'any')
    return `(${text} = ${trinoString(only.literal)})`;
  const pattern = parts.map((part) => (part === 'any' ? '%' : likeLiteral(part.literal))).join('');
  return `(${text} LIKE ${trinoString(pattern)} ESCAPE '\\')`;
}

/** `yyyy/MM/dd`, the `date` partition's spelling. */
function partitionDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10).replaceAll('-', '/');
}

/**
 * The scope as partition filters (what Athena prunes on: only those prefixes are read) and the
 * same scope on the record's own fields, inclusive at both ends as the other engines filter. A
 * file is filed under the day CloudTrail delivered it, up to DELIVERY_LAG_MS after its events.
 */
export function scopeConditions(scope: HuntScope): Sql[] {
  const parts: Sql[] = [];
  if (scope.since !== undefined) {
    parts.push(`"date" >= ${trinoString(partitionDay(scope.since.getTime()))}`);
    parts.push(
      `from_iso8601_timestamp("eventtime") >= from_iso8601_timestamp(${trinoString(scope.since.toISOString())})`,
    );
  }
  if (scope.until !== undefined) {
    parts.push(`"date" <= ${trinoString(partitionDay(scope.until.getTime() + DELIVERY_LAG_MS))}`);
    parts.push(
      `from_iso8601_timestamp("eventtime") <= from_iso8601_timestamp(${trinoString(scope.until.toISOString())})`,
    );
  }
  if (scope.accounts !== undefined && scope.accounts.length > 0) {
    const list = scope.accounts.map(trinoString).join(', ');
    parts.push(`"account" IN (${list})`, `"recipientaccountid" IN (${list})`);
  }
  if (scope.regions !== undefined && scope.regions.length > 0) {
    const list = scope.regions.map(trinoString).join(', ');
    parts.push(`"region" IN (${list})`, `"awsregion" IN (${list})`);
  }
  return parts;
}
