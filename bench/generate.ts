/**
 * Builds a large CloudTrail log file (`{"Records":[…]}`) from the real records in the fixtures and
 * examples, each copy with its own eventID and time, streamed through gzip so generation itself
 * stays small in memory.
 */
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';

const ROOT = join(import.meta.dirname, '..');

export function seedRecords(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  // Every delivered log object under the samples' AWSLogs tree, in file-name order, so the seeds
  // do not depend on which account and region folders the objects sit in.
  const logFiles = gzippedLogFiles(join(ROOT, 'examples', 'logs', 'AWSLogs')).sort((a, b) =>
    basename(a) < basename(b) ? -1 : 1,
  );
  for (const file of logFiles) {
    const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
      Records: Record<string, unknown>[];
    };
    records.push(...parsed.Records);
  }
  for (const name of ['otrf-ec2-proxy-s3-exfiltration.jsonl', 'aws-docs-examples.jsonl']) {
    for (const line of readFileSync(join(ROOT, 'examples', 'logs', 'jsonl', name), 'utf8').split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  return records;
}

function gzippedLogFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return gzippedLogFiles(path);
    return entry.name.endsWith('.json.gz') ? [path] : [];
  });
}

async function* logFileText(targetBytes: number): AsyncGenerator<string> {
  const seeds = seedRecords().map((record) => JSON.stringify(record));
  const start = Date.UTC(2024, 0, 1);
  let written = 0;
  let index = 0;
  yield '{"Records":[';
  const batch: string[] = [];
  while (written < targetBytes) {
    const seed = seeds[index % seeds.length] as string;
    const time = new Date(start + index * 1000).toISOString().replace('.000Z', 'Z');
    const text = seed
      .replace(/"eventID":"[^"]*"/, `"eventID":"bench-${index.toString(16).padStart(8, '0')}"`)
      .replace(/"eventTime":"[^"]*"/, `"eventTime":"${time}"`);
    batch.push(index === 0 ? text : `,${text}`);
    written += text.length + 1;
    index++;
    if (batch.length === 1000) {
      yield batch.join('');
      batch.length = 0;
    }
  }
  yield `${batch.join('')}]}`;
}

/** Returns the path of a gzipped log file of about `megabytes` MB uncompressed, building it once. */
export async function ensureLargeLogFile(megabytes: number): Promise<{ gz: string; plain: string }> {
  const dir = join(ROOT, 'bench', '.data');
  const gz = join(dir, `cloudtrail-${megabytes}MB.json.gz`);
  const plain = join(dir, `cloudtrail-${megabytes}MB.json`);
  mkdirSync(dirname(gz), { recursive: true });
  if (!existsSync(plain)) {
    await pipeline(logFileText(megabytes * 1_000_000), createWriteStream(`${plain}.tmp`));
    renameSync(`${plain}.tmp`, plain);
  }
  if (!existsSync(gz) || statSync(gz).mtimeMs < statSync(plain).mtimeMs) {
    await pipeline(
      (await import('node:fs')).createReadStream(plain),
      createGzip({ level: 6 }),
      createWriteStream(`${gz}.tmp`),
    );
    renameSync(`${gz}.tmp`, gz);
  }
  return { gz, plain };
}
