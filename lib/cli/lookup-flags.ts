import { MAX_RESULTS_PER_CALL } from '../history';
import * as z from '../validation';
import type { LookupCliOptions } from './lookup';
import { LOOKUP_OUTPUTS } from './lookup';
import { clientRegionFlag, outputFlag, readBy, readTime, readWholeNumber } from './options';

/** A time flag read at the edge and handed on as the exact instant, in ISO 8601. */
function instantFlag(now: number, bound: 'start' | 'end') {
  return z.pipe(
    readBy((text) => readTime(text, now, bound)),
    z.transform((ms: number) => new Date(ms).toISOString()),
  );
}

/** A count flag checked at the edge and handed on as typed (lookupQuery reads it again). */
function countFlag(max?: number) {
  return z.string().check(
    z.refine((text) => readWholeNumber(text, max).ok, {
      error: (issue) => {
        const read = readWholeNumber(String(issue.input), max);
        return read.ok ? '' : read.why;
      },
    }),
  );
}

/**
 * `trailwatch lookup`'s flags, named as `aws cloudtrail lookup-events` names them, checked at the
 * edge. A date alone as --end-time means the end of that UTC day, as --until does everywhere.
 */
export function lookupFlags(now: number) {
  return z.pipe(
    z.object({
      lookupAttributes: z.optional(z.array(z.string())),
      startTime: z.optional(instantFlag(now, 'start')),
      endTime: z.optional(instantFlag(now, 'end')),
      eventCategory: z.optional(z.string()),
      maxResults: z.optional(countFlag(MAX_RESULTS_PER_CALL)),
      maxItems: z.optional(countFlag()),
      all: z.optional(z.boolean()),
      startingToken: z.optional(z.string()),
      region: z.optional(clientRegionFlag),
      endpointUrl: z.optional(z.string()),
      profile: z.optional(z.string()),
      output: outputFlag(LOOKUP_OUTPUTS, 'table'),
      rules: z.optional(z.union([z.boolean(), z.string()])),
      config: z.optional(z.string()),
    }),
    z.transform(
      (flags): LookupCliOptions => ({
        output: flags.output,
        ...(flags.lookupAttributes === undefined ? {} : { lookupAttributes: flags.lookupAttributes }),
        ...(flags.startTime === undefined ? {} : { startTime: flags.startTime }),
        ...(flags.endTime === undefined ? {} : { endTime: flags.endTime }),
        ...(flags.eventCategory === undefined ? {} : { eventCategory: flags.eventCategory }),
        ...(flags.maxResults === undefined ? {} : { maxResults: flags.maxResults }),
        ...(flags.maxItems === undefined ? {} : { maxItems: flags.maxItems }),
        ...(flags.all === undefined ? {} : { all: flags.all }),
        ...(flags.startingToken === undefined ? {} : { startingToken: flags.startingToken }),
        ...(flags.region === undefined ? {} : { region: flags.region }),
        ...(flags.endpointUrl === undefined ? {} : { endpointUrl: flags.endpointUrl }),
        ...(flags.rules === undefined ? {} : { rules: flags.rules }),
        ...(flags.config === undefined ? {} : { config: flags.config }),
      }),
    ),
  );
}
