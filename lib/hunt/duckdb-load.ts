import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
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

/**
 * One leaf as a line stores it; a key left out reads as NULL. `l` is left out when lowercasing
 * changes nothing (the dialect reads `coalesce(l, t)`), and `t`/`n` when they are NULL: most
 * leaves are short lowercase or numeric texts, and the file is written and read once per hunt.
 */
interface StoredLeaf {
  k: string;
  t?: string;
  l?: string;
  n?: number;
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
  const stored: StoredLeaf = { k: leafKind(leaf) };
  const text = leafText(leaf);
  if (text !== undefined) {
    stored.t = wellFormed(text);
    const lower = text.toLowerCase();
    if (lower !== text) stored.l = wellFormed(lower);
  }
  const number = leafNumber(leaf);
  if (number !== null) stored.n = number;
  return stored;
}

/** The account a record belongs to for --account, as the readers decide it without the file's key. */
function accountOf(record: CloudTrailRecord, origin: Origin | undefined): string | null {
  return origin?.logFile?.accountId ?? record.recipientAccountId ?? record.userIdentity?.accountId ?? null;
}

/**
 * Writes the records of one hunt: a JSON Lines file for DuckDB, one object per record with its
 * position, scope columns and leaves; and beside it the records themselves (with their origins),
 * read back by byte offset only for the records a rule matched. DuckDB never parses the record
 * text unless a keyword rule needs it: that halves what read_json reads.
 */
export class RecordFileWriter {
  private readonly stream: WriteStream;
  private readonly store: WriteStream;
  private count = 0;
  private storeBytes = 0;
  /** Where each record starts in the store, and where the next would (length = count + 1). */
  private readonly offsets: number[] = [0];
  /** lib/rules' own readers of each path (null: the keyword text), compiled once. */
  private readonly getters: readonly (FieldGetter | null)[];

  constructor(
    readonly path: string,
    readonly storePath: string,
    fields: readonly (string | null)[],
  ) {
    this.stream = createWriteStream(path);
    this.store = createWriteStream(storePath);
    this.getters = fields.map((field) => (field === null ? null : compileFieldPath(field)));
  }

  get records(): number {
    return this.count;
  }

  async add(record: CloudTrailRecord, origin?: Origin): Promise<void> {
    const stored = `${JSON.stringify(origin === undefined ? { record } : { record, origin })}\n`;
    this.storeBytes += Buffer.byteLength(stored);
    this.offsets.push(this.storeBytes);
    const time = Date.parse(record.eventTime);
    const row: Record<string, unknown> = {
      rec: this.count++,
      event_ms: Number.isFinite(time) ? time : null,
      account: accountOf(record, origin),
      region: typeof record.awsRegion === 'string' ? record.awsRegion : null,
    };
    this.getters.forEach((getter, index) => {
      // An absent field is left out of the line (most are, for most records): the load reads it as [].
      if (getter === null) row[`c${index}`] = [storedLeaf(JSON.stringify(record))];
      else {
        const leaves = getter(record);
        if (leaves.length > 0) row[`c${index}`] = leaves.map(storedLeaf);
      }
    });
    this.store.write(stored);
    this.stream.write(`${JSON.stringify(row)}\n`);
    // Asked after each wait: one stream may drain while the other is awaited, and its event is gone.
    if (this.store.writableNeedDrain) await once(this.store, 'drain');
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<RecordStore> {
    this.stream.end();
    this.store.end();
    await Promise.all([once(this.stream, 'finish'), once(this.store, 'finish')]);
    return new RecordStore(this.storePath, this.offsets);
  }
}

/** The records of a hunt by position, read back from the writer's store. */
export class RecordStore {
  constructor(
    private readonly path: string,
    private readonly offsets: readonly number[],
  ) {}

  async read(
    positions: readonly number[],
  ): Promise<Map<number, { record: CloudTrailRecord; origin?: Origin }>> {
    const found = new Map<number, { record: CloudTrailRecord; origin?: Origin }>();
    const file = await open(this.path, 'r');
    try {
      for (const position of [...new Set(positions)].sort((a, b) => a - b)) {
        const start = this.offsets[position];
        const end = this.offsets[position + 1];
        if (start === undefined || end === undefined) continue;
        const buffer = Buffer.alloc(end - start);
        await file.read(buffer, 0, buffer.length, start);
        found.set(
          position,
          JSON.parse(buffer.toString('utf8')) as { record: CloudTrailRecord; origin?: Origin },
        );
      }
    } finally {
      await file.close();
    }
    return found;
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
    `CREATE OR REPLACE TABLE records AS SELECT rec, event_ms, account, region${renamed ? `, ${renamed}` : ''} FROM read_json(${duckdbString(path)}, format = 'newline_delimited', columns = {${spec}}, maximum_object_size = ${MAX_LINE_BYTES})`,
  );
}

/**
 * The longest line read_json takes: its default (16 MiB) is the reader's default record limit, and a
 * line holds the record's leaves (each text twice, as is and lowercased) and for keyword rules its
 * whole text: allow four times that.
 */
const MAX_LINE_BYTES = 4 * 16 * 1024 * 1024;
