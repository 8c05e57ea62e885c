import { randomUUID } from 'node:crypto';
import type { AthenaClient, QueryExecution } from '@aws-sdk/client-athena';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { awsErrorFacts } from '../aws';
import type { ErrorLocation } from '../errors';
import type { ScanCost } from './cost';
import { queryCost } from './cost';
import { AthenaQueryError } from './errors';

/**
 * One SQL query through Athena's asynchronous API: StartQueryExecution, GetQueryExecution until the
 * query ends, then GetQueryResults page by page
 * (https://docs.aws.amazon.com/athena/latest/ug/querying.html). The clock and the sleep are
 * injected, so tests drive the polling without waiting.
 */

/** GetQueryResults returns at most this many rows a page (MaxResults, 1-1000):
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html */
export const GET_QUERY_RESULTS_MAX_RESULTS = 1000;
/** StartQueryExecution's ClientRequestToken is 32 to 128 characters: a UUID is 36.
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html */
export const CLIENT_REQUEST_TOKEN_MIN_LENGTH = 32;
/** Tries of StartQueryExecution when Athena answers "later" (throttled, a server fault). */
export const START_ATTEMPTS = 4;
/** Poll intervals: the first, doubled each time up to the last. Athena queries take seconds. */
export const FIRST_POLL_MS = 250;
export const MAX_POLL_MS = 5000;
/** Consecutive GetQueryExecution or GetQueryResults failures tolerated when they are "later" ones. */
export const CALL_RETRIES = 5;
/** A query running longer is stopped (StopQueryExecution) unless the caller sets its own limit. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30 * 60 * 1000;

export interface AthenaTarget {
  readonly workGroup: string;
  readonly database: string;
  /** The Glue Data Catalog unless told (`AwsDataCatalog`). */
  readonly catalog?: string;
  /** Only honoured when the workgroup does not enforce its own (the stack's does). */
  readonly outputLocation?: string;
}

export interface QueryOptions extends AthenaTarget {
  readonly client: AthenaClient;
  readonly sql: string;
  /**
   * Idempotency: a StartQueryExecution repeated with the same token starts no second query
   * (Athena answers with the first one's id). Generated when not given.
   */
  readonly clientRequestToken?: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where errors say the query came from (a rule's id, say); merged into their location. */
  readonly location?: ErrorLocation;
  /** Called with each state seen while polling (QUEUED, RUNNING…). */
  readonly onState?: (state: string) => void;
}

export interface QueryResult {
  readonly queryExecutionId: string;
  readonly cost: ScanCost;
  readonly engineExecutionMs: number | undefined;
}

/** A result row: the column's text, or null for SQL NULL (GetQueryResults omits VarCharValue). */
export type Row = Readonly<Record<string, string | null>>;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tokenOf(options: QueryOptions): string {
  const token = options.clientRequestToken ?? randomUUID();
  if (token.length < CLIENT_REQUEST_TOKEN_MIN_LENGTH)
    throw new RangeError(`a ClientRequestToken has at least ${CLIENT_REQUEST_TOKEN_MIN_LENGTH} characters`);
  return token;
}

function callError(
  call: string,
  error: unknown,
  location: ErrorLocation,
  queryExecutionId?: string,
): AthenaQueryError {
  const facts = awsErrorFacts(error);
  return new AthenaQueryError(`${call} failed: ${facts.code}: ${facts.message}`, 'athena-call', {
    reason: facts.message,
    location: { ...location, service: 'Athena', call },
    retryable: facts.retryable,
    cause: error,
    ...(queryExecutionId === undefined ? {} : { queryExecutionId }),
  });
}

/** Calls `send` again while its failures are "later" ones, up to `attempts` tries, backing off. */
async function withRetries<T>(
  call: string,
  send: () => Promise<T>,
  attempts: number,
  sleep: (ms: number) => Promise<void>,
  location: ErrorLocation,
  queryExecutionId?: string,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const failure = callError(call, error, location, queryExecutionId);
      if (!failure.retryable || attempt >= attempts) throw failure;
      await sleep(Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** attempt));
    }
  }
}

