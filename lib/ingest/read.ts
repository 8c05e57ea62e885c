import type { Stats } from 'node:fs';
// fs.promises, read when a path is read: a Lambda function reads none (see files.ts).
import { createReadStream, promises as fsPromises } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudTrailRecord } from '../records';
import { checkRecord } from '../records';
import { decodeBytes } from './decode';
import type { ProblemFault } from './faults';
import { classifyReadError, isTransient } from './faults';
import { filesUnder } from './files';
import type { FramedItem, FramerOutput } from './json-framer';
import { DEFAULT_MAX_RECORD_BYTES, JsonFramer, MAX_NESTING_DEPTH } from './json-framer';
import type { LogFileKey } from './log-file-key';
import { isFolderMarker, parseLogFileKey } from './log-file-key';
import { jsonTextDeeperThan, valueDeeperThan } from './nesting';
import type { Origin } from './origin';
import { joinPointer } from './origin';
import type { LayoutFilter, S3ObjectOpener, S3Settings } from './s3';
import { createS3Client, keyMayMatch, listLogObjects, s3ObjectOpener } from './s3';
import { DELIVERY_SHAPES } from './shapes/registry';
import type { Expansion, S3ObjectRef } from './shapes/types';
import { isObject } from './shapes/types';

export type Input =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 's3-object'; readonly bucket: string; readonly key: string; readonly size?: number }
  /** An event already in memory, such as the one a Lambda handler receives. */
  | { readonly kind: 'payload'; readonly name: string; readonly value: unknown }
  /** Bytes from anywhere (a test, a socket), named for the messages. */
  | {
      readonly kind: 'bytes';
      readonly name: string;
      readonly chunks: AsyncIterable<Buffer | Uint8Array | string>;
    };

export type ReadResult =
  | {
      readonly kind: 'record';
      readonly record: CloudTrailRecord;
      readonly origin: Origin;
      /** The record's own JSON text, when it arrived as one item (log files, JSON Lines): lets rules pre-filter. */
      readonly raw?: string;
    }
  | {
      readonly kind: 'problem';
      readonly message: string;
      readonly origin: Origin;
      /**
       * What kind of fault: `data` (bad gzip, bad JSON, a bad record or envelope: the same bytes fail
       * the same way, so alarm rather than retry), `transient` (S3 throttling, 5xx, a network error
       * or timeout: a retry may succeed), `source` (missing, denied, not readable: fix the input).
       */
      readonly fault: ProblemFault;
      /** True exactly when `fault` is `transient`: a retry of the read may succeed. */
      readonly retryable: boolean;
    }
  | { readonly kind: 'skipped'; readonly reason: string; readonly origin: Origin };

export interface ReadOptions {
  readonly s3?: S3Settings;
  readonly filter?: LayoutFilter;
  /** Problems reported one by one per source before the rest are only counted. */
  readonly maxProblemsPerSource?: number;
  /** Standard input, replaceable for tests. */
  readonly stdin?: AsyncIterable<Buffer | Uint8Array | string>;
  /**
   * Asked with the raw text of each item before it is parsed; false drops the item unparsed. The
   * scanner uses it to skip records no rule could match; it must answer true when unsure.
   */
  readonly mayMatch?: (text: string) => boolean;
  /**
   * Called for each item `mayMatch` dropped that `filter` keeps, so a caller counts the records it
   * read as `cat` counts them. The item is parsed for that only when the filter asks about the
   * record itself (a time window, regions, accounts a file's key does not name).
   */
  readonly onRuledOut?: () => void;
  /** Items (records, JSON Lines lines) larger than this are reported and skipped; default 16 MiB. */
  readonly maxRecordBytes?: number;
}

export const DEFAULT_MAX_PROBLEMS_PER_SOURCE = 50;
/** SNS inside SQS inside a file is three levels; more means a loop or a hostile payload. */
export const MAX_ENVELOPE_NESTING = 8;
/** Read buffer for local files: large reads keep the framing loop busy rather than the event loop. */
export const FILE_READ_CHUNK_BYTES = 1024 * 1024;
/** Kept here for callers that imported it from the reader. */
export { isTransient };

