import { stat, writeFile } from 'node:fs/promises';
import { accountLabel, accountNamesFor } from '../accounts';
import type { AthenaBacktestInput, AthenaSettings } from '../athena';
import { formatCost } from '../athena/cost';
import type { BacktestProgress, BacktestReport, BacktestSource, RuleReport } from '../history';
import { DEFAULT_BACKTEST_CONCURRENCY, renderBacktestHtml, runBacktest, topPersonText } from '../history';
import { parseInputArg } from '../ingest';
import { createStateStore } from '../pipeline';
import type { Placeholders, RuleSet } from '../rules';
import { oneLine } from '../text';
import * as z from '../validation';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, isTerminal, LineWriter, UsageError, writeDiagnostic } from './io';
import {
  outputFlag,
  readBy,
  readFlagsShape,
  readWholeNumber,
  toLayoutFilter,
  toRecordLimits,
  toS3Settings,
  windowInOrder,
} from './options';
import { loadCommandRules, ruleFlagsShape } from './rule-options';
import type { Column } from './table';
import { arnTail, renderColumns } from './table';

export const BACKTEST_FORMATS = ['table', 'json'] as const;
/**
 * `javascript`: trailwatch reads the log files (a folder or s3://) and runs every rule;
 * `athena`: Athena finds the matching records in the stack's table, trailwatch replays them.
 */
export const BACKTEST_ENGINES = ['javascript', 'athena'] as const;
/** More objects in flight buys nothing once S3 latency is hidden, and costs memory. */
export const MAX_BACKTEST_CONCURRENCY = 64;
/** The progress line is redrawn at most this often: a terminal is slower than S3. */
export const PROGRESS_INTERVAL_MS = 100;
const PROGRESS_WIDTH = 24;

/** `trailwatch backtest`'s flags, checked and typed at the edge; --until defaults to now. */
export function backtestFlags(now: number) {
  const read = readFlagsShape(now);
  return z
    .object({
      ...read,
      ...ruleFlagsShape,
      until: z._default(read.until, now),
      output: outputFlag(BACKTEST_FORMATS, 'table'),
      html: z.optional(z.string()),
      concurrency: z._default(
        readBy((text) => readWholeNumber(text, MAX_BACKTEST_CONCURRENCY)),
        DEFAULT_BACKTEST_CONCURRENCY,
      ),
      progress: z.optional(z.boolean()),
      baseline: z.optional(z.boolean()),
      engine: z._default(z.enum(BACKTEST_ENGINES), 'javascript'),
      workgroup: z.optional(z.string()),
      database: z.optional(z.string()),
      table: z.optional(z.string()),
      outputLocation: z.optional(z.string()),
      stack: z.optional(z.string()),
    })
    .check(z.superRefine(windowInOrder));
}
export type BacktestCliOptions = z.output<ReturnType<typeof backtestFlags>>;

async function toSource(arg: string): Promise<BacktestSource> {
  if (arg.startsWith('s3://')) {
    const input = parseInputArg(arg);
    if (input.kind !== 's3') throw new UsageError(`${arg}: not an S3 URL`);
    return { kind: 's3', bucket: input.bucket, prefix: input.prefix };
  }
  const info = await stat(arg).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${arg}: not a directory or s3://bucket/prefix`);
  return { kind: 'dir', path: arg };
}

