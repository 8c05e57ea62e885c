import type { AthenaClient } from '@aws-sdk/client-athena';
import type { HuntEngine, HuntMatch, HuntResult, HuntRunOptions } from '../hunt/types';
import type { CloudTrailRecord } from '../records';
import type { CompiledHunt, RuleSql, Unsupported } from '../sql';
import type { ScanCost } from './cost';
import { totalCost } from './cost';
import { createAthenaDialect, PATH_COLUMN, SELECT_LIST, scopeConditions, tableName } from './dialect';
import { AthenaQueryError } from './errors';
import { ATHENA_FLAGS, athenaEngineOptions, athenaSettingsInput } from './flags';
import type { QueryOptions } from './query';
import { recordFromRow } from './records';
import type { AthenaSettings } from './settings';
import { createAthenaClient, resolveAthenaSettings } from './settings';

/**
 * Hunts on Athena: the compiled rules run as few queries as their text allows, each reading the
 * scope's partitions once and saying, per row, which rules it matched. Athena bills the bytes a
 * query scans, so one query for every rule costs what one rule would; a query per rule would scan
 * the same days once per rule. Rows come back as CloudTrail records (./records), in event-time
 * order, for findings and correlations as scan makes them.
 */

/** StartQueryExecution takes a query of at most 262,144 bytes (QueryString):
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html */
export const MAX_QUERY_BYTES = 262_144;
/** The column of the combined query listing the rules a row matched (their positions, comma-separated). */
export const MATCHED_COLUMN = 'trailwatch_rules';

export interface AthenaHuntOptions extends HuntRunOptions {
  readonly settings: AthenaSettings;
  readonly client: AthenaClient;
  /** Clock and sleep for the API flow (tests); the defaults wait. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly timeoutMs?: number;
  /** Told each query's cost as it ends (the CLI's progress). */
  readonly onQuery?: (rules: number, cost: ScanCost) => void;
}

export interface AthenaHuntResult extends HuntResult {
  readonly cost: ScanCost;
  readonly queries: number;
}

/** The combined query over `rules` (positions into the batch) within the scope. */
export function combinedQuery(
  rules: readonly RuleSql[],
  settings: Pick<AthenaSettings, 'database' | 'table'>,
  scope: HuntRunOptions['scope'],
): string {
  // Each rule's expression once (the query's size is what limits a batch): the inner query tags
  // every row in scope with the rules it matches, the outer keeps the tagged ones.
  const flags = rules.map((rule, index) => `CASE WHEN ${rule.where} THEN '${index}' END`);
  const matched = `${joinedFlags(flags)} AS "${MATCHED_COLUMN}"`;
  const scoped = scopeConditions(scope);
  const inner = `SELECT ${SELECT_LIST}, ${matched} FROM ${tableName(settings)}${scoped.length === 0 ? '' : ` WHERE ${scoped.join(' AND ')}`}`;
  return `SELECT * FROM (${inner}) WHERE "${MATCHED_COLUMN}" <> '' ORDER BY "eventtime", "eventid"`;
}

/**
 * Arguments per concat_ws call: Trino compiles a function call to a JVM method, which takes at most
 * 255 parameter slots (https://docs.oracle.com/javase/specs/jvms/se21/html/jvms-4.html#jvms-4.3.3),
 * so a batch's flags are joined in groups well under that.
 */
export const CONCAT_ARGUMENTS = 50;

/** The flags (each a rule's position or NULL) joined with commas, NULLs skipped, '' when none. */
function joinedFlags(flags: readonly string[]): string {
  if (flags.length <= CONCAT_ARGUMENTS) return `concat_ws(',', ${flags.join(', ')})`;
  const groups: string[] = [];
  for (let start = 0; start < flags.length; start += CONCAT_ARGUMENTS)
    groups.push(`nullif(${joinedFlags(flags.slice(start, start + CONCAT_ARGUMENTS))}, '')`);
  return joinedFlags(groups);
}

/** The rules in batches whose combined query fits StartQueryExecution's limit. */
export function batches(
  rules: readonly RuleSql[],
  settings: Pick<AthenaSettings, 'database' | 'table'>,
  scope: HuntRunOptions['scope'],
): RuleSql[][] {
  const out: RuleSql[][] = [];
  let current: RuleSql[] = [];
  for (const rule of rules) {
    const next = [...current, rule];
    if (current.length > 0 && Buffer.byteLength(combinedQuery(next, settings, scope)) > MAX_QUERY_BYTES) {
      out.push(current);
      current = [rule];
    } else current = next;
  }
  if (current.length > 0) out.push(current);
  return out;
}

interface Row {
  readonly record: CloudTrailRecord;
  readonly source: string | undefined;
  readonly ruleIds: readonly string[];
}

