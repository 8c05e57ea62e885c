import type { DetectionItem, RuleValue } from '../rules/modifiers/types';
import { WILDCARD_MULTI, WILDCARD_SINGLE } from '../rules/sigma-string';
import type { GlobPart, LeafSql, Sql, SqlDialect } from './dialect';
import { SqlUnsupported } from './dialect';

/**
 * One detection item (`field|mods: values`, as lib/rules' modifiers shaped it) to a SQL boolean
 * that holds exactly when lib/rules/matchers.ts `compileValue` (and detection.ts `compileItem`)
 * would match. Every expression built here is TRUE or FALSE, never NULL, so NOT stays exact.
 */

export const SQL_TRUE: Sql = '(1 = 1)';
export const SQL_FALSE: Sql = '(1 = 0)';

export function sqlAnd(parts: readonly Sql[]): Sql {
  const [only] = parts;
  if (only === undefined) return SQL_TRUE;
  return parts.length === 1 ? only : `(${parts.join(' AND ')})`;
}

export function sqlOr(parts: readonly Sql[]): Sql {
  const [only] = parts;
  if (only === undefined) return SQL_FALSE;
  return parts.length === 1 ? only : `(${parts.join(' OR ')})`;
}

export function sqlNot(part: Sql): Sql {
  return `(NOT ${part})`;
}

/** A lone UTF-16 surrogate: JavaScript compares it as a code unit, SQL engines store UTF-8 (no such unit). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkLiteral(text: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new SqlUnsupported(
      `the value ${JSON.stringify(text)} holds a lone UTF-16 surrogate, which SQL strings (UTF-8) cannot hold`,
    );
  }
}

/** A Sigma string value (keywords already wrapped in `*`) as glob parts, folded unless cased. */
function globParts(value: Extract<RuleValue, { kind: 'string' }>, cased: boolean): GlobPart[] {
  const parts: GlobPart[] = [];
  for (const part of value.text.parts) {
    if (part === WILDCARD_SINGLE) {
      throw new SqlUnsupported(
        `the value ${JSON.stringify(value.raw)} uses '?': the JavaScript engine's '?' is one UTF-16 code unit, SQL's one character, and they differ on characters outside the BMP (emoji)`,
      );
    }
    if (part === WILDCARD_MULTI) {
      if (parts[parts.length - 1] !== 'any') parts.push('any');
      continue;
    }
    checkLiteral(part);
    parts.push({ literal: cased ? part : part.toLowerCase() });
  }
  return parts;
}

function stringTest(
  leaf: LeafSql,
  value: Extract<RuleValue, { kind: 'string' }>,
  cased: boolean,
  dialect: SqlDialect,
): Sql {
  const parts = globParts(value, cased);
  const text = cased ? leaf.text : leaf.foldedText;
  // compileValue: a leaf without text (null) never matches a string, `*` included.
  if (parts.length === 1 && parts[0] === 'any') return `(${leaf.text} IS NOT NULL)`;
  return `(${leaf.text} IS NOT NULL AND ${dialect.glob(text, parts)})`;
}

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new SqlUnsupported(`${what} ${String(value)} is not a finite number`);
  return value;
}

const COMPARE_SQL = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** The largest unsigned 32-bit number, the top of the IPv4 address space. */
const IPV4_MAX = 0xffffffff;

