import type { Command } from 'commander';
import { Option } from 'commander';
import { accountNamesFor } from '../accounts';
import { ActorResolver, MemorySessionStore } from '../actor';
import type { Alert } from '../alerts';
import { formatCost } from '../athena/cost';
import type { TrailwatchConfig } from '../config';
import { drive, learnSessions } from '../driver';
import type { EngineFlag, HuntEngine, HuntResult } from '../hunt';
import { DEFAULT_HUNT_ENGINE, HUNT_ENGINES, huntAlerts, javascriptSubset } from '../hunt';
import type { Input, ReadOptions } from '../ingest';
import { formatOrigin } from '../ingest';
import { AlertPipeline } from '../pipeline';
import type { RuleSet } from '../rules';
import { levelRank, RuleEngine } from '../rules';
import type { Finding } from '../scan';
import { ShownAlerts, toFinding } from '../scan';
import type { CompiledHunt, HuntScope } from '../sql';
import { compileHunt } from '../sql';
import { MemoryStateStore } from '../state';
import * as z from '../validation';
import { parseInputs } from './cat';
import type { RawFlags } from './flags';
import { CONFIG_HELP, commandFlags, declareReadFlags, outputHelp, READ_DEPRECATED } from './flags';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, LineWriter, UsageError, writeDiagnostic } from './io';
import {
  collectList,
  outputFlag,
  readBy,
  readFlagsShape,
  readLevel,
  toLayoutFilter,
  toRecordLimits,
  toS3Settings,
  windowInOrder,
} from './options';
import { reportDiagnostic } from './report';
import { loadCommandRules, ruleFlagsShape } from './rule-options';
import { renderTable } from './scan';
import { terminalWidth } from './table';

export const HUNT_FORMATS = ['table', 'json', 'ndjson'] as const;

/** `trailwatch hunt`'s flags, checked and typed at the edge (the read flags are scan's). */
export function huntFlags(now: number) {
  const engines = [...HUNT_ENGINES.keys()];
  return z
    .object({
      ...readFlagsShape(now),
      ...ruleFlagsShape,
      engine: z
        ._default(z.string(), DEFAULT_HUNT_ENGINE)
        .check(z.refine((name) => HUNT_ENGINES.has(name), { error: `takes one of ${engines.join(', ')}` })),
      output: outputFlag(HUNT_FORMATS, 'table'),
      minLevel: z.optional(readBy(readLevel)),
      failOn: z.optional(readBy(readLevel)),
      verbose: z.optional(z.boolean()),
    })
    .check(z.superRefine(windowInOrder));
}
export type HuntOptions = z.output<ReturnType<typeof huntFlags>>;

/** Every engine's own flag, once each (engines sharing a flag share its meaning), by option key. */
export function engineFlags(): Map<string, { readonly flag: EngineFlag; readonly engines: string[] }> {
  const flags = new Map<string, { flag: EngineFlag; engines: string[] }>();
  for (const engine of HUNT_ENGINES.values()) {
    for (const flag of engine.flags) {
      const key = new Option(flag.flags).attributeName();
      const known = flags.get(key);
      if (known) known.engines.push(engine.name);
      else flags.set(key, { flag, engines: [engine.name] });
    }
  }
  return flags;
}

/**
 * The engine's own flags from the command line, checked by the engine's schema: a flag only
 * another engine takes (`--workgroup` with `--engine duckdb`) is a usage error naming who takes it.
 */
export function engineOptionsFor(
  engine: HuntEngine,
  raw: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const [key, { flag, engines }] of engineFlags()) {
    if (raw[key] === undefined) continue;
    const spelling = flag.flags.split(' ')[0] ?? flag.flags;
    if (!engines.includes(engine.name))
      throw new UsageError(
        `${spelling} is taken by --engine ${engines.join(' or ')}, not by --engine ${engine.name}`,
      );
    given[key] = raw[key];
  }
  const checked = engine.options.safeParse(given);
  if (!checked.success) {
    const spelling = (key: PropertyKey | undefined): string =>
      engine.flags
        .find((flag) => typeof key === 'string' && new Option(flag.flags).attributeName() === key)
        ?.flags.split(' ')[0] ?? String(key);
    throw new UsageError(
      checked.error.issues.map((issue) => `${spelling(issue.path[0])} ${issue.message}`).join('; '),
    );
  }
  return given;
}

