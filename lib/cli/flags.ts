import type { Command } from 'commander';
import { Option } from 'commander';
import type * as z from '../validation';
import type { CliIo } from './io';
import { UsageError, writeDiagnostic } from './io';
import { collectList } from './options';

/**
 * An old spelling kept for one release: it works, it is hidden from --help, and using it prints one
 * line on stderr naming the spelling that replaces it.
 */
export interface DeprecatedFlag {
  /** As commander declares it: `--accounts <ids>`, `--json`. */
  readonly flags: string;
  /** The flag that replaces it, as typed: `--account`. */
  readonly replacement: string;
  /** The replacement's option key: `account`. */
  readonly into: string;
  /** For an old boolean that meant a value of the replacement (`--json` is `--output json`). */
  readonly value?: string;
  /** Old list flags collect as their replacement does. */
  readonly list?: boolean;
}

export function declareDeprecated(command: Command, deprecated: readonly DeprecatedFlag[]): Command {
  for (const flag of deprecated) {
    const option = new Option(flag.flags, `deprecated: use ${flag.replacement}`).hideHelp();
    command.addOption(flag.list ? option.argParser(collectList) : option);
  }
  return command;
}

/** The options with the deprecated spellings folded into their replacements. */
export interface ResolvedFlags {
  readonly values: Record<string, unknown>;
  /** Option key -> the flag as the user typed it, where that was an old spelling (for messages). */
  readonly typed: Map<string, string>;
}

function longName(flags: string): string {
  return new Option(flags).long ?? flags;
}

/** Folds each deprecated spelling into its replacement, with one notice line per spelling used. */
export function resolveDeprecated(
  start: ResolvedFlags,
  deprecated: readonly DeprecatedFlag[],
  io: Pick<CliIo, 'stderr'>,
): ResolvedFlags {
  const raw = start.values;
  const values: Record<string, unknown> = { ...raw };
  const typed = new Map(start.typed);
  for (const flag of deprecated) {
    const key = new Option(flag.flags).attributeName();
    const given = raw[key];
    if (given === undefined) continue;
    const old = longName(flag.flags);
    delete values[key];
    writeDiagnostic(
      io,
      `trailwatch: ${old} is deprecated: use ${flag.replacement} (${old} goes in the next release)`,
    );
    const value = flag.value ?? given;
    const current = values[flag.into];
    if (Array.isArray(value)) {
      values[flag.into] = [...(Array.isArray(current) ? current : []), ...value];
      if (current === undefined) typed.set(flag.into, old);
    } else if (current === undefined) {
      values[flag.into] = value;
      typed.set(flag.into, old);
    } else {
      throw new UsageError(`${old} and ${flag.replacement} say the same thing: give one of them`);
    }
  }
  return { values, typed };
}

