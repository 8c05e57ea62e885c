import type { HuntScope } from './dialect';

/** What the compiler produces from a rule set, for one dialect. */

/** One detection rule compiled: its WHERE expression over the dialect's source, one row per record. */
export interface RuleSql {
  readonly ruleId: string;
  readonly title: string;
  readonly level: string;
  /** The boolean expression a record must satisfy (the dialect's `matchQuery` wraps it). */
  readonly where: string;
  /** The field paths the expression reads (`null`: the record's text, for keywords). */
  readonly fields: readonly (string | null)[];
  /** It only feeds correlations (`generate: false`): its matches raise no finding of their own. */
  readonly correlationOnly: boolean;
}

/** A rule SQL cannot express as the JavaScript engine evaluates it, and why. */
export interface Unsupported {
  readonly ruleId: string;
  readonly title: string;
  readonly reason: string;
}

/**
 * A correlation (event_count, value_count) whose detection rules all compiled. It is not a SQL
 * query: the JavaScript correlation engine resets a group's window each time it fires and reads
 * matches in arrival order, which a SQL window or GROUP BY over time buckets does not reproduce.
 * An engine feeds the SQL matches of `ruleIds`, in record order, to lib/correlate.
 */
export interface CorrelationFeed {
  readonly ruleId: string;
  readonly title: string;
  readonly level: string;
  readonly type: 'event_count' | 'value_count';
  /** The detection rules it counts; each is in `rules` (compiled to SQL). */
  readonly ruleIds: readonly string[];
}

export interface CompiledHunt {
  readonly dialect: string;
  readonly rules: readonly RuleSql[];
  readonly unsupported: readonly Unsupported[];
  readonly correlations: readonly CorrelationFeed[];
}

export type { HuntScope };
