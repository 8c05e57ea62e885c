import { Command, CommanderError, Option } from 'commander';
import packageJson from '../../package.json';
import { isInfrastructureFailure } from '../driver';
import { IamReadError } from '../iam';
import { AUDIT_FORMATS, runAudit } from './audit';
import { BACKTEST_FORMATS, runBacktestCommand } from './backtest';
import { runCat } from './cat';
import { runConfigValidate } from './config';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE, guardedIo, processIo, UsageError } from './io';
import type { LookupServices } from './lookup';
import { LOOKUP_OUTPUTS, runLookup } from './lookup';
import { runNotifyTest } from './notify';
import { collectList } from './options';
import { ROLES_FORMATS, resolveAutoPlaceholdersBeforeAction, runRoles } from './roles';
import { runRulesList, runRulesTest, runRulesValidate } from './rules';
import { runScan, SCAN_FORMATS } from './scan';
import { runTrailDescribe, runTrailLogging, runTrailPlan, runTrailStatus, runTrailValidate } from './trail';

function addReadOptions(command: Command): Command {
  return command
    .option('--since <time>', 'only records at or after this time (ISO 8601, epoch seconds, or -2h, -7d)')
    .option('--until <time>', 'only records at or before this time')
    .option(
      '--account <ids>',
      'only these accounts (repeatable, comma-separated); narrows S3 listing',
      collectList,
    )
    .option(
      '--region <names>',
      'only these regions (repeatable, comma-separated); narrows S3 listing',
      collectList,
    )
    .option('--endpoint-url <url>', 'S3-compatible endpoint, e.g. http://127.0.0.1:5000 for moto_server')
    .addOption(
      new Option('--s3-region <name>', 'region of the S3 client (default: AWS_REGION, then us-east-1)'),
    )
    .option(MAX_RECORD_SIZE_FLAG, MAX_RECORD_SIZE_HELP);
}

const MAX_RECORD_SIZE_FLAG = '--max-record-size <size>';
const MAX_RECORD_SIZE_HELP = 'records larger than this are reported and skipped (default 16MiB)';

/** What the commands reach outside the process through, replaceable in tests (pacing waits, the clock). */
export type CliServices = LookupServices;

