import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Larger than zlib's 16 KiB default: fewer, bigger chunks make framing cheaper per byte. */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export class InputFormatError extends Error {
  override readonly name = 'InputFormatError';
}

function startsWith(buffer: Buffer, magic: readonly number[]): boolean {
  return buffer.length >= magic.length && magic.every((byte, i) => buffer[i] === byte);
}

/**
 * Yields the text bytes of a source, gunzipping it when its first bytes say gzip. Content decides,
 * not the name: CloudTrail's `.json.gz` objects are sometimes served already decompressed, and a
 * saved file may have lost its extension.
 */
export async function* decodeBytes(
  source: AsyncIterable<Buffer | Uint8Array | string>,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  // Gather enough bytes to recognise a magic number, even from a source that trickles (stdin).
  while (head.length < ZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head = head.length === 0 ? toBuffer(next.value) : Buffer.concat([head, toBuffer(next.value)]);
  }
  if (head.length === 0) return;
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const next = await iterator.next();
        return next.done ? next : { done: false, value: toBuffer(next.value) };
      },
    }),
  };
  if (startsWith(head, ZIP_MAGIC)) {
    throw new InputFormatError('a ZIP archive, not a CloudTrail log: unzip it first');
  }
  if (startsWith(head, GZIP_MAGIC)) {
    yield* stripBom(gunzip(head, rest));
    return;
  }
  yield* stripBom(prepend(head, rest));
}

async function* gunzip(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = Readable.from(prepend(head, rest), { objectMode: false });
  const inflate = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  input.on('error', (error) => inflate.destroy(error));
  input.pipe(inflate);
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    throw describeGzipError(error);
  } finally {
    input.destroy();
  }
}

function describeGzipError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR')
    return new InputFormatError('truncated gzip data: the compressed stream ends early');
  if (code === 'Z_DATA_ERROR') return new InputFormatError(`corrupt gzip data (${error.message})`);
  return error;
}

async function* prepend(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  yield* rest;
}

async function* stripBom(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of chunks) {
    if (first && startsWith(chunk, UTF8_BOM)) {
      first = false;
      yield chunk.subarray(UTF8_BOM.length);
      continue;
    }
    first = false;
    yield chunk;
  }
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  return typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
