import type { LayoutFilter, S3Settings } from '../ingest';
import { parseTime, TimeParseError } from '../time';
import { UsageError } from './io';

/** Options shared by every command that reads records. */
export interface ReadCliOptions {
  readonly since?: string;
  readonly until?: string;
  readonly account?: readonly string[];
  readonly region?: readonly string[];
  readonly endpointUrl?: string;
  readonly s3Region?: string;
  /** Records larger than this are reported and skipped (`16MiB`, `1MB`, `262144`). */
  readonly maxRecordSize?: string;
}

/** Commander collector for repeatable, comma-separable options (`--region a,b --region c`). */
export function collectList(value: string, previous: readonly string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...(previous ?? []), ...items];
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A time option (ISO 8601, epoch seconds, relative); an unreadable one is a usage error naming it. */
export function timeOption(option: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTime(text, now);
  } catch (error) {
    if (error instanceof TimeParseError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** A count option: a whole number from 1 to `max`. */
export function wholeNumberOption(option: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > max) {
    throw new UsageError(
      `${option} takes a whole number from 1${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}; got ${text}`,
    );
  }
  return value;
}

const DURATION = /^(\d+)\s*(ms|s|m|h)$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration option (`500ms`, `30s`, `2m`, `1h`) in milliseconds, greater than zero. */
export function durationOption(option: string, text: string): number {
  const match = DURATION.exec(text.trim());
  const value = match ? Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number) : 0;
  if (!match || value <= 0)
    throw new UsageError(`${option} takes a duration such as 500ms, 30s or 2m; got ${text}`);
  return value;
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

/** A size option in bytes (`262144`, `256KB`, `16MiB`), greater than zero. */
export function sizeOption(option: string, text: string): number {
  const match = SIZE.exec(text.trim());
  const value = match ? Number(match[1]) * (SIZE_UNIT[(match[2] ?? 'b').toLowerCase()] as number) : 0;
  if (!match || value <= 0 || !Number.isSafeInteger(value))
    throw new UsageError(`${option} takes a size such as 262144, 256KB or 16MiB; got ${text}`);
  return value;
}

/** The reader settings every reading command shares: the record size cap, when given. */
export function toRecordLimits(options: ReadCliOptions): { maxRecordBytes?: number } {
  return options.maxRecordSize === undefined
    ? {}
    : { maxRecordBytes: sizeOption('--max-record-size', options.maxRecordSize) };
}

/** The option names the messages use: `scan` says --account, `backtest` --accounts. */
export interface LayoutOptionNames {
  readonly account: string;
  readonly region: string;
  readonly since: string;
  readonly until: string;
}
const READ_OPTION_NAMES: LayoutOptionNames = {
  account: '--account',
  region: '--region',
  since: '--since',
  until: '--until',
};

export function toLayoutFilter(
  options: ReadCliOptions,
  now: number = Date.now(),
  names: LayoutOptionNames = READ_OPTION_NAMES,
): LayoutFilter {
  const filter: { -readonly [K in keyof LayoutFilter]: LayoutFilter[K] } = {};
  const window = `${names.since}/${names.until}`;
  const since = timeOption(window, options.since, now);
  const until = timeOption(window, options.until, now);
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new UsageError(`${names.since} is after ${names.until}`);
  }
  if (options.account && options.account.length > 0) {
    const bad = options.account.filter((account) => !ACCOUNT_ID.test(account));
    if (bad.length > 0)
      throw new UsageError(`${names.account} takes 12-digit account ids; got ${bad.join(', ')}`);
    filter.accounts = new Set(options.account);
  }
  if (options.region && options.region.length > 0) {
    const bad = options.region.filter((region) => !REGION_NAME.test(region));
    if (bad.length > 0)
      throw new UsageError(`${names.region} takes region names such as eu-west-1; got ${bad.join(', ')}`);
    filter.regions = new Set(options.region);
  }
  return filter;
}

export function toS3Settings(options: ReadCliOptions): S3Settings {
  return {
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    ...(options.s3Region === undefined ? {} : { region: options.s3Region }),
  };
}