/** Turns a command-line argument into an input: `-`, `s3://bucket/prefix`, or a path. */
export function parseInputArg(arg: string): Input {
  if (arg === '-') return { kind: 'stdin' };
  if (arg.startsWith('s3://')) {
    const rest = arg.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    if (bucket === '') throw new Error(`${arg}: an S3 URL needs a bucket name (s3://bucket/prefix)`);
    return { kind: 's3', bucket, prefix: slash === -1 ? '' : rest.slice(slash + 1) };
  }
  return { kind: 'path', path: arg };
}

/** Per-source bookkeeping: where we are, and how many records and problems it has produced. */
interface SourceContext {
  readonly source: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly logFile?: LogFileKey;
  recordIndex: number;
  problems: number;
}

/**
 * Reads CloudTrail records from any mix of inputs, one at a time, each with its origin. Nothing
 * here throws for bad data: every fault becomes a `problem` result and reading goes on with the
 * next item or the next input. Callers decide what a problem means (exit code, Lambda failure).
 */
export async function* readRecords(
  inputs: Iterable<Input> | AsyncIterable<Input>,
  options: ReadOptions = {},
): AsyncGenerator<ReadResult> {
  for await (const batch of readRecordBatches(inputs, options)) {
    for (const result of batch) yield result;
  }
}

/**
 * The same results in batches (about one per decoded chunk). Per-record work is synchronous and
 * only batches cross async boundaries: a chain of async generators costs microtasks per level per
 * item, which on a 300 MB file cost more than parsing it. Hot consumers (the scanner) use this.
 */
export async function* readRecordBatches(
  inputs: Iterable<Input> | AsyncIterable<Input>,
  options: ReadOptions = {},
): AsyncGenerator<readonly ReadResult[]> {
  const reader = new RecordReader(options);
  for await (const input of inputs) yield* reader.read(input);
}

/** A result, or an S3 object an envelope named, still to be read in its place. */
type Step = ReadResult | { readonly kind: 'ref'; readonly ref: S3ObjectRef };
type Batch = readonly ReadResult[];

class RecordReader {
  private s3Client: Promise<S3Client> | undefined;
  private s3Opener: S3ObjectOpener | undefined;
  private readonly filter: LayoutFilter;
  private readonly maxProblems: number;

  constructor(private readonly options: ReadOptions) {
    this.filter = options.filter ?? {};
    this.maxProblems = options.maxProblemsPerSource ?? DEFAULT_MAX_PROBLEMS_PER_SOURCE;
  }

  async *read(input: Input): AsyncGenerator<Batch> {
    switch (input.kind) {
      case 'path':
        yield* this.readPath(input.path);
        return;
      case 'stdin':
        yield* this.readBytes(newContext('-'), async () => this.options.stdin ?? process.stdin);
        return;
      case 's3':
        yield* this.readS3Prefix(input.bucket, input.prefix);
        return;
      case 's3-object':
        yield* this.readS3Object(input.size === undefined ? input : { ...input, size: input.size });
        return;
      case 'payload': {
        const context = newContext(input.name);
        const steps: Step[] = [];
        // An in-memory value was never framed: its nesting is checked where records come out of it.
        this.classify(input.value, context, { pointer: '', unframed: true }, 0, steps);
        this.closeSource(context, steps);
        yield* this.drain(steps);
        return;
      }
      case 'bytes':
        yield* this.readBytes(newContext(input.name), async () => input.chunks);
        return;
    }
  }

  private s3(): Promise<S3Client> {
    this.s3Client ??= createS3Client(this.options.s3);
    return this.s3Client;
  }

  /** A path named by the caller: a folder is walked; a FIFO, `/dev/stdin` or `<(cmd)` is read as a stream. */
  private async *readPath(path: string): AsyncGenerator<Batch> {
    let info: Stats;
    try {
      info = await fsPromises.stat(path);
    } catch (error) {
      yield [sourceProblem(newContext(path), error)];
      return;
    }
    if (info.isDirectory()) {
      yield* this.readDirectory(path);
      return;
    }
    // Pipes and devices report size 0 whatever they hold: only a regular file's size means empty.
    yield* this.readFile(path, info.isFile() ? info.size : undefined);
  }

