import type { GlobPart, HuntScope, LeafKind, LeafSql, Sql, SqlDialect } from './dialect';

/**
 * The DuckDB dialect, over the table lib/hunt/duckdb-load.ts builds:
 *
 *   records(rec BIGINT, event_ms BIGINT, account VARCHAR, region VARCHAR,
 *           "f:<path>:<hex>" STRUCT(k VARCHAR, t VARCHAR, l VARCHAR, n DOUBLE)[] …, kw STRUCT(…)[])
 *
 * one row per record, one list column per field path the compiled rules read, holding that path's
 * leaves as lib/rules/fields.ts reads them (through arrays at any depth): `k` the JSON kind, `t` the
 * text `leafText` gives, `l` that text lowercased by JavaScript (NULL when that changes nothing),
 * `n` the finite number `Number()` reads. Reading the leaves and lowercasing in JavaScript at load keeps SQL to the matching itself,
 * and keeps it exact where DuckDB's JSON paths (one array level per `[*]`) and `lower()` (no
 * final-sigma rule) differ from the JavaScript engine. `kw` is the record's JSON text, for keywords.
 */

/** The leaf struct's type, as the loader declares the columns. */
export const DUCKDB_LEAF_TYPE = 'STRUCT(k VARCHAR, t VARCHAR, l VARCHAR, n DOUBLE)[]';

/** The kind codes the loader stores in `k`. */
export const LEAF_KIND_CODES: Readonly<Record<LeafKind, string>> = {
  string: 's',
  number: 'n',
  boolean: 'b',
  null: 'z',
  object: 'o',
};

/** The column holding the record's JSON text as one string leaf (Sigma keywords). */
export const KEYWORD_COLUMN = 'kw';

/**
 * The list column of one field path: a quoted identifier, so any path is a valid name. DuckDB
 * compares identifiers case-insensitively, even quoted ones, while CloudTrail field names are
 * case-sensitive (`policy.policy` and `policy.Policy` both occur): the name ends with the path's
 * UTF-8 bytes in hex, which differ whenever the paths do.
 */
export function fieldColumn(path: string | null): string {
  if (path === null) return KEYWORD_COLUMN;
  return `"f:${path.replaceAll('"', '""')}:${Buffer.from(path, 'utf8').toString('hex')}"`;
}

/** A DuckDB string literal: quotes doubled; NUL, which a literal cannot hold, spliced in with chr(0). */
export function duckdbString(text: string): Sql {
  const pieces = text.split('\0').map((piece) => `'${piece.replaceAll("'", "''")}'`);
  const [only] = pieces;
  return pieces.length === 1 && only !== undefined ? only : `(${pieces.join(' || chr(0) || ')})`;
}

/** LIKE's own wildcards and its escape character, escaped with `\`. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** Node's net.isIP for IPv4: four decimal octets 0-255, none with a leading zero. */
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = `${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}`;

export function createDuckdbDialect(): SqlDialect {
  let lambdas = 0;
  const dialect: SqlDialect = {
    name: 'duckdb',
    fieldProblem: () => undefined,
    anyLeaf: (path, predicate) => {
      // Each lambda its own name, so a field reference's inner lambda can read the outer leaf.
      const name = `leaf${++lambdas}`;
      const leaf: LeafSql = {
        isKind: (kind) => `(${name}.k = '${LEAF_KIND_CODES[kind]}')`,
        text: `${name}.t`,
        // The loader leaves `l` out where lowercasing changes nothing.
        foldedText: `coalesce(${name}.l, ${name}.t)`,
        number: `${name}.n`,
      };
      return `(len(list_filter(${fieldColumn(path)}, lambda ${name}: ${predicate(leaf)})) > 0)`;
    },
    hasLeaves: (path) => `(len(${fieldColumn(path)}) > 0)`,
    absentOrNull: (path) =>
      `(NOT ${dialect.hasLeaves(path)} OR ${dialect.anyLeaf(path, (leaf) => leaf.isKind('null'))})`,
    glob: (text, parts) => globSql(text, parts),
    regex: (text, pattern, flags) =>
      // DuckDB's regexp_matches is RE2, as re2js: inline flags give the same i/m/s meaning.
      `regexp_matches(${text}, ${duckdbString(flags === '' ? pattern : `(?${flags})${pattern}`)})`,
    startsWith: (text, part) => `starts_with(${text}, ${part})`,
    endsWith: (text, part) => `suffix(${text}, ${part})`,
    contains: (text, part) => `contains(${text}, ${part})`,
    ipv4Number: (text) =>
      `(CASE WHEN regexp_full_match(${text}, '${IPV4}') THEN ${[1, 2, 3, 4]
        .map((octet) => `CAST(split_part(${text}, '.', ${octet}) AS BIGINT) * ${256 ** (4 - octet)}`)
        .join(' + ')} END)`,
    string: duckdbString,
    number: (value) => `CAST('${String(value)}' AS DOUBLE)`,
    matchQuery: (where, scope) => `SELECT rec FROM records WHERE ${where}${scopeSql(scope)} ORDER BY rec`,
  };
  return dialect;
}

function globSql(text: Sql, parts: readonly GlobPart[]): Sql {
  const literals = parts.map((part) => (part === 'any' ? undefined : part.literal));
  const [first, second, third] = literals;
  if (parts.length === 0) return `(${text} = '')`;
  if (parts.length === 1 && first !== undefined) return `(${text} = ${duckdbString(first)})`;
  if (parts.length === 2 && first !== undefined && second === undefined)
    return `starts_with(${text}, ${duckdbString(first)})`;
  if (parts.length === 2 && first === undefined && second !== undefined)
    return `suffix(${text}, ${duckdbString(second)})`;
  if (parts.length === 3 && first === undefined && second !== undefined && third === undefined)
    return `contains(${text}, ${duckdbString(second)})`;
  const pattern = parts.map((part) => (part === 'any' ? '%' : likeLiteral(part.literal))).join('');
  return `(${text} LIKE ${duckdbString(pattern)} ESCAPE '\\')`;
}

/** The time window (inclusive at both ends, as the readers filter) and the accounts and regions. */
function scopeSql(scope: HuntScope): Sql {
  const parts: Sql[] = [];
  if (scope.since !== undefined) parts.push(`event_ms >= ${scope.since.getTime()}`);
  if (scope.until !== undefined) parts.push(`event_ms <= ${scope.until.getTime()}`);
  if (scope.accounts !== undefined && scope.accounts.length > 0)
    parts.push(`account IN (${scope.accounts.map(duckdbString).join(', ')})`);
  if (scope.regions !== undefined && scope.regions.length > 0)
    parts.push(`region IN (${scope.regions.map(duckdbString).join(', ')})`);
  return parts.map((part) => ` AND ${part}`).join('');
}
