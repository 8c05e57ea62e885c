import type { Actor } from '../actor/types';
import type { Alert } from '../alerts';
import { recordView } from '../alerts';
import type { Input, Origin, ProblemFault, ReadOptions, ReadResult } from '../ingest';
import { mapOrdered, readRecordBatches } from '../ingest';
import type { AlertOutcome, AlertPipeline } from '../pipeline';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, RuleEngine } from '../rules';
import { StateStoreError } from '../state';
import type { Tally } from './tally';
import { countOutcome, emptyTally } from './tally';

/** Where a poison record threw: attributing it, evaluating the rules, building its alerts, or handling them. */
export type PoisonStage = 'attribute' | 'evaluate' | 'alert' | 'deliver';

/**
 * Who is behind each record: learns sessions from the records that start them, then resolves each
 * record's actor (lib/actor's ActorResolver). Both must not throw; the driver isolates them anyway.
 */
export interface ActorSource {
  /** True for a record `observe` learns from: such records are never ruled out unparsed. */
  isSessionStart(record: CloudTrailRecord): boolean;
  /**
   * A cheap look at raw text: false when the text cannot be a session start. `eventName`, when not
   * null, is the text's unambiguous eventName already read (undefined: it has none).
   */
  mayStartSession(text: string, eventName?: string | null): boolean;
  /**
   * True when the raw text shows the record's session is its own (actor values are in its text).
   * Without it, every record a rule on `actor.*` might match is parsed.
   */
  isUnlinked?(text: string): boolean;
  observe(record: CloudTrailRecord): Promise<void>;
  resolve(record: CloudTrailRecord): Promise<Actor>;
}

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
  /** Every record read and parsed, with its actor, when the caller asked for them (`audit`). */
  | {
      readonly kind: 'record';
      readonly record: CloudTrailRecord;
      readonly origin: Origin;
      readonly actor: Actor | undefined;
      /** The rules the record matched (their alerts follow as `alert` events). */
      readonly rules: readonly DetectionRule[];
    }
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
  readonly read?: Omit<ReadOptions, 'mayMatch' | 'onRuledOut'>;
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
  /** Attribution: each record's actor, for rules on `actor.*` and for every alert. */
  readonly actors?: ActorSource;
  /** Every record is parsed and reported as a `record` event (none is ruled out unparsed). */
  readonly everyRecord?: boolean;
  /** The sessions were learned by `learnSessions` beforehand: session starts need no second look. */
  readonly sessionsLearned?: boolean;
}

/**
 * An error that is not the record's fault: the run cannot go on correctly for any record (the
 * state table is unreachable), so the driver stops and the caller reports it (Lambda retries).
 */
export function isInfrastructureFailure(error: unknown): boolean {
  return error instanceof StateStoreError;
}

