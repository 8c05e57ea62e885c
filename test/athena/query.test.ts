/**
 * Athena's API flow against the SDK mock (no Trino runs here): start with an idempotency token,
 * poll to the end with backoff on an injected clock, page the results, and the errors and cost a
 * query ends with.
 */
import type {
  GetQueryExecutionCommandOutput,
  GetQueryResultsCommandInput,
  QueryExecutionState,
  StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AthenaQueryError,
  BYTES_PER_TB,
  FIRST_POLL_MS,
  formatCost,
  GET_QUERY_RESULTS_MAX_RESULTS,
  MAX_POLL_MS,
  MINIMUM_BILLED_BYTES,
  queryCost,
  queryRows,
  runQuery,
} from '../../lib/athena';

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

/** A virtual clock: sleeping moves it, nothing waits. */
function virtualTime() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

const target = { workGroup: 'trailwatch-dev', database: 'trailwatch_dev' };
const client = () => new AthenaClient({ region: 'us-east-1' });

function states(
  ...sequence: {
    State: QueryExecutionState;
    StateChangeReason?: string;
    Retryable?: boolean;
    scanned?: number;
  }[]
) {
  const calls = athena.on(GetQueryExecutionCommand);
  for (const [index, step] of sequence.entries()) {
    const answer: Omit<GetQueryExecutionCommandOutput, '$metadata'> = {
      QueryExecution: {
        QueryExecutionId: 'q-1',
        Status: {
          State: step.State,
          ...(step.StateChangeReason === undefined ? {} : { StateChangeReason: step.StateChangeReason }),
          ...(step.Retryable === undefined
            ? {}
            : { AthenaError: { ErrorCategory: 2, Retryable: step.Retryable } }),
        },
        ...(step.scanned === undefined ? {} : { Statistics: { DataScannedInBytes: step.scanned } }),
      },
    };
    if (index === sequence.length - 1) calls.resolves(answer);
    else calls.resolvesOnce(answer);
  }
}

async function failure(promise: Promise<unknown>): Promise<AthenaQueryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AthenaQueryError) return error;
    throw error;
  }
  throw new Error('the query did not fail');
}

describe('runQuery', () => {
  it('starts in the workgroup and database with a token, polls with doubling backoff, and reports the cost', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    states(
      { State: 'QUEUED' },
      { State: 'RUNNING' },
      { State: 'RUNNING' },
      { State: 'SUCCEEDED', scanned: 3 * 2 ** 30 },
    );
    const clock = virtualTime();
    const result = await runQuery({ client: client(), ...target, sql: 'SELECT 1', ...clock });
    expect(result.queryExecutionId).toBe('q-1');
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      QueryString: 'SELECT 1',
      WorkGroup: 'trailwatch-dev',
      QueryExecutionContext: { Database: 'trailwatch_dev' },
    });
    expect(start?.ClientRequestToken?.length).toBeGreaterThanOrEqual(32);
    expect(clock.sleeps).toEqual([FIRST_POLL_MS, FIRST_POLL_MS * 2, FIRST_POLL_MS * 4]);
    expect(result.cost).toEqual(queryCost(3 * 2 ** 30));
  });

  it('retries a throttled start once with the same token, so Athena runs the query once', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      )
      .resolves({ QueryExecutionId: 'q-1' });
    states({ State: 'SUCCEEDED', scanned: 0 });
    await runQuery({
      client: client(),
      ...target,
      sql: 'SELECT 1',
      clientRequestToken: 'a'.repeat(40),
      ...virtualTime(),
    });
    const tokens = athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => (call.args[0].input as StartQueryExecutionCommandInput).ClientRequestToken);
    expect(tokens).toEqual(['a'.repeat(40), 'a'.repeat(40)]);
  });

  it('does not retry a start Athena refused, and says it is not retryable', async () => {
    athena.on(StartQueryExecutionCommand).rejects(
      new InvalidRequestException({
        message: 'WorkGroup nope is not found',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await failure(runQuery({ client: client(), ...target, sql: 'SELECT 1', ...virtualTime() }));
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
    expect(error).toMatchObject({
      code: 'athena-call',
      retryable: false,
      reason: 'WorkGroup nope is not found',
    });
    expect(error.location).toMatchObject({
      service: 'Athena',
      call: 'StartQueryExecution',
      resource: 'workgroup trailwatch-dev',
    });
  });

  it.each<{
    state: QueryExecutionState;
    reason: string;
    retryable: boolean | undefined;
    code: string;
    message: string;
  }>([
    {
      state: 'FAILED',
      reason: "line 1:8: Column 'nope' cannot be resolved",
      retryable: false,
      code: 'athena-failed',
      message: "Athena query q-1 failed: line 1:8: Column 'nope' cannot be resolved",
    },
    {
      state: 'FAILED',
      reason: 'Internal error',
      retryable: true,
      code: 'athena-failed',
      message: 'Athena query q-1 failed: Internal error',
    },
    {
      state: 'CANCELLED',
      reason: 'Query exceeded the bytes scanned limit',
      retryable: undefined,
      code: 'athena-cancelled',
      message: 'Athena query q-1 was cancelled: Query exceeded the bytes scanned limit',
    },
  ])(
    'a query that ends $state ($reason) throws $code with the reason',
    async ({ state, reason, retryable, code, message }) => {
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
      states(
        { State: 'RUNNING' },
        {
          State: state,
          StateChangeReason: reason,
          ...(retryable === undefined ? {} : { Retryable: retryable }),
        },
      );
      const error = await failure(
        runQuery({
          client: client(),
          ...target,
          sql: 'SELECT nope',
          location: { rule: 'r-1' },
          ...virtualTime(),
        }),
      );
      expect(error).toBeInstanceOf(AthenaQueryError);
      expect(error).toMatchObject({
        code,
        message,
        reason,
        queryExecutionId: 'q-1',
        retryable: retryable ?? false,
      });
      expect(error.location).toMatchObject({
        rule: 'r-1',
        resource: 'query q-1 in workgroup trailwatch-dev',
      });
      expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
    },
  );

  it('stops a query that runs past the timeout, and says so', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(StopQueryExecutionCommand).resolves({});
    states({ State: 'RUNNING' });
    const clock = virtualTime();
    const error = await failure(
      runQuery({ client: client(), ...target, sql: 'SELECT 1', timeoutMs: 60_000, ...clock }),
    );
    expect(error).toMatchObject({ code: 'athena-timeout', queryExecutionId: 'q-1', retryable: false });
    expect(athena.commandCalls(StopQueryExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1' },
    ]);
    // Polled until the deadline, no sleep past it, and none longer than the cap.
    expect(clock.now()).toBe(60_000);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(MAX_POLL_MS);
  });

  it('keeps polling through a throttled GetQueryExecution', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    await expect(
      runQuery({ client: client(), ...target, sql: 'SELECT 1', ...virtualTime() }),
    ).resolves.toMatchObject({
      queryExecutionId: 'q-1',
    });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
  });
});

