/**
 * One measurement in a fresh process, so peak RSS belongs to that work alone.
 * Usage: measure.ts reader|baseline FILE  — prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readRecords } from '../lib/ingest';

type Mode = 'reader' | 'baseline';

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

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [Mode, string];
  const started = process.hrtime.bigint();
  const counts = mode === 'reader' ? await readerCount(file) : baselineCount(file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ mode, file, seconds, maxRssMB, ...counts })}\n`);
}

await main();
