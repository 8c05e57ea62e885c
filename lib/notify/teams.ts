import { z } from 'zod';
import type { Alert } from '../alerts';
import { postToSecretWebhook } from './secret-webhook';
import { secretRefSchema } from './secrets';
import { singleLine, truncate } from './text';
import type { Notifier } from './types';

/** Adaptive Card TextBlocks read a Markdown subset: escape what could make links or emphasis. */
function teamsText(text: string, max: number): string {
  return truncate(singleLine(text), max).replace(/([\\[\]()*_~`#<>])/g, '\\$1');
}

/** A message with one Adaptive Card, as Teams Workflows webhooks take it. https://adaptivecards.io/explorer/ */
export function teamsMessage(alert: Alert): Record<string, unknown> {
  const f = alert.facts;
  const facts = [
    ['Principal', f.principalArn],
    ['Account / region', f.account ? `${f.account} / ${f.region}` : f.region],
    ['Event', `${f.eventSource} ${f.eventName}`],
    ['Time', f.eventTime],
    ['Source IP', f.sourceIPAddress],
    ['Error', f.errorCode],
  ].filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '');
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
              text: teamsText(`${alert.level.toUpperCase()}: ${alert.title}`, 200),
            },
            { type: 'TextBlock', wrap: true, text: teamsText(alert.summary, 2000) },
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
          actions: [{ type: 'Action.OpenUrl', title: 'View in CloudTrail', url: alert.consoleUrl }],
        },
      },
    ],
  };
}

const teamsConfig = z.strictObject({ type: z.literal('teams'), webhook_url: secretRefSchema });

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
        JSON.stringify(teamsMessage(alert)),
        options,
      ),
  }),
};
