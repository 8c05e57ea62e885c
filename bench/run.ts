/**
 * `npm run bench`: reader throughput and memory against a gunzip + JSON.parse baseline measured in
 * the same run, on a generated log file. Each figure is the median of RUNS fresh processes.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { benchBacktest } from './backtest';
import { ensureLargeLogFile } from './generate';
import { benchLambda } from './lambda';

const MEGABYTES = Number(process.env.BENCH_MB ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The memory target for reading a 300 MB (uncompressed) file. */
const RSS_TARGET_MB = 256;

interface Measurement {
  mode: string;
  seconds: number;
  maxRssMB: number;
  records: number;
  problems: number;
  rules?: number;
  unparsed?: number;
  findings?: number;
}

type Mode = 'reader' | 'baseline' | 'scan' | 'scan10x';

function measure(mode: Mode, file: string): Measurement {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'measure.ts'), mode, file],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as Measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function summarise(mode: Mode, file: string): Measurement {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(measure(mode, file));
  const first = runs[0] as Measurement;
  return {
    mode,
    seconds: median(runs.map((r) => r.seconds)),
    maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)),
    records: first.records,
    problems: first.problems,
    ...(first.rules === undefined
      ? {}
      : { rules: first.rules, unparsed: first.unparsed, findings: first.findings }),
  };
}

const { gz, plain } = await ensureLargeLogFile(MEGABYTES);
const uncompressedMB = statSync(plain).size / 1e6;
console.log(
  `log file: ${uncompressedMB.toFixed(0)} MB uncompressed, ${(statSync(gz).size / 1e6).toFixed(0)} MB gzipped; median of ${RUNS} runs, Node ${process.version}`,
);

const rows: [string, Measurement][] = [
  ['baseline gunzip + JSON.parse (.gz)', summarise('baseline', gz)],
  ['trailwatch reader (.gz)', summarise('reader', gz)],
  ['baseline read + JSON.parse (.json)', summarise('baseline', plain)],
  ['trailwatch reader (.json)', summarise('reader', plain)],
];

console.log('');
console.log('| what | records | seconds | records/s | MB/s (uncompressed) | peak RSS MB |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, m] of rows) {
  console.log(
    `| ${name} | ${m.records} | ${m.seconds.toFixed(2)} | ${Math.round(m.records / m.seconds)} | ${(uncompressedMB / m.seconds).toFixed(0)} | ${m.maxRssMB.toFixed(0)} |`,
  );
}
const [, baseGz] = rows[0] as [string, Measurement];
const [, readGz] = rows[1] as [string, Measurement];
const [, basePlain] = rows[2] as [string, Measurement];
const [, readPlain] = rows[3] as [string, Measurement];
console.log('');
console.log(
  `reader / baseline time, gzipped: ${(readGz.seconds / baseGz.seconds).toFixed(2)}x; plain: ${(readPlain.seconds / basePlain.seconds).toFixed(2)}x`,
);
console.log(
  `reader peak RSS: ${readGz.maxRssMB.toFixed(0)} MB (.gz), ${readPlain.maxRssMB.toFixed(0)} MB (.json); target under ${RSS_TARGET_MB} MB: ${Math.max(readGz.maxRssMB, readPlain.maxRssMB) < RSS_TARGET_MB ? 'met' : 'NOT met'}`,
);
const scan = summarise('scan', gz);
const scan10x = summarise('scan10x', gz);
console.log('');
console.log('| scan (.gz) | rules | records | not parsed | findings | seconds | vs baseline | peak RSS MB |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, m] of [
  ['shipped pack', scan],
  ['10x pack (generated variants)', scan10x],
] as const) {
  console.log(
    `| ${name} | ${m.rules} | ${m.records} | ${m.unparsed} | ${m.findings} | ${m.seconds.toFixed(2)} | ${(m.seconds / baseGz.seconds).toFixed(2)}x | ${m.maxRssMB.toFixed(0)} |`,
  );
}
console.log('');
console.log(
  `full-pack scan / gunzip + JSON.parse baseline: ${(scan.seconds / baseGz.seconds).toFixed(2)}x (target at most 1.3x, stretch 1.0x)`,
);
console.log(`10x rules / 1x rules: ${(scan10x.seconds / scan.seconds).toFixed(2)}x (target at most 2x)`);
if (scan.records !== baseGz.records) {
  console.log(`WARNING: the scan read ${scan.records} records, the baseline ${baseGz.records}`);
  process.exitCode = 1;
}
if (readGz.records !== baseGz.records || readPlain.records !== basePlain.records) {
  console.log(`WARNING: record counts differ (reader ${readGz.records}, baseline ${baseGz.records})`);
  process.exitCode = 1;
}

await benchLambda();
await benchBacktest();
