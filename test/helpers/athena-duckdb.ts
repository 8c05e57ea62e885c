/**
 * Athena's CloudTrail table emulated in DuckDB, for tests (no Trino runs here): a table shaped like
 * the stack's Glue table (deploy/athena.yml, lib/athena/table.ts) filled from records as the Hive
 * JSON SerDe fills it, and the Athena dialect's SQL adapted to run there. See
 * test/athena/dialect-equivalence.test.ts for what this can and cannot check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AthenaClient,
  GetQueryExecutionCommandInput,
  GetQueryResultsCommandInput,
  StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { ColumnType } from '../../lib/athena';
import { CLOUDTRAIL_COLUMNS, columnName } from '../../lib/athena';
import type { CloudTrailRecord } from '../../lib/records';

export const DATABASE = 'trailwatch_test';

/** The Glue column types as DuckDB types. */
function duckdbType(type: ColumnType): string {
  switch (type.kind) {
    case 'string':
    case 'boolean':
    case 'json':
      return 'VARCHAR';
    case 'map':
      return 'MAP(VARCHAR, VARCHAR)';
    case 'array':
      return `${duckdbType(type.element)}[]`;
    case 'struct':
      return `STRUCT(${type.fields.map((field) => `"${columnName(field)}" ${duckdbType(field.type)}`).join(', ')})`;
  }
}

/** A JSON object's key, matched case-insensitively as the Hive JSON SerDe matches columns. */
function keyOf(object: Record<string, unknown>, lowercase: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lowercase);
  return key === undefined ? undefined : object[key];
}

/** What the SerDe stores for a JSON value in a column of this type. */
function serde(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'string':
    case 'boolean':
    case 'json':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'map':
      return typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value).map(([key, inner]) => [key, serde(inner, { kind: 'string' })]),
          )
        : null;
    case 'array':
      return Array.isArray(value) ? value.map((element) => serde(element, type.element)) : null;
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return null;
      const record = value as Record<string, unknown>;
      return Object.fromEntries(
        type.fields.map((field) => [columnName(field), serde(keyOf(record, columnName(field)), field.type)]),
      );
    }
  }
}

export function tableRow(record: CloudTrailRecord, index: number): Record<string, unknown> {
  const source = record as unknown as Record<string, unknown>;
  const row: Record<string, unknown> = Object.fromEntries(
    CLOUDTRAIL_COLUMNS.map((field) => [
      columnName(field),
      serde(keyOf(source, columnName(field)), field.type),
    ]),
  );
  const time =
    typeof record.eventTime === 'string' ? record.eventTime.slice(0, 10).replaceAll('-', '/') : null;
  return {
    ...row,
    account: String(record.recipientAccountId ?? ''),
    region: String(record.awsRegion ?? ''),
    date: time,
    // The record's index stands in for the S3 object, so a row says which record it is.
    $path: `rec:${index}`,
  };
}

const MACROS = [
  `CREATE MACRO trino_json_extract(j, p) AS json_extract(j, regexp_replace(p, '^\\$\\["(.*)"\\]$', '$."\\1"'))`,
  `CREATE MACRO trino_json_extract_scalar(j, p) AS json_extract_string(j, p)`,
  `CREATE MACRO trino_json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE MACRO trino_json_array_length(j) AS CASE WHEN json_type(j) = 'ARRAY' THEN json_array_length(j) END`,
  `CREATE MACRO trino_regexp_like(t, p) AS regexp_matches(t, p)`,
  `CREATE MACRO trino_regexp_extract(t, p) AS regexp_extract(t, p)`,
  `CREATE MACRO trino_is_finite(x) AS isfinite(x)`,
  `CREATE MACRO trino_from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `CREATE MACRO trino_cardinality(l) AS len(l)`,
];
const RENAMED =
  /\b(json_extract_scalar|json_extract|json_format|json_array_length|regexp_like|regexp_extract|is_finite|from_iso8601_timestamp|cardinality)\(/g;

/** Athena's SQL as the DuckDB emulation runs it. */
export function forDuckdb(sql: string): string {
  return sql
    .replace(RENAMED, 'trino_$1(')
    .replace(/\btransform\(/g, 'list_transform(')
    .replaceAll('ARRAY(JSON)', 'JSON[]');
}

export async function openTable(
  records: readonly CloudTrailRecord[],
): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const folder = mkdtempSync(join(tmpdir(), 'trailwatch-athena-'));
  const file = join(folder, 'rows.ndjson');
  writeFileSync(file, records.map((record, index) => JSON.stringify(tableRow(record, index))).join('\n'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const columns = [
    ...CLOUDTRAIL_COLUMNS.map(
      (field) => `'${columnName(field)}': '${duckdbType(field.type).replaceAll("'", "''")}'`,
    ),
    `'account': 'VARCHAR'`,
    `'region': 'VARCHAR'`,
    `'date': 'VARCHAR'`,
    `'$path': 'VARCHAR'`,
  ];
  await connection.run(`CREATE SCHEMA ${DATABASE}`);
  await connection.run(
    `CREATE TABLE ${DATABASE}.cloudtrail AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${columns.join(', ')}})`,
  );
  for (const macro of MACROS) await connection.run(macro);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The rows a query gives, each column as text or null, as GetQueryResults would give them. */
