import type { Input, Origin, ReadOptions } from '../../lib/ingest';
import { readRecords } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';

export interface Collected {
  records: CloudTrailRecord[];
  origins: Origin[];
  problems: { message: string; origin: Origin }[];
  skipped: { reason: string; origin: Origin }[];
}

export async function collect(inputs: Input[], options: ReadOptions = {}): Promise<Collected> {
  const collected: Collected = { records: [], origins: [], problems: [], skipped: [] };
  for await (const result of readRecords(inputs, options)) {
    if (result.kind === 'record') {
      collected.records.push(result.record);
      collected.origins.push(result.origin);
    } else if (result.kind === 'problem')
      collected.problems.push({ message: result.message, origin: result.origin });
    else collected.skipped.push({ reason: result.reason, origin: result.origin });
  }
  return collected;
}

export function bytesInput(name: string, data: string | Buffer, chunkSize?: number): Input {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  return { kind: 'bytes', name, chunks: chunked(buffer, chunkSize ?? buffer.length) };
}

async function* chunked(buffer: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buffer.length; i += Math.max(1, size)) yield buffer.subarray(i, i + Math.max(1, size));
}

export function payload(value: unknown, name = 'event'): Input {
  return { kind: 'payload', name, value };
}