/** One value of an item as a field-level SQL boolean (any leaf matches, or a test on the leaves as a whole). */
function valueSql(field: string | null, value: RuleValue, cased: boolean, dialect: SqlDialect): Sql {
  const any = (predicate: (leaf: LeafSql) => Sql): Sql => dialect.anyLeaf(field, predicate);
  const path = (): string => {
    if (field === null)
      throw new SqlUnsupported(
        `a keyword cannot be ${value.kind === 'null' ? 'null' : `a ${value.kind} test`}`,
      );
    return field;
  };
  switch (value.kind) {
    case 'string':
      return any((leaf) => stringTest(leaf, value, cased, dialect));
    case 'number': {
      const number = dialect.number(finite(value.value, 'the number'));
      return any(
        (leaf) => `((${leaf.isKind('number')} OR ${leaf.isKind('string')}) AND ${leaf.number} = ${number})`,
      );
    }
    case 'boolean': {
      const text = dialect.string(String(value.value));
      return any(
        (leaf) =>
          `((${leaf.isKind('boolean')} AND ${leaf.text} = ${text}) OR (${leaf.isKind('string')} AND ${leaf.foldedText} = ${text}))`,
      );
    }
    case 'null':
      if (field === null) return SQL_FALSE; // the record's text is always one string leaf
      return dialect.absentOrNull(path());
    case 'regex':
      checkLiteral(value.pattern);
      return any(
        (leaf) => `(${leaf.text} IS NOT NULL AND ${dialect.regex(leaf.text, value.pattern, value.flags)})`,
      );
    case 'cidr': {
      if (value.family !== 'ipv4') {
        throw new SqlUnsupported(
          `the IPv6 network ${value.network}/${value.prefix}: Node's net.isIP and BlockList accept IPv6 forms (zone ids, embedded IPv4, compressed groups) that no SQL function here parses the same way`,
        );
      }
      const size = 2 ** (32 - value.prefix);
      const low = Math.floor(ipv4Value(value.network) / size) * size;
      const high = Math.min(low + size - 1, IPV4_MAX);
      return any(
        (leaf) =>
          `(${leaf.isKind('string')} AND coalesce(${dialect.ipv4Number(leaf.text)} BETWEEN ${low} AND ${high}, false))`,
      );
    }
    case 'compare': {
      const limit = dialect.number(finite(value.value, `the '${value.op}' limit`));
      return any(
        (leaf) =>
          `((${leaf.isKind('number')} OR ${leaf.isKind('string')}) AND coalesce(${leaf.number} ${COMPARE_SQL[value.op]} ${limit}, false))`,
      );
    }
    case 'exists':
      return value.value ? dialect.hasLeaves(path()) : sqlNot(dialect.hasLeaves(path()));
    case 'fieldref': {
      const fold = (leaf: LeafSql): Sql => (cased ? leaf.text : leaf.foldedText);
      const compare = (text: Sql, ref: Sql): Sql =>
        value.startsWith && value.endsWith
          ? dialect.contains(text, ref)
          : value.startsWith
            ? dialect.startsWith(text, ref)
            : value.endsWith
              ? dialect.endsWith(text, ref)
              : `(${text} = ${ref})`;
      return any(
        (leaf) =>
          `(${leaf.text} IS NOT NULL AND ${dialect.anyLeaf(value.field, (ref) => `(${ref.text} IS NOT NULL AND ${compare(fold(leaf), fold(ref))})`)})`,
      );
    }
  }
}

/** A dotted IPv4 address (already validated by the cidr modifier) as an unsigned 32-bit number. */
function ipv4Value(address: string): number {
  return address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** The item as SQL: its values OR-ed (AND-ed with `|all`), negated with `|neq`. */
export function itemSql(item: DetectionItem, dialect: SqlDialect): Sql {
  const problem = dialect.fieldProblem(item.field);
  if (problem !== undefined) throw new SqlUnsupported(problem);
  const values = item.field === null ? item.values.map(keywordValue) : item.values;
  const tests = values.map((value) => valueSql(item.field, value, item.cased, dialect));
  // An expanded placeholder without values leaves none: OR of none is false, AND of none true, as in JS.
  const linked = item.linking === 'all' ? sqlAnd(tests) : sqlOr(tests);
  return item.negated ? sqlNot(linked) : linked;
}

/** Keywords search the whole record: `*value*` (lib/rules/detection.ts `keywordValue`). */
function keywordValue(value: RuleValue): RuleValue {
  if (value.kind !== 'string') return value;
  let text = value.text;
  if (!text.startsWithWildcard()) text = text.prepend(WILDCARD_MULTI);
  if (!text.endsWithWildcard()) text = text.append(WILDCARD_MULTI);
  return { ...value, text };
}