/** `2 query(ies), scanned 1.50 GiB (billed …), about $0.0073 at $5/TB, `: what a billed engine ran. */
function costSummary(result: HuntResult): string {
  if (result.cost !== undefined) return `${result.queries ?? 0} query(ies), ${formatCost(result.cost)}, `;
  return result.scannedBytes === undefined ? '' : `${result.scannedBytes} byte(s) scanned, `;
}

function scopeOf(options: HuntOptions): HuntScope {
  return {
    ...(options.since === undefined ? {} : { since: new Date(options.since) }),
    ...(options.until === undefined ? {} : { until: new Date(options.until) }),
    ...(options.account && options.account.length > 0 ? { accounts: options.account } : {}),
    ...(options.recordRegion && options.recordRegion.length > 0 ? { regions: options.recordRegion } : {}),
  };
}

/** What SQL could not run, on stderr, each rule with its reason and who runs it instead. */
function reportUnsupported(compiled: CompiledHunt, local: boolean, io: CliIo): void {
  if (compiled.unsupported.length === 0) return;
  const instead = local ? 'run by the JavaScript engine' : 'not run: the JavaScript engine needs local data';
  writeDiagnostic(io, `trailwatch: ${compiled.unsupported.length} rule(s) SQL cannot express (${instead}):`);
  for (const rule of compiled.unsupported) writeDiagnostic(io, `trailwatch:   ${rule.title}: ${rule.reason}`);
}

/**
 * The unsupported rules through scan's own evaluation (attribution, first-seen, correlations),
 * keeping only their alerts: the others came from SQL.
 */
async function javascriptAlerts(
  inputs: readonly Input[],
  set: RuleSet,
  compiled: CompiledHunt,
  config: TrailwatchConfig,
  read: Omit<ReadOptions, 'mayMatch' | 'onRuledOut'>,
  io: CliIo,
  verbose: boolean,
): Promise<Alert[]> {
  const subset = javascriptSubset(set, compiled);
  if (subset.set.detections.length === 0) return [];
  const actors = new ActorResolver(new MemorySessionStore());
  await learnSessions(inputs, actors, read);
  const alerts: Alert[] = [];
  await drive(inputs, {
    actors,
    sessionsLearned: true,
    engine: new RuleEngine(subset.set.detections),
    pipeline: new AlertPipeline({
      config,
      rules: subset.set,
      state: new MemoryStateStore(),
      destinations: new Map(),
    }),
    read,
    handleAlerts: false,
    onEvent: (event) => {
      if (event.kind === 'alert') {
        if (subset.keep.has(event.alert.rule.id)) alerts.push(event.alert);
      } else if (event.kind !== 'problem') reportDiagnostic(event, io, verbose);
    },
  });
  return alerts;
}