/** Starts the query and waits for it to end; resolves once it SUCCEEDED, throws otherwise. */
export async function runQuery(options: QueryOptions): Promise<QueryResult> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const where: ErrorLocation = { ...options.location, resource: `workgroup ${options.workGroup}` };
  const token = tokenOf(options);
  const started = await withRetries(
    'StartQueryExecution',
    () =>
      options.client.send(
        new StartQueryExecutionCommand({
          QueryString: options.sql,
          WorkGroup: options.workGroup,
          ClientRequestToken: token,
          QueryExecutionContext: {
            Database: options.database,
            ...(options.catalog ? { Catalog: options.catalog } : {}),
          },
          ...(options.outputLocation
            ? { ResultConfiguration: { OutputLocation: options.outputLocation } }
            : {}),
        }),
      ),
    START_ATTEMPTS,
    sleep,
    where,
  );
  const id = started.QueryExecutionId;
  if (id === undefined)
    throw callError('StartQueryExecution', new Error('no QueryExecutionId in the answer'), where);
  const queryWhere: ErrorLocation = { ...where, resource: `query ${id} in workgroup ${options.workGroup}` };
  const execution = await waitForEnd(options, id, queryWhere, sleep, now, now() + timeoutMs);
  const scanned = execution.Statistics?.DataScannedInBytes ?? 0;
  return {
    queryExecutionId: id,
    cost: queryCost(scanned),
    engineExecutionMs: execution.Statistics?.EngineExecutionTimeInMillis,
  };
}

async function waitForEnd(
  options: QueryOptions,
  id: string,
  where: ErrorLocation,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
  deadline: number,
): Promise<QueryExecution> {
  for (let poll = 0; ; poll++) {
    const answer = await withRetries(
      'GetQueryExecution',
      () => options.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      CALL_RETRIES,
      sleep,
      where,
      id,
    );
    const execution = answer.QueryExecution ?? {};
    const state = execution.Status?.State ?? 'QUEUED';
    options.onState?.(state);
    const reason = execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? '';
    switch (state) {
      case 'SUCCEEDED':
        return execution;
      case 'FAILED':
        throw new AthenaQueryError(
          `Athena query ${id} failed: ${reason || 'no reason given'}`,
          'athena-failed',
          {
            reason,
            queryExecutionId: id,
            location: { ...where, service: 'Athena', call: 'GetQueryExecution' },
            // Athena says whether the same query may succeed later (a SYSTEM error, say).
            retryable: execution.Status?.AthenaError?.Retryable ?? false,
          },
        );
      case 'CANCELLED':
        throw new AthenaQueryError(
          `Athena query ${id} was cancelled: ${reason || 'no reason given'}`,
          'athena-cancelled',
          {
            reason,
            queryExecutionId: id,
            location: { ...where, service: 'Athena', call: 'GetQueryExecution' },
            retryable: false,
          },
        );
    }
    if (now() >= deadline) {
      await stopQuietly(options, id, where, sleep);
      throw new AthenaQueryError(
        `Athena query ${id} still ${state} after ${Math.round((options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS) / 1000)} s: stopped`,
        'athena-timeout',
        {
          reason: `timeout while ${state}`,
          queryExecutionId: id,
          location: { ...where, service: 'Athena', call: 'StopQueryExecution' },
          retryable: false,
        },
      );
    }
    await sleep(Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** poll, Math.max(0, deadline - now())));
  }
}

/** Stops a query that ran out of time; a failure to stop is reported, as it keeps billing. */
async function stopQuietly(
  options: QueryOptions,
  id: string,
  where: ErrorLocation,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  await withRetries(
    'StopQueryExecution',
    () => options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
    CALL_RETRIES,
    sleep,
    where,
    id,
  );
}

/**
 * The rows of a query that SUCCEEDED, page by page (GetQueryResults, MaxResults
 * GET_QUERY_RESULTS_MAX_RESULTS, NextToken). The first row of the first page is a SELECT's header
 * (the column names), not data: it is skipped there, and only there.
 */
export async function* queryRows(
  options: Pick<QueryOptions, 'client' | 'sleep' | 'location'> & { readonly workGroup: string },
  queryExecutionId: string,
): AsyncGenerator<Row> {
  const sleep = options.sleep ?? defaultSleep;
  const where: ErrorLocation = {
    ...options.location,
    resource: `query ${queryExecutionId} in workgroup ${options.workGroup}`,
  };
  let nextToken: string | undefined;
  let columns: string[] | undefined;
  let first = true;
  do {
    const token = nextToken;
    const page = await withRetries(
      'GetQueryResults',
      () =>
        options.client.send(
          new GetQueryResultsCommand({
            QueryExecutionId: queryExecutionId,
            MaxResults: GET_QUERY_RESULTS_MAX_RESULTS,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        ),
      CALL_RETRIES,
      sleep,
      where,
      queryExecutionId,
    );
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => column.Name ?? '');
    const rows = page.ResultSet?.Rows ?? [];
    for (const [index, row] of rows.entries()) {
      if (first && index === 0) continue;
      const record: Record<string, string | null> = Object.create(null);
      for (const [position, datum] of (row.Data ?? []).entries()) {
        const name = columns[position] ?? `_col${position}`;
        record[name] = datum.VarCharValue ?? null;
      }
      yield record;
    }
    first = false;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
}
