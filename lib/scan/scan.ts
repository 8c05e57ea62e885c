import type { Input, Origin, ReadOptions } from '../ingest';
import { readRecordBatches } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, RuleEngine } from '../rules';

/** A rule that matched a record, before alerting decides what to do with it. */
export interface RuleMatch {
  readonly rule: DetectionRule;
  readonly record: CloudTrailRecord;
  readonly origin: Origin;
}

export type ScanEvent =
  | { readonly kind: 'match'; readonly match: RuleMatch }
  | {
      readonly kind: 'rule-error';
      readonly rule: DetectionRule;
      readonly record: CloudTrailRecord;
      readonly origin: Origin;
      readonly message: string;
    }
  | { readonly kind: 'problem'; readonly message: string; readonly origin: Origin }
  | { readonly kind: 'skipped'; readonly reason: string; readonly origin: Origin };

export interface ScanStats {
  /** Records parsed and tested against the rules that could match them. */
  evaluated: number;
  /** Records that no rule could match, recognised from their raw text and never parsed. */
  unparsed: number;
  matches: number;
  problems: number;
  ruleErrors: number;
  skipped: number;
}

export function emptyStats(): ScanStats {
  return { evaluated: 0, unparsed: 0, matches: 0, problems: 0, ruleErrors: 0, skipped: 0 };
}

/**
 * Reads the inputs and evaluates every record, batch by batch. Records that no rule could match are
 * recognised from their text and never parsed; a rule that throws yields a `rule-error` and the
 * other rules go on.
 */
export async function* scanInputs(
  inputs: readonly Input[],
  engine: RuleEngine,
  readOptions: ReadOptions,
  stats: ScanStats,
): AsyncGenerator<readonly ScanEvent[]> {
  const mayMatch = (text: string): boolean => {
    if (engine.mayMatchText(text)) return true;
    stats.unparsed++;
    return false;
  };
  for await (const batch of readRecordBatches(inputs, { ...readOptions, mayMatch })) {
    const events: ScanEvent[] = [];
    for (const result of batch) {
      if (result.kind === 'record') {
        stats.evaluated++;
        for (const outcome of engine.evaluate(result.record, result.raw)) {
          if (outcome.kind === 'match') {
            stats.matches++;
            events.push({
              kind: 'match',
              match: { rule: outcome.rule, record: result.record, origin: result.origin },
            });
          } else {
            stats.ruleErrors++;
            events.push({
              kind: 'rule-error',
              rule: outcome.rule,
              record: result.record,
              origin: result.origin,
              message: outcome.message,
            });
          }
        }
      } else if (result.kind === 'problem') {
        stats.problems++;
        events.push(result);
      } else {
        stats.skipped++;
        events.push(result);
      }
    }
    if (events.length > 0) yield events;
  }
}

/** How a rule that threw on a record is reported, by every command. */
export function describeRuleError(event: Extract<ScanEvent, { kind: 'rule-error' }>): string {
  return `rule '${event.rule.meta.title}' (${event.rule.meta.id}) failed on event ${event.record.eventID}: ${event.message}`;
}
