import { statSync } from 'node:fs';
import { accountNamesFor } from '../accounts';
import { ActorResolver, MemorySessionStore } from '../actor';
import type { TrailwatchConfig } from '../config';
import type { Tally } from '../driver';
import { drive, learnSessions, recordsRead, tallyCounts } from '../driver';
import type { Input } from '../ingest';
import type { AlertOutcome } from '../pipeline';
import { AlertPipeline, createDestinations, createStateStore, defaultNotifierContext } from '../pipeline';
import type { RuleSet } from '../rules';
import { formatLocation, levelRank, RuleEngine } from '../rules';
import type { Finding } from '../scan';
import { personLine, ShownAlerts, toFinding } from '../scan';
import { MemoryStateStore } from '../state';
import * as z from '../validation';
import { parseInputs } from './cat';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, LineWriter, UsageError, writeDiagnostic } from './io';
import {
  outputFlag,
  readBy,
  readDuration,
  readFlagsShape,
  readLevel,
  toLayoutFilter,
  toRecordLimits,
  toS3Settings,
  windowInOrder,
} from './options';
import { reportDiagnostic } from './report';
import { loadCommandRules, ruleFlagsShape } from './rule-options';
import type { Column, TableOptions } from './table';
import { arnTail, renderColumns, terminalWidth } from './table';

export const SCAN_FORMATS = ['table', 'json', 'ndjson'] as const;

/** A CLI alert's deliveries settle within this unless --delivery-timeout says otherwise. */
export const DEFAULT_CLI_DELIVERY_TIMEOUT_MS = 60_000;

/** `trailwatch scan`'s flags, checked and typed at the edge. */
export function scanFlags(now: number) {
  return z
    .object({
      ...readFlagsShape(now),
      ...ruleFlagsShape,
      output: outputFlag(SCAN_FORMATS, 'table'),
      minLevel: z.optional(readBy(readLevel)),
      failOn: z.optional(readBy(readLevel)),
      notify: z.optional(z.boolean()),
      verbose: z.optional(z.boolean()),
      /** How long one alert's deliveries may take, all destinations at once (`30s`, `2m`). */
      deliveryTimeout: z._default(readBy(readDuration), DEFAULT_CLI_DELIVERY_TIMEOUT_MS),
    })
    .check(z.superRefine(windowInOrder));
}
export type ScanOptions = z.output<ReturnType<typeof scanFlags>>;

function notificationPipeline(config: TrailwatchConfig, set: RuleSet, notify: boolean): AlertPipeline {
  if (notify && Object.keys(config.destinations).length === 0) {
    throw new UsageError(
      `--notify needs destinations in ${config.file ?? 'trailwatch.yml'} (none are configured)`,
    );
  }
  return new AlertPipeline({
    config,
    rules: set,
    // Without --notify the pipeline only builds alerts (and counts correlations) in memory.
    state: notify ? createStateStore(config) : new MemoryStateStore(),
    destinations: notify ? createDestinations(config, defaultNotifierContext()) : new Map(),
  });
}

/** `trailwatch scan`: the readers, the rules, the alerts, and with --notify their delivery. */
export async function runScan(args: readonly string[], options: ScanOptions, io: CliIo): Promise<number> {
  const { output: format, minLevel, failOn, deliveryTimeout: deliveryTimeoutMs } = options;
  const inputs = parseInputs(args);
  const filter = toLayoutFilter(options);
  const { config, set } = loadCommandRules(options, io, 'scan for');
  if (options.verbose) {
    for (const warning of set.warnings)
      writeDiagnostic(
        io,
        `trailwatch: rule warning: ${formatLocation(warning.location)}: ${warning.message}`,
      );
  }
  const pipeline = notificationPipeline(config, set, options.notify === true);
  // Names next to account ids (trailwatch.yml `accounts:`, or Organizations): looked up once.
  const accounts = accountNamesFor(config.accounts, (message) =>
    writeDiagnostic(io, `trailwatch: ${message}`),
  );
  await accounts.ready();

  const engine = new RuleEngine(set.detections);
  const out = new LineWriter(io.stdout);
  const collected: Finding[] = [];
  let worst = -1;
  const verbose = options.verbose === true;
  const read = { filter, s3: toS3Settings(options), stdin: io.stdin, ...toRecordLimits(options) };
  // Attribution: over many files (folders, S3 prefixes: regions and accounts in separate files)
  // sessions are learned in a first pass, so a role's AssumeRole is known before its calls whatever
  // file holds each. One file is in time order and is read once; standard input cannot be re-read.
  const shown = new ShownAlerts();
  const actors = new ActorResolver(new MemorySessionStore());
  const sessionsLearned = spansFiles(inputs);
  if (sessionsLearned) await learnSessions(inputs, actors, read);
  const tally = await drive(inputs, {
    actors,
    sessionsLearned,
    engine,
    pipeline,
    read,
    handleAlerts: options.notify === true,
    deliveryDeadline: () => Date.now() + deliveryTimeoutMs,
    shouldStop: () => io.stdout.destroyed === true,
    onEvent: async (event) => {
      if (event.kind !== 'alert') {
        reportDiagnostic(event, io, verbose);
        return;
      }
      const { alert, outcome } = event;
      worst = Math.max(worst, levelRank(alert.level));
      if (outcome) reportDeliveryFailures(outcome, io);
      // The same record read twice gives the same alert: shown once, counted in the summary.
      if (!shown.firstShowing(alert)) return;
      if (minLevel && levelRank(alert.level) < levelRank(minLevel)) return;
      const finding = toFinding(alert, accounts);
      if (format === 'ndjson') await out.line(JSON.stringify(finding));
      else collected.push(finding);
    },
  });
  if (format === 'json') {
    await out.line(
      JSON.stringify(
        { findings: collected, summary: summary(tally, ruleCounts(set), shown.duplicates) },
        null,
        2,
      ),
    );
  }
  if (format === 'table') {
    for (const line of renderTable(collected, { width: terminalWidth(io.stdout) })) await out.line(line);
  }
  await out.flush();
  writeDiagnostic(io, `trailwatch: ${describeTally(tally, ruleCounts(set), shown.duplicates)}`);
  const n = tally.notifications;
  if (options.notify) {
    writeDiagnostic(
      io,
      `trailwatch: notifications: ${n.sent} sent, ${n.alreadySent} already sent, ${n.deduplicated} deduplicated, ${n.suppressed} suppressed, ${n.unrouted} with no destination, ${n.failed} failed, ${n.unknown} with no answer (the receiver may have them), ${n.inFlightElsewhere} being sent by another process`,
    );
  }
  const failedInput =
    tally.problems > 0 ||
    tally.ruleErrors > 0 ||
    tally.poisonRecords > 0 ||
    set.errors.length > 0 ||
    n.failed > 0 ||
    n.unknown > 0;
  const failedLevel = failOn !== undefined && worst >= levelRank(failOn);
  return failedInput || failedLevel ? EXIT_INPUT_FAILED : EXIT_OK;
}