/** `trailwatch backtest`: months of trail history through the rules and the alerting, as a noise report. */
export async function runBacktestCommand(
  sourceArg: string | undefined,
  options: BacktestCliOptions,
  io: CliIo,
): Promise<number> {
  const { output: format, since, until, concurrency } = options;
  if (since === undefined) {
    throw new UsageError('backtest needs --since (and --until, default now): the days of history to read');
  }
  const layout = toLayoutFilter(options);
  const { config, set: loaded } = loadCommandRules(options, io, 'backtest');
  let athena: AthenaBacktest | undefined;
  let source: BacktestSource;
  let rules = loaded;
  if (options.engine === 'athena') {
    if (sourceArg !== undefined)
      throw new UsageError(
        `backtest --engine athena reads the stack's Athena table, not ${sourceArg}: leave the source out`,
      );
    athena = await athenaBacktest(loaded, config.placeholders, options, { since, until }, io);
    source = athena.source;
    rules = athena.rules;
  } else {
    if (sourceArg === undefined)
      throw new UsageError(
        'backtest reads s3://bucket/prefix or a folder of log files: name one (or use --engine athena)',
      );
    source = await toSource(sourceArg);
  }
  if (options.baseline === true && config.state.backend !== 'dynamodb') {
    throw new UsageError(
      '--baseline writes the first-seen baseline to the state table the live pipeline reads: set state: {backend: dynamodb, table: …} in trailwatch.yml',
    );
  }
  const baseline = options.baseline === true ? createStateStore(config) : undefined;
  const firstSeenRules = rules.detections.filter((rule) => rule.firstSeen !== undefined).length;

  const progress = options.progress !== false && isTerminal(io.stderr) ? progressBar(io) : undefined;
  const report = await runBacktest({
    source,
    filter: { ...layout, since, until },
    rules,
    config,
    s3: toS3Settings(options),
    ...toRecordLimits(options),
    concurrency,
    ...(progress ? { onProgress: progress.update } : {}),
    ...(baseline === undefined ? {} : { baseline }),
  });
  progress?.done();
  if (baseline !== undefined && config.state.backend === 'dynamodb') {
    writeDiagnostic(
      io,
      `trailwatch: first-seen baseline of ${firstSeenRules} rule(s) written to the state table ${config.state.table}; they raised no alert in this run`,
    );
  }

  for (const problem of report.problems) writeDiagnostic(io, `trailwatch: error: ${problem}`);
  if (report.problemCount > report.problems.length) {
    writeDiagnostic(io, `trailwatch: … and ${report.problemCount - report.problems.length} more problem(s)`);
  }
  if (athena !== undefined) writeDiagnostic(io, `trailwatch: Athena: ${athenaSummary(athena)}`);
  const out = new LineWriter(io.stdout);
  if (format === 'json')
    await out.line(
      JSON.stringify(athena === undefined ? report : { ...report, athena: athenaJson(athena) }, null, 2),
    );
  else {
    for (const line of renderBacktestTable(report)) await out.line(line);
    if (athena !== undefined) await out.line(`Athena: ${athenaSummary(athena)}`);
  }
  await out.flush();
  if (options.html !== undefined) {
    // The --account filter shows each id with its name (trailwatch.yml `accounts:`, or Organizations).
    const accounts = accountNamesFor(config.accounts, (message) =>
      writeDiagnostic(io, `trailwatch: ${message}`),
    );
    await accounts.ready();
    const named = report.accounts?.map((id) => accountLabel(id, accounts.name(id))) ?? null;
    await writeFile(options.html, renderBacktestHtml({ ...report, accounts: named }));
    writeDiagnostic(io, `trailwatch: wrote ${options.html}`);
  }
  return report.problemCount > 0 || rules.errors.length > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}

interface AthenaBacktest {
  readonly source: BacktestSource;
  readonly rules: RuleSet;
  readonly input: AthenaBacktestInput;
  readonly settings: AthenaSettings;
}

/** The records the rules match in the stack's Athena table, and the rules the replay runs. */
async function athenaBacktest(
  set: RuleSet,
  placeholders: Placeholders,
  options: BacktestCliOptions,
  window: { since: number; until: number },
  io: CliIo,
): Promise<AthenaBacktest> {
  const { athenaBacktestInput, createAthenaClient, resolveAthenaSettings } = await import('../athena');
  const settings = await resolveAthenaSettings({
    ...(options.workgroup === undefined ? {} : { workGroup: options.workgroup }),
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(options.outputLocation === undefined ? {} : { outputLocation: options.outputLocation }),
    ...(options.stack === undefined ? {} : { stack: options.stack }),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  writeDiagnostic(
    io,
    `trailwatch: backtest on Athena: workgroup ${settings.workGroup}, table ${settings.database}.${settings.table} (${settings.region})`,
  );
  const input = await athenaBacktestInput({
    set,
    placeholders,
    scope: {
      since: new Date(window.since),
      until: new Date(window.until),
      ...(options.account && options.account.length > 0 ? { accounts: options.account } : {}),
      ...(options.recordRegion && options.recordRegion.length > 0 ? { regions: options.recordRegion } : {}),
    },
    settings,
    client: await createAthenaClient(settings),
  });
  if (input.unsupported.length > 0) {
    writeDiagnostic(
      io,
      `trailwatch: ${input.unsupported.length} rule(s) not replayed (Athena returns only what SQL matched):`,
    );
    for (const rule of input.unsupported) writeDiagnostic(io, `trailwatch:   ${rule.title}: ${rule.reason}`);
  }
  return {
    source: {
      kind: 'records',
      name: `athena:${settings.workGroup}/${settings.database}.${settings.table}`,
      records: input.records,
    },
    rules: input.rules,
    input,
    settings,
  };
}

function athenaSummary(athena: AthenaBacktest): string {
  const { input } = athena;
  return `${input.records.length} matching record(s) from ${input.queries} query(ies), ${formatCost(input.cost)}`;
}

function athenaJson(athena: AthenaBacktest) {
  const { input, settings } = athena;
  return {
    workGroup: settings.workGroup,
    table: `${settings.database}.${settings.table}`,
    queries: input.queries,
    matchingRecords: input.records.length,
    scannedBytes: input.cost.scannedBytes,
    billedBytes: input.cost.billedBytes,
    usd: input.cost.usd,
    notReplayed: input.unsupported,
  };
}

/** Drawn on the raw terminal: its CR and ESC[2K are meant, and it prints nothing but numbers. */
function progressBar(io: CliIo): { update: (p: BacktestProgress) => void; done: () => void } {
  const terminal = io.terminal ?? io.stderr;
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = Date.now();
      const finished = p.objectsDone >= p.objectsListed && p.daysListed >= p.daysTotal;
      if (now - last < PROGRESS_INTERVAL_MS && !finished) return;
      last = now;
      shown = true;
      // Days are listed as reading reaches them: the share of days listed, scaled by the share read.
      const share =
        (p.objectsDone / Math.max(1, p.objectsListed)) * (p.daysListed / Math.max(1, p.daysTotal));
      const filled = Math.round(share * PROGRESS_WIDTH);
      terminal.write(
        `\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(PROGRESS_WIDTH - filled)}] ${Math.floor(share * 100)}% day ${p.daysListed}/${p.daysTotal}, ${p.objectsDone} objects, ${p.records} records, ${p.alerts} alerts`,
      );
    },
    done: () => {
      if (shown) terminal.write('\r\x1b[2K');
    },
  };
}

