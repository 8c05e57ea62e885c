import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { createWriteStream } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Origin } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { FieldGetter } from '../rules/fields';
import { compileFieldPath, leafText } from '../rules/fields';
import {
  DUCKDB_LEAF_TYPE,
  duckdbString,
  fieldColumn,
  KEYWORD_COLUMN,
  LEAF_KIND_CODES,
} from '../sql/duckdb-dialect';

/**
 * Loading records into DuckDB's `records` table (the layout lib/sql/duckdb-dialect.ts reads): the
 * records come from trailwatch's own readers (local files, folders, JSON Lines and `s3://`
 * prefixes through lib/ingest/s3.ts, so moto's --endpoint-url works); DuckDB's httpfs extension
 * would read S3 itself but is downloaded on first use, which fails offline, and it knows neither
 * CloudTrail's `Records` envelope nor trailwatch's key layout filter. Each record becomes one line
 * of a newline-delimited JSON file in a temporary folder, which `read_json` loads in one
 * parallel pass: far faster than appending rows one call at a time from JavaScript.
 */

interface StoredLeaf {
  readonly k: string;
  readonly t: string | null;
  readonly l: string | null;
  readonly n: number | null;
}

/**
 * Text as SQL stores it: a lone UTF-16 surrogate (JSON `"\ud800"`) has no UTF-8 form, so it becomes
 * U+FFFD, as it would in any UTF-8 store. The rule compiler refuses rule values holding one.
 */
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `Number()` of a leaf, as lib/rules/matchers.ts reads numbers and numeric strings; null unless finite. */
function leafNumber(leaf: unknown): number | null {
  const value =
    typeof leaf === 'number'
      ? leaf
      : typeof leaf === 'string' && leaf.trim() !== ''
        ? Number(leaf)
        : Number.NaN;
  return Number.isFinite(value) ? value : null;
}

function leafKind(leaf: unknown): string {
  if (leaf === null) return LEAF_KIND_CODES.null;
  if (typeof leaf === 'string') return LEAF_KIND_CODES.string;
  if (typeof leaf === 'number') return LEAF_KIND_CODES.number;
  if (typeof leaf === 'boolean') return LEAF_KIND_CODES.boolean;
  return LEAF_KIND_CODES.object;
}

export function storedLeaf(leaf: unknown): StoredLeaf {
  const text = leafText(leaf);
  const t = text === undefined ? null : wellFormed(text);
  return {
    k: leafKind(leaf),
    t,
    l: t === null ? null : wellFormed((text as string).toLowerCase()),
    n: leafNumber(leaf),
  };
}

/** The account a record belongs to for --account, as the readers decide it without the file's key. */
function accountOf(record: CloudTrailRecord, origin: Origin | undefined): string | null {
  return origin?.logFile?.accountId ?? record.recipientAccountId ?? record.userIdentity?.accountId ?? null;
}

/** Writes the records of one hunt to a JSON Lines file, one object per record with its leaves. */
export class RecordFileWriter {
  private readonly stream: WriteStream;
  private count = 0;
  /** lib/rules' own readers of each path (null: the keyword text), compiled once. */
  private readonly getters: readonly (FieldGetter | null)[];

  constructor(
    readonly path: string,
    fields: readonly (string | null)[],
  ) {
    this.stream = createWriteStream(path);
    this.getters = fields.map((field) => (field === null ? null : compileFieldPath(field)));
  }

  get records(): number {
    return this.count;
  }

  async add(record: CloudTrailRecord, origin?: Origin): Promise<void> {
    const raw = JSON.stringify(record);
    const row: Record<string, unknown> = {
      rec: this.count++,
      event_ms: Number.isFinite(Date.parse(record.eventTime)) ? Date.parse(record.eventTime) : null,
      account: accountOf(record, origin),
      region: typeof record.awsRegion === 'string' ? record.awsRegion : null,
      raw: wellFormed(raw),
      origin: origin === undefined ? null : JSON.stringify(origin),
    };
    this.getters.forEach((getter, index) => {
      // An absent field is left out of the line (most are, for most records): the load reads it as [].
      if (getter === null) row[`c${index}`] = [storedLeaf(raw)];
      else {
        const leaves = getter(record);
        if (leaves.length > 0) row[`c${index}`] = leaves.map(storedLeaf);
      }
    });
    if (!this.stream.write(`${JSON.stringify(row)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Creates `records` from the file the writer filled. */
export async function loadRecordFile(
  connection: DuckDBConnection,
  path: string,
  fields: readonly (string | null)[],
): Promise<void> {
  const columns: Record<string, string> = {
    rec: 'BIGINT',
    event_ms: 'BIGINT',
    account: 'VARCHAR',
    region: 'VARCHAR',
    raw: 'VARCHAR',
    origin: 'VARCHAR',
  };
  fields.forEach((_, index) => {
    columns[`c${index}`] = DUCKDB_LEAF_TYPE;
  });
  const spec = Object.entries(columns)
    .map(([name, type]) => `${duckdbString(name)}: ${duckdbString(type)}`)
    .join(', ');
  const renamed = fields
    .map((path, index) => `coalesce(c${index}, []) AS ${path === null ? KEYWORD_COLUMN : fieldColumn(path)}`)
    .join(', ');
  await connection.run(
    `CREATE OR REPLACE TABLE records AS SELECT rec, event_ms, account, region, raw, origin${renamed ? `, ${renamed}` : ''} FROM read_json(${duckdbString(path)}, format = 'newline_delimited', columns = {${spec}}, maximum_object_size = ${MAX_LINE_BYTES})`,
  );
}

/**
 * The longest line read_json takes: its default (16 MiB) is the reader's default record limit, and a
 * line holds the record twice (raw and its leaves) plus the keyword text, so allow four times that.
 */
const MAX_LINE_BYTES = 4 * 16 * 1024 * 1024;
