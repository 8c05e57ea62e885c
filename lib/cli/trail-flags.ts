import { z } from 'zod';
import { clientRegionFlag, outputFlag } from './options';
import type { TrailCliOptions } from './trail';

/** The trail commands print text, or with `--output json` what the matching AWS CLI call prints. */
export const TRAIL_OUTPUTS = ['text', 'json'] as const;

/** The flags of every `trailwatch trail` command, checked and typed at the edge. */
export const trailFlags = z
  .object({
    name: z.string().min(1, 'takes the trail name').optional(),
    config: z.string().optional(),
    region: clientRegionFlag.optional(),
    endpointUrl: z.string().optional(),
    profile: z.string().optional(),
    output: outputFlag(TRAIL_OUTPUTS, 'text'),
    yes: z.boolean().optional(),
  })
  .transform(
    (flags): TrailCliOptions => ({
      json: flags.output === 'json',
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.config === undefined ? {} : { config: flags.config }),
      ...(flags.region === undefined ? {} : { region: flags.region }),
      ...(flags.endpointUrl === undefined ? {} : { endpointUrl: flags.endpointUrl }),
      ...(flags.yes === undefined ? {} : { yes: flags.yes }),
    }),
  );
