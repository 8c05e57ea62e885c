import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json';
import { AUDIT_FORMATS, auditFlags, runAudit } from './audit';
import { BACKTEST_FORMATS, backtestFlags, runBacktestCommand } from './backtest';
import { catFlags, runCat } from './cat';
import { configValidateFlags, runConfigValidate } from './config';
import { reportCliError } from './errors';
import type { DeprecatedFlag, RawFlags } from './flags';
import {
  CONFIG_HELP,
  commandFlags,
  declareDeprecated,
  declareReadFlags,
  FORMAT_IS_OUTPUT,
  JSON_IS_OUTPUT,
  outputHelp,
  PROFILE_HELP,
  READ_DEPRECATED,
} from './flags';
import { declareHuntCommand } from './hunt';
import type { CliIo } from './io';
import { EXIT_OK, EXIT_USAGE, guardedIo, processIo } from './io';
import type { LookupServices } from './lookup';
import { LOOKUP_OUTPUTS, runLookup } from './lookup';
import { lookupFlags } from './lookup-flags';
import { notifyTestFlags, runNotifyTest } from './notify';
import { collectList } from './options';
import { useProfile } from './profile';
import { declareQueueCommands } from './queue';
import { ROLES_FORMATS, resolveAutoPlaceholdersBeforeAction, rolesFlags, runRoles } from './roles';
import {
  RULES_LIST_OUTPUTS,
  rulesListFlags,
  rulesTestFlags,
  rulesValidateFlags,
  runRulesList,
  runRulesTest,
  runRulesValidate,
} from './rules';
import { runScan, SCAN_FORMATS, scanFlags } from './scan';
import { declareTrailCommands } from './trail-commands';

/** What the commands reach outside the process through, replaceable in tests (pacing waits, the clock). */
export type CliServices = LookupServices;

const RULES_HELP = 'rule file or folder (repeatable; default: the shipped pack plus trailwatch.yml)';

/** audit read Event history between --start-time and --end-time; both modes now take --since/--until. */
const AUDIT_DEPRECATED: readonly DeprecatedFlag[] = [
  ...READ_DEPRECATED,
  FORMAT_IS_OUTPUT,
  { flags: '--start-time <time>', replacement: '--since', into: 'since' },
  { flags: '--end-time <time>', replacement: '--until', into: 'until' },
];
const SCAN_DEPRECATED: readonly DeprecatedFlag[] = [...READ_DEPRECATED, FORMAT_IS_OUTPUT];

/**
 * The commander program. `restorers` collects what undoes the environment a command's `--profile`
 * set (AWS_PROFILE and the profile's region), for `main` to run when the command is done.
 */
