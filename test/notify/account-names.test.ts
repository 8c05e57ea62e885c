/**
 * Account names next to ids in every notifier's output: the pipeline names the account from
 * trailwatch.yml's `accounts:` (or Organizations), and each formatter shows `id (name)`, escaped
 * as any other text.
 */
import { describe, expect, it } from 'vitest';
import { AccountNames } from '../../lib/accounts';
import type { Alert } from '../../lib/alerts';
import { detectionAlert } from '../../lib/alerts';
import { parseConfig } from '../../lib/config';
import type { Destination } from '../../lib/notify';
import { emailMessage, pagerDutyBody, slackMessage, teamsMessage, webhookBody } from '../../lib/notify';
import { slackReplyMessage } from '../../lib/notify/slack-app';
import { AlertPipeline } from '../../lib/pipeline';
import type { RuleSet } from '../../lib/rules';
import { MemoryStateStore } from '../../lib/state';
import { injectedRecord, injectionRule } from '../factories/alerts';

const ACCOUNT = '111122223333';
const NO_CORRELATIONS: Pick<RuleSet, 'correlations' | 'correlationOnly'> = {
  correlations: [],
  correlationOnly: new Set(),
};

function named(name: string): Alert {
  const alert = detectionAlert(injectionRule(), injectedRecord('plain'));
  return { ...alert, facts: { ...alert.facts, accountName: name } };
}

/** Each notifier's formatted output, as one text to search. */
const FORMATTERS: [string, (alert: Alert) => string][] = [
  ['Slack (webhook and app)', (alert) => JSON.stringify(slackMessage(alert))],
  ['Slack app thread reply', (alert) => JSON.stringify(slackReplyMessage(alert, 2))],
  // Teams text escapes Markdown, parentheses included: read as the card shows it.
  ['Teams', (alert) => JSON.stringify(teamsMessage(alert)).replace(/\\\\/g, '')],
  ['email', (alert) => emailMessage(alert).body],
  ['PagerDuty', (alert) => pagerDutyBody(alert, 'routing-key-123456')],
  ['webhook', (alert) => webhookBody(alert)],
];

describe.each(FORMATTERS)('%s shows the account name next to its id', (_name, format) => {
  it('shows it', () => {
    const text = format(named('prod-payments'));
    expect(text).toMatch(/111122223333 \(prod-payments\)|"accountName":"prod-payments"/);
  });

  it('shows the id alone when no name is known', () => {
    const alert = detectionAlert(injectionRule(), injectedRecord('plain'));
    const text = format(alert);
    expect(text).toContain(ACCOUNT);
    expect(text).not.toContain(`${ACCOUNT} (`);
  });
});

describe('a hostile account name stays text', () => {
  it('Slack and Teams escape it like event data', () => {
    const alert = named('<!channel> *prod* [x](https://evil.example)');
    const slack = JSON.stringify(slackMessage(alert));
    expect(slack).not.toContain('<!channel>');
    expect(slack).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(teamsMessage(alert))).toContain('\\\\[x\\\\]');
  });
});

describe('the pipeline names the account before delivery', () => {
  function recorder(): Destination & { sent: Alert[] } {
    const sent: Alert[] = [];
    return {
      name: 'rec',
      type: 'fake',
      sent,
      send: async (alert) => {
        sent.push(alert);
        return { ok: true, attempts: 1 };
      },
    };
  }
  const config = (accounts: string) =>
    parseConfig(
      `destinations:\n  rec: {type: webhook, url: 'https://example.com/x'}\nrouting:\n  defaults: {high: [rec]}\n${accounts}`,
      'trailwatch.yml',
    );

  it('from trailwatch.yml, which wins over Organizations', async () => {
    const destination = recorder();
    const pipeline = new AlertPipeline({
      config: config(`accounts: {'${ACCOUNT}': prod}\n`),
      rules: NO_CORRELATIONS,
      state: new MemoryStateStore(),
      destinations: new Map([['rec', destination]]),
      accounts: new AccountNames({
        names: { [ACCOUNT]: 'prod' },
        organizations: async () => new Map([[ACCOUNT, 'Production (Organizations)']]),
      }),
    });
    await pipeline.handleMatch(injectionRule(), injectedRecord('plain'));
    expect(destination.sent[0]?.facts.accountName).toBe('prod');
  });

  it('from the config alone, by default', async () => {
    const destination = recorder();
    const pipeline = new AlertPipeline({
      config: config(`accounts: {'${ACCOUNT}': prod}\n`),
      rules: NO_CORRELATIONS,
      state: new MemoryStateStore(),
      destinations: new Map([['rec', destination]]),
    });
    await pipeline.handleMatch(injectionRule(), injectedRecord('plain'));
    expect(destination.sent[0]?.facts.accountName).toBe('prod');
    // The summary sentence names it too, wherever it is shown (Slack's lead, PagerDuty's summary).
    expect(destination.sent[0]?.summary).toContain(
      'called iam:CreateAccessKey in 111122223333 (prod) us-east-1',
    );
    expect(JSON.stringify(slackMessage(destination.sent[0] ?? named('never')))).toContain(
      'in 111122223333 (prod) us-east-1',
    );
    expect(
      slackMessage(destination.sent[0] ?? named('never'))
        .blocks.map((b) => JSON.stringify(b))
        .join(''),
    ).toContain('111122223333 (prod) / us-east-1');
  });
});
