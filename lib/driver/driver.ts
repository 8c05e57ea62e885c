import type { Alert } from '../alerts';
import type { Input, Origin, ProblemFault, ReadOptions, ReadResult } from '../ingest';
import { mapOrdered, readRecordBatches } from '../ingest';
import type { AlertOutcome, AlertPipeline } from '../pipeline';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, RuleEngine } from '../rules';
import type { Tally } from './tally';
import { countOutcome, emptyTally } from './tally';

/** Where a poison record threw: evaluating the rules, building its alerts, or handling them. */
export type PoisonStage = 'evaluate' | 'alert' | 'deliver';

/** What the driver reports, in input order, to the caller that prints, logs or counts it. */
export type DriverEvent =
  | {
      readonly kind: 'alert';
      readonly alert: Alert;
      readonly record: CloudTrailRecord;
      readonly origin: Origin;
      /** Present when the driver handled the alert (suppression, dedup, routing, delivery). */
      readonly outcome?: AlertOutcome;
    }
  | {
      readonly kind: 'rule-error';
      readonly rule: DetectionRule;
      readonly record: CloudTrailRecord;
      readonly origin: Origin;
      readonly message: string;
    }
  | {
      readonly kind: 'problem';
      readonly message: string;
      readonly origin: Origin;
      /** `data`: the bytes are wrong; `transient`: a retry may succeed; `source`: missing or denied. */
      readonly fault: ProblemFault;
      /** True exactly when `fault` is `transient`. */
      readonly retryable: boolean;
    }
  | { readonly kind: 'skipped'; readonly reason: string; readonly origin: Origin }
  | {
      readonly kind: 'poison';
      readonly stage: PoisonStage;
      readonly origin: Origin;
      readonly eventID: string | undefined;
      readonly message: string;
    }
  /** An input read to its end (with `concurrency`, the backtest's objects): for progress. */
  | { readonly kind: 'input-done'; readonly input: Input; readonly index: number };

export interface DriveOptions {
  readonly engine: RuleEngine;
  readonly pipeline: AlertPipeline;
  /** Filters, S3 settings, standard input; the driver adds its own pre-filter. */
  readonly read?: Omit<ReadOptions, 'mayMatch'>;
  /**
   * True: every alert goes through suppression, dedup, routing and delivery. False: alerts are
   * only built (a scan without --notify, a lookup): correlations still count.
   */
  readonly handleAlerts: boolean;
  /**
   * Inputs read and evaluated at once, their events then alerted in input order (a backtest over
   * many S3 objects). 1 (the default) streams batch by batch, so memory stays bounded by a batch.
   */
  readonly concurrency?: number;
  /** The epoch ms by which an alert's deliveries must be settled; asked per alert. */
  readonly deliveryDeadline?: () => number | undefined;
  /** Awaited for every event, in input order: the caller prints, logs, counts. */
  readonly onEvent?: (event: DriverEvent) => void | Promise<void>;
  /** Called before an alert is handled (a backtest moves its replay clock to the event's time). */
  readonly beforeHandle?: (alert: Alert) => void;
  /** Asked between batches: true ends the run early (stdout closed by `head`). */
  readonly shouldStop?: () => boolean;
  readonly now?: () => number;
  /** The tally to fill, when the caller reads it while the run goes on (progress); else a new one. */
  readonly tally?: Tally;
}

/**
 * An error that is not the record's fault: the run cannot go on correctly for any record (the
 * state table is unreachable), so the driver stops and the caller reports it (Lambda retries).
 */
export function isInfrastructureFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'StateStoreError';
}

/** A record evaluated, before alerting: what the readers and the rules found, in order. */
type Evaluated =
  | {
      readonly kind: 'matches';
      readonly record: CloudTrailRecord;
      readonly origin: Origin;
      readonly rules: readonly DetectionRule[];
    }
  | Exclude<DriverEvent, { kind: 'alert' | 'input-done' }>;

/**
 * The one loop from inputs to delivered alerts: read → evaluate → alert → deliver, used by the
 * Lambda handlers, `scan`, `lookup`, `backtest` and `audit`. A record that throws anywhere on
 * that path is reported as `poison` with its location and the others go on; the caller chooses
 * the state store and destinations (through the pipeline) and what to print.
 */
export async function drive(
  inputs: Iterable<Input> | AsyncIterable<Input>,
  options: DriveOptions,
): Promise<Tally> {
  const tally = options.tally ?? emptyTally();
  const run = new Run(options, tally);
  const concurrency = options.concurrency ?? 1;
  if (concurrency <= 1) {
    let index = 0;
    for await (const input of inputs) {
      for await (const batch of readRecordBatches([input], run.readOptions())) {
        await run.alertStage(run.evaluate(batch));
        if (options.shouldStop?.()) return tally;
      }
      await run.emit({ kind: 'input-done', input, index: index++ });
    }
    return tally;
  }
  const indexed = withIndex(inputs);
  const evaluateWhole = async ([input, index]: readonly [Input, number]) => {
    const evaluated: Evaluated[] = [];
    for await (const batch of readRecordBatches([input], run.readOptions()))
      evaluated.push(...run.evaluate(batch));
    return { input, index, evaluated };
  };
  for await (const { input, index, evaluated } of mapOrdered(indexed, concurrency, evaluateWhole)) {
    await run.alertStage(evaluated);
    await run.emit({ kind: 'input-done', input, index });
    if (options.shouldStop?.()) break;
  }
  return tally;
}

