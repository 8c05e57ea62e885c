import { describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/alerts';
import {
  emailMessage,
  limits,
  pagerDutyEvent,
  slackEscape,
  slackMessage,
  teamsMessage,
  webhookBody,
} from '../../lib/notify';
import { INJECTIONS, injectedAlert } from '../factories/alerts';

/** Every string in a Slack message that Slack renders as mrkdwn. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== 'object' || value === null) return [];
  const node = value as Record<string, unknown>;
  const own = node.type === 'mrkdwn' && typeof node.text === 'string' ? [node.text] : [];
  return [...own, ...Object.values(node).flatMap(mrkdwnTexts)];
}

describe('Slack messages neutralise event-derived text', () => {
  for (const injection of INJECTIONS) {
    it(JSON.stringify(injection), () => {
      const alert = injectedAlert(injection);
      const message = slackMessage(alert);
      const texts = [message.text, ...mrkdwnTexts(message.blocks)];
      for (const text of texts) {
        // Only our own link (the console URL) may use Slack's <...> syntax: nothing else keeps a raw < or >.
        const withoutOurLink = text.replace(
          /<https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudtrailv2\/[^<>|]*\|[^<>]*>/g,
          '',
        );
        expect(withoutOurLink).not.toMatch(/[<>]/);
        expect(text).not.toMatch(/@(channel|here|everyone)/i);
        expect(text).not.toMatch(/https?:\/\/evil/);
      }
      expect(message.unfurl_links).toBe(false);
    });
  }

  it('escapes exactly &, < and >', () => {
    expect(slackEscape('a & b <c> d')).toBe('a &amp; b &lt;c&gt; d');
  });

  it('stays within Slack limits for huge values', () => {
    const huge = injectedAlert('x'.repeat(100_000) + '<!channel>'.repeat(1000));
    const message = slackMessage(huge);
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(limits.SLACK_HEADER_TEXT_MAX);
    expect(message.text.length).toBeLessThanOrEqual(limits.SLACK_FALLBACK_TEXT_MAX);
    expect(message.blocks.length).toBeLessThanOrEqual(limits.SLACK_BLOCKS_MAX);
    for (const block of message.blocks as { text?: { text: string }; fields?: { text: string }[] }[]) {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_TEXT_MAX);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELDS_MAX);
      for (const field of block.fields ?? [])
        expect(field.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELD_TEXT_MAX);
    }
    for (const text of mrkdwnTexts(message.blocks)) expect(text).not.toMatch(/&[a-z]{0,3}…/);
  });

  it('shows the key facts, the console link, the rule id and the runbook', () => {
    const alert = injectedAlert('alice');
    const text = JSON.stringify(slackMessage(alert));
    for (const expected of [
      'HIGH: Access key created',
      '111122223333 / us-east-1',
      'iam.amazonaws.com CreateAccessKey',
      'View this event in CloudTrail',
      alert.rule.id,
      'Check who asked for the key',
    ]) {
      expect(text).toContain(expected);
    }
  });
});

describe('email through SNS', () => {
  for (const injection of INJECTIONS) {
    it(`keeps the subject SNS-safe and the facts one per line: ${JSON.stringify(injection)}`, () => {
      const { subject, body } = emailMessage(injectedAlert(injection));
      expect(subject.length).toBeLessThanOrEqual(limits.SNS_SUBJECT_MAX);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      const factLines = body.split('\n\nRecord:\n')[0] ?? '';
      expect(factLines).not.toMatch(/^Subject: forged/m);
      expect(factLines).not.toContain('\u001b');
    });
  }

  it('fits a huge record into the SNS message limit', () => {
    const { body } = emailMessage(injectedAlert('y'.repeat(400_000)));
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(limits.SNS_MESSAGE_MAX_BYTES);
    expect(body).toContain('cut to fit the SNS message limit');
  });

  it('carries the facts and the console link in plain text', () => {
    const { subject, body } = emailMessage(injectedAlert('alice'));
    expect(subject).toBe('[trailwatch] HIGH Access key created');
    expect(body).toMatch(/^Principal:\s+arn:aws:sts::111122223333:assumed-role\/Admin\/alice$/m);
    expect(body).toContain(
      'View in CloudTrail: https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/',
    );
  });
});

describe('webhook, PagerDuty and Teams bodies', () => {
  const alert: Alert = injectedAlert(INJECTIONS[0]);

  it('the webhook body is the alert and the record as JSON', () => {
    const body = JSON.parse(webhookBody(alert)) as {
      type: string;
      alert: { id: string };
      record: { eventID: string };
    };
    expect(body).toMatchObject({
      type: 'trailwatch.alert',
      alert: { id: alert.id },
      record: { eventID: alert.record.eventID },
    });
  });

  it('PagerDuty dedups on the alert id and keeps the summary short', () => {
    const event = pagerDutyEvent(injectedAlert('z'.repeat(5000)), 'key') as {
      dedup_key: string;
      payload: { summary: string; severity: string };
    };
    expect(event.payload.summary.length).toBeLessThanOrEqual(limits.PAGERDUTY_SUMMARY_MAX);
    expect(event.payload.severity).toBe('error');
    expect(event.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('Teams text cannot form links', () => {
    const card = JSON.stringify(teamsMessage(injectedAlert(INJECTIONS[5])));
    expect(card).not.toContain('[click](https://evil.example)');
    expect(card).toContain('\\\\[click\\\\]');
  });
});
