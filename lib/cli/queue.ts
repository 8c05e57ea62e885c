import type { Command } from 'commander';
import { resolveRegion } from '../aws';
import type { RedriveOutcome } from '../queue';
import { crossAccountPolicies, crossAccountText, MOVE_TASK_MAX_PER_SECOND, redrive } from '../queue';
import * as z from '../validation';
import type { RawFlags } from './flags';
import { commandFlags, outputHelp, PROFILE_HELP } from './flags';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK } from './io';
import { clientRegionFlag, collectList, outputFlag, readBy, readWholeNumber } from './options';

const QUEUE_HELP = 'the queue, by URL or ARN';

/** `trailwatch redrive`'s flags, checked at the edge. */
export const redriveFlags = z.object({
  dlq: z.string({ error: 'names the dead-letter queue (URL or ARN): it is required' }).check(z.minLength(1)),
  queue: z.optional(z.string().check(z.minLength(1))),
  maxPerSecond: z.optional(readBy((text) => readWholeNumber(text, MOVE_TASK_MAX_PER_SECOND))),
  dryRun: z.optional(z.boolean()),
  region: z.optional(clientRegionFlag),
  endpointUrl: z.optional(z.string()),
  profile: z.optional(z.string().check(z.minLength(1, 'takes a profile name'))),
});

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const CROSS_ACCOUNT_OUTPUTS = ['text', 'json'] as const;

/** `trailwatch cross-account-policy`'s flags. */
export const crossAccountFlags = z.object({
  bucket: z.string({ error: 'names the log bucket: it is required' }).check(z.minLength(1)),
  roleArn: z
    .string({ error: "names the queue function's role (stack output QueueIngestRoleArn): it is required" })
    .check(z.regex(ROLE_ARN, 'takes an IAM role ARN (stack output QueueIngestRoleArn)')),
  kmsKeyArn: z.optional(z.string().check(z.minLength(1))),
  topicArn: z.optional(z.string().check(z.minLength(1))),
  queueArn: z.optional(z.string().check(z.minLength(1))),
  output: outputFlag(CROSS_ACCOUNT_OUTPUTS, 'text'),
});

function describeOutcome(outcome: RedriveOutcome, dryRun: boolean): string[] {
  const to = outcome.queue?.arn ?? 'its source queue';
  const head = `${outcome.deadLetters.arn}: ${outcome.waiting} message(s) waiting`;
  if (dryRun) return [`${head}; would move them to ${to} (dry run: nothing moved)`];
  if (outcome.waiting === 0) return [`${head}; nothing to move`];
  if (outcome.path === 'message-move-task')
    return [
      `${head}; SQS message move task started to ${to}${outcome.taskHandle ? ` (task ${outcome.taskHandle})` : ''}`,
      `follow it with: aws sqs list-message-move-tasks --source-arn ${outcome.deadLetters.arn}`,
    ];
  return [
    `${head}; this endpoint has no message move task: moved ${outcome.moved} by receive, send, delete to ${to}`,
    ...outcome.failed.map((failure) => `not moved (left in the dead-letter queue): ${failure}`),
  ];
}

async function runRedrive(options: z.output<typeof redriveFlags>, io: CliIo): Promise<number> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({
    region: resolveRegion(options.region),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
  });
  try {
    const dryRun = options.dryRun === true;
    const outcome = await redrive(sqs, {
      deadLetters: options.dlq,
      dryRun,
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      ...(options.maxPerSecond === undefined ? {} : { maxPerSecond: options.maxPerSecond }),
    });
    for (const line of describeOutcome(outcome, dryRun)) io.stdout.write(`${line}\n`);
    return outcome.failed.length > 0 ? EXIT_INPUT_FAILED : EXIT_OK;
  } finally {
    sqs.destroy();
  }
}

function runCrossAccountPolicy(options: z.output<typeof crossAccountFlags>, io: CliIo): number {
  const request = {
    bucket: options.bucket,
    roleArn: options.roleArn,
    ...(options.kmsKeyArn === undefined ? {} : { kmsKeyArn: options.kmsKeyArn }),
    ...(options.topicArn === undefined ? {} : { topicArn: options.topicArn }),
    ...(options.queueArn === undefined ? {} : { queueArn: options.queueArn }),
  };
  const policies = crossAccountPolicies(request);
  io.stdout.write(
    options.output === 'json'
      ? `${JSON.stringify(policies, null, 2)}\n`
      : crossAccountText(request, policies),
  );
  return EXIT_OK;
}

/**
 * `trailwatch redrive` (dead letters back to the queue after a fix) and
 * `trailwatch cross-account-policy` (what a log archive account must allow): the organisation-scale
 * queue's two commands.
 */
export function declareQueueCommands(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('redrive')
    .description(
      "move the queue's dead letters back to it once the cause is fixed (SQS's message move task, or receive, send, delete where the endpoint lacks it)",
    )
    .option('--dlq <queue>', `the dead-letter queue (stack output IngestDeadLetterQueueUrl); ${QUEUE_HELP}`)
    .option(
      '--queue <queue>',
      `where to move to (default: the queue whose redrive policy names the DLQ); ${QUEUE_HELP}`,
    )
    .option('--max-per-second <n>', `messages moved per second at most (1-${MOVE_TASK_MAX_PER_SECOND})`)
    .option('--dry-run', 'count the dead letters and name the queues; move nothing')
    .option(
      '--region <name>',
      "the queues' region (default: AWS_REGION, the profile's, then us-east-1)",
      collectList,
    )
    .option('--endpoint-url <url>', 'an AWS-compatible endpoint, e.g. moto_server')
    .option('--profile <name>', PROFILE_HELP)
    .action(async (raw: RawFlags) =>
      setExitCode(await runRedrive(commandFlags(redriveFlags, raw, [], io), io)),
    );
  program
    .command('cross-account-policy')
    .description(
      "print what the log bucket's account must allow so the queue function can read its logs: bucket policy, KMS key policy, topic policy, bucket notification",
    )
    .option('--bucket <name>', 'the log bucket (a Control Tower log archive bucket)')
    .option('--role-arn <arn>', "the queue function's role (stack output QueueIngestRoleArn)")
    .option('--kms-key-arn <arn>', "the bucket's KMS key, if its objects are encrypted with one")
    .option('--topic-arn <arn>', 'the topic its notifications go to, when the queue subscribes to it')
    .option('--queue-arn <arn>', 'the queue (stack output IngestQueueArn)')
    .option('--output <format>', outputHelp(CROSS_ACCOUNT_OUTPUTS, 'text'))
    .action((raw: RawFlags) =>
      setExitCode(runCrossAccountPolicy(commandFlags(crossAccountFlags, raw, [], io), io)),
    );
}