  private async *readDirectory(directory: string): AsyncGenerator<Batch> {
    for await (const entry of filesUnder(directory, { reportSkipped: true })) {
      if (entry.kind === 'unreadable') yield [sourceProblem(newContext(entry.path), entry.error)];
      else if (entry.kind === 'skipped')
        yield [{ kind: 'skipped', reason: entry.reason, origin: originOf(newContext(entry.path)) }];
      else yield* this.readFile(entry.path, entry.size);
    }
  }

  private async *readFile(path: string, size: number | undefined): AsyncGenerator<Batch> {
    const logFile = parseLogFileKey(path);
    const context = newContext(path, logFile === undefined ? {} : { logFile });
    const verdict = beforeOpening(path, logFile, size, this.filter, 'file');
    if (verdict.action === 'skip') {
      yield [{ kind: 'skipped', reason: verdict.reason, origin: originOf(context) }];
    }
    if (verdict.action !== 'read') return;
    yield* this.readBytes(context, async () =>
      createReadStream(path, { highWaterMark: FILE_READ_CHUNK_BYTES }),
    );
  }

  private async *readS3Prefix(bucket: string, prefix: string): AsyncGenerator<Batch> {
    const listing = newContext(`s3://${bucket}/${prefix}`, { bucket });
    try {
      for await (const object of listLogObjects(await this.s3(), bucket, prefix, this.filter)) {
        yield* this.readS3Object({ bucket, key: object.key, size: object.size });
      }
    } catch (error) {
      const fault = classifyReadError(error);
      yield [problemAt(listing, `cannot list: ${describeError(error)}`, {}, fault)];
    }
  }

  private async *readS3Object(ref: S3ObjectRef): AsyncGenerator<Batch> {
    const logFile = parseLogFileKey(ref.key);
    const context = newContext(`s3://${ref.bucket}/${ref.key}`, {
      bucket: ref.bucket,
      key: ref.key,
      ...(logFile === undefined ? {} : { logFile }),
    });
    const verdict = beforeOpening(ref.key, logFile, ref.size, this.filter, 'object');
    if (verdict.action === 'skip') {
      yield [{ kind: 'skipped', reason: verdict.reason, origin: originOf(context) }];
    }
    if (verdict.action !== 'read') return;
    this.s3Opener ??= s3ObjectOpener(this.options.s3 ?? {}, () => this.s3());
    const open = this.s3Opener;
    yield* this.readBytes(context, () => open(ref.bucket, ref.key));
  }

  private async *readBytes(
    context: SourceContext,
    open: () => Promise<AsyncIterable<Buffer | Uint8Array | string>>,
  ): AsyncGenerator<Batch> {
    const framer = new JsonFramer({ maxItemBytes: this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES });
    const framed: FramerOutput[] = [];
    const steps: Step[] = [];
    try {
      const raw = await open();
      for await (const chunk of decodeBytes(raw)) {
        framer.push(chunk, framed);
        if (framed.length === 0) continue;
        for (const output of framed) this.onFramed(output, context, steps);
        framed.length = 0;
        yield* this.drain(steps);
      }
      framer.end(framed);
    } catch (error) {
      // Items framed before the fault are still delivered, then the fault is reported with where it
      // hit. A network failure in the middle of an S3 object is still transient: the retry reads
      // the object again from the start, and the delivery claims (dedup) keep the records already
      // alerted on from being sent twice.
      for (const output of framed) this.onFramed(output, context, steps);
      steps.push(
        problemAt(
          context,
          describeError(error),
          framer.hasContent ? { offset: framer.bytesSeen } : {},
          classifyReadError(error),
        ),
      );
      this.closeSource(context, steps);
      yield* this.drain(steps);
      return;
    }
    for (const output of framed) this.onFramed(output, context, steps);
    if (!framer.hasContent) steps.push({ kind: 'skipped', reason: 'no content', origin: originOf(context) });
    this.closeSource(context, steps);
    yield* this.drain(steps);
  }