export function buildProgram(
  io: CliIo,
  setExitCode: (code: number) => void,
  services: CliServices = {},
): Command {
  const program = new Command('trailwatch')
    .description('CloudTrail records in, security alerts out.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  addReadOptions(
    program
      .command('cat')
      .description(
        'print the CloudTrail records in files, directories, s3://bucket/prefix or - (stdin), one JSON per line',
      )
      .argument('<inputs...>', 'files, directories, s3://bucket/prefix, or - for standard input'),
  )
    .option('-v, --verbose', 'also report skipped inputs (digests, empty files) and a final count')
    .action(async (inputs: string[], options) => setExitCode(await runCat(inputs, options, io)));

  addReadOptions(
    program
      .command('scan')
      .description(
        'evaluate the rules on records from files, directories, s3://bucket/prefix or - and print findings',
      )
      .argument('<inputs...>', 'files, directories, s3://bucket/prefix, or - for standard input'),
  )
    .option(
      '--rules <path>',
      'rule file or folder (repeatable; default: the shipped pack plus trailwatch.yml)',
      collectList,
    )
    .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
    .option('--format <format>', `output: ${SCAN_FORMATS.join(', ')}`, 'table')
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
    .action(async (inputs: string[], options) => setExitCode(await runScan(inputs, options, io)));

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
    .option('--end-time <time>', 'events at or before')
    .option('--event-category <category>', 'insight: look up Insights events')
    .option('--max-results <n>', 'events per call, 1 to 50')
    .option('--max-items <n>', 'stop after this many events, following NextToken')
    .option('--all', 'follow NextToken to the last event')
    .option('--starting-token <token>', 'resume where an earlier run stopped (its NextToken)')
    .option('--region <name>', 'the region whose history to read (default: AWS_REGION, then us-east-1)')
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint')
    .option('--output <format>', `output: ${LOOKUP_OUTPUTS.join(', ')}`, 'table')
    .option(
      '--rules [path]',
      'evaluate rules on the events and print the alerts (default: the shipped pack plus trailwatch.yml)',
    )
    .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
    .action(async (options) => setExitCode(await runLookup(options, io, services)));

  addReadOptions(
    program
      .command('audit')
      .description(
        'what one person did: their sessions, role chains and actions, from inputs (read twice) or with --lookup from Event history',
      )
      .argument('[inputs...]', 'files, directories, s3://bucket/prefix, or - for standard input'),
  )
    .option('--who <name>', 'the person: user name, email, ARN, source identity or Identity Center user')
    .option('--format <format>', `output: ${AUDIT_FORMATS.join(', ')}`, 'table')
    .option('--html <file>', 'also write a self-contained HTML timeline of the sessions and actions')
    .option('--lookup', "read Event history (LookupEvents by Username, then each session's AccessKeyId)")
    .option('--start-time <time>', 'with --lookup: events at or after (ISO 8601, epoch seconds, or -2h, -7d)')
    .option('--end-time <time>', 'with --lookup: events at or before')
    .option(
      '--rules <path>',
      'rule file or folder (repeatable; default: the shipped pack plus trailwatch.yml)',
      collectList,
    )
    .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
    .action(async (inputs: string[], options) => setExitCode(await runAudit(inputs, options, io, services)));

  program
    .command('backtest')
    .description(
      "replay the trail's history (s3://bucket/prefix or a folder in its layout) through the rules and the alerting, and report the noise per rule",
    )
    .argument('<source>', 's3://bucket/prefix of the trail, or a local folder of its log files')
    .option('--since <time>', 'first day to read (ISO 8601, epoch seconds, or -30d)')
    .option('--until <time>', 'last moment to read (default: now)')
    .option('--accounts <ids>', 'only these accounts (repeatable, comma-separated)', collectList)
    .option('--regions <names>', 'only these regions (repeatable, comma-separated)', collectList)
    .option(
      '--rules <path>',
      'rule file or folder (repeatable; default: the shipped pack plus trailwatch.yml)',
      collectList,
    )
    .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
    .option('--format <format>', `output: ${BACKTEST_FORMATS.join(', ')}`, 'table')
    .option(
      '--html <file>',
      'also write a self-contained HTML report with a chart of alerts per rule per day',
    )
    .option('--concurrency <n>', 'objects read at once', '8')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--baseline',
      "build the first-seen rules' baseline from this history in the state table (trailwatch.yml state:); they raise nothing in this run",
    )
    .option('--endpoint-url <url>', 'S3-compatible endpoint, e.g. http://127.0.0.1:5000 for moto_server')
    .option('--s3-region <name>', 'region of the S3 client (default: AWS_REGION, then us-east-1)')
    .option(MAX_RECORD_SIZE_FLAG, MAX_RECORD_SIZE_HELP)
    .action(async (source: string, options) => setExitCode(await runBacktestCommand(source, options, io)));

  const rules = program.command('rules').description('validate, test and list detection rules');
  const ruleCommand = (name: string, description: string) =>
    rules
      .command(name)
      .description(description)
      .argument('[paths...]', 'rule files or folders (default: the shipped pack plus trailwatch.yml)')
      .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)');
  ruleCommand('validate', 'load every rule and list every problem with file:line')
    .option('--strict', 'a field no CloudTrail record can hold is an error, not a warning')
    .action((paths: string[], options) => setExitCode(runRulesValidate(paths, options, io)));
  ruleCommand('test', "run every rule's inline tests and say why a failing one failed")
    .option('-v, --verbose', 'list passing tests too')
    .action((paths: string[], options) => setExitCode(runRulesTest(paths, options, io)));
  ruleCommand('list', 'list the rules with their level and ATT&CK tags')
    .option('--json', 'print JSON')
    .action((paths: string[], options) => setExitCode(runRulesList(paths, options, io)));

  program
    .command('notify')
    .description('check notification destinations')
    .command('test')
    .description('send a sample alert to one destination from trailwatch.yml')
    .argument('<destination>', 'a destination name')
    .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
    .action(async (destination: string, options) =>
      setExitCode(await runNotifyTest(destination, options, io)),
    );

  program
    .command('config')
    .description('check trailwatch.yml')
    .command('validate')
    .description('validate trailwatch.yml: schema, destinations, routes, suppressions (and which expired)')
    .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
    .action((options) => setExitCode(runConfigValidate(options, io)));

  program
    .command('roles')
    .description(
      'list the IAM roles whose policies grant administrator-equivalent power, why, and who may assume them',
    )
    .option('--format <format>', `output: ${ROLES_FORMATS.join(', ')}`, 'table')
    .option('--region <name>', 'region to sign IAM calls for (default: us-east-1; IAM is global)')
    .option('--endpoint-url <url>', 'an IAM-compatible endpoint, e.g. moto_server')
    .option('--profile <name>', 'the AWS profile to use (default: the SDK default chain)')
    .action(async (options) => setExitCode(await runRoles(options, io)));
  // `placeholders: {wide_permission_roles: auto}`: IAM is read once, before the command reads its config.
  program.hook('preAction', (_program, action) => resolveAutoPlaceholdersBeforeAction(action));

  const trail = program.command('trail').description('create, check and guard the CloudTrail trail');
  const trailCommand = (name: string, description: string) =>
    trail
      .command(name)
      .description(description)
      .option('--name <name>', 'the trail (default: trail.name in trailwatch.yml)')
      .option('--config <file>', 'trailwatch.yml to use (default: ./trailwatch.yml if present)')
      .option('--region <name>', 'the trail home region (default: AWS_REGION, then us-east-1)')
      .option('--endpoint-url <url>', 'an AWS-compatible endpoint, e.g. moto_server')
      .option('--json', 'print JSON');
  trailCommand('plan', 'show what apply would change to make the trail match trailwatch.yml').action(
    async (options) => setExitCode(await runTrailPlan(options, io, false)),
  );
  trailCommand('apply', 'create or update the trail (and its bucket) to match trailwatch.yml').action(
    async (options) => setExitCode(await runTrailPlan(options, io, true)),
  );
  trailCommand('describe', 'describe the trail (--json: as aws cloudtrail describe-trails)').action(
    async (options) => setExitCode(await runTrailDescribe(options, io)),
  );
  trailCommand(
    'status',
    'logging state and latest deliveries (--json: as aws cloudtrail get-trail-status)',
  ).action(async (options) => setExitCode(await runTrailStatus(options, io)));
  trailCommand('validate', 'check the trail is healthy; exit 1 when it is not').action(async (options) =>
    setExitCode(await runTrailValidate(options, io)),
  );
  trailCommand('start', 'start logging').action(async (options) =>
    setExitCode(await runTrailLogging(options, io, 'start')),
  );
  trailCommand('stop', 'stop logging').action(async (options) =>
    setExitCode(await runTrailLogging(options, io, 'stop')),
  );
  trailCommand('delete', 'delete the trail (needs --yes)')
    .option('--yes', 'confirm')
    .action(async (options) => setExitCode(await runTrailLogging(options, io, 'delete')));

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
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    services,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return informational.includes(error.code) ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`trailwatch: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isInfrastructureFailure(error) || error instanceof IamReadError) {
      // A service the run depends on is down (the state table): the message names it; no stack.
      io.stderr.write(`trailwatch: error: ${(error as Error).message}\n`);
      return EXIT_INPUT_FAILED;
    }
    io.stderr.write(
      `trailwatch: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_INPUT_FAILED;
  }
  return exitCode;
}

/** Re-exported for the build, which pre-parses the shipped pack with the same code the CLI runs. */
export { buildRulePack } from '../rules';
