/**
 * Splits a stream of JSON text into items without parsing it: each top-level value, or, inside a
 * top-level value that holds a streamed array (`{"Records":[…]}`, `{"Events":[…]}` or a bare `[…]`),
 * each element of that array. Only the bytes that can change nesting are looked at; strings are
 * skipped with `indexOf`, so framing costs a fraction of parsing and the native `JSON.parse` then
 * runs on one small item at a time. Memory stays bounded by the largest single item, not the file.
 *
 * JSON Lines, concatenated JSON and pretty-printed files are all sequences of top-level values, so
 * one framer serves them all. A malformed top-level value is reported and skipped up to the next
 * newline, which keeps one bad line of a JSON Lines file from losing the rest. JSON Lines records
 * never hold a raw newline (JSON escapes it inside strings), so a value still open at the end of its
 * line is reported at that line and reading resumes at the next one, once the content shows it is
 * JSON Lines: a value that closed on the line it started on, or a `{` at the very start of a line
 * inside an open value (pretty-printed JSON indents what it nests).
 *
 * An item nested too deep or larger than the size cap is reported and skipped to its end, without
 * being buffered: the rest of the input is read as usual.
 */

/** Keys of a top-level object whose array value is split into items instead of kept whole. */
export const STREAMED_ARRAY_KEYS: ReadonlySet<string> = new Set(['Records', 'Events']);

/**
 * Guards against pathological input; CloudTrail records nest a few levels deep at most. Items are
 * parsed and walked by code that recurses (JSON.parse, rule field readers, JSON.stringify), so
 * anything deeper is reported and skipped before it reaches them.
 */
export const MAX_NESTING_DEPTH = 512;

/**
 * Default cap on one item (record, JSON Lines line, or whole top-level value). CloudTrail events
 * are at most 256 KB (1 MB with the "Large" event size of event data stores: PutEventConfiguration
 * `MaxEventSize`), so 16 MiB leaves room for any envelope while bounding memory on hostile input.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventConfiguration.html
 */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Keys of a top-level object are kept only to spot `Records`/`Events`; longer ones never match. */
const MAX_TRACKED_KEY_BYTES = 64;

export interface FramerOptions {
  /** Items larger than this many bytes are reported and skipped (default DEFAULT_MAX_RECORD_BYTES). */
  readonly maxItemBytes?: number;
}

export type FramedContainer = 'top' | 'array' | `key:${string}`;

export interface FramedItem {
  readonly kind: 'item';
  readonly text: string;
  /** Where the item sits: the whole top-level value, an element of a top-level array, or of `{"KEY":[…]}`. */
  readonly container: FramedContainer;
  /** Position of the item inside its container (0 for a top-level value). */
  readonly index: number;
  /** Ordinal of the top-level value this item belongs to (0-based). */
  readonly topIndex: number;
  /** 1-based line and 0-based byte offset of the item's first byte in the decoded stream. */
  readonly line: number;
  readonly offset: number;
}

export interface FramingError {
  readonly kind: 'error';
  readonly message: string;
  readonly line: number;
  readonly offset: number;
  /** False when the framer could not find a place to resume and ignores the rest of the input. */
  readonly recovered: boolean;
  /** Where reading resumed: at the next line, or after the skipped item (undefined: nowhere). */
  readonly resumesAt?: 'next-line' | 'next-item';
}

export type FramerOutput = FramedItem | FramingError;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;

function isWhitespace(byte: number): boolean {
  return byte === SPACE || byte === NEWLINE || byte === CARRIAGE_RETURN || byte === TAB;
}

/** What the framer is doing between bytes. */
enum Mode {
  /** Between top-level values. */
  Top,
  /** Inside a value, outside any string. */
  Value,
  /** Inside a string. */
  String,
  /** Inside a scalar element (number, true, false, null) of a streamed array. */
  Scalar,
  /** After an unrecoverable error or a malformed line: skipping to the next newline. */
  SkipLine,
  /** After an unrecoverable error: ignoring the rest. */
  Dead,
}

export class JsonFramer {
  private readonly maxItemBytes: number;
  private mode: Mode = Mode.Top;
  /** Bracket stack: the opening byte at each depth (depth 1 is the top-level value). */
  private readonly stack = new Uint8Array(MAX_NESTING_DEPTH + 1);
  private depth = 0;
  /** Depth whose direct children are items (0: none; 1: a top-level array; 2: `{"Records":[…]}`). */
  private itemDepth = 0;
  private streamedKey: FramedContainer = 'top';
  private itemIndex = 0;
  private topIndex = -1;

