import { emailNotifier } from './email';
import { pagerDutyNotifier } from './pagerduty';
import { slackNotifier } from './slack';
import { slackAppNotifier } from './slack-app';
import { teamsNotifier } from './teams';
import type { RegisteredNotifier } from './types';
import { registerNotifier } from './types';
import { webhookNotifier } from './webhook';

/** Every destination type, by the `type:` written in trailwatch.yml. Adding one: a file and a line here. */
export const NOTIFIERS: ReadonlyMap<string, RegisteredNotifier> = new Map([
  ['slack', registerNotifier(slackNotifier)],
  ['slack_app', registerNotifier(slackAppNotifier)],
  ['email', registerNotifier(emailNotifier)],
  ['webhook', registerNotifier(webhookNotifier)],
  ['pagerduty', registerNotifier(pagerDutyNotifier)],
  ['teams', registerNotifier(teamsNotifier)],
]);
