/**
 * Properties of the Slack app's own texts (the thread reply and the parent's count block) and of
 * the `accounts:` map: for any event text and any account name, no mention, link or raw control
 * character reaches Slack, texts stay within limits, and every valid map reads back as written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { ACCOUNT_NAME_MAX } from '../../lib/config/accounts';
import { limits } from '../../lib/notify';
import { parentWithCount, slackReplyMessage } from '../../lib/notify/slack-app';
import { BASE_RECORD, forgedRecord, hostileAlert, RAW_CONTROL } from '../factories/hostile';

/** Strings rich in what Slack and terminals act on. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        '<!channel>',
        '<@U024BE7LH>',
        '&',
        '<',
        '>',
        '*',
        '`',
        '\u202e',
        '\u001b[31m',
        'evil.com',
        'https://x.y',
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join('')),
  fc.string({ maxLength: 9_000 }),
);

/** mrkdwn texts of a message: `<` opens mentions and links, `&` must be an entity. */
function checkMrkdwn(text: string): void {
  expect(text).not.toMatch(/<|>/);
  expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  expect(text).not.toMatch(RAW_CONTROL);
}

describe('the Slack app thread reply and count block', () => {
  it('keep any event text and account name inert and within limits', () => {
    fc.assert(
      fc.property(
        hostileText,
        hostileText,
        fc.integer({ min: 2, max: 1_000_000 }),
        (text, accountName, count) => {
          const alert = hostileAlert(
            forgedRecord({
              ...BASE_RECORD,
              sourceIPAddress: text,
              userAgent: text,
              errorCode: text,
              eventTime: text,
            }),
          );
          const named = { ...alert, facts: { ...alert.facts, accountName } };
          const reply = slackReplyMessage(named, count);
          expect(reply.text.length).toBeLessThanOrEqual(limits.SLACK_FALLBACK_TEXT_MAX);
          checkMrkdwn(reply.text);
          for (const block of reply.blocks) {
            for (const mrkdwn of collectTexts(block)) {
              expect(mrkdwn.length).toBeLessThanOrEqual(limits.SLACK_SECTION_TEXT_MAX);
              checkMrkdwn(mrkdwn);
            }
          }
          const counted = parentWithCount([{ type: 'section', block_id: 'trailwatch-repeats' }], count, text);
          expect(counted).toHaveLength(1);
          for (const mrkdwn of collectTexts(counted[0])) checkMrkdwn(mrkdwn);
        },
      ),
      { numRuns: 150 },
    );
  });
});

function collectTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectTexts);
  if (typeof value !== 'object' || value === null) return [];
  const own =
    'type' in value && value.type === 'mrkdwn' && 'text' in value && typeof value.text === 'string'
      ? [value.text]
      : [];
  return [...own, ...Object.values(value).flatMap(collectTexts)];
}

describe('accounts: in trailwatch.yml', () => {
  it('reads back every map of 12-digit ids to names, trimmed and cut to the longest Organizations name', () => {
    const id = fc.stringMatching(/^\d{12}$/);
    const name = fc.string({ minLength: 1, maxLength: 80 }).filter((text) => text.trim() !== '');
    fc.assert(
      fc.property(fc.dictionary(id, name, { maxKeys: 8 }), fc.boolean(), (names, organizations) => {
        // JSON is YAML: every id is a quoted key, every name a quoted string.
        const config = parseConfig(
          `accounts: ${JSON.stringify({ ...names, organizations })}\n`,
          'trailwatch.yml',
        );
        const expected = Object.fromEntries(
          Object.entries(names).map(([key, value]) => [key, value.trim().slice(0, ACCOUNT_NAME_MAX)]),
        );
        expect({ ...config.accounts?.names }).toEqual(expected);
        expect(config.accounts?.organizations).toBe(organizations);
      }),
      { numRuns: 100 },
    );
  });
});