describe('queryRows', () => {
  const header = { Data: [{ VarCharValue: 'eventname' }, { VarCharValue: 'errorcode' }] };
  const row = (name: string, error?: string) => ({
    Data: [{ VarCharValue: name }, error === undefined ? {} : { VarCharValue: error }],
  });
  const metadata = {
    ColumnInfo: [
      { Name: 'eventname', Type: 'varchar' },
      { Name: 'errorcode', Type: 'varchar' },
    ],
  };

  it('pages through three pages with NextToken and MaxResults 1000, skipping the header on the first page only', async () => {
    const pages: Record<string, object> = {
      first: {
        ResultSet: { ResultSetMetadata: metadata, Rows: [header, row('A'), row('B', 'AccessDenied')] },
        NextToken: 't2',
      },
      t2: { ResultSet: { ResultSetMetadata: metadata, Rows: [header, row('C')] }, NextToken: 't3' },
      t3: { ResultSet: { ResultSetMetadata: metadata, Rows: [row('D')] } },
    };
    athena
      .on(GetQueryResultsCommand)
      .callsFake((input: GetQueryResultsCommandInput) => pages[input.NextToken ?? 'first']);
    const rows = [];
    for await (const found of queryRows({ client: client(), workGroup: 'wg', ...virtualTime() }, 'q-1'))
      rows.push(found);
    // The second page's row that reads like a header is data: only the first page has one.
    expect(rows).toEqual([
      { eventname: 'A', errorcode: null },
      { eventname: 'B', errorcode: 'AccessDenied' },
      { eventname: 'eventname', errorcode: 'errorcode' },
      { eventname: 'C', errorcode: null },
      { eventname: 'D', errorcode: null },
    ]);
    const inputs = athena.commandCalls(GetQueryResultsCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: GET_QUERY_RESULTS_MAX_RESULTS },
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 't2' },
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 't3' },
    ]);
  });

  it('gives no rows for a result of the header alone', async () => {
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: metadata, Rows: [header] } });
    const rows = [];
    for await (const found of queryRows({ client: client(), workGroup: 'wg', ...virtualTime() }, 'q-1'))
      rows.push(found);
    expect(rows).toEqual([]);
  });
});

describe('cost', () => {
  it.each([
    {
      scanned: 0,
      billed: MINIMUM_BILLED_BYTES,
      line: 'scanned 0 B (billed 10.0 MiB), about $0.0000 at $5/TB',
    },
    {
      scanned: 1,
      billed: MINIMUM_BILLED_BYTES,
      line: 'scanned 1 B (billed 10.0 MiB), about $0.0000 at $5/TB',
    },
    {
      scanned: 11 * 2 ** 20 + 1,
      billed: 12 * 2 ** 20,
      line: 'scanned 11.0 MiB (billed 12.0 MiB), about $0.0001 at $5/TB',
    },
    {
      scanned: BYTES_PER_TB,
      billed: BYTES_PER_TB,
      line: 'scanned 1.00 TiB (billed 1.00 TiB), about $5.00 at $5/TB',
    },
    {
      scanned: 1.5 * BYTES_PER_TB,
      billed: 1.5 * BYTES_PER_TB,
      line: 'scanned 1.50 TiB (billed 1.50 TiB), about $7.50 at $5/TB',
    },
  ])('$scanned bytes scanned bill $billed bytes: $line', ({ scanned, billed, line }) => {
    const cost = queryCost(scanned);
    expect(cost.billedBytes).toBe(billed);
    expect(cost.usd).toBeCloseTo((billed / BYTES_PER_TB) * 5, 10);
    expect(formatCost(cost)).toBe(line);
  });
});