export function buildProgram(
  io: CliIo,
  setExitCode: (code: number) => void,
  services: CliServices = {},
  restorers: (() => void)[] = [],
): Command {
  const now = (): number => (services.now ?? Date.now)();
  const program = new Command('trailwatch')
    .description('CloudTrail records in, security alerts out.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  declareReadFlags(
    program
      .command('cat')
      .description(
        'print the CloudTrail records in files, directories, s3://bucket/prefix or - (stdin), one JSON per line',
      )
      .argument('<inputs...>', 'files, directories, s3://bucket/prefix, or - for standard input'),
  )
    .option('-v, --verbose', 'also report skipped inputs (digests, empty files) and a final count')
    .action(async (inputs: string[], raw: RawFlags) => {
      const options = commandFlags(catFlags(now()), raw, READ_DEPRECATED, io, { legacyRegion: true });
      setExitCode(await runCat(inputs, options, io));
    });

  declareDeprecated(
    declareReadFlags(
      program
        .command('scan')
        .description(
          'evaluate the rules on records from files, directories, s3://bucket/prefix or - and print findings',
        )
        .argument('<inputs...>', 'files, directories, s3://bucket/prefix, or - for standard input'),
    ),
    [FORMAT_IS_OUTPUT],
  )
    .option('--rules <path>', RULES_HELP, collectList)
    .option('--config <file>', CONFIG_HELP)
    .option('--output <format>', outputHelp(SCAN_FORMATS, 'table'))
    .option('--min-level <level>', 'show only findings at or above this level')
    .option('--fail-on <level>', 'exit 1 when a finding at or above this level was found')
    .option(
      '--notify',
      'send alerts through the destinations in trailwatch.yml (dedup, thresholds, suppressions, routing)',
    )
    .option(
      '--delivery-timeout <duration>',
      "with --notify: how long one alert's deliveries may take, all destinations at once (default 60s)",
    )
    .option('-v, --verbose', 'also report skipped inputs and rule warnings')
    .action(async (inputs: string[], raw: RawFlags) => {
      const options = commandFlags(scanFlags(now()), raw, SCAN_DEPRECATED, io, { legacyRegion: true });
      setExitCode(await runScan(inputs, options, io));
    });

  program
    .command('lookup')
    .description(
      'look up Event history (90 days of management events) as aws cloudtrail lookup-events does, optionally applying the rules',
    )
    .option(
      '--lookup-attributes <attribute...>',
      'AttributeKey=KEY,AttributeValue=VALUE (one; keys: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId)',
    )
    .option('--start-time <time>', 'events at or after (ISO 8601, epoch seconds, or -2h, -7d)')
    .option('--end-time <time>', 'events at or before (a date alone: to the end of that day, UTC)')
    .option('--event-category <category>', 'insight: look up Insights events')
    .option('--max-results <n>', 'events per call, 1 to 50')
    .option('--max-items <n>', 'stop after this many events, following NextToken')
    .option('--all', 'follow NextToken to the last event')
    .option('--starting-token <token>', 'resume where an earlier run stopped (its NextToken)')
    .option(
      '--region <name>',
      "the region whose history to read (default: AWS_REGION, the profile's, then us-east-1)",
      collectList,
    )
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint')
    .option('--profile <name>', PROFILE_HELP)
    .option('--output <format>', outputHelp(LOOKUP_OUTPUTS, 'table'))
    .option(
      '--rules [path]',
      'evaluate rules on the events and print the alerts (default: the shipped pack plus trailwatch.yml)',
    )
    .option('--config <file>', CONFIG_HELP)
    .action(async (raw: RawFlags) => {
      const options = commandFlags(lookupFlags(now()), raw, [], io);
      setExitCode(await runLookup(options, io, services));
    });

  declareDeprecated(
    declareReadFlags(
      program
        .command('audit')
        .description(
          'what one person did: their sessions, role chains and actions, from inputs (read twice) or with --lookup from Event history',
        )
        .argument('[inputs...]', 'files, directories, s3://bucket/prefix, or - for standard input'),
    ),
    AUDIT_DEPRECATED.slice(READ_DEPRECATED.length),
  )
    .option('--who <name>', 'the person: user name, email, ARN, source identity or Identity Center user')
    .option('--output <format>', outputHelp(AUDIT_FORMATS, 'table'))
    .option('--html <file>', 'also write a self-contained HTML timeline of the sessions and actions')
    .option(
      '--lookup',
      "read Event history of --region between --since and --until (LookupEvents by Username, then each session's AccessKeyId)",
    )
    .option('--rules <path>', RULES_HELP, collectList)
    .option('--config <file>', CONFIG_HELP)
    .action(async (inputs: string[], raw: RawFlags) => {
      // With --lookup, --region is the region whose Event history is read: never a record filter.
      const options = commandFlags(auditFlags(now()), raw, AUDIT_DEPRECATED, io, {
        legacyRegion: raw.lookup !== true,
      });
      setExitCode(await runAudit(inputs, options, io, services));
    });

  declareDeprecated(
    declareReadFlags(
      program
        .command('backtest')
        .description(
          "replay the trail's history (s3://bucket/prefix or a folder in its layout) through the rules and the alerting, and report the noise per rule",
        )
        .argument(
          '[source]',
          's3://bucket/prefix of the trail, or a local folder of its log files (none with --engine athena)',
        ),
    ),
    [FORMAT_IS_OUTPUT],
  )
    .option('--rules <path>', RULES_HELP, collectList)
    .option('--config <file>', CONFIG_HELP)
    .option('--output <format>', outputHelp(BACKTEST_FORMATS, 'table'))
    .option(
      '--html <file>',
      'also write a self-contained HTML report: charts of alerts and of notifications (after dedup and suppressions) per rule per day, and the rules table',
    )
    .option('--concurrency <n>', 'objects read at once (default: 8)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--baseline',
      "build the first-seen rules' baseline from this history in the state table (trailwatch.yml state:); they raise nothing in this run",
    )
    .option(
      '--engine <name>',
      "javascript (read the log files, default) or athena (query the stack's Athena table, replay what matched)",
    )
    .option('--workgroup <name>', 'Athena workgroup (default: the stack output AthenaWorkGroupName)')
    .option(
      '--database <name>',
      'Glue database of the CloudTrail table (default: the stack output AthenaDatabaseName)',
    )
    .option('--table <name>', 'the CloudTrail table (default: cloudtrail)')
    .option(
      '--output-location <s3-url>',
      'query results location, for a workgroup that does not enforce its own',
    )
    .option(
      '--stack <name>',
      'the stack whose outputs name the workgroup and database (default: trailwatch-dev)',
    )
    .action(async (source: string | undefined, raw: RawFlags) => {
      const options = commandFlags(backtestFlags(now()), raw, SCAN_DEPRECATED, io);
      setExitCode(await runBacktestCommand(source, options, io));
    });

  const rules = program.command('rules').description('validate, test and list detection rules');
  const ruleCommand = (name: string, description: string) =>
    rules
      .command(name)
      .description(description)
      .argument('[paths...]', 'rule files or folders (default: the shipped pack plus trailwatch.yml)')
      .option('--config <file>', CONFIG_HELP);
  ruleCommand('validate', 'load every rule and list every problem with file:line')
    .option('--strict', 'a field no CloudTrail record can hold is an error, not a warning')
    .action((paths: string[], raw: RawFlags) =>
      setExitCode(runRulesValidate(paths, commandFlags(rulesValidateFlags, raw, [], io), io)),
    );
  ruleCommand('test', "run every rule's inline tests and say why a failing one failed")
    .option('-v, --verbose', 'list passing tests too')
    .action((paths: string[], raw: RawFlags) =>
      setExitCode(runRulesTest(paths, commandFlags(rulesTestFlags, raw, [], io), io)),
    );
  declareDeprecated(ruleCommand('list', 'list the rules with their level and ATT&CK tags'), [JSON_IS_OUTPUT])
    .option('--output <format>', outputHelp(RULES_LIST_OUTPUTS, 'text'))
    .action((paths: string[], raw: RawFlags) =>
      setExitCode(runRulesList(paths, commandFlags(rulesListFlags, raw, [JSON_IS_OUTPUT], io), io)),
    );

  program
    .command('notify')
    .description('check notification destinations')
    .command('test')
    .description('send a sample alert to one destination from trailwatch.yml')
    .argument('<destination>', 'a destination name')
    .option('--config <file>', CONFIG_HELP)
    .option('--profile <name>', PROFILE_HELP)
    .action(async (destination: string, raw: RawFlags) =>
      setExitCode(await runNotifyTest(destination, commandFlags(notifyTestFlags, raw, [], io), io)),
    );

  program
    .command('config')
    .description('check trailwatch.yml')
    .command('validate')
    .description('validate trailwatch.yml: schema, destinations, routes, suppressions (and which expired)')
    .option('--config <file>', CONFIG_HELP)
    .action((raw: RawFlags) =>
      setExitCode(runConfigValidate(commandFlags(configValidateFlags, raw, [], io), io)),
    );

  declareDeprecated(
    program
      .command('roles')
      .description(
        'list the IAM roles whose policies grant administrator-equivalent power, why, and who may assume them',
      ),
    [FORMAT_IS_OUTPUT],
  )
    .option('--output <format>', outputHelp(ROLES_FORMATS, 'table'))
    .option(
      '--region <name>',
      'region to sign IAM calls for (default: us-east-1; IAM is global)',
      collectList,
    )
    .option('--endpoint-url <url>', 'an IAM-compatible endpoint, e.g. moto_server')
    .option('--profile <name>', PROFILE_HELP)
    .action(async (raw: RawFlags) =>
      setExitCode(await runRoles(commandFlags(rolesFlags, raw, [FORMAT_IS_OUTPUT], io), io)),
    );
  // --profile first: every AWS client the command creates, the placeholders' IAM read included, uses it.
  program.hook('preAction', (_program, action) => {
    const { profile } = action.opts();
    if (typeof profile === 'string') restorers.push(useProfile(profile));
  });
  // `placeholders: {wide_permission_roles: auto}`: IAM is read once, before the command reads its config.
  program.hook('preAction', (_program, action) => resolveAutoPlaceholdersBeforeAction(action));

  declareHuntCommand(program, io, setExitCode, now);
  declareTrailCommands(program, io, setExitCode, services);
  declareQueueCommands(program, io, setExitCode);

  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 an input failed, 2 a usage error. */
export async function main(
  argv: readonly string[],
  rawIo: CliIo = processIo(),
  services: CliServices = {},
): Promise<number> {
  // Every message on stderr is shown with its control characters escaped, whoever writes it.
  const io = guardedIo(rawIo);
  let exitCode = EXIT_OK;
  const restorers: (() => void)[] = [];
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    services,
    restorers,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, --version and `help` exit 0; no command at all (help on stderr) and bad flags exit 2.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    // A TrailwatchError (a usage error, an unusable state table…) is one located line; else a stack.
    return reportCliError(error, io);
  } finally {
    for (const restore of restorers.splice(0)) restore();
  }
  return exitCode;
}

/** Re-exported for the build, which pre-parses the shipped pack with the same code the CLI runs. */
export { buildRulePack } from '../rules';