  /** Yields the results gathered so far, reading any S3 object an envelope named in its place. */
  private async *drain(steps: Step[]): AsyncGenerator<Batch> {
    if (steps.length === 0) return;
    const pending = steps.splice(0, steps.length);
    let batch: ReadResult[] = [];
    for (const step of pending) {
      if (step.kind !== 'ref') {
        batch.push(step);
        continue;
      }
      if (batch.length > 0) yield batch;
      batch = [];
      yield* this.readS3Object(step.ref);
    }
    if (batch.length > 0) yield batch;
  }

  private onFramed(output: FramerOutput, context: SourceContext, steps: Step[]): void {
    try {
      this.onFramedItem(output, context, steps);
    } catch (error) {
      // Nothing in one item may cost the others: an unforeseen throw (a RangeError from a value
      // no check caught) is that item's problem, at its place.
      const at = { line: output.line, offset: output.offset };
      this.report(context, `could not read this item: ${describeError(error)}`, at, steps);
    }
  }

  private onFramedItem(output: FramerOutput, context: SourceContext, steps: Step[]): void {
    if (output.kind === 'error') {
      const suffix = output.resumesAt === 'next-line' ? '; resuming at the next line' : '';
      this.report(context, `${output.message}${suffix}`, { line: output.line, offset: output.offset }, steps);
      return;
    }
    if (this.options.mayMatch && !this.options.mayMatch(output.text)) {
      // Ruled out unparsed, it is still a record of this source: the ones after keep the numbers `cat` gives them.
      context.recordIndex++;
      if (this.options.onRuledOut && ruledOutInFilter(output.text, this.filter, context.logFile))
        this.options.onRuledOut();
      return;
    }
    const pointer = itemPointer(output);
    let value: unknown;
    try {
      value = JSON.parse(output.text);
    } catch (error) {
      const at = { line: output.line, offset: output.offset, pointer };
      this.report(context, `invalid JSON: ${(error as Error).message}`, at, steps);
      return;
    }
    this.classify(
      value,
      context,
      { pointer, line: output.line, offset: output.offset },
      0,
      steps,
      output.text,
    );
  }

  /**
   * Finds the shape of a value and follows what it holds, down to records. `raw` is the value's own
   * JSON text when known; it is passed on only to a record that is the value itself.
   */
  private classify(
    value: unknown,
    context: SourceContext,
    at: Position,
    depth: number,
    steps: Step[],
    raw?: string,
  ): void {
    if (Array.isArray(value)) {
      this.classifyList(value, context, at, depth, steps);
      return;
    }
    if (!isObject(value)) {
      this.report(context, `expected a JSON object but found ${describeJson(value)}`, at, steps);
      return;
    }
    const shape = DELIVERY_SHAPES.find((candidate) => candidate.matches(value));
    if (!shape) {
      const keys = Object.keys(value).slice(0, 8).join(', ');
      this.report(
        context,
        `not a CloudTrail record or a known delivery format (keys: ${keys || 'none'})`,
        at,
        steps,
      );
      return;
    }
    let expansions: readonly Expansion[];
    try {
      expansions = shape.expand(value);
    } catch (error) {
      this.report(context, `could not read this ${shape.name}: ${describeError(error)}`, at, steps);
      return;
    }
    for (const expansion of expansions) {
      const inner = { ...at, pointer: joinPointer(at.pointer, expansion.pointer) };
      const own = expansion.kind === 'record' && expansion.value === value ? raw : undefined;
      try {
        this.follow(expansion, context, inner, depth, steps, own);
      } catch (error) {
        this.report(context, `could not read this item: ${describeError(error)}`, inner, steps);
      }
    }
  }

