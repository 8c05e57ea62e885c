import type { Actor } from '../actor/types';
import type { DriverEvent, Tally } from '../driver';
import { drive } from '../driver';
import type { ActorSource } from '../driver/driver';
import type { Input, ReadOptions } from '../ingest';
import { readRecordBatches } from '../ingest';
import type { AlertPipeline } from '../pipeline';
import type { CloudTrailRecord } from '../records';
import type { RuleEngine } from '../rules';
import { AuditCollector } from './collect';
import type { AuditReport } from './model';
import type { PersonQuery } from './who';

/**
 * How far before `--since` the first pass looks for the events that start sessions: a session's
 * credentials can be that old when its actions fall inside the window. The longest temporary
 * credentials are GetSessionToken's and GetFederationToken's, 129,600 seconds (36 hours) for an IAM
 * user; AssumeRole's are at most 12 hours.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
 */
export const SESSION_LOOKBACK_MS = 129_600 * 1000;

type SourceReadOptions = Omit<ReadOptions, 'mayMatch'>;

export interface AuditInputsOptions {
  readonly query: PersonQuery;
  readonly actors: ActorSource;
  readonly engine: RuleEngine;
  /** Builds alerts only (nothing is sent): rule matches and correlations on the person's actions. */
  readonly pipeline: AlertPipeline;
  readonly read: SourceReadOptions;
  /** Every driver event that is not a record or an alert (problems, skipped inputs, poison). */
  readonly onDiagnostic?: (event: DriverEvent) => void;
}

export interface AuditInputsResult {
  readonly report: AuditReport;
  /** Pass 2's tally: records read, problems. */
  readonly tally: Tally;
  /** Session starts learned in pass 1. */
  readonly sessionStarts: number;
}

/**
 * Two passes over the same inputs. Attribution must see a session's start before its calls, and a
 * start may sit in a later file than the calls it explains (a day's objects are delivered per
 * account and region, five minutes at a time, in any order). Pass 1 reads only the records whose
 * raw text may start a session (the others are never parsed), learns them in event-time order (a
 * chain's second AssumeRole is attributed through its first), and looks `SESSION_LOOKBACK_MS`
 * before `--since`. Pass 2 reads everything in the window with every record reported, attributed
 * and evaluated. `inputs` must be readable twice: standard input is buffered by the caller.
 */
export async function auditInputs(
  inputs: readonly Input[],
  options: AuditInputsOptions,
): Promise<AuditInputsResult> {
  const collector = new AuditCollector(options.query);
  const learned = await learnSessions(inputs, options, collector);
  const tally = await drive(inputs, {
    engine: options.engine,
    pipeline: options.pipeline,
    read: options.read,
    handleAlerts: false,
    actors: alreadyLearned(options.actors, learned),
    everyRecord: true,
    onEvent: (event) => {
      if (event.kind === 'record') collector.addRecord(event.record, event.actor, event.rules);
      else if (event.kind === 'alert') collector.addAlert(event.alert);
      else options.onDiagnostic?.(event);
    },
  });
  return { report: collector.report(), tally, sessionStarts: learned.size };
}

/** Pass 1. Problems are left to pass 2, which reads the same bytes and reports each once. */
async function learnSessions(
  inputs: readonly Input[],
  options: AuditInputsOptions,
  collector: AuditCollector,
): Promise<Set<string>> {
  const { actors } = options;
  const since = options.read.filter?.since;
  const filter = {
    ...options.read.filter,
    ...(since === undefined ? {} : { since: since - SESSION_LOOKBACK_MS }),
  };
  const starts: { record: CloudTrailRecord; time: number; order: number }[] = [];
  const read = { ...options.read, filter, mayMatch: (text: string) => actors.mayStartSession(text) };
  for await (const batch of readRecordBatches(inputs, read)) {
    for (const result of batch) {
      if (result.kind !== 'record' || !actors.isSessionStart(result.record)) continue;
      const time = Date.parse(result.record.eventTime);
      starts.push({ record: result.record, time: Number.isNaN(time) ? 0 : time, order: starts.length });
    }
  }
  // At one time, the other account's copy of a cross-account AssumeRole (caller shown only as
  // `AWSAccount`) is learned before the caller's own copy, which names the whole chain.
  starts.sort(
    (a, b) => a.time - b.time || callerCopyLast(a.record) - callerCopyLast(b.record) || a.order - b.order,
  );
  const learned = new Set<string>();
  for (const { record } of starts) {
    learned.add(record.eventID);
    let actor: Actor | undefined;
    try {
      await actors.observe(record);
      actor = await actors.resolve(record);
    } catch {
      // Pass 2 observes it again and reports the failure with its location, as poison.
    }
    collector.noteStart(record, actor);
  }
  return learned;
}

function callerCopyLast(record: CloudTrailRecord): number {
  return record.userIdentity?.type === 'AWSAccount' ? 0 : 1;
}

/**
 * Pass 2's view of the actors: the starts pass 1 learned, in time order across every input, are
 * not learned again in input order, which could let an earlier-read but less complete copy of a
 * start replace what pass 1 learned.
 */
function alreadyLearned(actors: ActorSource, learned: ReadonlySet<string>): ActorSource {
  return {
    isSessionStart: (record) => actors.isSessionStart(record),
    mayStartSession: (text) => actors.mayStartSession(text),
    observe: async (record) => {
      if (!learned.has(record.eventID)) await actors.observe(record);
    },
    resolve: (record) => actors.resolve(record),
  };
}
