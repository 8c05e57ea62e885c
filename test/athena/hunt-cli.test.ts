/**
 * `trailwatch hunt --engine athena` prints the findings `scan` prints for the same records, for the
 * rules SQL compiles. Athena is the SDK mock answered from the DuckDB emulation of the table
 * (test/helpers/athena-duckdb.ts); the workgroup and database come from the engine's own flags
 * (as backtest takes them), else TRAILWATCH_ATHENA_*, else the stack's outputs (CloudFormation mock).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatCost, queryCost, totalCost } from '../../lib/athena/cost';
import { createAthenaDialect } from '../../lib/athena/dialect';
import { loadConfig } from '../../lib/config';
import { readRecords } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules } from '../../lib/rules';
import { compileHunt } from '../../lib/sql';
import { answerFromDuckdb, DATABASE, openTable } from '../helpers/athena-duckdb';
import { jsonLines, runCli } from '../helpers/cli';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = join(ROOT, 'examples', 'trailwatch.yml');
const athena = mockClient(AthenaClient);
const cloudformation = mockClient(CloudFormationClient);
const SCANNED = 123_456_789;
const ENV = [
  'TRAILWATCH_ATHENA_WORKGROUP',
  'TRAILWATCH_ATHENA_DATABASE',
  'TRAILWATCH_ATHENA_TABLE',
  'TRAILWATCH_ATHENA_OUTPUT_LOCATION',
  'TRAILWATCH_STACK',
] as const;
/** One shipped rule: enough for the flag cases, which check where the queries go, not what they find. */
const ONE_RULE = join(ROOT, 'rules', 'defense-evasion', 'cloudtrail-trail-deleted.yml');
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

let folder: string;
let table: Awaited<ReturnType<typeof openTable>>;
let compiledIds: Set<string>;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'trailwatch-athena-hunt-'));
  const config = loadConfig(CONFIG);
  const set = loadRules([join(ROOT, 'rules')], { placeholders: config.placeholders });
  compiledIds = new Set(
    compileHunt(set, createAthenaDialect({ database: DATABASE }), config.placeholders).rules.map(
      (rule) => rule.ruleId,
    ),
  );
  const records: CloudTrailRecord[] = [];
  for await (const result of readRecords([{ kind: 'path', path: join(ROOT, 'test', 'fixtures', 'logs') }]))
    if (result.kind === 'record') records.push(result.record);
  for (const rule of set.detections)
    for (const test of rule.tests)
      if (test.event !== undefined) records.push(test.event as unknown as CloudTrailRecord);
  writeFileSync(join(folder, 'events.json'), JSON.stringify({ Records: records }));
  table = await openTable(records);
  for (const name of ENV) delete process.env[name];
}, 120_000);

beforeEach(() => {
  athena.reset();
  cloudformation.reset();
  answerFromDuckdb(athena, table.connection, { scannedBytes: SCANNED });
});

afterAll(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  table.close();
  athena.restore();
  cloudformation.restore();
  rmSync(folder, { recursive: true, force: true });
});

const detections = (lines: Record<string, unknown>[]) =>
  lines
    .filter((finding) => finding.kind === 'detection' && compiledIds.has(String(finding.ruleId)))
    .map((finding) => `${String(finding.ruleId)} ${String(finding.eventID)} ${String(finding.eventTime)}`)
    .sort();

const starts = () => athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);