  /**
   * The elements of a list, lists inside it flattened without recursion (a value from memory can
   * nest lists without end), each element classified at its place.
   */
  private classifyList(
    list: readonly unknown[],
    context: SourceContext,
    at: Position,
    depth: number,
    steps: Step[],
  ): void {
    const pending: { list: readonly unknown[]; next: number; pointer: string; level: number }[] = [
      { list, next: 0, pointer: at.pointer ?? '', level: 1 },
    ];
    while (pending.length > 0) {
      const top = pending[pending.length - 1] as (typeof pending)[number];
      if (top.next >= top.list.length) {
        pending.pop();
        continue;
      }
      const index = top.next++;
      const element = top.list[index];
      const pointer = joinPointer(top.pointer, `[${index}]`);
      if (!Array.isArray(element)) {
        this.classify(element, context, { ...at, pointer }, depth, steps);
      } else if (top.level >= MAX_NESTING_DEPTH) {
        this.report(
          context,
          `lists nested deeper than ${MAX_NESTING_DEPTH} levels`,
          { ...at, pointer },
          steps,
        );
      } else {
        pending.push({ list: element, next: 0, pointer, level: top.level + 1 });
      }
    }
  }

  private follow(
    expansion: Expansion,
    context: SourceContext,
    at: Position,
    depth: number,
    steps: Step[],
    raw?: string,
  ): void {
    switch (expansion.kind) {
      case 'record': {
        const index = context.recordIndex++;
        if (at.unframed && valueDeeperThan(expansion.value, MAX_NESTING_DEPTH)) {
          this.report(
            context,
            `record nested deeper than ${MAX_NESTING_DEPTH} levels`,
            { ...at, index },
            steps,
          );
          return;
        }
        const check = checkRecord(expansion.value);
        if (!check.ok) {
          this.report(context, check.reason, { ...at, index }, steps);
          return;
        }
        if (recordMatches(check.record, this.filter, context.logFile)) {
          const origin = originOf(context, { ...at, index });
          steps.push(
            raw === undefined
              ? { kind: 'record', record: check.record, origin }
              : { kind: 'record', record: check.record, origin, raw },
          );
        }
        return;
      }
      case 'value':
      case 'json': {
        if (depth >= MAX_ENVELOPE_NESTING) {
          this.report(context, `envelopes nested deeper than ${MAX_ENVELOPE_NESTING} levels`, at, steps);
          return;
        }
        let inner: unknown = expansion.kind === 'value' ? expansion.value : undefined;
        let innerAt = at;
        if (expansion.kind === 'json') {
          if (jsonTextDeeperThan(expansion.text, MAX_NESTING_DEPTH)) {
            this.report(context, `embedded JSON nested deeper than ${MAX_NESTING_DEPTH} levels`, at, steps);
            return;
          }
          try {
            inner = JSON.parse(expansion.text);
          } catch (error) {
            this.report(context, `embedded JSON is invalid: ${describeError(error)}`, at, steps);
            return;
          }
          // Parsed from text whose depth was just checked.
          innerAt = { ...at, unframed: false };
        }
        this.classify(inner, context, innerAt, depth + 1, steps);
        return;
      }
      case 's3-object':
        steps.push({ kind: 'ref', ref: expansion.ref });
        return;
      case 'skip':
        steps.push({ kind: 'skipped', reason: expansion.reason, origin: originOf(context, at) });
        return;
      case 'problem':
        this.report(context, expansion.message, at, steps);
        return;
    }
  }

  private report(context: SourceContext, message: string, at: Position, steps: Step[]): void {
    context.problems++;
    if (context.problems <= this.maxProblems) steps.push(problemAt(context, message, at));
  }

  private closeSource(context: SourceContext, steps: Step[]): void {
    const hidden = context.problems - this.maxProblems;
    if (hidden > 0) {
      steps.push(
        problemAt(context, `${hidden} more problem(s) in this input were counted but not shown`, {}),
      );
    }
  }
}

type OpeningVerdict =
  | { readonly action: 'read' }
  | { readonly action: 'skip'; readonly reason: string }
  /** Outside the filter: dropped without a word, like the records a filter drops. */
  | { readonly action: 'drop' };

