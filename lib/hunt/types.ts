import type { Input, Origin, ReadOptions } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { CompiledHunt, HuntScope, SqlDialect, Unsupported } from '../sql';

/** What every hunt engine (DuckDB, Athena) is given and gives back. */

export interface HuntRunOptions {
  /** The inputs named on the command line (DuckDB reads them; Athena reads its table instead). */
  readonly inputs: readonly Input[];
  /** How the readers read them (S3 endpoint, record size cap, the scope as a layout filter). */
  readonly read: ReadOptions;
  readonly scope: HuntScope;
  /** Called for each input problem (bad gzip, a missing file), as scan reports them. */
  readonly onProblem?: (message: string, origin: Origin) => void;
}

/** One record a compiled rule matched. */
export interface HuntMatch {
  readonly ruleId: string;
  readonly record: CloudTrailRecord;
  readonly origin?: Origin;
  /** The record's position in the hunt's reading order (correlations count matches in this order). */
  readonly position: number;
}

export interface HuntResult {
  readonly matches: readonly HuntMatch[];
  /** Rules the engine refused at run time (a pattern its regex engine rejects), with its message. */
  readonly refused: readonly Unsupported[];
  /** Records the engine read, when it knows (DuckDB); Athena reports scanned bytes instead. */
  readonly records?: number;
  readonly problems: number;
  readonly scannedBytes?: number;
}

/** One SQL engine hunt can run on: its dialect and how it runs a compiled hunt. */
export interface HuntEngine {
  readonly name: string;
  /** True when the engine reads the inputs named on the command line (so JavaScript can too). */
  readonly readsLocalInputs: boolean;
  dialect(): SqlDialect;
  run(compiled: CompiledHunt, options: HuntRunOptions): Promise<HuntResult>;
}
