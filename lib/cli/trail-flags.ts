import * as z from '../validation';
import { clientRegionFlag, outputFlag } from './options';
import type { TrailCliOptions } from './trail';

/** The trail commands print text, or with `--output json` what the matching AWS CLI call prints. */
export const TRAIL_OUTPUTS = ['text', 'json'] as const;

/** The flags of every `trailwatch trail` command, checked and typed at the edge. */
export const trailFlags = z.pipe(
  z.object({
    name: z.optional(z.string().check(z.minLength(1, 'takes the trail name'))),
    config: z.optional(z.string()),
    region: z.optional(clientRegionFlag),
    endpointUrl: z.optional(z.string()),
    profile: z.optional(z.string()),
    output: outputFlag(TRAIL_OUTPUTS, 'text'),
    yes: z.optional(z.boolean()),
  }),
  z.transform(
    (flags): TrailCliOptions => ({
      json: flags.output === 'json',
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.config === undefined ? {} : { config: flags.config }),
      ...(flags.region === undefined ? {} : { region: flags.region }),
      ...(flags.endpointUrl === undefined ? {} : { endpointUrl: flags.endpointUrl }),
      ...(flags.yes === undefined ? {} : { yes: flags.yes }),
    }),
  ),
);
