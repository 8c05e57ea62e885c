/**
 * The one error base of trailwatch. Every error trailwatch throws on purpose is a TrailwatchError:
 * it says what is wrong (`message`), where (`location`: a file and line, a record and byte, a rule,
 * an AWS call and resource), of which kind (`code`, a stable machine string callers branch on,
 * never the message text), whether trying again can help (`retryable`), and what caused it
 * (`cause`, passed through as the standard Error option).
 */

/**
 * Where a problem is, in whichever terms it has: every field is optional and they combine (a
 * record of a file, a rule of a file, a call on a resource). Record and byte follow the ingest
 * readers' conventions (see lib/ingest/origin.ts): `record` is the 0-based ordinal of the record in
 * its source, `byte` a 0-based byte offset, `line` and `column` are 1-based.
 */
export interface ErrorLocation {
  /** A path, `s3://bucket/key`, `-` for standard input, or the name of an in-memory source. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Where inside a JSON or YAML document: `Records[3]`, `detection.selection.eventName`. */
  readonly pointer?: string;
  readonly record?: number;
  readonly byte?: number;
  /** The rule's id, or its title when it has no id. */
  readonly rule?: string;
  /** The AWS API action that failed, as CloudTrail and IAM spell it (`CreateTrail`). */
  readonly call?: string;
  /** What the call or the check acted on, in words (`trail org-audit`, `state table 'x'`). */
  readonly resource?: string;
  /** The AWS service, when the call alone does not say it (`S3`, `SNS`, `STS`). */
  readonly service?: string;
}

/**
 * The location as a person reads it, the same way everywhere: `rules/x.yml:12:3`,
 * `logs/a.json.gz (Records[3], record #3, byte 120)`, `rule 'Root login'`,
 * `S3 PutBucketPolicy on bucket acme-logs`; parts joined by `, `. An empty location gives ''.
 */
export function formatLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  const place = placeOf(location);
  const details = [
    // A column without a line (a position in a one-line text, such as a condition) stands alone.
    location.line === undefined && location.column !== undefined ? `column ${location.column}` : undefined,
    location.pointer,
    location.record === undefined ? undefined : `record #${location.record}`,
    location.byte === undefined ? undefined : `byte ${location.byte}`,
  ].filter((detail): detail is string => detail !== undefined && detail !== '');
  if (place !== undefined) parts.push(details.length > 0 ? `${place} (${details.join(', ')})` : place);
  else if (details.length > 0) parts.push(details.join(', '));
  if (location.rule !== undefined) parts.push(`rule '${location.rule}'`);
  const call = [location.service, location.call].filter(Boolean).join(' ');
  if (call && location.resource) parts.push(`${call} on ${location.resource}`);
  else if (call || location.resource) parts.push(call || (location.resource ?? ''));
  return parts.join(', ');
}

/** `file:line:column`, `file:line`, `file`, or `line N` when only the line is known. */
function placeOf(location: ErrorLocation): string | undefined {
  const { file, line, column } = location;
  if (file === undefined)
    return line === undefined ? undefined : `line ${line}${column === undefined ? '' : `:${column}`}`;
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

export interface TrailwatchErrorOptions {
  readonly location?: ErrorLocation;
  readonly cause?: unknown;
  /** Whether the same operation may succeed later (throttling, a network failure): default false. */
  readonly retryable?: boolean;
  /**
   * The message already names the location in its own words (`CreateTrail failed: … (trail x)`,
   * as its tests and users rely on): printers then print the message alone instead of prefixing
   * the location a second time. Default false: the message says what, the location says where.
   */
  readonly locationInMessage?: boolean;
}

/**
 * The base of every error trailwatch throws on purpose. Subclasses set `code` (by overriding it
 * or passing it) and keep their own fields; none is told apart by its message.
 */
export class TrailwatchError extends Error {
  override readonly name: string = 'TrailwatchError';
  /** A stable machine string for the kind of problem: branch on it (or on the class), not on the text. */
  readonly code: string;
  readonly location?: ErrorLocation;
  readonly retryable: boolean;
  readonly locationInMessage: boolean;

  constructor(message: string, code: string, options: TrailwatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.location !== undefined) this.location = options.location;
    this.retryable = options.retryable ?? false;
    this.locationInMessage = options.locationInMessage ?? false;
  }

  /** `<location>: <message>`, or the message alone when it has no location or names it already. */
  override toString(): string {
    return formatError(this);
  }
}

/**
 * The one line a person reads for an error: a TrailwatchError as `<location>: <message>` through
 * formatLocation, any other Error as its message, anything else as text.
 */
export function formatError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error instanceof TrailwatchError) || error.location === undefined || error.locationInMessage)
    return error.message;
  const where = formatLocation(error.location);
  return where ? `${where}: ${error.message}` : error.message;
}