/** `recordRegion` -> `--record-region`. */
export function flagName(key: string, typed: ReadonlyMap<string, string>): string {
  return typed.get(key) ?? `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * Checks the options against the command's schema: the typed options, or a UsageError (exit 2)
 * naming each flag at fault. Issue messages are written to follow the flag's name.
 */
export function parseFlags<S extends z.ZodMiniType>(
  schema: S,
  { values, typed }: ResolvedFlags,
): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const [key] = issue.path;
    if (typeof key !== 'string') return issue.message;
    const flag = flagName(key, typed);
    return `${flag}${issue.message.startsWith(':') ? '' : ' '}${issue.message}`;
  });
  throw new UsageError(lines.join('; '));
}

/** Resolves the old spellings and checks the rest: what a command's action receives. */
export function commandFlags<S extends z.ZodMiniType>(
  schema: S,
  raw: Readonly<Record<string, unknown>>,
  deprecated: readonly DeprecatedFlag[],
  io: Pick<CliIo, 'stderr'>,
  { legacyRegion = false }: { readonly legacyRegion?: boolean } = {},
): z.output<S> {
  const start = legacyRegion
    ? legacyRegionFilter(raw, io)
    : { values: { ...raw }, typed: new Map<string, string>() };
  return parseFlags(schema, resolveDeprecated(start, deprecated, io));
}

/** `--format` was the output flag of scan, audit, backtest and roles. */
export const FORMAT_IS_OUTPUT: DeprecatedFlag = {
  flags: '--format <format>',
  replacement: '--output',
  into: 'output',
};
/** `--json` was the output flag of trail and rules list. */
export const JSON_IS_OUTPUT: DeprecatedFlag = {
  flags: '--json',
  replacement: '--output json',
  into: 'output',
  value: 'json',
};

/** Old spellings of the read flags: backtest's plural filters, the S3 client's own region flag. */
export const READ_DEPRECATED: readonly DeprecatedFlag[] = [
  { flags: '--accounts <ids>', replacement: '--account', into: 'account', list: true },
  { flags: '--regions <names>', replacement: '--record-region', into: 'recordRegion', list: true },
  { flags: '--s3-region <name>', replacement: '--region', into: 'region', list: true },
];

/** The options as commander hands them over: unchecked until a command's schema reads them. */
export type RawFlags = Record<string, unknown>;

export const CONFIG_HELP = 'trailwatch.yml to use (default: ./trailwatch.yml if present)';
export const outputHelp = (formats: readonly string[], fallback: string): string =>
  `output format: ${formats.join(', ')} (default: ${fallback})`;

export const PROFILE_HELP =
  'the AWS profile to use, as the AWS CLI does (default: AWS_PROFILE, then the SDK default chain)';
const ENDPOINT_HELP = 'S3-compatible endpoint, e.g. http://127.0.0.1:5000 for moto_server';
const MAX_RECORD_SIZE_HELP = 'records larger than this are reported and skipped (default 16MiB)';

/** The flags of every command that reads records: cat, scan, audit, backtest. */
export function declareReadFlags(command: Command): Command {
  command
    .option('--since <time>', 'only records at or after this time (ISO 8601, epoch seconds, or -2h, -7d)')
    .option(
      '--until <time>',
      'only records at or before this time (a date alone: to the end of that day, UTC)',
    )
    .option(
      '--account <ids>',
      'only these accounts (repeatable, comma-separated); narrows S3 listing',
      collectList,
    )
    .option(
      '--record-region <names>',
      'only records of these regions (repeatable, comma-separated); narrows S3 listing',
      collectList,
    )
    .option(
      '--region <name>',
      "the AWS region of the S3 client (default: AWS_REGION, the profile's, then us-east-1); buckets elsewhere are found by redirect",
      collectList,
    )
    .option('--endpoint-url <url>', ENDPOINT_HELP)
    .option('--profile <name>', PROFILE_HELP)
    .option('--max-record-size <size>', MAX_RECORD_SIZE_HELP);
  return declareDeprecated(command, READ_DEPRECATED);
}

/**
 * Until this release `--region` filtered records in cat, scan and audit. For one more release it
 * still does when no record-region filter is given (with a notice), and also sets the S3 client's
 * region unless --s3-region does, which costs nothing: the client follows S3's redirects to a
 * bucket's own region. Applied to the options as commander gives them, before the old spellings fold.
 */
export function legacyRegionFilter(
  raw: Readonly<Record<string, unknown>>,
  io: Pick<CliIo, 'stderr'>,
): ResolvedFlags {
  const region = raw.region;
  const filtered = raw.recordRegion !== undefined || raw.regions !== undefined;
  if (!Array.isArray(region) || filtered) return { values: { ...raw }, typed: new Map() };
  writeDiagnostic(
    io,
    "trailwatch: --region also keeps only the records of that region, for this release only: to filter records write --record-region (from the next release --region only sets the AWS client's region)",
  );
  const values: Record<string, unknown> = { ...raw, recordRegion: region };
  // `--region a,b` was a list of regions to keep; a client has one region, so it keeps its default.
  if (region.length !== 1 || raw.s3Region !== undefined) delete values.region;
  return { values, typed: new Map([['recordRegion', '--region']]) };
}
