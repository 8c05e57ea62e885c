import type { Input, ReadResult } from '../ingest';
import { formatOrigin, parseInputArg, readRecords } from '../ingest';
import * as z from '../validation';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, LineWriter, UsageError, writeDiagnostic } from './io';
import { readFlagsShape, toLayoutFilter, toRecordLimits, toS3Settings, windowInOrder } from './options';

/** `trailwatch cat`'s flags, checked and typed at the edge. */
export function catFlags(now: number) {
  return z
    .object({ ...readFlagsShape(now), verbose: z.optional(z.boolean()) })
    .check(z.superRefine(windowInOrder));
}
export type CatOptions = z.output<ReturnType<typeof catFlags>>;

export interface ReadTally {
  records: number;
  problems: number;
  skipped: number;
}

/** `trailwatch cat`: every record read, one compact JSON line each; problems on stderr. */
export async function runCat(args: readonly string[], options: CatOptions, io: CliIo): Promise<number> {
  const inputs = parseInputs(args);
  const filter = toLayoutFilter(options);
  const out = new LineWriter(io.stdout);
  const tally: ReadTally = { records: 0, problems: 0, skipped: 0 };
  const results = readRecords(inputs, {
    filter,
    s3: toS3Settings(options),
    stdin: io.stdin,
    ...toRecordLimits(options),
  });
  for await (const result of results) {
    if (result.kind === 'record') {
      tally.records++;
      await out.line(JSON.stringify(result.record));
    } else {
      reportNonRecord(result, tally, io, options.verbose === true);
    }
    if (io.stdout.destroyed) break;
  }
  await out.flush();
  if (options.verbose) {
    writeDiagnostic(
      io,
      `trailwatch: ${tally.records} record(s), ${tally.problems} problem(s), ${tally.skipped} skipped`,
    );
  }
  return tally.problems > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
}

export function parseInputs(args: readonly string[]): Input[] {
  if (args.length === 0)
    throw new UsageError('name at least one input: a file, a directory, s3://bucket/prefix or -');
  try {
    return args.map(parseInputArg);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function reportNonRecord(
  result: Exclude<ReadResult, { kind: 'record' }>,
  tally: ReadTally,
  io: CliIo,
  verbose: boolean,
): void {
  if (result.kind === 'problem') {
    tally.problems++;
    writeDiagnostic(io, `trailwatch: error: ${formatOrigin(result.origin)}: ${result.message}`);
  } else {
    tally.skipped++;
    if (verbose) writeDiagnostic(io, `trailwatch: skipped ${formatOrigin(result.origin)}: ${result.reason}`);
  }
}