describe('hunt --engine athena', () => {
  it("prints scan's findings for the rules SQL compiles, and the queries, bytes scanned and cost", async () => {
    const scan = await runCli([
      'scan',
      join(folder, 'events.json'),
      '--config',
      CONFIG,
      '--output',
      'ndjson',
    ]);
    const hunt = await runCli([
      'hunt',
      '--engine',
      'athena',
      '--workgroup',
      'trailwatch-test',
      '--database',
      DATABASE,
      '--config',
      CONFIG,
      '--output',
      'ndjson',
      '--region',
      'eu-west-1',
    ]);
    expect(hunt.code, hunt.stderr).toBe(0);
    const expected = detections(jsonLines(scan.stdout));
    expect(expected.length).toBeGreaterThan(100);
    expect(detections(jsonLines(hunt.stdout))).toEqual(expected);
    expect(hunt.stderr).toContain('not run: the JavaScript engine needs local data');
    expect(hunt.stderr).toContain(
      `trailwatch: hunt on Athena: workgroup trailwatch-test, table ${DATABASE}.cloudtrail (eu-west-1)`,
    );
    const queries = starts().length;
    expect(queries).toBeGreaterThan(0);
    const cost = totalCost(Array.from({ length: queries }, () => queryCost(SCANNED)));
    expect(hunt.stderr).toContain(`trailwatch: hunt (athena): ${queries} query(ies), ${formatCost(cost)}, `);
    expect(hunt.stderr).toMatch(
      /scanned [0-9.]+ [KMG]iB \(billed [0-9.]+ [KMG]iB\), about \$[0-9.]+ at \$5\/TB/,
    );
    for (const input of starts())
      expect(input).toMatchObject({
        WorkGroup: 'trailwatch-test',
        QueryExecutionContext: { Database: DATABASE },
      });
  }, 180_000);

  it('puts the queries, bytes scanned, bytes billed and cost in the json summary', async () => {
    const hunt = await runCli([
      'hunt',
      '--engine',
      'athena',
      '--workgroup',
      'trailwatch-test',
      '--database',
      DATABASE,
      '--rules',
      ONE_RULE,
      '--output',
      'json',
    ]);
    expect(hunt.code, hunt.stderr).toBe(0);
    const { summary } = JSON.parse(hunt.stdout) as { summary: Record<string, unknown> };
    const cost = queryCost(SCANNED);
    expect(summary).toMatchObject({
      engine: 'athena',
      queries: 1,
      scannedBytes: SCANNED,
      billedBytes: cost.billedBytes,
      usd: cost.usd,
    });
  });

  it.each([
    {
      name: 'the flags',
      flags: [
        '--workgroup',
        'wg-flag',
        '--database',
        DATABASE,
        '--table',
        'cloudtrail',
        '--output-location',
        's3://results/flag/',
      ],
      env: { TRAILWATCH_ATHENA_WORKGROUP: 'wg-env', TRAILWATCH_ATHENA_DATABASE: 'db_env' },
      workGroup: 'wg-flag',
      location: 's3://results/flag/',
      stack: undefined,
    },
    {
      name: 'the environment when no flag is given',
      flags: [],
      env: {
        TRAILWATCH_ATHENA_WORKGROUP: 'wg-env',
        TRAILWATCH_ATHENA_DATABASE: DATABASE,
        TRAILWATCH_ATHENA_OUTPUT_LOCATION: 's3://results/env/',
      },
      workGroup: 'wg-env',
      location: 's3://results/env/',
      stack: undefined,
    },
    {
      name: 'the outputs of the stack --stack names (over TRAILWATCH_STACK)',
      flags: ['--stack', 'trailwatch-flag'],
      env: { TRAILWATCH_STACK: 'trailwatch-env' },
      workGroup: 'wg-stack',
      location: 's3://results/stack/',
      stack: 'trailwatch-flag',
    },
  ])(
    'queries the workgroup, database and table from $name',
    async ({ flags, env, workGroup, location, stack }) => {
      cloudformation.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'trailwatch-flag',
            CreationTime: new Date(0),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'AthenaWorkGroupName', OutputValue: 'wg-stack' },
              { OutputKey: 'AthenaDatabaseName', OutputValue: DATABASE },
              { OutputKey: 'AthenaTableName', OutputValue: 'cloudtrail' },
              { OutputKey: 'AthenaResultsLocation', OutputValue: 's3://results/stack/' },
            ],
          },
        ],
      });
      Object.assign(process.env, env);
      try {
        const hunt = await runCli([
          'hunt',
          '--engine',
          'athena',
          ...flags,
          '--rules',
          ONE_RULE,
          '--region',
          'eu-west-1',
        ]);
        expect(hunt.code, hunt.stderr).toBe(0);
        expect(starts().length).toBeGreaterThan(0);
        for (const input of starts()) {
          expect(input).toMatchObject({
            WorkGroup: workGroup,
            ResultConfiguration: { OutputLocation: location },
          });
          expect(input?.QueryString).toContain(`"${DATABASE}"."cloudtrail"`);
        }
        const described = cloudformation
          .commandCalls(DescribeStacksCommand)
          .map((call) => call.args[0].input.StackName);
        expect(described).toEqual(stack === undefined ? [] : [stack]);
      } finally {
        for (const name of Object.keys(env)) delete process.env[name];
      }
    },
  );

  it.each([
    [['--workgroup', 'wg'], '--workgroup is taken by --engine athena, not by --engine duckdb'],
    [['--database', 'db'], '--database is taken by --engine athena, not by --engine duckdb'],
    [['--table', 't'], '--table is taken by --engine athena, not by --engine duckdb'],
    [
      ['--output-location', 's3://r/'],
      '--output-location is taken by --engine athena, not by --engine duckdb',
    ],
    [['--stack', 's'], '--stack is taken by --engine athena, not by --engine duckdb'],
  ])('refuses the Athena flag %j with --engine duckdb (usage error, exit 2)', async (flags, message) => {
    const hunt = await runCli(['hunt', '--engine', 'duckdb', folder, ...flags, '--rules', ONE_RULE]);
    expect(hunt.code).toBe(2);
    expect(hunt.stderr).toContain(message);
    expect(starts()).toEqual([]);
  });

  it.each([
    [['--output-location', 'results/'], '--output-location takes an s3://bucket/prefix/ URL'],
    [['--workgroup', ' '], '--workgroup takes a name'],
  ])("checks the Athena flags' values with the engine's schema: %j", async (flags, message) => {
    const hunt = await runCli([
      'hunt',
      '--engine',
      'athena',
      ...flags,
      '--database',
      DATABASE,
      '--rules',
      ONE_RULE,
    ]);
    expect(hunt.code).toBe(2);
    expect(hunt.stderr).toContain(message);
    expect(starts()).toEqual([]);
  });
});
