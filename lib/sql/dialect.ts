/**
 * What a SQL engine must provide for the Sigma-to-SQL compiler (./compile) to target it.
 *
 * The compiler owns Sigma's meaning (selections, conditions, modifiers, lists = OR, maps = AND, the
 * JavaScript engine's rules for case, numbers, booleans, null and absent fields); a dialect owns
 * only how its engine reads a CloudTrail record and spells a few operations. A new dialect
 * implements `SqlDialect` below:
 *
 * - `fieldProblem`: which field paths its table cannot read (a path it refuses makes the rule
 *   unsupported, with that reason, rather than compiled to a query that silently never matches);
 * - `anyLeaf` / `hasLeaves`: the leaves of a field path exactly as lib/rules/fields.ts reads them
 *   (through arrays at any level, a leaf array yields its elements, `null` is a leaf, absent is no
 *   leaf; `resources.ARN`, JSON-string columns such as Athena's `requestParameters`), and the
 *   record's text for keywords (path `null`); `absentOrNull`: Sigma's `null` (no leaf, or a null
 *   one), for tables that store an absent field and a null one alike and so cannot say `hasLeaves`;
 * - the per-leaf reads of `LeafSql` (kind, text as `leafText` gives it, that text lowercased as
 *   JavaScript's `toLowerCase` does, the number `Number()` reads from it);
 * - `glob` (Sigma `*` wildcards and literal text, with the engine's LIKE escapes), `regex` (RE2
 *   semantics, as the JavaScript engine's re2js), `ipv4Number` (CIDR), `startsWith`/`endsWith`/
 *   `contains` (field references), and literal quoting (`string`, `number`);
 * - `matchQuery`: the FROM (its table or view) and the scope (time, accounts, regions) around
 *   one rule's WHERE expression.
 *
 * A method that cannot express something faithfully throws `SqlUnsupported` with the reason; the
 * compiler then lists the rule as unsupported (never a query that answers differently from the
 * JavaScript engine). Every SQL fragment a dialect returns is a complete, parenthesised expression.
 */

import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';

/** A fragment of SQL text: a complete expression, safe to combine with AND/OR/NOT. */
export type Sql = string;

/** The JSON kinds a leaf can have (an array is never a leaf: its elements are). */
export type LeafKind = 'string' | 'number' | 'boolean' | 'null' | 'object';

/** How the dialect reads one leaf inside an `anyLeaf` predicate. */
export interface LeafSql {
  /** Boolean: the leaf is of this JSON kind. */
  isKind(kind: LeafKind): Sql;
  /**
   * VARCHAR: the text a string pattern is matched against, as lib/rules/fields.ts `leafText` gives
   * it (a string as is, a number or boolean as JavaScript's `String()` prints it, an object as
   * `JSON.stringify`), NULL for a null leaf.
   */
  readonly text: Sql;
  /** VARCHAR: `text` lowercased as JavaScript's `toLowerCase()` lowercases the whole text. */
  readonly foldedText: Sql;
  /**
   * DOUBLE: a number leaf's value, or `Number(text)` for a string leaf that is not blank after
   * JavaScript's `trim()`; NULL when that is not a finite number, and for other kinds.
   */
  readonly number: Sql;
}

/** A piece of a Sigma string pattern once `?` is ruled out: literal text, or `*` (any run). */
export type GlobPart = { readonly literal: string } | 'any';

/** Which records a hunt reads: event time in [since, until), and the accounts and regions named. */
export interface HuntScope {
  readonly since?: Date;
  readonly until?: Date;
  /** Account ids (recipientAccountId); none: every account. */
  readonly accounts?: readonly string[];
  /** Regions (awsRegion); none: every region. */
  readonly regions?: readonly string[];
}

export interface SqlDialect {
  /** `duckdb`, `athena`: shown in reasons and messages. */
  readonly name: string;
  /** Why this dialect cannot read the field path, or undefined when it can. `null` is the keyword text. */
  fieldProblem(path: string | null): string | undefined;
  /**
   * Boolean: some leaf at `path` satisfies `predicate` (false when there is none). `path` null means
   * the record's whole text as `JSON.stringify(record)` gives it: one string leaf (Sigma keywords).
   */
  anyLeaf(path: string | null, predicate: (leaf: LeafSql) => Sql): Sql;
  /** Boolean: the path has at least one leaf (a null value is a leaf; an empty array is none). */
  hasLeaves(path: string): Sql;
  /**
   * Boolean: the path has no leaf, or a null one (Sigma's `null`). Both an absent field and a
   * field holding null make it true, so a table that stores the two alike can still say it where
   * it cannot say `hasLeaves` (Athena's JSON columns, whose `exists` is therefore refused).
   */
  absentOrNull(path: string): Sql;
  /** Boolean: `text` (VARCHAR) matches the pattern, whole text, case as given (fold both sides first for case-insensitive). */
  glob(text: Sql, parts: readonly GlobPart[]): Sql;
  /** Boolean: RE2 `pattern` with flags (any of i, m, s) found anywhere in `text`, as re2js does. */
  regex(text: Sql, pattern: string, flags: string): Sql;
  /** Boolean: `text` starts with / ends with / contains `part` (both VARCHAR; empty `part` is true). */
  startsWith(text: Sql, part: Sql): Sql;
  endsWith(text: Sql, part: Sql): Sql;
  contains(text: Sql, part: Sql): Sql;
  /**
   * BIGINT: the address as an unsigned 32-bit number when `text` is a dotted IPv4 address that
   * Node's `net.isIP` accepts (four decimal octets 0-255, no leading zeros), else NULL.
   */
  ipv4Number(text: Sql): Sql;
  /** A VARCHAR literal holding exactly `text` (quotes, backslashes, NUL and any Unicode). */
  string(text: string): Sql;
  /** A DOUBLE literal (finite values only). */
  number(value: number): Sql;
  /**
   * The query returning the records one rule matches within the scope. What a row holds is the
   * engine's business (DuckDB: the record's position; Athena: the record's columns).
   */
  matchQuery(where: Sql, scope: HuntScope): Sql;
}

/** Thrown by a dialect (or the compiler) when SQL cannot say what the JavaScript engine does. */
export class SqlUnsupported extends TrailwatchError {
  override readonly name = 'SqlUnsupported';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'sql-unsupported', options);
  }
}
