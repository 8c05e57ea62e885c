import { z } from 'zod';
import { MAX_RESULTS_PER_CALL } from '../history';
import type { LookupCliOptions } from './lookup';
import { LOOKUP_OUTPUTS } from './lookup';
import { clientRegionFlag, outputFlag, readBy, readTime, readWholeNumber } from './options';

/** A time flag read at the edge and handed on as the exact instant, in ISO 8601. */
function instantFlag(now: number, bound: 'start' | 'end') {
  return readBy((text) => readTime(text, now, bound)).transform((ms) => new Date(ms).toISOString());
}

/** A count flag checked at the edge and handed on as typed (lookupQuery reads it again). */
function countFlag(max?: number) {
  return z.string().refine((text) => readWholeNumber(text, max).ok, {
    error: (issue) => {
      const read = readWholeNumber(String(issue.input), max);
      return read.ok ? '' : read.why;
    },
  });
}

/**
 * `trailwatch lookup`'s flags, named as `aws cloudtrail lookup-events` names them, checked at the
 * edge. A date alone as --end-time means the end of that UTC day, as --until does everywhere.
 */
export function lookupFlags(now: number) {
  return z
    .object({
      lookupAttributes: z.array(z.string()).optional(),
      startTime: instantFlag(now, 'start').optional(),
      endTime: instantFlag(now, 'end').optional(),
      eventCategory: z.string().optional(),
      maxResults: countFlag(MAX_RESULTS_PER_CALL).optional(),
      maxItems: countFlag().optional(),
      all: z.boolean().optional(),
      startingToken: z.string().optional(),
      region: clientRegionFlag.optional(),
      endpointUrl: z.string().optional(),
      profile: z.string().optional(),
      output: outputFlag(LOOKUP_OUTPUTS, 'table'),
      rules: z.union([z.boolean(), z.string()]).optional(),
      config: z.string().optional(),
    })
    .transform(
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
    );
}