export async function queryText(
  connection: DuckDBConnection,
  sql: string,
): Promise<Record<string, string | null>[]> {
  const reader = await connection.runAndReadAll(forDuckdb(sql));
  return reader
    .getRowObjectsJson()
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([name, value]) => [name, value === null ? null : String(value)]),
      ),
    );
}

/**
 * The Athena API on the SDK mock, answering from the DuckDB emulation: StartQueryExecution keeps the
 * query, GetQueryExecution says SUCCEEDED (or FAILED, for a query `fails` picks) with
 * `scannedBytes`, GetQueryResults runs it and pages its rows with the header first, as Athena does.
 */
export interface FakeAthena {
  readonly queries: string[];
  readonly tokens: (string | undefined)[];
}

export function answerFromDuckdb(
  athena: AwsClientStub<AthenaClient>,
  connection: DuckDBConnection,
  options: { scannedBytes: number; fails?: (sql: string) => string | undefined },
): FakeAthena {
  const fake: FakeAthena = { queries: [], tokens: [] };
  const results = new Map<string, Record<string, string | null>[]>();
  athena.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionCommandInput) => {
    fake.queries.push(input.QueryString ?? '');
    fake.tokens.push(input.ClientRequestToken);
    return { QueryExecutionId: `q-${fake.queries.length}` };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input: GetQueryExecutionCommandInput) => {
    const sql = fake.queries[Number(String(input.QueryExecutionId).slice(2)) - 1] ?? '';
    const reason = options.fails?.(sql);
    if (reason !== undefined)
      return {
        QueryExecution: {
          Status: { State: 'FAILED', StateChangeReason: reason, AthenaError: { Retryable: false } },
        },
      };
    return {
      QueryExecution: {
        Status: { State: 'SUCCEEDED' },
        Statistics: { DataScannedInBytes: options.scannedBytes },
      },
    };
  });
  athena.on(GetQueryResultsCommand).callsFake(async (input: GetQueryResultsCommandInput) => {
    const id = String(input.QueryExecutionId);
    let rows = results.get(id);
    if (rows === undefined) {
      rows = await queryText(connection, fake.queries[Number(id.slice(2)) - 1] ?? '');
      results.set(id, rows);
    }
    const names = rows[0] === undefined ? [] : Object.keys(rows[0]);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const size = input.MaxResults ?? 1000;
    // The header counts as a row of the first page.
    const pageRows = start === 0 ? rows.slice(0, size - 1) : rows.slice(start, start + size);
    const end = start === 0 ? pageRows.length : start + pageRows.length;
    const data = (row: Record<string, string | null>) => ({
      Data: names.map((name) => (row[name] === null ? {} : { VarCharValue: row[name] ?? '' })),
    });
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: names.map((name) => ({ Name: name, Type: 'varchar' })) },
        Rows: [
          ...(start === 0 ? [{ Data: names.map((name) => ({ VarCharValue: name })) }] : []),
          ...pageRows.map(data),
        ],
      },
      ...(end < rows.length ? { NextToken: String(end) } : {}),
    };
  });
  return fake;
}
