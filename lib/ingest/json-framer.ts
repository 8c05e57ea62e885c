/**
 * Splits a stream of JSON text into items without parsing it: each top-level value, or, inside a
 * top-level value that holds a streamed array (`{"Records":[…]}`, `{"Events":[…]}` or a bare `[…]`),
 * each element of that array. Only the bytes that can change nesting are looked at; strings are
 * skipped with `indexOf`, so framing costs a fraction of parsing and the native `JSON.parse` then
 * runs on one small item at a time. Memory stays bounded by the largest single item, not the file.
 *
 * JSON Lines, concatenated JSON and pretty-printed files are all sequences of top-level values, so
 * one framer serves them all. A malformed top-level value is reported and skipped up to the next
 * newline, which keeps one bad line of a JSON Lines file from losing the rest.
 */

/** Keys of a top-level object whose array value is split into items instead of kept whole. */
export const STREAMED_ARRAY_KEYS: ReadonlySet<string> = new Set(['Records', 'Events']);

/** Guards against pathological input; CloudTrail records nest a few levels deep at most. */
export const MAX_NESTING_DEPTH = 512;

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
  private capturing = false;
  private captureStart = 0;
  private captureLine = 1;
  private captureOffset = 0;
  private captureContainer: FramedContainer = 'top';

  /** Tracking of a top-level object's member key, to spot a streamed array. */
  private expectKey = false;
  private keyCapture: Buffer[] = [];
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
            out.push(
              this.error(i, `expected a JSON object or array but found ${describeByte(chunk, i)}`, true),
            );
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
    if (this.capturing) this.pending.push(chunk.subarray(this.captureStart));
    if (this.keyStart >= 0) this.keyCapture.push(chunk.subarray(this.keyStart));
    this.base += length;
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
        this.trailingBackslashes = countBackslashesBefore(chunk, chunk.length, this.trailingBackslashes);
        return chunk.length;
      }
      const backslashes = countBackslashesBefore(chunk, quote, this.trailingBackslashes);
      this.trailingBackslashes = 0;
      if (backslashes % 2 === 0) {
        this.endString(chunk, quote, out);
        return quote + 1;
      }
      search = quote + 1;
    }
  }

  private startString(at: number): void {
    this.mode = Mode.String;
    this.trailingBackslashes = 0;
    this.stringIsKey = this.expectKey && this.depth === 1 && this.stack[1] === OPEN_BRACE;
    if (this.stringIsKey) {
      this.keyStart = at + 1;
      this.keyCapture = [];
    } else if (this.depth === this.itemDepth) {
      this.beginCapture(at, 'item');
    }
  }

  private endString(chunk: Buffer, quote: number, out: FramerOutput[]): void {
    this.mode = Mode.Value;
    if (this.stringIsKey) {
      this.keyCapture.push(chunk.subarray(this.keyStart, quote));
      this.lastKey = Buffer.concat(this.keyCapture).toString('utf8');
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
      out.push(this.error(at, `nesting deeper than ${MAX_NESTING_DEPTH} levels`, false));
      this.mode = Mode.Dead;
      return;
    }
    const startsStreamedArray = this.awaitStreamedArray && byte === OPEN_BRACKET;
    this.awaitStreamedArray = false;
    this.depth++;
    this.stack[this.depth] = byte;
    this.expectKey = false;
    if (startsStreamedArray) {
      this.itemDepth = 2;
      this.itemIndex = 0;
      this.streamedKey = `key:${this.lastKey}`;
      this.capturing = false;
      this.pending = [];
    }
  }

  private close(chunk: Buffer, at: number, byte: number, out: FramerOutput[]): void {
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
   * values (JSON Lines) it resumes at the next line.
   */
  private failValue(at: number, message: string, out: FramerOutput[]): void {
    const resumable = this.itemDepth <= 0;
    out.push(this.error(at, message, resumable));
    this.capturing = false;
    this.pending = [];
    this.mode = resumable ? Mode.SkipLine : Mode.Dead;
  }

  private beginCapture(at: number, what: 'top' | 'item'): void {
    this.capturing = true;
    this.captureStart = at;
    this.captureLine = this.line;
    this.captureOffset = this.base + at;
    this.captureContainer = what === 'top' ? 'top' : this.streamedKey;
    this.pending = [];
  }

  private emitCapture(chunk: Buffer, endExclusive: number, out: FramerOutput[]): void {
    if (!this.capturing) return;
    const tail = chunk.subarray(this.captureStart, endExclusive);
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
    this.capturing = false;
  }

  private resetToTop(): void {
    this.mode = Mode.Top;
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
