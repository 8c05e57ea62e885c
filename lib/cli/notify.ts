import type { Alert } from '../alerts';
import { alertFacts, alertId, consoleEventUrl, describeAction } from '../alerts';
import { createDestinations, defaultNotifierContext } from '../pipeline';
import type { CloudTrailRecord } from '../records';
import * as z from '../validation';
import type { CliIo } from './io';
import { EXIT_INPUT_FAILED, EXIT_OK, UsageError } from './io';
import { readConfig } from './rule-options';

/** `notify test`'s flags: the config, and the AWS profile an SNS destination is reached with. */
export const notifyTestFlags = z.object({ config: z.optional(z.string()), profile: z.optional(z.string()) });

/** A harmless, clearly labelled alert, new each time so that no idempotency record holds it back. */
export function sampleAlert(now: number = Date.now()): Alert {
  const record: CloudTrailRecord = {
    eventVersion: '1.09',
    eventTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    eventID: `trailwatch-test-${now}`,
    eventType: 'AwsConsoleSignIn',
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/trailwatch-test',
      accountId: '111122223333',
      userName: 'trailwatch-test',
    },
    sourceIPAddress: '203.0.113.10',
    userAgent: 'trailwatch notify test',
    responseElements: { ConsoleLogin: 'Success' },
    recipientAccountId: '111122223333',
  };
  const facts = alertFacts(record);
  return {
    id: alertId('notify-test', String(now)),
    kind: 'detection',
    rule: {
      id: 'trailwatch-notify-test',
      title: 'trailwatch test notification',
      level: 'informational',
      tags: [],
      references: [],
      destinations: [],
      runbook: 'Nothing to do: this message was sent by `trailwatch notify test` to check the destination.',
    },
    level: 'informational',
    title: 'trailwatch test notification',
    summary: `Test only. ${describeAction(facts)}`,
    facts,
    fields: {},
    consoleUrl: consoleEventUrl(record.awsRegion, record.eventID),
    record,
  };
}

/** `trailwatch notify test DESTINATION`: sends a sample alert and says what came back. */
export async function runNotifyTest(
  destination: string,
  options: z.output<typeof notifyTestFlags>,
  io: CliIo,
): Promise<number> {
  const config = readConfig(options);
  const destinations = createDestinations(config, defaultNotifierContext());
  const target = destinations.get(destination);
  if (!target) {
    const known = [...destinations.keys()];
    throw new UsageError(
      `no destination '${destination}' in ${config.file ?? 'trailwatch.yml'}${known.length > 0 ? ` (defined: ${known.join(', ')})` : ' (none are defined)'}`,
    );
  }
  const result = await target.send(sampleAlert());
  if (result.ok) {
    io.stdout.write(
      `sent a test alert to ${destination} (${target.type}) in ${result.attempts} attempt(s)${result.detail ? `: ${result.detail}` : ''}\n`,
    );
    return EXIT_OK;
  }
  io.stderr.write(
    `trailwatch: error: ${destination} (${target.type}): ${result.error}${result.retryable ? ' (retryable)' : ''}\n`,
  );
  return EXIT_INPUT_FAILED;
}
