import type { LayoutFilter, S3Settings } from '../ingest';
import type { Level } from '../rules';
import { LEVELS } from '../rules';
import { parseEndTime, parseTime, TimeParseError } from '../time';
import * as z from '../validation';
import { UsageError } from './io';

/**
 * The values the flags take, read once at the edge. Each reader returns the value or the rest of a
 * sentence that starts with the flag's name ("takes a whole number from 1 to 50; got 0"), so that
 * the zod schemas and the few callers that still read strings word their errors alike.
 */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const fail = <T>(why: string): Read<T> => ({ ok: false, why });

/** Commander collector for repeatable, comma-separable options (`--record-region a,b --record-region c`). */
export function collectList(value: string, previous: readonly string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...(previous ?? []), ...items];
}

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A time (ISO 8601, epoch seconds, relative); as the end of a window a date alone is its whole day. */
export function readTime(text: string, now: number, bound: 'start' | 'end'): Read<number> {
  try {
    return ok(bound === 'end' ? parseEndTime(text, now) : parseTime(text, now));
  } catch (error) {
    // Written after the flag's name: `--until: cannot read "x" as a time: …`.
    if (error instanceof TimeParseError) return fail(`: ${error.message}`);
    throw error;
  }
}

export function readWholeNumber(text: string, max = Number.MAX_SAFE_INTEGER): Read<number> {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > max) {
    return fail(
      `takes a whole number from 1${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}; got ${text}`,
    );
  }
  return ok(value);
}

const DURATION = /^(\d+)\s*(ms|s|m|h)$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration (`500ms`, `30s`, `2m`, `1h`) in milliseconds, greater than zero. */
export function readDuration(text: string): Read<number> {
  const match = DURATION.exec(text.trim());
  const unit = match?.[2] === undefined ? undefined : DURATION_UNIT_MS[match[2]];
  const value = match && unit !== undefined ? Number(match[1]) * unit : 0;
  return value > 0 ? ok(value) : fail(`takes a duration such as 500ms, 30s or 2m; got ${text}`);
}

const SIZE = /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i;
const SIZE_UNIT: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** A size in bytes (`262144`, `256KB`, `16MiB`), greater than zero. */
export function readSize(text: string): Read<number> {
  const match = SIZE.exec(text.trim());
  const unit = match ? SIZE_UNIT[(match[2] ?? 'b').toLowerCase()] : undefined;
  const value = match && unit !== undefined ? Number(match[1]) * unit : 0;
  return value > 0 && Number.isSafeInteger(value)
    ? ok(value)
    : fail(`takes a size such as 262144, 256KB or 16MiB; got ${text}`);
}

export function readLevel(text: string): Read<Level> {
  const level = LEVELS.find((candidate) => candidate === text.toLowerCase());
  return level === undefined ? fail(`takes one of ${LEVELS.join(', ')}; got ${text}`) : ok(level);
}

/** For the callers that read strings themselves (lookup's query): the reader's error as a UsageError. */
function orUsageError<T>(option: string, read: Read<T>): T {
  if (!read.ok) throw new UsageError(`${option}${read.why.startsWith(':') ? '' : ' '}${read.why}`);
  return read.value;
}

export function timeOption(
  option: string,
  text: string | undefined,
  now: number,
  bound: 'start' | 'end' = 'start',
): number | undefined {
  return text === undefined ? undefined : orUsageError(option, readTime(text, now, bound));
}

export function wholeNumberOption(option: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  return orUsageError(option, readWholeNumber(text, max));
}

/**
 * A failed read as an issue on the value being transformed. zod/mini hands a transform the parse
 * payload itself, not classic's context with `addIssue`: the issue goes onto its list, as
 * classic's `addIssue` put it there.
 */
function failTransform(payload: z.core.ParsePayload, message: string): never {
  payload.issues.push({ code: 'custom', message, input: payload.value });
  return z.NEVER;
}

/** A zod string that a reader turns into its value, its failure an issue on the flag. */
export function readBy<T>(reader: (text: string) => Read<T>) {
  return z.pipe(
    z.string(),
    z.transform((text: string, payload): T => {
      const read = reader(text);
      return read.ok ? read.value : failTransform(payload, read.why);
    }),
  );
}

/** `--output`: one of the command's formats. */
export function outputFlag<const T extends readonly [string, ...string[]]>(formats: T, fallback: T[number]) {
  return z._default(
    z.enum(formats, { error: (issue) => `takes ${formats.join(', ')}; got ${String(issue.input)}` }),
    fallback,
  );
}

function listOf(pattern: RegExp, what: string) {
  return z.array(z.string()).check(
    z.superRefine((items, context) => {
      const bad = items.filter((item) => !pattern.test(item));
      if (bad.length > 0)
        context.addIssue({ code: 'custom', message: `takes ${what}; got ${bad.join(', ')}` });
    }),
  );
}

/** `--region`: the AWS client's region, one name (the flag is collected as a list to catch `a,b`). */
export const clientRegionFlag = z.pipe(
  z.array(z.string()),
  z.transform((items: string[], payload): string => {
    const [only] = items;
    if (items.length !== 1 || only === undefined) {
      return failTransform(
        payload,
        `takes one region, the AWS client's; got ${items.join(', ')} (to keep the records of several regions use --record-region)`,
      );
    }
    if (!REGION_NAME.test(only)) {
      return failTransform(payload, `takes a region name such as eu-west-1; got ${only}`);
    }
    return only;
  }),
);

/** The flags of every command that reads records (cat, scan, audit, backtest), typed. */
export function readFlagsShape(now: number) {
  return {
    since: z.optional(readBy((text) => readTime(text, now, 'start'))),
    until: z.optional(readBy((text) => readTime(text, now, 'end'))),
    account: z.optional(listOf(ACCOUNT_ID, '12-digit account ids')),
    recordRegion: z.optional(listOf(REGION_NAME, 'region names such as eu-west-1')),
    region: z.optional(clientRegionFlag),
    endpointUrl: z.optional(z.string()),
    profile: z.optional(z.string().check(z.minLength(1, 'takes a profile name'))),
    maxRecordSize: z.optional(readBy(readSize)),
  };
}

/** The window's order, checked once both ends are read; the issue is on `since`. */
export function windowInOrder(
  value: { readonly since?: number | undefined; readonly until?: number | undefined },
  context: z.core.$RefinementCtx,
): void {
  if (value.since !== undefined && value.until !== undefined && value.since > value.until) {
    context.addIssue({ code: 'custom', path: ['since'], message: 'is after --until' });
  }
}

/** What the read flags become, as the schemas give them. */
export interface ReadFlags {
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly account?: readonly string[] | undefined;
  readonly recordRegion?: readonly string[] | undefined;
  readonly region?: string | undefined;
  readonly endpointUrl?: string | undefined;
  readonly profile?: string | undefined;
  readonly maxRecordSize?: number | undefined;
}

/** The reader settings every reading command shares: the record size cap, when given. */
export function toRecordLimits(options: ReadFlags): { maxRecordBytes?: number } {
  return options.maxRecordSize === undefined ? {} : { maxRecordBytes: options.maxRecordSize };
}

export function toLayoutFilter(options: ReadFlags): LayoutFilter {
  return {
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.account && options.account.length > 0 ? { accounts: new Set(options.account) } : {}),
    ...(options.recordRegion && options.recordRegion.length > 0
      ? { regions: new Set(options.recordRegion) }
      : {}),
  };
}

export function toS3Settings(options: ReadFlags): S3Settings {
  return {
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    ...(options.region === undefined ? {} : { region: options.region }),
  };
}