/** A record evaluated, before alerting: what the readers and the rules found, in order. */

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
        await run.process(batch);
        if (options.shouldStop?.()) return tally;
      }
      await run.emit({ kind: 'input-done', input, index: index++ });
    }
    return tally;
  }
  // Reads overlap (S3 latency dominates); attribution, rules and alerting then see each input's
  // records in input order, as the live pipeline would.
  const readWhole = async ([input, index]: readonly [Input, number]) => {
    const results: ReadResult[] = [];
    for await (const batch of readRecordBatches([input], run.readOptions())) results.push(...batch);
    return { input, index, results };
  };
  for await (const { input, index, results } of mapOrdered(withIndex(inputs), concurrency, readWhole)) {
    await run.process(results);
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

/** What `Run.isolated` answers for a stage that failed on the record and was set aside. */
const SET_ASIDE: unique symbol = Symbol('set aside');

class Run {
  private readonly now: () => number;

  constructor(
    private readonly options: DriveOptions,
    private readonly tally: Tally,
  ) {
    this.now = options.now ?? Date.now;
  }

  readOptions(): ReadOptions {
    const { engine, actors, everyRecord } = this.options;
    if (everyRecord) return { ...this.options.read };
    const tally = this.tally;
    // A record ruled out from its text was still read: it counts, when the filter keeps it (the
    // reader says so), as `cat` counts it. A record that may start a session is parsed whatever the
    // rules say: attribution learns from it.
    const learn = actors !== undefined && this.options.sessionsLearned !== true;
    const mayMatch = (text: string): boolean => {
      // Rules on `actor.*` are judged by their literals unless the record's session may be linked to
      // an earlier one (its person and roles then need not be in its text).
      if (engine.mayMatchText(text, () => actors === undefined || this.isUnlinked(text))) return true;
      // A record that may start a session is parsed: attribution learns from it. Asked second, as
      // most records the rules want are parsed anyway (both questions only read the text).
      // The engine has just read the text's eventName: the question needs no second look for it.
      if (learn && actors?.mayStartSession(text, engine.eventNameOf(text))) return true;
      return false;
    };
    const onRuledOut = (): void => {
      tally.unparsed++;
    };
    return { ...this.options.read, mayMatch, onRuledOut };
  }

  /** Whether a raw record's session is certainly its own (see ActorSource.isUnlinked). */
  private isUnlinked(raw: string): boolean {
    return this.options.actors?.isUnlinked?.(raw) === true;
  }

  async emit(event: DriverEvent): Promise<void> {
    await this.options.onEvent?.(event);
  }

  /**
   * One batch: first every session it starts is learned (a batch's AssumeRole may follow the calls
   * it explains), then each record is attributed, evaluated and alerted, in order.
   */
  async process(batch: readonly ReadResult[]): Promise<void> {
    const { actors, sessionsLearned } = this.options;
    const unlearned = new Set<CloudTrailRecord>();
    if (actors && !sessionsLearned) {
      for (const result of batch) {
        if (result.kind !== 'record' || !actors.isSessionStart(result.record)) continue;
        const learned = await this.isolated('attribute', result.record, result.origin, () =>
          actors.observe(result.record),
        );
        if (learned === SET_ASIDE) unlearned.add(result.record);
      }
    }
    for (const result of batch) {
      if (result.kind === 'problem') {
        const { fault, retryable } = result;
        this.tally.problems++;
        if (retryable) this.tally.retryableProblems++;
        if (fault === 'data') this.tally.dataFaults++;
        await this.emit({
          kind: 'problem',
          message: result.message,
          origin: result.origin,
          fault,
          retryable,
        });
      } else if (result.kind === 'skipped') {
        this.tally.skipped++;
        await this.emit(result);
      } else if (!unlearned.has(result.record)) {
        await this.record(result.record, result.origin, result.raw);
      }
    }
  }

  private async record(record: CloudTrailRecord, origin: Origin, rawText: string | undefined): Promise<void> {
    this.tally.evaluated++;
    // A record that came as an object (EventBridge's detail, an API's answer) gets its JSON text
    // written out, so the rules' literal checks can rule out the regex rules before their first
    // match compiles them: in a cold EventBridge function, compiling one costs RE2's ~10 ms start.
    const raw = rawText ?? JSON.stringify(record);
    const { actors, engine, everyRecord } = this.options;
    // The actor is resolved before the rules only when a rule that could match reads it (or the
    // caller wants every record's actor); otherwise only for records that matched, for their alerts.
    let actor: Actor | undefined;
    const mode = (): 'unlinked' | 'open' => (this.isUnlinked(raw) ? 'unlinked' : 'open');
    const attributeFirst =
      actors !== undefined && (everyRecord === true || engine.needsActor(record, raw, mode));
    if (attributeFirst) {
      const resolved = await this.isolated('attribute', record, origin, () => actors.resolve(record));
      if (resolved === SET_ASIDE) return;
      actor = resolved;
    }
    // Rules see the actor beside the record's own fields; the record itself is left as it came.
    const outcomes = await this.isolated('evaluate', record, origin, () =>
      engine.evaluate(recordView(record, actor), raw),
    );
    if (outcomes === SET_ASIDE) return;
    if (actors !== undefined && !attributeFirst && outcomes.some((outcome) => outcome.kind === 'match')) {
      const resolved = await this.isolated('attribute', record, origin, () => actors.resolve(record));
      if (resolved === SET_ASIDE) return;
      actor = resolved;
    }
    const rules: DetectionRule[] = [];
    for (const outcome of outcomes) {
      if (outcome.kind === 'match') {
        this.tally.matches++;
        rules.push(outcome.rule);
      } else {
        this.tally.ruleErrors++;
        await this.emit({ kind: 'rule-error', rule: outcome.rule, record, origin, message: outcome.message });
      }
    }
    if (this.options.everyRecord) await this.emit({ kind: 'record', record, origin, actor, rules });
    for (const rule of rules) await this.alert(rule, record, origin, actor);
  }

  /**
   * One stage of one record. A failure that is the record's own is set aside: reported as poison
   * with its location (the others go on) and answered with SET_ASIDE. An outage of what every
   * record needs (the state table) is rethrown: the run stops and the caller reports it.
   */
  private async isolated<T>(
    stage: PoisonStage,
    record: CloudTrailRecord,
    origin: Origin,
    work: () => T | Promise<T>,
  ): Promise<T | typeof SET_ASIDE> {
    try {
      return await work();
    } catch (error) {
      if (isInfrastructureFailure(error)) throw error;
      await this.emit(this.poison(stage, record, origin, error));
      return SET_ASIDE;
    }
  }

  /** A match's alerts, handled one by one in order; everything reported to the caller. */
  private async alert(
    rule: DetectionRule,
    record: CloudTrailRecord,
    origin: Origin,
    actor: Actor | undefined,
  ): Promise<void> {
    const { pipeline } = this.options;
    const alerts = await this.isolated('alert', record, origin, () =>
      pipeline.alertsFor(rule, record, origin, actor),
    );
    if (alerts === SET_ASIDE) return;
    for (const alert of alerts) {
      this.tally.alerts++;
      let outcome: AlertOutcome | undefined;
      if (this.options.handleAlerts) {
        const handled = await this.isolated('deliver', record, origin, () => {
          this.options.beforeHandle?.(alert);
          const deadlineAt = this.options.deliveryDeadline?.();
          return pipeline.handleAlert(alert, deadlineAt === undefined ? {} : { deadlineAt });
        });
        if (handled === SET_ASIDE) continue;
        outcome = handled;
        countOutcome(this.tally, outcome, this.now());
      }
      await this.emit({ kind: 'alert', alert, record, origin, ...(outcome ? { outcome } : {}) });
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

/**
 * A first pass for attribution: reads the inputs and learns every session they start, parsing only
 * records whose text may start one. Run before `drive` when the inputs can be read twice (files,
 * folders, S3): a role's AssumeRole is then known before its calls, whatever file or region each
 * sits in. Problems are left to the main pass, which reports them.
 */
export async function learnSessions(
  inputs: Iterable<Input> | AsyncIterable<Input>,
  actors: ActorSource,
  read: Omit<ReadOptions, 'mayMatch'> = {},
): Promise<number> {
  let learned = 0;
  const options: ReadOptions = { ...read, mayMatch: (text) => actors.mayStartSession(text) };
  for await (const input of inputs) {
    for await (const batch of readRecordBatches([input], options)) {
      for (const result of batch) {
        if (result.kind !== 'record' || !actors.isSessionStart(result.record)) continue;
        try {
          await actors.observe(result.record);
          learned++;
        } catch (error) {
          // The main pass meets the same record again and reports it where it stands.
          if (isInfrastructureFailure(error)) throw error;
        }
      }
    }
  }
  return learned;
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
