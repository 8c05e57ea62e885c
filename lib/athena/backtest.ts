import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudTrailRecord } from '../records';
import type { Placeholders, RuleSet } from '../rules';
import type { HuntScope, Unsupported } from '../sql';
import { compileHunt } from '../sql';
import type { ScanCost } from './cost';
import { createAthenaDialect } from './dialect';
import { runAthenaHunt } from './engine';
import type { AthenaSettings } from './settings';

/**
 * `backtest --engine athena`: Athena finds the records the rules match over the window (one scan
 * of its partitions), and the backtest replays those records through the same rules and alerting
 * as a backtest of files does (lib/history/backtest.ts), so the report is the same report. The
 * replay re-runs only the rules SQL compiled, on records SQL matched: a compiled rule matches the
 * same records either way (test/athena/dialect-equivalence.test.ts), and correlations count those
 * matches in event-time order. Rules SQL cannot express (first-seen, attribution) need every
 * record, not just matches: they are left out and listed.
 */
export interface AthenaBacktestOptions {
  readonly set: RuleSet;
  readonly placeholders?: Placeholders;
  readonly scope: HuntScope;
  readonly settings: AthenaSettings;
  readonly client: AthenaClient;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onQuery?: (rules: number, cost: ScanCost) => void;
}

export interface AthenaBacktestInput {
  /** The matched records, once each, in event-time order. */
  readonly records: readonly CloudTrailRecord[];
  /** The rules the replay runs: the compiled detections and the correlations counting them. */
  readonly rules: RuleSet;
  /** Left out, with the reason: SQL cannot express them, or Athena refused their query. */
  readonly unsupported: readonly Unsupported[];
  readonly cost: ScanCost;
  readonly queries: number;
}

export async function athenaBacktestInput(options: AthenaBacktestOptions): Promise<AthenaBacktestInput> {
  const { set, settings } = options;
  const compiled = compileHunt(set, createAthenaDialect(settings), options.placeholders ?? {});
  const result = await runAthenaHunt(compiled, {
    inputs: [],
    read: {},
    scope: options.scope,
    settings,
    client: options.client,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.onQuery === undefined ? {} : { onQuery: options.onQuery }),
  });
  const refused = new Set(result.refused.map((rule) => rule.ruleId));
  const detectionIds = new Set(compiled.rules.map((rule) => rule.ruleId).filter((id) => !refused.has(id)));
  const correlations = set.correlations.filter((correlation) =>
    compiled.correlations.some(
      (feed) => feed.ruleId === correlation.meta.id && feed.ruleIds.every((id) => detectionIds.has(id)),
    ),
  );
  const records: CloudTrailRecord[] = [];
  let last = -1;
  for (const match of result.matches) {
    if (match.position === last) continue;
    last = match.position;
    records.push(match.record);
  }
  return {
    records,
    rules: {
      ...set,
      detections: set.detections.filter((rule) => detectionIds.has(rule.meta.id)),
      correlations,
      correlationOnly: new Set([...set.correlationOnly].filter((id) => detectionIds.has(id))),
    },
    unsupported: [
      ...compiled.unsupported,
      ...result.refused,
      ...compiled.correlations
        .filter((feed) => !correlations.some((correlation) => correlation.meta.id === feed.ruleId))
        .map((feed) => ({
          ruleId: feed.ruleId,
          title: feed.title,
          reason: 'it counts a rule Athena refused',
        })),
    ],
    cost: result.cost,
    queries: result.queries,
  };
}
