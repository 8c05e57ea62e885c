import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import { neutralizeControl, oneLine } from '../text';

/** The streams a command talks to; tests pass their own. */
export interface CliIo {
  readonly stdout: Writable;
  /** Diagnostics; behind `guardedIo` it shows control characters as escapes, whatever is written. */
  readonly stderr: Writable;
  readonly stdin: AsyncIterable<Buffer | Uint8Array | string>;
  /**
   * The raw stderr under a guarded `stderr`, for the one writer whose escapes are meant: the progress
   * bar, which redraws its line with CR and ESC[2K and prints only numbers.
   */
  readonly terminal?: Writable;
}

/**
 * The process's own streams, each ending the run quietly when its reader goes away
 * (`trailwatch rules list | head`): see `endWhenReaderCloses`.
 */
export function processIo(): CliIo {
  const exit = (code: number): never => process.exit(code);
  endWhenReaderCloses(process.stdout, exit);
  endWhenReaderCloses(process.stderr, exit);
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** What the reader of a pipe closing early makes a write fail with: nothing is wrong, no one reads. */
const READER_GONE: ReadonlySet<string> = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);
const installed = new WeakSet<Writable>();

/**
 * Every writer of the stream (commander's help, LineWriter, a diagnostic) fails alike once the
 * reader has closed the pipe: Node emits EPIPE as an `error` event, which unhandled prints a stack
 * and exits 1. The reader took what it wanted (`| head` is done), so the run ends at once with exit 0
 * instead of reading on for output nobody reads, as a command killed by SIGPIPE would, minus the
 * signal. Any other write failure (a full disk) ends it with exit 1.
 */
export function endWhenReaderCloses(stream: Writable, exit: (code: number) => void): void {
  if (installed.has(stream)) return;
  installed.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    exit(error.code !== undefined && READER_GONE.has(error.code) ? EXIT_OK : EXIT_INPUT_FAILED);
  });
}

/**
 * The same streams with stderr neutralised: every message the commands write there (file and key
 * names, rule titles, event fields, AWS error texts) reaches the terminal with its ESC, CR, BEL, C1
 * and bidi characters shown as escapes (`neutralizeControl`), line feeds kept. Applied once by `main`,
 * so no call site can forget it. stdout is left alone: it carries JSON, whose bytes are the data.
 */
export function guardedIo(io: CliIo): CliIo {
  if (io.terminal !== undefined) return io;
  return { ...io, stderr: neutralizingStream(io.stderr), terminal: io.stderr };
}

/** A stream that writes through to `target` with control characters shown as escapes, line feeds kept. */
export function neutralizingStream(target: Writable): Writable {
  // A multi-byte character split across two Buffer writes is decoded whole, not as two U+FFFD.
  const decoder = new StringDecoder('utf8');
  const pass = (text: string): void => {
    if (text !== '' && !target.destroyed) target.write(neutralizeControl(text));
  };
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, callback) {
      // Diagnostics are small and their writers never wait: pass on at once, keeping the order with
      // the progress bar's direct writes to the same terminal.
      pass(chunk instanceof Uint8Array ? decoder.write(chunk) : String(chunk));
      callback();
    },
    final(callback) {
      pass(decoder.end());
      callback();
    },
  });
  // Commands ask stderr whether it is a terminal (to draw a progress bar): answer for the target.
  Object.defineProperty(stream, 'isTTY', { get: () => isTerminal(target) });
  return stream;
}

/** True when the stream is a terminal (process.stderr on a tty; test streams never are). */
export function isTerminal(stream: Writable): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}

/**
 * One diagnostic line on stderr: `message` with every control character and line break shown as an
 * escape (`oneLine`), then one line feed. Use it for any message built from data, so a forged
 * `\ntrailwatch: 0 findings` inside a field cannot print a line of its own.
 */
export function writeDiagnostic(io: Pick<CliIo, 'stderr'>, message: string): void {
  io.stderr.write(`${oneLine(message)}\n`);
}

/** Batches lines into large writes and waits when the consumer is slow (`trailwatch cat | head`). */
export class LineWriter {
  private buffer: string[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    private readonly flushBytes = 64 * 1024,
  ) {}

  async line(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size >= this.flushBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    if (this.stream.destroyed) return;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }
}

export class UsageError extends TrailwatchError {
  override readonly name = 'UsageError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'usage', options);
  }
}

export const EXIT_OK = 0;
export const EXIT_INPUT_FAILED = 1;
export const EXIT_USAGE = 2;