export async function runAthenaHunt(
  compiled: CompiledHunt,
  options: AthenaHuntOptions,
): Promise<AthenaHuntResult> {
  const { runQuery, queryRows } = await import('./query');
  const { settings } = options;
  const refused: Unsupported[] = [];
  const costs: ScanCost[] = [];
  const rows: Row[] = [];
  let queries = 0;
  const base: Omit<QueryOptions, 'sql'> = {
    client: options.client,
    workGroup: settings.workGroup,
    database: settings.database,
    ...(settings.outputLocation === undefined ? {} : { outputLocation: settings.outputLocation }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };

  /** One combined query; a batch Athena refuses is split until the refused rule stands alone. */
  const run = async (batch: readonly RuleSql[]): Promise<void> => {
    const sql = combinedQuery(batch, settings, options.scope);
    const location = batch.length === 1 ? { rule: batch[0]?.ruleId ?? '' } : {};
    try {
      queries++;
      const result = await runQuery({ ...base, sql, location });
      costs.push(result.cost);
      options.onQuery?.(batch.length, result.cost);
      for await (const row of queryRows({ ...base, location }, result.queryExecutionId)) {
        const positions = (row[MATCHED_COLUMN] ?? '').split(',').filter((text) => text !== '');
        const ruleIds = positions.flatMap((position) => {
          const rule = batch[Number(position)];
          return rule === undefined ? [] : [rule.ruleId];
        });
        const { record, source } = recordFromRow(row, PATH_COLUMN);
        rows.push({ record: record as CloudTrailRecord, source, ruleIds });
      }
    } catch (error) {
      // The query itself failed (a pattern Java rejects): find the rule, run the rest. A cancelled
      // query (the workgroup's scan cutoff), a timeout or a failure Athena calls retryable is not
      // the rules' doing: splitting would only scan the same partitions again, so it ends the hunt.
      if (!(error instanceof AthenaQueryError) || error.code !== 'athena-failed' || error.retryable)
        throw error;
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await run(batch.slice(0, half));
        await run(batch.slice(half));
        return;
      }
      const [rule] = batch;
      if (rule !== undefined)
        refused.push({
          ruleId: rule.ruleId,
          title: rule.title,
          reason: `Athena refused the query: ${error.reason}`,
        });
    }
  };
  for (const batch of batches(compiled.rules, settings, options.scope)) await run(batch);

  // Reading order across batches: event time, then the event id, then the file; a record in two
  // batches is one record.
  const byRecord = new Map<string, { row: Row; ruleIds: Set<string> }>();
  for (const row of rows) {
    const key = `${row.source ?? ''}\u0000${String(row.record.eventID ?? '')}\u0000${String(row.record.eventTime ?? '')}`;
    const seen = byRecord.get(key);
    if (seen) for (const id of row.ruleIds) seen.ruleIds.add(id);
    else byRecord.set(key, { row, ruleIds: new Set(row.ruleIds) });
  }
  const ordered = [...byRecord.values()].sort(
    (a, b) =>
      compareText(String(a.row.record.eventTime ?? ''), String(b.row.record.eventTime ?? '')) ||
      compareText(String(a.row.record.eventID ?? ''), String(b.row.record.eventID ?? '')) ||
      compareText(a.row.source ?? '', b.row.source ?? ''),
  );
  const order = new Map(compiled.rules.map((rule, index) => [rule.ruleId, index]));
  const matches: HuntMatch[] = ordered.flatMap(({ row, ruleIds }, position) =>
    [...ruleIds]
      .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
      .map((ruleId) => ({
        ruleId,
        record: row.record,
        position,
        ...(row.source === undefined ? {} : { origin: { source: row.source } }),
      })),
  );
  const cost = totalCost(costs);
  return { matches, refused, problems: 0, scannedBytes: cost.scannedBytes, cost, queries };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The `athena` hunt engine for lib/hunt's registry. Its settings come from its own flags
 * (`--workgroup`, `--database`, `--table`, `--output-location`, `--stack`, as backtest takes them,
 * checked by ./flags), else the environment, else the stack's outputs (./settings); the region is
 * the command's `--region`, else AWS_REGION.
 */
export const athenaEngine: HuntEngine = {
  name: 'athena',
  readsLocalInputs: false,
  flags: ATHENA_FLAGS,
  options: athenaEngineOptions,
  // The rules' expressions never name the table (the combined queries name it once the settings
  // are known), so compiling needs no settings: the dialect's table name is not used by a hunt.
  dialect: () => createAthenaDialect({ database: 'trailwatch' }),
  run: async (compiled, options) => {
    const own = athenaEngineOptions.parse(options.engineOptions ?? {});
    const region = options.read.s3?.region;
    const settings = await resolveAthenaSettings({
      ...athenaSettingsInput(own),
      ...(region === undefined ? {} : { region }),
    });
    options.onProgress?.(
      `hunt on Athena: workgroup ${settings.workGroup}, table ${settings.database}.${settings.table} (${settings.region})`,
    );
    const client = await createAthenaClient(settings);
    return runAthenaHunt(compiled, { ...options, settings, client });
  },
};