async function* withIndex(
  inputs: Iterable<Input> | AsyncIterable<Input>,
): AsyncGenerator<readonly [Input, number]> {
  let index = 0;
  for await (const input of inputs) yield [input, index++] as const;
}

class Run {
  private readonly now: () => number;

  constructor(
    private readonly options: DriveOptions,
    private readonly tally: Tally,
  ) {
    this.now = options.now ?? Date.now;
  }

  readOptions(): ReadOptions {
    const { engine } = this.options;
    const tally = this.tally;
    // A record ruled out from its text was still read: it counts.
    const mayMatch = (text: string): boolean => {
      if (engine.mayMatchText(text)) return true;
      tally.unparsed++;
      return false;
    };
    return { ...this.options.read, mayMatch };
  }

  async emit(event: DriverEvent): Promise<void> {
    await this.options.onEvent?.(event);
  }

  /** The rules on each record of a batch; synchronous, so it can run inside concurrent reads. */
  evaluate(batch: readonly ReadResult[]): Evaluated[] {
    const evaluated: Evaluated[] = [];
    for (const result of batch) {
      if (result.kind === 'problem') {
        const { fault, retryable } = result;
        this.tally.problems++;
        if (retryable) this.tally.retryableProblems++;
        if (fault === 'data') this.tally.dataFaults++;
        evaluated.push({ kind: 'problem', message: result.message, origin: result.origin, fault, retryable });
        continue;
      }
      if (result.kind === 'skipped') {
        this.tally.skipped++;
        evaluated.push(result);
        continue;
      }
      this.tally.evaluated++;
      const { record, origin } = result;
      let outcomes: ReturnType<RuleEngine['evaluate']>;
      try {
        outcomes = this.options.engine.evaluate(record, result.raw);
      } catch (error) {
        evaluated.push(this.poison('evaluate', record, origin, error));
        continue;
      }
      const rules: DetectionRule[] = [];
      for (const outcome of outcomes) {
        if (outcome.kind === 'match') {
          this.tally.matches++;
          rules.push(outcome.rule);
        } else {
          this.tally.ruleErrors++;
          evaluated.push({
            kind: 'rule-error',
            rule: outcome.rule,
            record,
            origin,
            message: outcome.message,
          });
        }
      }
      if (rules.length > 0) evaluated.push({ kind: 'matches', record, origin, rules });
    }
    return evaluated;
  }

  /** Alerts for the matches, handled one by one in order; everything reported to the caller. */
  async alertStage(evaluated: readonly Evaluated[]): Promise<void> {
    for (const item of evaluated) {
      if (item.kind !== 'matches') {
        await this.emit(item);
        continue;
      }
      const { record, origin } = item;
      for (const rule of item.rules) {
        let alerts: Alert[];
        try {
          alerts = await this.options.pipeline.alertsFor(rule, record, origin);
        } catch (error) {
          if (isInfrastructureFailure(error)) throw error;
          await this.emit(this.poison('alert', record, origin, error));
          continue;
        }
        for (const alert of alerts) {
          this.tally.alerts++;
          let outcome: AlertOutcome | undefined;
          if (this.options.handleAlerts) {
            try {
              this.options.beforeHandle?.(alert);
              const deadlineAt = this.options.deliveryDeadline?.();
              outcome = await this.options.pipeline.handleAlert(
                alert,
                deadlineAt === undefined ? {} : { deadlineAt },
              );
            } catch (error) {
              if (isInfrastructureFailure(error)) throw error;
              await this.emit(this.poison('deliver', record, origin, error));
              continue;
            }
            countOutcome(this.tally, outcome, this.now());
          }
          await this.emit({ kind: 'alert', alert, record, origin, ...(outcome ? { outcome } : {}) });
        }
      }
    }
  }

  private poison(
    stage: PoisonStage,
    record: CloudTrailRecord,
    origin: Origin,
    error: unknown,
  ): Extract<DriverEvent, { kind: 'poison' }> {
    this.tally.poisonRecords++;
    const eventID = typeof record.eventID === 'string' ? record.eventID : undefined;
    return { kind: 'poison', stage, origin, eventID, message: describeThrown(error) };
  }
}

/** A thrown value as one line, whatever was thrown (a string, an object, a stack overflow). */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'a value that cannot be described';
  }
}

/** How a rule that threw on a record is reported, by every command. */
export function describeRuleError(event: Extract<DriverEvent, { kind: 'rule-error' }>): string {
  return `rule '${event.rule.meta.title}' (${event.rule.meta.id}) failed on event ${String(event.record.eventID)}: ${event.message}`;
}
