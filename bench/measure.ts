/**
 * One measurement in a fresh process, so peak RSS belongs to that work alone.
 * Usage: measure.ts reader|baseline|scan|scan10x|sigmahq|framing|prefilter|warmup FILE  — prints one JSON line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ActorResolver, MemorySessionStore } from '../lib/actor';
import type { TrailwatchConfig } from '../lib/config';
import { loadConfig } from '../lib/config';
import { drive, recordsRead } from '../lib/driver';
import { readRecordBatches, readRecords } from '../lib/ingest';
import { AlertPipeline } from '../lib/pipeline';
import type { RuleSet } from '../lib/rules';
import { loadRules, RuleEngine, shippedRulesDir } from '../lib/rules';
import { MemoryStateStore } from '../lib/state';
import { SIGMAHQ_RULES } from './sigmahq';
import { tenfoldRuleDir } from './variants';

type Mode = 'reader' | 'baseline' | 'scan' | 'scan10x' | 'sigmahq' | 'framing' | 'prefilter' | 'warmup';

async function readerCount(file: string): Promise<{ records: number; problems: number }> {
  let records = 0;
  let problems = 0;
  for await (const result of readRecords([{ kind: 'path', path: file }])) {
    if (result.kind === 'record') records++;
    else if (result.kind === 'problem') problems++;
  }
  return { records, problems };
}

/** What a straightforward reader does: decompress it all, parse it all. */
function baselineCount(file: string): { records: number; problems: number } {
  const raw = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const parsed = JSON.parse(text) as { Records: unknown[] };
  return { records: parsed.Records.length, problems: 0 };
}

/**
 * The scan's reading without its parsing: every record found in the text and handed to the
 * raw-text checks (`prefilter`: the shipped pack's `mayMatchText`, every session taken as possibly
 * linked to an earlier one, as the scan takes it where attribution cannot tell) or to none
 * (`framing`), and then dropped. Their difference is what the raw-text checks cost.
 */
async function textChecks(file: string, engine: RuleEngine | undefined): Promise<Record<string, number>> {
  let records = 0;
  let passed = 0;
  const mayMatch = (text: string): boolean => {
    records++;
    if (engine?.mayMatchText(text) === true) {
      passed++;
      // No evaluation follows, as one would in a scan: the memo kept for it is let go at once.
      engine.passOver(text);
    }
    return false;
  };
  for await (const batch of readRecordBatches([{ kind: 'path', path: file }], { mayMatch })) void batch;
  return { records, problems: 0, passed };
}

/**
 * A folder's rules with the example config, so the placeholder rules are live, as a user would run
 * them; the engine holds the rules that raise findings (not those that only feed a correlation).
 */
function loadPack(folder: string): { config: TrailwatchConfig; set: RuleSet; engine: RuleEngine } {
  const config = loadConfig(join(import.meta.dirname, '..', 'examples', 'trailwatch.yml'));
  const set = loadRules([folder], { placeholders: config.placeholders });
  if (set.errors.length > 0) throw new Error(set.errors.join('\n'));
  const engine = new RuleEngine(set.detections.filter((rule) => !set.correlationOnly.has(rule.meta.id)));
  return { config, set, engine };
}

/** The full pack, as `trailwatch scan` runs it. */
async function scanCount(file: string, folder: string): Promise<Record<string, number>> {
  const { config, set, engine } = loadPack(folder);
  // What `trailwatch scan` runs: the one driver, building every alert, delivering none.
  const pipeline = new AlertPipeline({
    config,
    rules: set,
    state: new MemoryStateStore(),
    destinations: new Map(),
  });
  // Attribution as `scan` runs it on one file: sessions learned as they come, in one pass.
  const actors = new ActorResolver(new MemorySessionStore());
  const tally = await drive([{ kind: 'path', path: file }], {
    engine,
    pipeline,
    actors,
    handleAlerts: false,
  });
  return {
    records: recordsRead(tally),
    problems: tally.problems,
    rules: engine.rules.length,
    unparsed: tally.unparsed,
    findings: tally.matches,
    alerts: tally.alerts,
  };
}

/**
 * Loads every pack the scans time (shipped, ten times, SigmaHQ where present), untimed: their YAML
 * files' parses are then in the parse cache, as for any scan after the first. On a fresh clone the
 * first timed scan of the shipped pack would otherwise parse its YAML cold (about 1.4 s of CPU)
 * and the scans after it would not.
 */
function warmup(): Record<string, number> {
  const folders = [
    shippedRulesDir(),
    tenfoldRuleDir(),
    ...(existsSync(SIGMAHQ_RULES) ? [SIGMAHQ_RULES] : []),
  ];
  let rules = 0;
  for (const folder of folders) rules += loadRules([folder]).detections.length;
  return { records: 0, problems: 0, rules };
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [Mode, string];
  if (mode === 'warmup') {
    process.stdout.write(
      `${JSON.stringify({ mode, file, seconds: 0, cpuSeconds: 0, maxRssMB: 0, ...warmup() })}\n`,
    );
    return;
  }
  // Writing the 10x pack's files is the bench's setup, not part of a scan: done before the clock.
  const folder =
    mode === 'scan10x' ? tenfoldRuleDir() : mode === 'sigmahq' ? SIGMAHQ_RULES : shippedRulesDir();
  // The prefilter's rules are loaded before the clock: what is timed is the reading and the checks.
  const engine = mode === 'prefilter' ? loadPack(shippedRulesDir()).engine : undefined;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const counts =
    mode === 'reader'
      ? await readerCount(file)
      : mode === 'baseline'
        ? baselineCount(file)
        : mode === 'framing' || mode === 'prefilter'
          ? await textChecks(file, engine)
          : await scanCount(file, folder);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  // CPU time (every thread, zlib's included) as well as wall time: on shared cores the wall time
  // also holds other processes' turns, the CPU time mostly does not.
  const { user, system } = process.cpuUsage(cpuBefore);
  const cpuSeconds = (user + system) / 1e6;
  process.stdout.write(`${JSON.stringify({ mode, file, seconds, cpuSeconds, maxRssMB, ...counts })}\n`);
}

await main();