  /** Bytes of the value being captured from earlier chunks, and where it starts in the current one. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private capturing = false;
  /** The current item was reported (too deep, too large) and is being skipped to its end. */
  private discarding = false;
  private captureStart = 0;
  private captureLine = 1;
  private captureOffset = 0;
  private captureContainer: FramedContainer = 'top';

  /** Tracking of a top-level object's member key, to spot a streamed array. */
  private expectKey = false;
  private keyCapture: Buffer[] = [];
  private keyBytes = 0;
  private keyStart = -1;
  private lastKey = '';
  private stringIsKey = false;
  /** Set between the colon after a streamed key and the start of its value. */
  private awaitStreamedArray = false;
  /** Backslashes at the end of the previous chunk while inside a string. */
  private trailingBackslashes = 0;

  private line = 1;
  /** Bytes consumed before the current chunk. */
  private base = 0;
  private sawContent = false;
  /** The content is JSON Lines: a top-level value closed on the line it started on. */
  private lineMode = false;
  /** Line and offset where the current top-level value starts. */
  private topLine = 1;
  private topOffset = 0;
  /** The previous chunk ended with a newline inside an open top-level value: look at the next byte. */
  private lineStartPending = false;
  /** Index in the current chunk of the next newline at or after the last search (-1: none; -2: not searched). */
  private newlineAt = -2;

