import type { EngineFlag } from '../hunt/types';
import * as z from '../validation';
import type { AthenaSettingsInput } from './settings';

/**
 * The Athena flags, one name per meaning for `hunt --engine athena` and `backtest --engine athena`
 * (backtest declares the same five in lib/cli/main.ts; test/athena/hunt-flags.test.ts holds them
 * equal). Each falls back to its TRAILWATCH_ATHENA_* variable, then to the stack's outputs
 * (./settings).
 */
export const ATHENA_FLAGS: readonly EngineFlag[] = [
  {
    flags: '--workgroup <name>',
    description: 'Athena workgroup (default: the stack output AthenaWorkGroupName)',
  },
  {
    flags: '--database <name>',
    description: 'Glue database of the CloudTrail table (default: the stack output AthenaDatabaseName)',
  },
  { flags: '--table <name>', description: 'the CloudTrail table (default: cloudtrail)' },
  {
    flags: '--output-location <s3-url>',
    description: 'query results location, for a workgroup that does not enforce its own',
  },
  {
    flags: '--stack <name>',
    description: 'the stack whose outputs name the workgroup and database (default: trailwatch-dev)',
  },
];

const name = z.string().check(z.trim(), z.minLength(1, { error: 'takes a name' }));

/** The Athena engine's options as `hunt` hands them over (commander's camelCase keys); strict. */
export const athenaEngineOptions = z.strictObject({
  workgroup: z.optional(name),
  database: z.optional(name),
  table: z.optional(name),
  outputLocation: z.optional(
    z.string().check(
      z.trim(),
      z.refine((text) => text.startsWith('s3://'), { error: 'takes an s3://bucket/prefix/ URL' }),
    ),
  ),
  stack: z.optional(name),
});
export type AthenaEngineOptions = z.output<typeof athenaEngineOptions>;

/** The flags as resolveAthenaSettings reads them (the AWS API's `workGroup` spelling). */
export function athenaSettingsInput(options: AthenaEngineOptions): AthenaSettingsInput {
  return {
    ...(options.workgroup === undefined ? {} : { workGroup: options.workgroup }),
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(options.outputLocation === undefined ? {} : { outputLocation: options.outputLocation }),
    ...(options.stack === undefined ? {} : { stack: options.stack }),
  };
}
