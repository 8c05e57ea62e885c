import { describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/alerts';
import {
  emailMessage,
  limits,
  pagerDutyBody,
  slackMessage,
  teamsMessage,
  webhookBody,
} from '../../lib/notify';
import {
  allStrings,
  BASE_RECORD,
  forgedRecord,
  HOSTILE,
  hostileAlert,
  hostileRecord,
  RAW_CONTROL,
  RAW_CONTROL_OR_NEWLINE,
} from '../factories/hostile';

type Block = { type: string; text?: { type: string; text: string }; fields?: { text: string }[] };

/** The blocks of a Slack message by role, as slackMessage builds them. */
function slackParts(alert: Alert) {
  const message = slackMessage(alert);
  const blocks = message.blocks as Block[];
  const sections = blocks.filter((block) => block.type === 'section');
  return { message, blocks, sections };
}

const SLACK_FORMATTING = /[*_~`]/;
const CODE_SPAN = /`[^`\n]*`/g;

describe.each(HOSTILE)('%s stays text', (_name, text) => {
  const alert = hostileAlert(hostileRecord(text));

  it('Slack: no control character, no formatting, mention or link outside our own', () => {
    const { message, blocks, sections } = slackParts(alert);
    const texts = [message.text, ...allStrings(blocks)];
    for (const each of texts) expect(each).not.toMatch(RAW_CONTROL);
    // The fallback and the summary are free text: no formatting character may survive there.
    expect(message.text).not.toMatch(SLACK_FORMATTING);
    const summary = sections[0]?.text?.text.replace(/^:[a-z_]+: /, '') ?? '';
    expect(summary).not.toMatch(SLACK_FORMATTING);
    for (const free of [message.text, summary]) {
      expect(free).not.toMatch(/[<>]/);
      expect(free).not.toMatch(/[\n\r]/);
      expect(free).not.toMatch(/evil\.(com|example)/);
      expect(free).not.toMatch(/https?:\/\//);
      expect(free).not.toMatch(/@(channel|here)/);
    }
    // Facts: a label, then exactly one code span with no backtick inside.
    for (const field of sections[1]?.fields ?? [])
      expect(field.text).toMatch(/^\*[A-Za-z /]+\*\n`[^`\n<>]*`$/);
    // Rule fields: one `*path*: `value`` per line.
    for (const line of sections[2]?.text?.text.split('\n') ?? [])
      expect(line).toMatch(/^\*[^*`\n]+\*: `[^`\n<>]*`$/);
    // Everything outside code spans and our own console link has no < or >.
    for (const each of texts) {
      const outside = each
        .replace(CODE_SPAN, '')
        .replace(/^<https:\/\/us-east-1\.console\.aws\.amazon\.com\/[^<>|\s]*\|[^<>]*>$/, '');
      expect(outside).not.toMatch(/[<>]/);
    }
  });

  it('Teams: no control character, every Markdown character escaped, no bare link', () => {
    const card = teamsMessage(alert);
    for (const each of allStrings(card)) {
      expect(each).not.toMatch(RAW_CONTROL_OR_NEWLINE);
      if (each.startsWith('https://us-east-1.console.aws.amazon.com/')) continue;
      // Each *, _, ~, `, [ or ] is preceded by an odd number of backslashes.
      expect(each.replace(/\\\\/g, '')).not.toMatch(/(^|[^\\])[*_~`[\]]/);
      expect(each).not.toMatch(/evil\.(com|example)/);
    }
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(limits.TEAMS_MESSAGE_MAX_BYTES);
  });

  it('email: one fact per line, no control character but line feeds, subject plain ASCII', () => {
    const { subject, body } = emailMessage(alert);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(body).not.toMatch(RAW_CONTROL);
    const sourceLines = body.split('\n').filter((line) => line.startsWith('User agent:'));
    expect(sourceLines).toHaveLength(1);
  });

  it('PagerDuty and webhook: the raw JSON carries no control character, the data reads back exact', () => {
    const pagerDuty = pagerDutyBody(alert, 'routing-key');
    const webhook = webhookBody(alert);
    for (const body of [pagerDuty, webhook]) expect(body).not.toMatch(RAW_CONTROL_OR_NEWLINE);
    const parsed = JSON.parse(webhook) as { record: { userAgent: unknown } };
    expect(parsed.record.userAgent).toBe(text);
    const event = JSON.parse(pagerDuty) as { payload: { summary: string } };
    expect(event.payload.summary).not.toMatch(RAW_CONTROL_OR_NEWLINE);
  });
});

describe('control characters are shown, not acted on or silently dropped', () => {
  it.each([
    ['x\u001b[31mred', 'x\\x1b[31mred'],
    ['c1\u009b31m', 'c1\\x9b31m'],
    ['user\u202Etxt', 'user\\u202etxt'],
    ['ding\u0007', 'ding\\x07'],
    ['innocent\rEVIL', 'innocent EVIL'],
  ])('%j in the user agent reads as %j in the email', (input, shown) => {
    const { body } = emailMessage(hostileAlert(forgedRecord({ ...BASE_RECORD, userAgent: input })));
    expect(body).toContain(`User agent:      ${shown}`);
  });

  it('Slack keeps exact values in code spans and breaks bare domains in free text', () => {
    const alert = hostileAlert(
      forgedRecord({
        ...BASE_RECORD,
        userAgent: 'my_agent*1 evil.com',
        sourceIPAddress: '203.0.113.10',
        requestParameters: { userName: 'visit evil.com' },
      }),
    );
    const { message, sections } = slackParts(alert);
    expect(JSON.stringify(sections[1])).toContain('`my_agent*1 evil.com`');
    expect(message.text).toContain('203.0.113.10');
    expect(message.text).toContain('evil\u200b.com');
    expect(message.text).not.toContain('evil.com');
  });
});