const RULE_COLUMNS: readonly Column<RuleReport>[] = [
  ['RULE', (r) => r.title],
  ['LEVEL', (r) => r.level],
  ['ALERTS', (r) => String(r.alerts)],
  ['AFTER DEDUP', (r) => String(r.afterDedup)],
  ['SUPPRESSED', (r) => String(r.suppressed)],
  ['DAYS', (r) => String(Object.keys(r.perDay).length)],
  ['PEAK/DAY', (r) => String(Math.max(0, ...Object.values(r.perDay).map((d) => d.alerts)))],
  // The person before the principal: who did it, then as what. The first of each top list (the
  // JSON and the HTML have all), ranked alike (rankTop). Shortened from the middle, the name that
  // says who acted stays whole: the person's, or the session or user name at a principal's end.
  [
    'TOP PERSON',
    (r) => (r.topPeople[0] ? topPersonText(r.topPeople[0]) : '-'),
    (r) => {
      const person = r.topPeople[0];
      return person === undefined ? undefined : person.known ? person.name : arnTail(person.name);
    },
  ],
  [
    'TOP PRINCIPAL',
    (r) => (r.topPrincipals[0] ? `${r.topPrincipals[0].principal} (${r.topPrincipals[0].alerts})` : '-'),
    (r) => arnTail(r.topPrincipals[0]?.principal),
  ],
];

interface DayRow {
  readonly day: string;
  readonly alerts: number;
  readonly afterDedup: number;
  readonly noisiest: string;
}

const DAY_COLUMNS: readonly Column<DayRow>[] = [
  ['DAY', (d) => d.day],
  ['ALERTS', (d) => String(d.alerts)],
  ['AFTER DEDUP', (d) => String(d.afterDedup)],
  ['NOISIEST RULE', (d) => d.noisiest],
];

export function renderBacktestTable(report: BacktestReport): string[] {
  const raising = report.rules.filter((rule) => rule.alerts > 0);
  const lines = [
    // The source is a path or bucket name as typed: shown with its control characters escaped.
    `backtest of ${oneLine(report.source)} from ${oneLine(report.since)} to ${oneLine(report.until)}`,
    `${report.records} record(s) read from ${report.objects.read} object(s) (${report.objects.skipped} skipped: digests, empty), ${report.alerts} alert(s), ${report.afterDedup} after dedup and suppressions, ${report.problemCount} problem(s)`,
    '',
  ];
  if (raising.length === 0) return [...lines, 'no rule raised an alert'];
  lines.push(...renderColumns(raising, RULE_COLUMNS));
  lines.push(`${report.rules.length - raising.length} rule(s) raised no alert`, '');
  const days = report.days.map((day) => {
    let noisiest = '-';
    let most = 0;
    let alerts = 0;
    let afterDedup = 0;
    for (const rule of raising) {
      const counts = rule.perDay[day];
      if (!counts) continue;
      alerts += counts.alerts;
      afterDedup += counts.afterDedup;
      if (counts.alerts > most) {
        most = counts.alerts;
        noisiest = `${rule.title} (${counts.alerts})`;
      }
    }
    return { day, alerts, afterDedup, noisiest };
  });
  lines.push(
    ...renderColumns(
      days.filter((day) => day.alerts > 0),
      DAY_COLUMNS,
    ),
  );
  return lines;
}
