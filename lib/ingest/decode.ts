import { gunzipKeepingOutput, InputFormatError } from './gzip';

export { GUNZIP_CHUNK_BYTES, InputFormatError } from './gzip';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

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
    yield* stripBom(gunzipKeepingOutput(prepend(head, rest)));
    return;
  }
  yield* stripBom(prepend(head, rest));
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
