import type { Command } from 'commander';
import type { RawFlags } from './flags';
import {
  CONFIG_HELP,
  commandFlags,
  declareDeprecated,
  JSON_IS_OUTPUT,
  outputHelp,
  PROFILE_HELP,
} from './flags';
import type { CliIo } from './io';
import type { CliServices } from './main';
import { collectList } from './options';
import { runTrailDescribe, runTrailLogging, runTrailPlan, runTrailStatus, runTrailValidate } from './trail';
import { TRAIL_OUTPUTS, trailFlags } from './trail-flags';

/** `trailwatch trail …`: every subcommand takes the same flags, named as the AWS CLI names them. */
export function declareTrailCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  services: CliServices,
): void {
  const trail = program.command('trail').description('create, check and guard the CloudTrail trail');
  const trailCommand = (name: string, description: string) =>
    declareDeprecated(
      trail
        .command(name)
        .description(description)
        .option('--name <name>', 'the trail (default: trail.name in trailwatch.yml)')
        .option('--config <file>', CONFIG_HELP)
        .option(
          '--region <name>',
          "the trail home region (default: AWS_REGION, the profile's, then us-east-1)",
          collectList,
        )
        .option('--endpoint-url <url>', 'an AWS-compatible endpoint, e.g. moto_server')
        .option('--profile <name>', PROFILE_HELP)
        .option('--output <format>', outputHelp(TRAIL_OUTPUTS, 'text')),
      [JSON_IS_OUTPUT],
    );
  const trailOptions = (raw: RawFlags) => commandFlags(trailFlags, raw, [JSON_IS_OUTPUT], io);
  trailCommand('plan', 'show what apply would change to make the trail match trailwatch.yml').action(
    async (raw: RawFlags) => setExitCode(await runTrailPlan(trailOptions(raw), io, false, services)),
  );
  trailCommand('apply', 'create or update the trail (and its bucket) to match trailwatch.yml').action(
    async (raw: RawFlags) => setExitCode(await runTrailPlan(trailOptions(raw), io, true, services)),
  );
  trailCommand('describe', 'describe the trail (--output json: as aws cloudtrail describe-trails)').action(
    async (raw: RawFlags) => setExitCode(await runTrailDescribe(trailOptions(raw), io, services)),
  );
  trailCommand(
    'status',
    'logging state and latest deliveries (--output json: as aws cloudtrail get-trail-status)',
  ).action(async (raw: RawFlags) => setExitCode(await runTrailStatus(trailOptions(raw), io, services)));
  trailCommand('validate', 'check the trail is healthy; exit 1 when it is not').action(
    async (raw: RawFlags) => setExitCode(await runTrailValidate(trailOptions(raw), io, services)),
  );
  trailCommand('start', 'start logging').action(async (raw: RawFlags) =>
    setExitCode(await runTrailLogging(trailOptions(raw), io, 'start', services)),
  );
  trailCommand('stop', 'stop logging').action(async (raw: RawFlags) =>
    setExitCode(await runTrailLogging(trailOptions(raw), io, 'stop', services)),
  );
  trailCommand('delete', 'delete the trail (needs --yes)')
    .option('--yes', 'confirm')
    .action(async (raw: RawFlags) =>
      setExitCode(await runTrailLogging(trailOptions(raw), io, 'delete', services)),
    );
}
