import { accountLabel } from '../accounts';
import type { Alert } from '../alerts';
import { alertLead, personFacts, safeConsoleUrl, titleWithPerson } from '../alerts';
import * as z from '../validation';
import { postToSecretWebhook } from './secret-webhook';
import { secretRefSchema } from './secrets';
import { inertJson, teamsText } from './text';
import type { Notifier } from './types';

/**
 * A message with one Adaptive Card, as Teams Workflows webhooks take it. Every text goes through
 * teamsText; the budgets below (title 200, summary 2000, 10 facts of 500, footer 300 characters,
 * at most 3 UTF-8 bytes each once JSON-encoded) keep the message under TEAMS_MESSAGE_MAX_BYTES.
 * The person comes first: in the title, the summary and the first facts (Person, Role chain,
 * Attribution).
 * https://adaptivecards.io/explorer/
 */
export function teamsMessage(alert: Alert): Record<string, unknown> {
  const f = alert.facts;
  const facts = [
    ...(alert.actor ? personFacts(alert.actor) : []),
    ['Principal', f.principalArn],
    ['Account / region', f.account ? `${accountLabel(f.account, f.accountName)} / ${f.region}` : f.region],
    ['Event', `${f.eventSource} ${f.eventName}`],
    ['Time', f.eventTime],
    ['Source IP', f.sourceIPAddress],
    ['User agent', f.userAgent],
    ['Error', f.errorCode],
  ].filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '');
  const consoleUrl = safeConsoleUrl(alert.consoleUrl);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              size: 'Large',
              weight: 'Bolder',
              wrap: true,
              color: alert.level === 'critical' || alert.level === 'high' ? 'Attention' : 'Default',
              text: teamsText(`${alert.level.toUpperCase()}: ${titleWithPerson(alert)}`, 200),
            },
            { type: 'TextBlock', wrap: true, text: teamsText(alertLead(alert), 2000) },
            {
              type: 'FactSet',
              facts: facts.map(([title, value]) => ({ title, value: teamsText(value, 500) })),
            },
            {
              type: 'TextBlock',
              isSubtle: true,
              wrap: true,
              text: teamsText(`Rule ${alert.rule.id} · alert ${alert.id}`, 300),
            },
          ],
          ...(consoleUrl
            ? { actions: [{ type: 'Action.OpenUrl', title: 'View in CloudTrail', url: consoleUrl }] }
            : {}),
        },
      },
    ],
  };
}

const teamsConfig = z.lazy(() => z.strictObject({ type: z.literal('teams'), webhook_url: secretRefSchema }));

export const teamsNotifier: Notifier<z.infer<typeof teamsConfig>> = {
  type: 'teams',
  description: 'Microsoft Teams Workflows webhook, Adaptive Card',
  configSchema: teamsConfig,
  create: (name, config, context) => ({
    name,
    type: 'teams',
    send: (alert, options) =>
      postToSecretWebhook(
        context,
        config.webhook_url,
        'Teams webhook',
        inertJson(teamsMessage(alert), {}),
        options,
      ),
  }),
};