/** Decides from a name and size alone whether a file or object is worth opening. */
function beforeOpening(
  name: string,
  logFile: LogFileKey | undefined,
  size: number | undefined,
  filter: LayoutFilter,
  noun: 'file' | 'object',
): OpeningVerdict {
  if (isFolderMarker(name)) return { action: 'skip', reason: 'folder marker' };
  if (logFile?.kind === 'digest')
    return { action: 'skip', reason: 'CloudTrail digest file (holds no events)' };
  if (!keyMayMatch(logFile, filter)) return { action: 'drop' };
  if (size === 0) return { action: 'skip', reason: `empty ${noun}` };
  return { action: 'read' };
}

interface Position {
  readonly pointer?: string;
  readonly line?: number;
  readonly offset?: number;
  readonly index?: number;
  /** The value came from memory, not through the framer or a depth-checked parse: check its nesting. */
  readonly unframed?: boolean;
}

function newContext(
  source: string,
  extra: { bucket?: string; key?: string; logFile?: LogFileKey } = {},
): SourceContext {
  return { source, ...extra, recordIndex: 0, problems: 0 };
}

function originOf(context: SourceContext, at: Position = {}): Origin {
  const origin: {
    -readonly [K in keyof Origin]: Origin[K];
  } = { source: context.source };
  if (context.bucket !== undefined) origin.bucket = context.bucket;
  if (context.key !== undefined) origin.key = context.key;
  if (context.logFile !== undefined) origin.logFile = context.logFile;
  if (at.index !== undefined) origin.index = at.index;
  if (at.line !== undefined) origin.line = at.line;
  if (at.offset !== undefined) origin.offset = at.offset;
  if (at.pointer) origin.pointer = at.pointer;
  return origin;
}

/** A located problem; faults found in the bytes are `data` unless the caller knows better. */
function problemAt(
  context: SourceContext,
  message: string,
  at: Position,
  fault: ProblemFault = 'data',
): ReadResult {
  return { kind: 'problem', message, origin: originOf(context, at), fault, retryable: fault === 'transient' };
}

/** A source that could not be opened or read at all (missing, denied, or a transient failure). */
function sourceProblem(context: SourceContext, error: unknown): ReadResult {
  return problemAt(context, describeError(error), {}, classifyReadError(error));
}

function itemPointer(item: FramedItem): string {
  if (item.container === 'top') return item.topIndex > 0 ? `value #${item.topIndex}` : '';
  if (item.container === 'array') return `[${item.index}]`;
  return `${item.container.slice(4)}[${item.index}]`;
}

/**
 * Whether a record ruled out unparsed is one the filter keeps (what `cat` would print). Parsed only
 * when the file's key does not settle it; text that is not a valid record counts, as it did before
 * the filter was asked.
 */
function ruledOutInFilter(text: string, filter: LayoutFilter, logFile: LogFileKey | undefined): boolean {
  const settledByKey =
    filter.since === undefined &&
    filter.until === undefined &&
    filter.regions === undefined &&
    (filter.accounts === undefined || logFile?.accountId !== undefined);
  if (settledByKey) return true;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return true;
  }
  if (!isObject(value)) return true;
  const check = checkRecord(value);
  return !check.ok || recordMatches(check.record, filter, logFile);
}

function recordMatches(
  record: CloudTrailRecord,
  filter: LayoutFilter,
  logFile: LogFileKey | undefined,
): boolean {
  if (filter.since !== undefined || filter.until !== undefined) {
    const time = Date.parse(record.eventTime);
    if (filter.since !== undefined && time < filter.since) return false;
    if (filter.until !== undefined && time > filter.until) return false;
  }
  if (filter.regions && !filter.regions.has(record.awsRegion)) return false;
  if (filter.accounts) {
    // The key of a delivered file names the account whose trail logged it: that decides first.
    const account = logFile?.accountId ?? record.recipientAccountId ?? record.userIdentity?.accountId;
    if (account === undefined || !filter.accounts.has(account)) return false;
  }
  return true;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `a ${typeof value} (${String(value)})`;
}

/** Turns file system, S3 and SDK errors into one line that says what to do where it can. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  const name = error.name;
  if (name === 'CredentialsProviderError') {
    return 'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return `${name} (HTTP ${status}): ${error.message}`;
  return error.message;
}
