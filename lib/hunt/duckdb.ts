import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Origin } from '../ingest';
import { readRecordBatches } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { CompiledHunt, HuntScope, Unsupported } from '../sql';
import { createDuckdbDialect } from '../sql/duckdb-dialect';
import * as z from '../validation';
import type { RecordStore } from './duckdb-load';
import { loadRecordFile, RecordFileWriter } from './duckdb-load';
import type { HuntEngine, HuntMatch, HuntResult, HuntRunOptions } from './types';

/**
 * The embedded DuckDB hunt: an in-memory database per hunt, loaded from trailwatch's readers
 * (./duckdb-load), one query per compiled rule. Nothing to install or run: `@duckdb/node-api`
 * ships DuckDB with its JSON extension built in, and no extension is downloaded.
 */

/** Every field path any compiled rule reads, once each, in a stable order. */
export function huntFields(compiled: CompiledHunt): (string | null)[] {
  return [...new Set(compiled.rules.flatMap((rule) => rule.fields))];
}

export class DuckdbHunt {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly folder: string,
  ) {}

  static async open(): Promise<DuckdbHunt> {
    // Loaded when a hunt runs, not when the CLI starts: the native addon takes time to load.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const folder = mkdtempSync(join(tmpdir(), 'trailwatch-hunt-'));
    // An in-memory database spills to `.tmp` in the working directory when it outgrows memory:
    // kept in the hunt's own temporary folder instead, removed with it.
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: join(folder, 'spill') });
    const connection = await instance.connect();
    return new DuckdbHunt(instance, connection, folder);
  }

  private store: RecordStore | undefined;

  /** Loads the records (in this order: their positions) with the leaves of `fields`; returns how many. */
  async load(
    records:
      | AsyncIterable<{ record: CloudTrailRecord; origin?: Origin }>
      | Iterable<{ record: CloudTrailRecord; origin?: Origin }>,
    fields: readonly (string | null)[],
  ): Promise<number> {
    const writer = new RecordFileWriter(
      join(this.folder, 'leaves.jsonl'),
      join(this.folder, 'records.jsonl'),
      fields,
    );
    try {
      for await (const { record, origin } of records) await writer.add(record, origin);
    } finally {
      this.store = await writer.close();
    }
    await loadRecordFile(this.connection, writer.path, fields);
    rmSync(writer.path, { force: true });
    return writer.records;
  }

  /**
   * The positions each compiled rule matches within the scope. A rule whose query DuckDB refuses
   * (a regular expression its RE2 build does not take) is returned as refused, with DuckDB's message.
   */
  async match(
    compiled: CompiledHunt,
    scope: HuntScope = {},
  ): Promise<{ matches: Map<string, number[]>; refused: Unsupported[] }> {
    const dialect = createDuckdbDialect();
    const matches = new Map<string, number[]>();
    const refused: Unsupported[] = [];
    for (const rule of compiled.rules) {
      try {
        const reader = await this.connection.runAndReadAll(dialect.matchQuery(rule.where, scope));
        matches.set(rule.ruleId, reader.getColumns()[0]?.map((value) => Number(value)) ?? []);
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        refused.push({
          ruleId: rule.ruleId,
          title: rule.title,
          reason: `DuckDB refused the query: ${message}`,
        });
      }
    }
    return { matches, refused };
  }

  /** The records at these positions, as loaded (with their origins). */
  async records(
    positions: readonly number[],
  ): Promise<Map<number, { record: CloudTrailRecord; origin?: Origin }>> {
    return this.store === undefined ? new Map() : this.store.read(positions);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Reads the inputs with trailwatch's readers, counting and reporting problems. */
async function* readInputs(
  options: HuntRunOptions,
  counts: { problems: number },
): AsyncGenerator<{ record: CloudTrailRecord; origin: Origin }> {
  for await (const batch of readRecordBatches(options.inputs, options.read)) {
    for (const result of batch) {
      if (result.kind === 'record') yield { record: result.record, origin: result.origin };
      else if (result.kind === 'problem') {
        counts.problems++;
        options.onProblem?.(result.message, result.origin);
      }
    }
  }
}

export async function runDuckdbHunt(compiled: CompiledHunt, options: HuntRunOptions): Promise<HuntResult> {
  const hunt = await DuckdbHunt.open();
  try {
    const counts = { problems: 0 };
    const records = await hunt.load(readInputs(options, counts), huntFields(compiled));
    // The readers applied the scope already (with their exact rules: a file key's account first).
    const { matches, refused } = await hunt.match(compiled, {});
    const found = await hunt.records([...matches.values()].flat());
    const rows: HuntMatch[] = [];
    for (const [ruleId, positions] of matches) {
      for (const position of positions) {
        const entry = found.get(position);
        if (entry) rows.push({ ruleId, position, ...entry });
      }
    }
    rows.sort((a, b) => a.position - b.position);
    return { matches: rows, refused, records, problems: counts.problems };
  } finally {
    hunt.close();
  }
}

export const duckdbEngine: HuntEngine = {
  name: 'duckdb',
  readsLocalInputs: true,
  // Embedded, in memory, reading what the readers read: nothing to name.
  flags: [],
  options: z.strictObject({}),
  dialect: createDuckdbDialect,
  run: runDuckdbHunt,
};