  constructor(options: FramerOptions = {}) {
    this.maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  get bytesSeen(): number {
    return this.base;
  }

  get hasContent(): boolean {
    return this.sawContent;
  }

  /** Frames one chunk; items completed in it are appended to `out`. */
  push(chunk: Buffer, out: FramerOutput[]): void {
    const length = chunk.length;
    let i = 0;
    if (this.capturing) this.captureStart = 0;
    if (this.keyStart >= 0) this.keyStart = 0;
    this.newlineAt = -2;
    if (this.lineStartPending) {
      this.lineStartPending = false;
      if (this.mode === Mode.Value && length > 0 && chunk[0] === OPEN_BRACE) this.breakLine('bracket', out);
    }
    while (i < length) {
      switch (this.mode) {
        case Mode.String: {
          i = this.scanString(chunk, i, out);
          break;
        }
        case Mode.Value: {
          const byte = chunk[i] as number;
          if (byte === QUOTE) {
            this.awaitStreamedArray = false;
            this.startString(i);
            i++;
          } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            this.open(i, byte, out);
            i++;
          } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            this.close(chunk, i, byte, out);
            i++;
          } else if (byte === NEWLINE) {
            this.line++;
            i++;
            if (this.lineMode || this.itemDepth === 0) this.newlineInTopValue(chunk, i, out);
          } else if (byte === COLON) {
            this.afterColon();
            i++;
          } else if (byte === COMMA) {
            this.awaitStreamedArray = false;
            if (this.depth === 1 && this.stack[1] === OPEN_BRACE) this.expectKey = true;
            i++;
          } else if (this.depth === this.itemDepth && !isWhitespace(byte)) {
            this.beginCapture(i, 'item');
            this.mode = Mode.Scalar;
          } else {
            i++;
          }
          break;
        }
        case Mode.Top: {
          const byte = chunk[i] as number;
          if (byte === NEWLINE) {
            this.line++;
            i++;
          } else if (isWhitespace(byte)) {
            i++;
          } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            this.sawContent = true;
            this.topLine = this.line;
            this.topOffset = this.base + i;
            this.topIndex++;
            this.itemIndex = 0;
            this.itemDepth = byte === OPEN_BRACKET ? 1 : 0;
            this.streamedKey = byte === OPEN_BRACKET ? 'array' : 'top';
            if (this.itemDepth === 0) this.beginCapture(i, 'top');
            this.stack[1] = byte;
            this.depth = 1;
            this.expectKey = byte === OPEN_BRACE;
            this.mode = Mode.Value;
            i++;
          } else if (!this.sawContent) {
            // The very first thing is not JSON: another format altogether, not a bad line.
            this.sawContent = true;
            out.push(this.error(i, `not JSON: the input starts with ${describeByte(chunk, i)}`, false));
            this.mode = Mode.Dead;
          } else {
            const error = this.error(
              i,
              `expected a JSON object or array but found ${describeByte(chunk, i)}`,
              true,
            );
            out.push({ ...error, resumesAt: 'next-line' });
            this.mode = Mode.SkipLine;
          }
          break;
        }
        case Mode.Scalar: {
          const byte = chunk[i] as number;
          if (byte === COMMA || byte === CLOSE_BRACKET || isWhitespace(byte)) {
            this.emitCapture(chunk, i, out);
            this.mode = Mode.Value;
          } else {
            i++;
          }
          break;
        }
        case Mode.SkipLine: {
          const next = chunk.indexOf(NEWLINE, i);
          if (next === -1) {
            i = length;
          } else {
            this.line++;
            i = next + 1;
            this.resetToTop();
          }
          break;
        }
        case Mode.Dead:
          i = length;
          break;
      }
    }
    if (this.capturing) {
      const rest = chunk.subarray(this.captureStart);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxItemBytes) this.discardOversized(this.pendingBytes, out);
    }
    if (this.keyStart >= 0) this.keepKeyBytes(chunk.subarray(this.keyStart));
    this.base += length;
  }

  /**
   * A newline inside a top-level value: in JSON Lines the value is broken and reading resumes on
   * this new line (items of it already framed stand). Before the content showed JSON Lines, a `{`
   * at the very start of the line inside a whole value says the same (pretty-printed JSON indents
   * nested values), and anything else is pretty-printing.
   */
  private newlineInTopValue(chunk: Buffer, next: number, out: FramerOutput[]): void {
    if (this.lineMode) {
      this.breakLine('bracket', out);
    } else if (next < chunk.length) {
      if (chunk[next] === OPEN_BRACE) this.breakLine('bracket', out);
    } else {
      this.lineStartPending = true;
    }
  }

  /** Reports the open top-level value at the line it started on, and resumes at the current byte. */
  private breakLine(what: 'bracket' | 'string', out: FramerOutput[]): void {
    const inside = what === 'string' ? 'a string that is not closed' : 'a bracket that is not closed';
    if (!this.discarding) {
      out.push({
        kind: 'error',
        message: `the line ends inside a JSON value (${inside})`,
        line: this.topLine,
        offset: this.topOffset,
        recovered: true,
        resumesAt: 'next-line',
      });
    }
    this.resetToTop();
  }

  private keepKeyBytes(bytes: Buffer): void {
    this.keyBytes += bytes.length;
    if (this.keyBytes <= MAX_TRACKED_KEY_BYTES) this.keyCapture.push(bytes);
  }

  /** Reports a value left open at the end of the input. */
  end(out: FramerOutput[]): void {
    if (this.mode === Mode.Scalar) {
      this.emitCapture(Buffer.alloc(0), 0, out);
      this.mode = Mode.Value;
    }
    if (this.mode === Mode.Value || this.mode === Mode.String) {
      const where =
        this.itemDepth > 0
          ? `inside ${containerLabel(this.streamedKey)} after ${this.itemIndex} complete item(s)`
          : 'inside a JSON value';
      out.push({
        kind: 'error',
        message: `input ends ${where}: the file is truncated or not complete JSON`,
        line: this.line,
        offset: this.base,
        recovered: false,
      });
    }
    this.pending = [];
    this.capturing = false;
    this.mode = Mode.Dead;
  }

  private scanString(chunk: Buffer, from: number, out: FramerOutput[]): number {
    let search = from;
    for (;;) {
      const quote = chunk.indexOf(QUOTE, search);
      if (quote === -1) {
        const broken = this.rawNewlineBefore(chunk, from, chunk.length);
        if (broken !== -1) return this.breakStringAt(broken, out);
        this.trailingBackslashes = countBackslashesBefore(chunk, chunk.length, this.trailingBackslashes);
        return chunk.length;
      }
      const backslashes = countBackslashesBefore(chunk, quote, this.trailingBackslashes);
      this.trailingBackslashes = 0;
      if (backslashes % 2 === 0) {
        const broken = this.rawNewlineBefore(chunk, from, quote);
        if (broken !== -1) return this.breakStringAt(broken, out);
        this.endString(chunk, quote, out);
        return quote + 1;
      }
      search = quote + 1;
    }
  }

  /**
   * The first raw newline in `[from, end)` of a string, or -1. JSON escapes newlines in strings, so
   * a raw one means the string was never closed on its line. Checked in JSON Lines and in whole
   * top-level values (not in the items of a pretty-printed log file, which stay as they were),
   * with one `indexOf` per line rather than per string.
   */
  private rawNewlineBefore(chunk: Buffer, from: number, end: number): number {
    if ((this.itemDepth !== 0 && !this.lineMode) || this.newlineAt === -1) return -1;
    if (this.newlineAt < from) this.newlineAt = chunk.indexOf(NEWLINE, from);
    return this.newlineAt !== -1 && this.newlineAt < end ? this.newlineAt : -1;
  }

  private breakStringAt(newline: number, out: FramerOutput[]): number {
    this.keyStart = -1;
    this.keyCapture = [];
    this.breakLine('string', out);
    this.line++;
    return newline + 1;
  }

  private startString(at: number): void {
    this.mode = Mode.String;
    this.trailingBackslashes = 0;
    this.stringIsKey = this.expectKey && this.depth === 1 && this.stack[1] === OPEN_BRACE;
    if (this.stringIsKey) {
      this.keyStart = at + 1;
      this.keyCapture = [];
      this.keyBytes = 0;
    } else if (this.depth === this.itemDepth) {
      this.beginCapture(at, 'item');
    }
  }

  private endString(chunk: Buffer, quote: number, out: FramerOutput[]): void {
    this.mode = Mode.Value;
    if (this.stringIsKey) {
      this.keepKeyBytes(chunk.subarray(this.keyStart, quote));
      this.lastKey =
        this.keyBytes <= MAX_TRACKED_KEY_BYTES ? Buffer.concat(this.keyCapture).toString('utf8') : '';
      this.keyCapture = [];
      this.keyStart = -1;
      this.expectKey = false;
      this.stringIsKey = false;
    } else if (this.depth === this.itemDepth) {
      this.emitCapture(chunk, quote + 1, out);
    }
  }

  /** A colon at depth 1 of a top-level object: if the member is a streamed array, the next `[` splits. */
  private afterColon(): void {
    this.awaitStreamedArray =
      this.depth === 1 &&
      this.stack[1] === OPEN_BRACE &&
      this.itemDepth === 0 &&
      STREAMED_ARRAY_KEYS.has(this.lastKey);
  }

  private open(at: number, byte: number, out: FramerOutput[]): void {
    if (this.depth === this.itemDepth) this.beginCapture(at, 'item');
    if (this.depth >= MAX_NESTING_DEPTH) {
      // Deeper levels are only counted (no stack, no capture) until the item closes.
      if (!this.discarding) {
        this.discard(
          `nesting deeper than ${MAX_NESTING_DEPTH} levels (byte ${this.base + at}): item skipped`,
          out,
        );
      }
      this.depth++;
      return;
    }
    const startsStreamedArray = this.awaitStreamedArray && byte === OPEN_BRACKET;
    this.awaitStreamedArray = false;
    this.depth++;
    this.stack[this.depth] = byte;
    this.expectKey = false;
    if (startsStreamedArray) {
      this.discarding = false;
      this.itemDepth = 2;
      this.itemIndex = 0;
      this.streamedKey = `key:${this.lastKey}`;
      this.capturing = false;
      this.pending = [];
    }
  }

  private close(chunk: Buffer, at: number, byte: number, out: FramerOutput[]): void {
    if (this.depth > MAX_NESTING_DEPTH) {
      this.depth--;
      return;
    }
    const opener = this.stack[this.depth];
    const expected = opener === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    if (this.depth === 0 || byte !== expected) {
      const found = String.fromCharCode(byte);
      const message =
        this.depth === 0
          ? `unexpected '${found}'`
          : `'${found}' closes '${String.fromCharCode(opener as number)}' (mismatched brackets)`;
      this.failValue(at, message, out);
      return;
    }
    this.depth--;
    if (this.depth === this.itemDepth && this.itemDepth > 0) {
      this.emitCapture(chunk, at + 1, out);
    } else if (this.depth === 0) {
      if (this.topLine === this.line) this.lineMode = true;
      if (this.itemDepth === 0) this.emitCapture(chunk, at + 1, out);
      this.resetToTop();
    } else if (this.depth < this.itemDepth) {
      // The streamed array closed; the rest of the top-level object is skipped.
      this.itemDepth = -1;
    }
  }

  /**
   * A structural error inside a value. Items already emitted stand. Inside a streamed array the
   * framer cannot tell where the next item starts, so it gives up on the input; between top-level
   * values, and anywhere once the content is known to be JSON Lines (each value on its own line,
   * a garbage line such as `[}` included), it resumes at the next line.
   */
  private failValue(at: number, message: string, out: FramerOutput[]): void {
    const resumable = this.itemDepth <= 0 || this.lineMode;
    const error = this.error(at, message, resumable);
    out.push(resumable ? { ...error, resumesAt: 'next-line' } : error);
    this.capturing = false;
    this.discarding = false;
    this.pending = [];
    this.pendingBytes = 0;
    this.mode = resumable ? Mode.SkipLine : Mode.Dead;
  }

  /** Reports the item being read and skips the rest of it without keeping its bytes. */
  private discard(message: string, out: FramerOutput[]): void {
    out.push({
      kind: 'error',
      message,
      line: this.captureLine,
      offset: this.captureOffset,
      recovered: true,
      resumesAt: 'next-item',
    });
    this.discarding = true;
    this.capturing = false;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private discardOversized(size: number, out: FramerOutput[]): void {
    this.discard(
      `item larger than ${this.maxItemBytes} bytes (at least ${size}; the record size cap): item skipped`,
      out,
    );
  }

  private beginCapture(at: number, what: 'top' | 'item'): void {
    this.capturing = true;
    this.discarding = false;
    this.pendingBytes = 0;
    this.captureStart = at;
    this.captureLine = this.line;
    this.captureOffset = this.base + at;
    this.captureContainer = what === 'top' ? 'top' : this.streamedKey;
    this.pending = [];
  }

  private emitCapture(chunk: Buffer, endExclusive: number, out: FramerOutput[]): void {
    if (this.discarding) {
      // A skipped item still takes its place: the items after it keep their indexes.
      this.discarding = false;
      if (this.captureContainer !== 'top') this.itemIndex++;
      return;
    }
    if (!this.capturing) return;
    const tail = chunk.subarray(this.captureStart, endExclusive);
    if (this.pendingBytes + tail.length > this.maxItemBytes) {
      this.discardOversized(this.pendingBytes + tail.length, out);
      this.discarding = false;
      if (this.captureContainer !== 'top') this.itemIndex++;
      return;
    }
    const text =
      this.pending.length === 0
        ? tail.toString('utf8')
        : Buffer.concat([...this.pending, tail]).toString('utf8');
    const isTop = this.captureContainer === 'top';
    out.push({
      kind: 'item',
      text,
      container: this.captureContainer,
      index: isTop ? 0 : this.itemIndex++,
      topIndex: this.topIndex,
      line: this.captureLine,
      offset: this.captureOffset,
    });
    this.pending = [];
    this.pendingBytes = 0;
    this.capturing = false;
  }

  private resetToTop(): void {
    this.mode = Mode.Top;
    this.discarding = false;
    this.pendingBytes = 0;
    this.depth = 0;
    this.itemDepth = 0;
    this.expectKey = false;
    this.awaitStreamedArray = false;
    this.lastKey = '';
    this.capturing = false;
    this.pending = [];
  }

  private error(at: number, message: string, recovered: boolean): FramingError {
    return { kind: 'error', message, line: this.line, offset: this.base + at, recovered };
  }
}

function countBackslashesBefore(chunk: Buffer, position: number, carried: number): number {
  let count = 0;
  let p = position - 1;
  while (p >= 0 && chunk[p] === BACKSLASH) {
    count++;
    p--;
  }
  return p < 0 ? count + carried : count;
}

function describeByte(chunk: Buffer, at: number): string {
  const snippet = chunk
    .subarray(at, Math.min(chunk.length, at + 16))
    .toString('utf8')
    .split('\n')[0];
  return JSON.stringify(snippet);
}

export function containerLabel(container: FramedContainer): string {
  if (container === 'top') return 'the top-level value';
  if (container === 'array') return 'the top-level array';
  return `the ${container.slice(4)} array`;
}
