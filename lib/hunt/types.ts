import type { ScanCost } from '../athena/cost';
import type { Input, Origin, ReadOptions } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { CompiledHunt, HuntScope, SqlDialect, Unsupported } from '../sql';
import type * as z from '../validation';

/** What every hunt engine (DuckDB, Athena) is given and gives back. */

export interface HuntRunOptions {
  /** The inputs named on the command line (DuckDB reads them; Athena reads its table instead). */
  readonly inputs: readonly Input[];
  /** How the readers read them (S3 endpoint, record size cap, the scope as a layout filter). */
  readonly read: ReadOptions;
  readonly scope: HuntScope;
  /** Called for each input problem (bad gzip, a missing file), as scan reports them. */
  readonly onProblem?: (message: string, origin: Origin) => void;
  /** Called with the engine's progress lines (which Athena workgroup and table it queries). */
  readonly onProgress?: (message: string) => void;
  /**
   * The engine's own flags as given (camelCase keys, `outputLocation` for `--output-location`),
   * checked by the engine's `options` schema when it runs; absent: none given.
   */
  readonly engineOptions?: Readonly<Record<string, unknown>>;
}

/** One flag an engine takes on `trailwatch hunt`: commander's spelling and its help line. */
export interface EngineFlag {
  readonly flags: string;
  readonly description: string;
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
  /** Queries the engine ran, and what they cost, when the engine bills per query (Athena). */
  readonly queries?: number;
  readonly cost?: ScanCost;
}

/** One SQL engine hunt can run on: its dialect and how it runs a compiled hunt. */
export interface HuntEngine {
  readonly name: string;
  /** True when the engine reads the inputs named on the command line (so JavaScript can too). */
  readonly readsLocalInputs: boolean;
  /** The engine's own flags, declared on `hunt`; a flag no chosen engine takes is a usage error. */
  readonly flags: readonly EngineFlag[];
  /**
   * The engine's own schema for those flags (strict: a key it does not take is refused), as
   * notifiers bring theirs: the command checks them before compiling, `run` reads them again.
   */
  readonly options: z.ZodMiniType;
  dialect(): SqlDialect;
  run(compiled: CompiledHunt, options: HuntRunOptions): Promise<HuntResult>;
}
