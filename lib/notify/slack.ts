import { accountLabel } from '../accounts';
import type { Alert } from '../alerts';
import { alertLead, personFacts, personShort, safeConsoleUrl, textField, titleWithPerson } from '../alerts';
import type { Level } from '../rules';
import * as z from '../validation';
import {
  SLACK_CONTEXT_ELEMENTS_MAX,
  SLACK_FALLBACK_TEXT_MAX,
  SLACK_HEADER_TEXT_MAX,
  SLACK_SECTION_FIELD_TEXT_MAX,
  SLACK_SECTION_FIELDS_MAX,
  SLACK_SECTION_TEXT_MAX,
} from './limits';
import { postToSecretWebhook } from './secret-webhook';
import { secretRefSchema } from './secrets';
import { breakLinks, singleLine, slackCode, slackText, truncate } from './text';
import type { Notifier } from './types';

const LEVEL_EMOJI: Readonly<Record<Level, string>> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  low: ':large_yellow_circle:',
  informational: ':information_source:',
};

type Block = Record<string, unknown>;

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
  readonly unfurl_links: false;
  readonly unfurl_media: false;
}

/** The facts shown as fields, in order; absent ones are left out. */
function factFields(alert: Alert): [string, string][] {
  const f = alert.facts;
  const rows: [string, string | undefined][] = [
    ['Principal', f.principalArn],
    ['Type', f.principalType],
    ['Session issuer', f.sessionIssuer],
    ['Account / region', f.account ? `${accountLabel(f.account, f.accountName)} / ${f.region}` : f.region],
    ['Event', `${f.eventSource} ${f.eventName}`],
    ['Time', f.eventTime],
    ['Source IP', f.sourceIPAddress],
    ['User agent', f.userAgent],
    ['Error', f.errorCode ? `${f.errorCode}${f.errorMessage ? `: ${f.errorMessage}` : ''}` : undefined],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

/**
 * The header's title with the person first. plain_text applies no mrkdwn, but clients still link
 * bare URLs and host names, so the person's name (event data) has its links broken; the rule
 * title is the operator's own text and is left as written.
 */
function headerTitle(alert: Alert): string {
  return alert.actor === undefined ? alert.title : `${breakLinks(personShort(alert.actor))} — ${alert.title}`;
}

/** A section of `*label*` + code-span value fields. */
function fieldsSection(rows: readonly (readonly [string, string])[]): Block {
  return {
    type: 'section',
    fields: rows.slice(0, SLACK_SECTION_FIELDS_MAX).map(([label, value]) => ({
      type: 'mrkdwn',
      text: `*${label}*\n${slackCode(value, SLACK_SECTION_FIELD_TEXT_MAX - label.length - 4)}`,
    })),
  };
}

/**
 * The rule's `fields:` as `*path*: `value`` lines, whole lines only, within one section's limit
 * (a cut through a line could leave a code span open). Undefined when there is none to show.
 */
function ruleFieldLines(alert: Alert): string | undefined {
  const lines: string[] = [];
  let length = 0;
  for (const [path, value] of Object.entries(alert.fields)) {
    const text = textField(value);
    if (text === undefined) continue;
    const line = `*${slackText(path, 100)}*: ${slackCode(text, 600)}`;
    if (length + line.length + 1 > SLACK_SECTION_TEXT_MAX) break;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/**
 * The Block Kit message for an alert. Every event-derived string goes through slackText or
 * slackCode (escaped, mentions and links neutralised, cut to Slack's limits); the rest is ours.
 * https://docs.slack.dev/block-kit/
 */
export function slackMessage(alert: Alert): SlackMessage {
  const level = alert.level.toUpperCase();
  const lead = alertLead(alert);
  const blocks: Block[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(singleLine(`${level}: ${headerTitle(alert)}`), SLACK_HEADER_TEXT_MAX),
        emoji: true,
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${LEVEL_EMOJI[alert.level]} ${slackText(lead, SLACK_SECTION_TEXT_MAX - 30)}`,
      },
    },
  ];
  // The person, the role chain and the evidence come before the record's facts: who, then what.
  if (alert.actor) blocks.push(fieldsSection(personFacts(alert.actor)));
  blocks.push(fieldsSection(factFields(alert)));
  const extra = ruleFieldLines(alert);
  if (extra) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: extra } });
  if (alert.correlation) {
    const c = alert.correlation;
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: slackText(
          `${c.count} events from ${c.firstEventTime} to ${c.lastEventTime}`,
          SLACK_SECTION_TEXT_MAX,
        ),
      },
    });
  }
  const consoleUrl = safeConsoleUrl(alert.consoleUrl);
  if (consoleUrl) {
    // Our own link: an https console URL from the URL API, with no `|`, `<` or `>` (safeConsoleUrl).
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${consoleUrl}|View this event in CloudTrail Event history>` },
    });
  }
  if (alert.rule.runbook) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Runbook*\n${slackText(alert.rule.runbook, SLACK_SECTION_TEXT_MAX - 12)}`,
      },
    });
  }
  const context = [`Rule ${slackCode(alert.rule.id, 80)}`, `Alert ${slackCode(alert.id, 80)}`];
  if (alert.suppressedDuplicates)
    context.push(
      `${alert.suppressedDuplicates} similar alert(s) were suppressed in the previous dedup window`,
    );
  if (alert.origin) context.push(`From ${slackCode(alert.origin, 300)}`);
  blocks.push({
    type: 'context',
    elements: context.slice(0, SLACK_CONTEXT_ELEMENTS_MAX).map((text) => ({ type: 'mrkdwn', text })),
  });
  return {
    text: slackText(`${level}: ${titleWithPerson(alert)}: ${lead}`, SLACK_FALLBACK_TEXT_MAX),
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

const slackConfig = z.lazy(() =>
  z.strictObject({
    type: z.literal('slack'),
    /** An incoming webhook URL: a secret, so always a reference. */
    webhook_url: secretRefSchema,
  }),
);

/** https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks */
export const slackNotifier: Notifier<z.infer<typeof slackConfig>> = {
  type: 'slack',
  description: 'Slack incoming webhook, Block Kit message',
  configSchema: slackConfig,
  create: (name, config, context) => ({
    name,
    type: 'slack',
    send: (alert, options) =>
      postToSecretWebhook(
        context,
        config.webhook_url,
        'Slack webhook',
        JSON.stringify(slackMessage(alert)),
        options,
      ),
  }),
};