/** Whether the inputs span several files (a folder, an S3 prefix, several names) and none is stdin. */
function spansFiles(inputs: readonly Input[]): boolean {
  if (inputs.some((input) => input.kind === 'stdin')) return false;
  if (inputs.length > 1) return true;
  const [input] = inputs;
  if (input?.kind === 's3') return true;
  if (input?.kind !== 'path') return false;
  try {
    return statSync(input.path).isDirectory();
  } catch {
    return false;
  }
}

/** Each delivery that did not go out, named on stderr as it happens. */
function reportDeliveryFailures(outcome: AlertOutcome, io: CliIo): void {
  // A deduplicated alert has deliveries too when a destination threads repeats (a Slack app).
  if (outcome.status === 'suppressed' || outcome.deliveries === undefined) return;
  for (const delivery of outcome.deliveries) {
    if (delivery.status === 'failed' || delivery.status === 'unknown-destination') {
      const why = delivery.status === 'failed' ? delivery.result.error : 'no such destination';
      writeDiagnostic(io, `trailwatch: error: alert ${outcome.alert.id} to ${delivery.destination}: ${why}`);
    } else if (delivery.status === 'unknown') {
      writeDiagnostic(
        io,
        `trailwatch: warning: alert ${outcome.alert.id} to ${delivery.destination}: sent, no answer (the receiver may have it): ${delivery.error}`,
      );
    }
  }
}

/**
 * The rules a run loaded, as the README counts them: detections and first-seen rules test each
 * record; correlation rules count those rules' alerts.
 */
export interface RuleCounts {
  readonly detections: number;
  readonly correlations: number;
}

function ruleCounts(set: Pick<RuleSet, 'detections' | 'correlations'>): RuleCounts {
  return { detections: set.detections.length, correlations: set.correlations.length };
}

function summary(tally: Tally, rules: RuleCounts, duplicateAlerts: number) {
  return {
    rules: rules.detections,
    correlationRules: rules.correlations,
    ...tallyCounts(tally),
    duplicateAlerts,
  };
}

/** The closing line every evaluating command prints. */
export function describeTally(tally: Tally, rules: RuleCounts, duplicateAlerts = 0): string {
  const duplicates =
    duplicateAlerts > 0
      ? `, ${duplicateAlerts} duplicate alert(s) not shown again (a record read twice)`
      : '';
  return `${recordsRead(tally)} record(s) read (${tally.unparsed} ruled out unparsed), ${rules.detections} detection and first-seen rule(s), ${rules.correlations} correlation rule(s), ${tally.matches} rule match(es), ${tally.alerts} alert(s)${duplicates}, ${tally.problems} input problem(s)${tally.ruleErrors > 0 ? `, ${tally.ruleErrors} rule error(s)` : ''}${tally.poisonRecords > 0 ? `, ${tally.poisonRecords} record(s) that failed to process` : ''}`;
}

const TABLE_COLUMNS: readonly Column<Finding>[] = [
  ['TIME', (f) => f.eventTime],
  ['LEVEL', (f) => f.level],
  // Who first: the person and how they acted; shortened from the middle, the name is never cut.
  ['PERSON', personLine, (f) => f.actor?.person.name ?? f.actor?.sessionName],
  ['RULE', (f) => f.title],
  // An ARN ends with the session or user name (Identity Center's is the user): never cut.
  ['PRINCIPAL', (f) => f.principal ?? '-', (f) => arnTail(f.principal)],
  ['EVENT', (f) => `${f.eventSource.replace('.amazonaws.com', '')}:${f.eventName}`],
  ['SOURCE IP', (f) => f.sourceIPAddress ?? '-'],
  ['REGION', (f) => f.awsRegion],
];

export function renderTable(findings: readonly Finding[], options: TableOptions = {}): string[] {
  if (findings.length === 0) return ['no findings'];
  const sorted = [...findings].sort((a, b) =>
    a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0,
  );
  return renderColumns(sorted, TABLE_COLUMNS, options);
}