/** `trailwatch hunt`: the rules compiled to SQL and run on an engine; findings printed as scan prints them. */
export async function runHunt(
  args: readonly string[],
  options: HuntOptions,
  io: CliIo,
  rawEngineFlags: Readonly<Record<string, unknown>> = {},
): Promise<number> {
  const engine = HUNT_ENGINES.get(options.engine);
  if (engine === undefined)
    throw new UsageError(`--engine takes one of ${[...HUNT_ENGINES.keys()].join(', ')}`);
  const engineOptions = engineOptionsFor(engine, rawEngineFlags);
  if (engine.readsLocalInputs && args.length === 0) {
    throw new UsageError(
      `hunt --engine ${engine.name} reads files, folders or s3://bucket/prefix: name at least one`,
    );
  }
  const inputs = args.length === 0 ? [] : parseInputs(args);
  if (inputs.some((input) => input.kind === 'stdin'))
    throw new UsageError('hunt reads files, folders or s3:// prefixes, not standard input');
  const { config, set } = loadCommandRules(options, io, 'hunt for');
  const compiled = compileHunt(set, engine.dialect(), config.placeholders);
  writeDiagnostic(
    io,
    `trailwatch: ${compiled.rules.length} of ${set.detections.length} detection rule(s) compiled to SQL (${engine.name}), ${compiled.correlations.length} correlation(s) counted over their matches`,
  );
  reportUnsupported(compiled, engine.readsLocalInputs, io);
  const read = { filter: toLayoutFilter(options), s3: toS3Settings(options), ...toRecordLimits(options) };
  const result = await engine.run(compiled, {
    inputs,
    read,
    scope: scopeOf(options),
    engineOptions,
    onProgress: (message) => writeDiagnostic(io, `trailwatch: ${message}`),
    onProblem: (message, origin) =>
      writeDiagnostic(io, `trailwatch: error: ${formatOrigin(origin)}: ${message}`),
  });
  for (const rule of result.refused) writeDiagnostic(io, `trailwatch: ${rule.title}: ${rule.reason}`);
  const alerts = [
    ...(await huntAlerts(set, compiled, result.matches)),
    ...(engine.readsLocalInputs
      ? await javascriptAlerts(inputs, set, compiled, config, read, io, options.verbose === true)
      : []),
  ];
  const accounts = accountNamesFor(config.accounts, (message) =>
    writeDiagnostic(io, `trailwatch: ${message}`),
  );
  await accounts.ready();
  const shown = new ShownAlerts();
  const findings: Finding[] = [];
  for (const alert of alerts) {
    if (!shown.firstShowing(alert)) continue;
    if (options.minLevel && levelRank(alert.level) < levelRank(options.minLevel)) continue;
    findings.push(toFinding(alert, accounts));
  }
  const out = new LineWriter(io.stdout);
  if (options.output === 'ndjson') for (const finding of findings) await out.line(JSON.stringify(finding));
  if (options.output === 'json') {
    const summary = {
      engine: engine.name,
      rules: set.detections.length,
      compiled: compiled.rules.length,
      ...(result.records === undefined ? {} : { records: result.records }),
      ...(result.scannedBytes === undefined ? {} : { scannedBytes: result.scannedBytes }),
      ...(result.queries === undefined ? {} : { queries: result.queries }),
      ...(result.cost === undefined ? {} : { billedBytes: result.cost.billedBytes, usd: result.cost.usd }),
      problems: result.problems,
      alerts: alerts.length,
      duplicateAlerts: shown.duplicates,
    };
    await out.line(
      JSON.stringify(
        { findings, unsupported: [...compiled.unsupported, ...result.refused], summary },
        null,
        2,
      ),
    );
  }
  if (options.output === 'table') {
    for (const line of renderTable(findings, { width: terminalWidth(io.stdout) })) await out.line(line);
  }
  await out.flush();
  const records = result.records === undefined ? '' : `${result.records} record(s) read, `;
  writeDiagnostic(
    io,
    `trailwatch: hunt (${engine.name}): ${records}${costSummary(result)}${alerts.length} alert(s), ${result.problems} input problem(s)`,
  );
  const worst = Math.max(-1, ...alerts.map((alert) => levelRank(alert.level)));
  const failedLevel = options.failOn !== undefined && worst >= levelRank(options.failOn);
  return result.problems > 0 || set.errors.length > 0 || failedLevel ? EXIT_INPUT_FAILED : EXIT_OK;
}

/** Declares `trailwatch hunt` on the program (one line in ./main). */
export function declareHuntCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  now: () => number,
): void {
  const command = declareReadFlags(
    program
      .command('hunt')
      .description(
        'run the rules as SQL (DuckDB embedded, or Athena) over files, directories or s3://bucket/prefix and print findings as scan does',
      )
      .argument(
        '[inputs...]',
        'files, directories or s3://bucket/prefix (DuckDB reads them; Athena reads its table)',
      ),
  )
    .option(
      '--engine <name>',
      `the SQL engine: ${[...HUNT_ENGINES.keys()].join(', ')} (default ${DEFAULT_HUNT_ENGINE})`,
    )
    .option(
      '--rules <path>',
      'rule file or folder (repeatable; default: the shipped pack plus trailwatch.yml)',
      collectList,
    )
    .option('--config <file>', CONFIG_HELP)
    .option('--output <format>', outputHelp(HUNT_FORMATS, 'table'))
    .option('--min-level <level>', 'show only findings at or above this level')
    .option('--fail-on <level>', 'exit 1 when a finding at or above this level was found')
    .option('-v, --verbose', 'also report skipped inputs');
  // Each engine's own flags, with the engines that take them in the help.
  for (const { flag, engines } of engineFlags().values())
    command.option(flag.flags, `with --engine ${engines.join(' or ')}: ${flag.description}`);
  command.action(async (inputs: string[], raw: RawFlags) => {
    const options = commandFlags(huntFlags(now()), raw, READ_DEPRECATED, io);
    setExitCode(await runHunt(inputs, options, io, raw));
  });
}
