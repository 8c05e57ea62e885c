/**
 * `trailwatch hunt` on DuckDB against `scan`, on the bench's log file with the shipped pack and
 * the example configuration. Run as a script (`hunt.ts FILE`) it measures one hunt in a fresh
 * process and prints one JSON line in bench/measure.ts's format, with the load (read, leaves,
 * DuckDB's read_json) and query phases split out; `benchHunt` runs it RUNS times and prints the
 * table beside scan's figures from the same `npm run bench`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../lib/config';
import { DuckdbHunt, huntFields } from '../lib/hunt';
import { readRecordBatches } from '../lib/ingest';
import type { CloudTrailRecord } from '../lib/records';
import { loadRules, shippedRulesDir } from '../lib/rules';
import { compileHunt } from '../lib/sql';
import { createDuckdbDialect } from '../lib/sql/duckdb-dialect';

export interface HuntMeasurement {
  readonly mode: 'hunt';
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  readonly records: number;
  readonly problems: number;
  readonly rules: number;
  readonly unsupported: number;
  readonly findings: number;
  readonly loadSeconds: number;
  readonly querySeconds: number;
}

/** What scan's row needs to stand beside hunt's (bench/run.ts's Measurement has these). */
interface ScanFigures {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  readonly records: number;
  readonly findings?: number;
}

async function measureOnce(file: string): Promise<HuntMeasurement> {
  const config = loadConfig(join(import.meta.dirname, '..', 'examples', 'trailwatch.yml'));
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const set = loadRules([shippedRulesDir()], { placeholders: config.placeholders });
  const compiled = compileHunt(set, createDuckdbDialect(), config.placeholders);
  const hunt = await DuckdbHunt.open();
  let problems = 0;
  async function* records(): AsyncGenerator<{ record: CloudTrailRecord }> {
    for await (const batch of readRecordBatches([{ kind: 'path', path: file }])) {
      for (const result of batch) {
        if (result.kind === 'record') yield { record: result.record };
        else if (result.kind === 'problem') problems++;
      }
    }
  }
  const count = await hunt.load(records(), huntFields(compiled));
  const loaded = process.hrtime.bigint();
  const { matches } = await hunt.match(compiled);
  const queried = process.hrtime.bigint();
  hunt.close();
  const { user, system } = process.cpuUsage(cpuBefore);
  return {
    mode: 'hunt',
    seconds: Number(queried - started) / 1e9,
    cpuSeconds: (user + system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    records: count,
    problems,
    rules: compiled.rules.length,
    unsupported: compiled.unsupported.length,
    findings: [...matches.values()].reduce((sum, positions) => sum + positions.length, 0),
    loadSeconds: Number(loaded - started) / 1e9,
    querySeconds: Number(queried - loaded) / 1e9,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs the hunt `runs` times in fresh processes and prints it beside scan's row. */
export function benchHunt(file: string, scan: ScanFigures, runs: number): void {
  const measured: HuntMeasurement[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, file], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    measured.push(JSON.parse(out.trim().split('\n').pop() as string) as HuntMeasurement);
  }
  const first = measured[0] as HuntMeasurement;
  const pick = (key: 'seconds' | 'cpuSeconds' | 'loadSeconds' | 'querySeconds'): number =>
    median(measured.map((m) => m[key]));
  const rss = Math.max(...measured.map((m) => m.maxRssMB));
  console.log('');
  console.log(
    `| shipped pack (.gz), median of ${runs} runs | records | matches | seconds | CPU s | peak RSS MB |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(
    `| scan (JavaScript engine) | ${scan.records} | ${scan.findings ?? ''} | ${scan.seconds.toFixed(2)} | ${scan.cpuSeconds.toFixed(2)} | ${scan.maxRssMB.toFixed(0)} |`,
  );
  console.log(
    `| hunt --engine duckdb (${first.rules} rules as SQL, ${first.unsupported} unsupported not run) | ${first.records} | ${first.findings} | ${pick('seconds').toFixed(2)} (load ${pick('loadSeconds').toFixed(2)}, queries ${pick('querySeconds').toFixed(2)}) | ${pick('cpuSeconds').toFixed(2)} | ${rss.toFixed(0)} |`,
  );
  console.log(
    'hunt loads every record into DuckDB before querying: its load is the price of a table that then answers any number of queries; scan reads once and ends.',
  );
  if (first.records !== scan.records) {
    console.log(`WARNING: hunt read ${first.records} records, scan ${scan.records}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: hunt.ts FILE');
  process.stdout.write(`${JSON.stringify(await measureOnce(file))}\n`);
}
