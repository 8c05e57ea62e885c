import { constants, crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';

/**
 * gzip decoding that keeps everything decompressed before a fault. Node's `createGunzip` checks the
 * CRC and length in the same zlib call that produces the last output, and drops that output when
 * the check fails: a bad trailer cost a whole small file. Here the gzip container (RFC 1952: header,
 * raw deflate data, CRC-32 and ISIZE trailer) is parsed by hand around a raw inflater, so a bad
 * trailer, trailing garbage or a cut is found only after every byte of data was handed on, and a
 * fault inside the deflate data is narrowed down so that the output before it is handed on too.
 * https://www.rfc-editor.org/rfc/rfc1952
 */

/**
 * zlib's output buffer, far larger than its 16 KiB default: fewer, bigger chunks make framing
 * cheaper per byte, and a slice (`GZIP_FEED_SLICE_BYTES`) inflates in one zlib step. zlib hands
 * each step back to the main thread before the next: with a 256 KiB buffer a 64 KiB slice of the
 * bench file (4:1) took two, the second waiting while the main thread framed, and the main thread
 * then sat idle on it (a fifth of the time of a read with the prefilter, in the profile; one step
 * per slice halved that, and the read took about 9% less time).
 */
export const GUNZIP_CHUNK_BYTES = 1024 * 1024;

/**
 * Compressed bytes of a gzip member kept for recovery from a fault inside its deflate data: the
 * output of the zlib call that fails is lost, so it is decoded again, to just before the fault,
 * from the kept bytes. CloudTrail log objects are a few KB to a few MB compressed; past this limit
 * a fault may cost up to GUNZIP_CHUNK_BYTES of output before it, and the message says so.
 */
export const GZIP_RECOVERY_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Compressed bytes handed to zlib per call, so that zlib inflates the next slice on its thread
 * while the output of this one is framed (a larger write is inflated in several steps that each
 * wait for the main thread). Its output fits one `GUNZIP_CHUNK_BYTES` buffer at up to 16:1; data that
 * compresses better takes more steps, which is only slower.
 */
export const GZIP_FEED_SLICE_BYTES = 64 * 1024;

/** A gzip header with every optional field is small; more than this before the data is not gzip. */
const MAX_GZIP_HEADER_BYTES = 64 * 1024;

const GZIP_ID1 = 0x1f;
const GZIP_ID2 = 0x8b;
const DEFLATE_METHOD = 8;
const FLAG_HEADER_CRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const FIXED_HEADER_BYTES = 10;
const TRAILER_BYTES = 8;

/**
 * A fault in the bytes themselves (not the transport): retrying the read gives the same fault.
 * Its location is the byte offset of the fault in the compressed input, which every such message
 * already states (`… at compressed byte 120`); the reader adds the file and record around it.
 */
export class InputFormatError extends TrailwatchError {
  override readonly name = 'InputFormatError';
  /** Byte offset of the fault in the compressed input, when the input is compressed. */
  readonly compressedOffset: number | undefined;

  constructor(message: string, compressedOffset?: number, options: TrailwatchErrorOptions = {}) {
    super(message, 'input-format', {
      ...(compressedOffset === undefined ? {} : { location: { byte: compressedOffset } }),
      locationInMessage: compressedOffset !== undefined,
      ...options,
    });
    this.compressedOffset = compressedOffset;
  }
}

/** Pulls bytes from a chunk iterator on demand, remembering how many were taken. */
class ByteSource {
  private buffered: Buffer = Buffer.alloc(0);
  private done = false;
  /** Compressed bytes handed out so far (the offset of `buffered[0]`). */
  offset = 0;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  /** Ensures at least `count` bytes are buffered, unless the input ends first. */
  async fill(count: number): Promise<Buffer> {
    while (this.buffered.length < count && !this.done) {
      const next = await this.chunks.next();
      if (next.done) this.done = true;
      else
        this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    }
    return this.buffered;
  }

  /** Up to `limit` bytes: buffered ones first, else from the next chunk; undefined at the end. */
  async next(limit: number): Promise<Buffer | undefined> {
    if (this.buffered.length === 0 && !this.done) {
      const next = await this.chunks.next();
      if (next.done) this.done = true;
      else this.buffered = next.value;
    }
    if (this.buffered.length === 0) return undefined;
    return this.take(Math.min(limit, this.buffered.length));
  }

  take(count: number): Buffer {
    const taken = this.buffered.subarray(0, count);
    this.buffered = this.buffered.subarray(count);
    this.offset += taken.length;
    return taken;
  }

  /** Gives back bytes that were taken but not used (the inflater stopped inside a chunk). */
  unread(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.buffered = this.buffered.length === 0 ? bytes : Buffer.concat([bytes, this.buffered]);
    this.offset -= bytes.length;
  }
}

/** Parses one member header; returns its length, or throws where it is not gzip. */
function headerLength(bytes: Buffer, at: number, ended: boolean): number | 'more' {
  const need = (n: number): boolean => bytes.length < n;
  if (need(FIXED_HEADER_BYTES)) return ended ? fail('truncated gzip header') : 'more';
  if (bytes[0] !== GZIP_ID1 || bytes[1] !== GZIP_ID2) return fail('not a gzip header');
  if (bytes[2] !== DEFLATE_METHOD) return fail(`unknown gzip compression method ${bytes[2]}`);
  const flags = bytes[3] as number;
  if ((flags & RESERVED_FLAGS) !== 0) return fail('reserved gzip header flags are set');
  let position = FIXED_HEADER_BYTES;
  if (flags & FLAG_EXTRA) {
    if (need(position + 2)) return more();
    position += 2 + bytes.readUInt16LE(position);
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if ((flags & flag) === 0) continue;
    const zero = bytes.indexOf(0, position);
    if (zero === -1) return more();
    position = zero + 1;
  }
  if (flags & FLAG_HEADER_CRC) position += 2;
  if (need(position)) return more();
  return position;

  function more(): 'more' {
    if (ended || bytes.length > MAX_GZIP_HEADER_BYTES) fail('truncated or oversized gzip header');
    return 'more';
  }
  function fail(message: string): never {
    throw new InputFormatError(`corrupt gzip data: ${message} (compressed byte ${at})`, at);
  }
}

/** The outcome of writing one chunk to the raw inflater. */
interface Fed {
  readonly outputs: Buffer[];
  /** Bytes of the chunk the inflater did not take: it reached the end of the deflate data. */
  readonly unused: number;
  readonly error?: Error;
}

/** A raw inflater driven one chunk at a time, so the caller knows where the deflate data ends. */
class RawInflater {
  private readonly inflate = createInflateRaw({ chunkSize: GUNZIP_CHUNK_BYTES });
  private outputs: Buffer[] = [];
  private failure: Error | undefined;
  private fed = 0;
  private settle: (() => void) | undefined;

  constructor() {
    this.inflate.on('data', (chunk: Buffer) => this.outputs.push(chunk));
    this.inflate.on('error', (error: Error) => {
      this.failure = error;
      this.settle?.();
    });
  }

  /** Bytes the inflater consumed before its last successful call. */
  get consumed(): number {
    return this.inflate.bytesWritten;
  }

  async feed(chunk: Buffer): Promise<Fed> {
    this.fed += chunk.length;
    await new Promise<void>((resolve) => {
      this.settle = resolve;
      this.inflate.write(chunk, () => resolve());
    });
    this.settle = undefined;
    const outputs = this.outputs;
    this.outputs = [];
    const unused = this.fed - this.inflate.bytesWritten;
    return this.failure === undefined ? { outputs, unused } : { outputs, unused, error: this.failure };
  }

  close(): void {
    this.inflate.destroy();
  }
}

/**
 * Yields the decompressed bytes of a gzip stream (one or more members, as `cat a.gz b.gz` makes),
 * then throws an `InputFormatError` naming the compressed byte of the first fault, if there is one.
 * Errors of the source itself (a network failure) are thrown as they are.
 */
export async function* gunzipKeepingOutput(chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  const source = new ByteSource(chunks);
  for (let member = 0; ; member++) {
    const memberStart = source.offset;
    const head = await source.fill(2);
    if (head.length === 0 && member > 0) return;
    if (member > 0 && (head[0] !== GZIP_ID1 || head[1] !== GZIP_ID2)) {
      throw new InputFormatError(
        `trailing garbage after the gzip data (compressed byte ${memberStart})`,
        memberStart,
      );
    }
    for (let want = FIXED_HEADER_BYTES; ; ) {
      const bytes = await source.fill(want);
      const length = headerLength(bytes, memberStart, bytes.length < want);
      if (length !== 'more') {
        source.take(length);
        break;
      }
      want = bytes.length + 1024;
    }
    yield* inflateMember(source);
  }
}

/** Inflates one member's deflate data and checks its trailer; leaves the source after the trailer. */
async function* inflateMember(source: ByteSource): AsyncGenerator<Buffer> {
  const dataStart = source.offset;
  const inflater = new RawInflater();
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let crc = 0;
  let size = 0;
  let ended = false;
  const keep = (chunk: Buffer): void => {
    if (keptBytes + chunk.length <= GZIP_RECOVERY_MAX_BYTES) {
      kept.push(chunk);
      keptBytes += chunk.length;
    } else {
      keptBytes = Number.POSITIVE_INFINITY;
    }
  };
  try {
    let chunk = await source.next(GZIP_FEED_SLICE_BYTES);
    let inFlight = chunk === undefined ? undefined : inflater.feed(chunk);
    while (chunk !== undefined && inFlight !== undefined) {
      keep(chunk);
      const fed = await inFlight;
      // The next chunk inflates on zlib's thread while this one's output is framed on ours.
      let next: Buffer | undefined;
      let nextInFlight: Promise<Fed> | undefined;
      if (fed.error === undefined && fed.unused === 0) {
        next = await source.next(GZIP_FEED_SLICE_BYTES);
        if (next !== undefined) nextInFlight = inflater.feed(next);
      }
      for (const output of fed.outputs) {
        crc = crc32(output, crc);
        size += output.length;
        yield output;
      }
      if (fed.error) {
        const consumed = inflater.consumed;
        const recovered = Number.isFinite(keptBytes)
          ? recoverBeforeFault(Buffer.concat(kept), consumed, size)
          : undefined;
        if (recovered && recovered.output.length > 0) yield recovered.output;
        const at = dataStart + (recovered?.faultAt ?? consumed);
        const lost = recovered ? '' : `; up to ${GUNZIP_CHUNK_BYTES} decompressed bytes before it were lost`;
        throw new InputFormatError(
          `corrupt gzip data (${fed.error.message}) at compressed byte ${at}${lost}`,
          at,
        );
      }
      if (fed.unused > 0) {
        source.unread(chunk.subarray(chunk.length - fed.unused));
        ended = true;
        break;
      }
      chunk = next;
      inFlight = nextInFlight;
    }
  } finally {
    inflater.close();
  }
  const trailerAt = source.offset;
  const trailer = await source.fill(TRAILER_BYTES);
  if (!ended || trailer.length < TRAILER_BYTES) {
    throw new InputFormatError(
      `truncated gzip data: the compressed stream ends early (compressed byte ${source.offset + trailer.length})`,
      source.offset + trailer.length,
    );
  }
  const storedCrc = trailer.readUInt32LE(0);
  const storedSize = trailer.readUInt32LE(4);
  if (storedCrc !== crc >>> 0) {
    throw new InputFormatError(
      `corrupt gzip data: CRC-32 mismatch (stored ${hex(storedCrc)}, data ${hex(crc >>> 0)}) at compressed byte ${trailerAt}`,
      trailerAt,
    );
  }
  // ISIZE is the length modulo 2^32 (RFC 1952 section 2.3.1).
  if (storedSize !== size % 2 ** 32) {
    throw new InputFormatError(
      `corrupt gzip data: length mismatch (stored ${storedSize}, data ${size % 2 ** 32}) at compressed byte ${trailerAt + 4}`,
      trailerAt + 4,
    );
  }
  source.take(TRAILER_BYTES);
}

/**
 * Decodes the kept deflate data again up to just before the fault. Decoding stops at the fault
 * whatever the prefix, so the longest prefix that decodes without error is found by bisection
 * between what the inflater had consumed (decodes) and everything kept (fails).
 */
function recoverBeforeFault(
  data: Buffer,
  consumed: number,
  delivered: number,
): { output: Buffer; faultAt: number } | undefined {
  const decode = (length: number): Buffer | undefined => {
    try {
      return inflateRawSync(data.subarray(0, length), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  };
  let good = Math.min(consumed, data.length);
  let best = decode(good);
  if (best === undefined) return undefined;
  let bad = data.length;
  while (bad - good > 1) {
    const middle = good + Math.floor((bad - good) / 2);
    const output = decode(middle);
    if (output === undefined) bad = middle;
    else {
      good = middle;
      best = output;
    }
  }
  return { output: best.subarray(Math.min(delivered, best.length)), faultAt: good };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
