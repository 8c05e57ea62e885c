import type { TrailwatchConfig } from '../config';
import type { AlertOutcome } from '../pipeline';
import { AlertPipeline, createDestinations, createStateStore, defaultNotifierContext } from '../pipeline';
import type { Level, RuleSet } from '../rules';
import { formatLocation, LEVELS, levelRank, RuleEngine } from '../rules';
import type { Finding, ScanStats } from '../scan';
import { describeRuleError, emptyStats, scanInputs, toFinding } from '../scan';
import { MemoryStateStore } from '../state';
import { parseInputs, reportNonRecord } from './cat';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, LineWriter, UsageError } from './io';
import type { ReadCliOptions } from './options';
import { toLayoutFilter, toS3Settings } from './options';
import type { RuleCliOptions } from './rule-options';
import { loadCommandRules } from './rule-options';
import type { Column } from './table';
import { renderColumns } from './table';

export const SCAN_FORMATS = ['table', 'json', 'ndjson'] as const;

export interface ScanOptions extends ReadCliOptions, RuleCliOptions {
  readonly format?: string;
  readonly minLevel?: string;
  readonly failOn?: string;
  readonly notify?: boolean;
  readonly verbose?: boolean;
}

export function parseLevel(option: string, value: string | undefined): Level | undefined {
  if (value === undefined) return undefined;
  const level = LEVELS.find((candidate) => candidate === value.toLowerCase());
  if (!level) throw new UsageError(`${option} takes one of ${LEVELS.join(', ')}; got ${value}`);
  return level;
}

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
  const format = options.format ?? 'table';
  if (!SCAN_FORMATS.includes(format as (typeof SCAN_FORMATS)[number])) {
    throw new UsageError(`--format takes ${SCAN_FORMATS.join(', ')}; got ${format}`);
  }
  const minLevel = parseLevel('--min-level', options.minLevel);
  const failOn = parseLevel('--fail-on', options.failOn);
  const inputs = parseInputs(args);
  const filter = toLayoutFilter(options);
  const { config, set } = loadCommandRules(options, io, 'scan for');
  if (options.verbose) {
    for (const warning of set.warnings)
      io.stderr.write(`trailwatch: rule warning: ${formatLocation(warning.location)}: ${warning.message}\n`);
  }
  const pipeline = notificationPipeline(config, set, options.notify === true);

  const engine = new RuleEngine(set.detections);
  const stats = emptyStats();
  const out = new LineWriter(io.stdout);
  const collected: Finding[] = [];
  const notifications = { sent: 0, alreadySent: 0, deduplicated: 0, suppressed: 0, failed: 0, unrouted: 0 };
  let worst = -1;
  let alerts = 0;
  const tally = { records: 0, problems: 0, skipped: 0 };
  const readOptions = { filter, s3: toS3Settings(options), stdin: io.stdin };
  for await (const events of scanInputs(inputs, engine, readOptions, stats)) {
    for (const event of events) {
      if (event.kind === 'match') {
        const { rule, record, origin } = event.match;
        for (const alert of await pipeline.alertsFor(rule, record, origin)) {
          alerts++;
          worst = Math.max(worst, levelRank(alert.level));
          if (options.notify) tallyOutcome(await pipeline.handleAlert(alert), notifications, io);
          if (minLevel && levelRank(alert.level) < levelRank(minLevel)) continue;
          const finding = toFinding(alert);
          if (format === 'ndjson') await out.line(JSON.stringify(finding));
          else collected.push(finding);
        }
      } else if (event.kind === 'rule-error') {
        io.stderr.write(`trailwatch: error: ${describeRuleError(event)}\n`);
      } else {
        reportNonRecord(event, tally, io, options.verbose === true);
      }
    }
    if (io.stdout.destroyed) break;
  }
  if (format === 'json') {
    await out.line(
      JSON.stringify({ findings: collected, summary: summary(stats, set.detections.length) }, null, 2),
    );
  }
  if (format === 'table') for (const line of renderTable(collected)) await out.line(line);
  await out.flush();
  io.stderr.write(`trailwatch: ${describeStats(stats, set.detections.length, alerts)}\n`);
  if (options.notify) {
    const n = notifications;
    io.stderr.write(
      `trailwatch: notifications: ${n.sent} sent, ${n.alreadySent} already sent, ${n.deduplicated} deduplicated, ${n.suppressed} suppressed, ${n.unrouted} with no destination, ${n.failed} failed\n`,
    );
  }
  const failedInput =
    stats.problems > 0 || stats.ruleErrors > 0 || set.errors.length > 0 || notifications.failed > 0;
  const failedLevel = failOn !== undefined && worst >= levelRank(failOn);
  return failedInput || failedLevel ? EXIT_INPUT_FAILED : EXIT_OK;
}

function tallyOutcome(
  outcome: AlertOutcome,
  tally: {
    sent: number;
    alreadySent: number;
    deduplicated: number;
    suppressed: number;
    failed: number;
    unrouted: number;
  },
  io: CliIo,
): void {
  if (outcome.status === 'suppressed') tally.suppressed++;
  else if (outcome.status === 'deduplicated') tally.deduplicated++;
  else if (outcome.deliveries.length === 0) tally.unrouted++;
  else {
    for (const delivery of outcome.deliveries) {
      if (delivery.status === 'sent') tally.sent++;
      else if (delivery.status === 'already-sent') tally.alreadySent++;
      else {
        tally.failed++;
        const why = delivery.status === 'failed' ? delivery.result.error : 'no such destination';
        io.stderr.write(`trailwatch: error: alert ${outcome.alert.id} to ${delivery.destination}: ${why}\n`);
      }
    }
  }
}

function summary(stats: ScanStats, rules: number) {
  return { rules, recordsRead: stats.evaluated + stats.unparsed, ...stats };
}

function describeStats(stats: ScanStats, rules: number, alerts: number): string {
  const read = stats.evaluated + stats.unparsed;
  return `${read} record(s) read (${stats.unparsed} ruled out unparsed), ${rules} rule(s), ${stats.matches} rule match(es), ${alerts} alert(s), ${stats.problems} input problem(s)${stats.ruleErrors > 0 ? `, ${stats.ruleErrors} rule error(s)` : ''}`;
}

const TABLE_COLUMNS: readonly Column<Finding>[] = [
  ['TIME', (f) => f.eventTime],
  ['LEVEL', (f) => f.level],
  ['RULE', (f) => f.title],
  ['PRINCIPAL', (f) => f.principal ?? '-'],
  ['EVENT', (f) => `${f.eventSource.replace('.amazonaws.com', '')}:${f.eventName}`],
  ['SOURCE IP', (f) => f.sourceIPAddress ?? '-'],
  ['REGION', (f) => f.awsRegion],
];

export function renderTable(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ['no findings'];
  const sorted = [...findings].sort((a, b) =>
    a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0,
  );
  return renderColumns(sorted, TABLE_COLUMNS);
}
