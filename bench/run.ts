/**
 * `npm run bench`: reader throughput and memory against a gunzip + JSON.parse baseline measured in
 * the same run, on a generated log file. Each figure is the median of RUNS fresh processes.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLargeLogFile } from './generate';

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
}

function measure(mode: 'reader' | 'baseline', file: string): Measurement {
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

function summarise(mode: 'reader' | 'baseline', file: string): Measurement {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(measure(mode, file));
  const first = runs[0] as Measurement;
  return {
    mode,
    seconds: median(runs.map((r) => r.seconds)),
    maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)),
    records: first.records,
    problems: first.problems,
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
if (readGz.records !== baseGz.records || readPlain.records !== basePlain.records) {
  console.log(`WARNING: record counts differ (reader ${readGz.records}, baseline ${baseGz.records})`);
  process.exitCode = 1;
}
