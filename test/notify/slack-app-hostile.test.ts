/**
 * Hostile text through the Slack app destination, as Slack receives it: the first message, a
 * threaded repeat and the count update. No mention, link or raw control character survives, `&`,
 * `<` and `>` are escaped, and every text is within Slack's documented limits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/alerts';
import { detectionAlert } from '../../lib/alerts';
import type { AlertThread, Destination } from '../../lib/notify';
import { limits, NOTIFIERS, SecretResolver } from '../../lib/notify';
import { defaultNotifierContext } from '../../lib/pipeline';
import { loadRules } from '../../lib/rules';
import { MemoryStateStore } from '../../lib/state';
import { allStrings, HOSTILE, hostileAlert, hostileRecord, RAW_CONTROL } from '../factories/hostile';
import type { FakeSlack } from '../helpers/fake-slack';
import { CHANNEL_ID, FAKE_TOKEN, startFakeSlack } from '../helpers/fake-slack';
import { ruleDir } from '../helpers/rules';

/** https://docs.slack.dev/reference/methods/chat.postMessage : text is truncated past 40,000 characters. */
const SLACK_TEXT_TRUNCATED_PAST = 40_000;

const LONG = `${'<!channel> & <@U024BE7LH> *x* '.repeat(4_000)}end`;

/** A rule whose own title tries to ping: the operator's text, still never a mention. */
const HOSTILE_TITLE_RULE = loadRules([
  ruleDir({
    'title.yml': `title: "<!channel> & <@U024BE7LH> <!here|here> *now* ${'long '.repeat(100)}"
id: cccccccc-0000-4000-8000-000000000001
level: critical
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: CreateAccessKey}, condition: s}
fields: [requestParameters.userName, userAgent]
runbook: "<!channel> read this & act <https://evil.example|now>"
`,
  }),
]).detections[0];

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => slack.close());

function destination(): Destination {
  const created = NOTIFIERS.get('slack_app')?.create(
    'app',
    { type: 'slack_app', token: { env: 'TOKEN' }, channel: CHANNEL_ID, api_url: slack.apiUrl },
    defaultNotifierContext({ secrets: new SecretResolver({ env: { TOKEN: FAKE_TOKEN } }) }),
  );
  if (created === undefined) throw new Error('no slack_app notifier');
  return created;
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every object anywhere in a value with `type` and a string `text`: Block Kit text objects. */
function textObjects(value: unknown): { type: string; text: string }[] {
  if (Array.isArray(value)) return value.flatMap(textObjects);
  if (!isRecord(value)) return [];
  const own =
    typeof value.type === 'string' && typeof value.text === 'string'
      ? [{ type: value.type, text: value.text }]
      : [];
  return [...own, ...Object.values(value).flatMap(textObjects)];
}

/** Our only link: the console URL with its fixed label. */
const OWN_LINK = /^<https:\/\/[^|<>\s]+\|View this event in CloudTrail Event history>$/;

function expectInert(body: Json, where: string): void {
  const fallback = typeof body.text === 'string' ? body.text : '';
  expect(fallback.length, `${where}: fallback text`).toBeLessThanOrEqual(limits.SLACK_FALLBACK_TEXT_MAX);
  expect(fallback.length).toBeLessThan(SLACK_TEXT_TRUNCATED_PAST);
  expect(fallback, `${where}: fallback text has raw < or >`).not.toMatch(/[<>]/);
  expect(fallback, `${where}: a bare & in the fallback`).not.toMatch(/&(?!amp;|lt;|gt;)/);
  const blocks = Array.isArray(body.blocks) ? body.blocks.filter(isRecord) : [];
  expect(blocks.length).toBeLessThanOrEqual(limits.SLACK_BLOCKS_MAX);
  for (const block of blocks) {
    if (block.type === 'header' && isRecord(block.text) && typeof block.text.text === 'string')
      expect(block.text.text.length, `${where}: header`).toBeLessThanOrEqual(limits.SLACK_HEADER_TEXT_MAX);
    if (block.type === 'section') {
      if (isRecord(block.text) && typeof block.text.text === 'string')
        expect(block.text.text.length, `${where}: section`).toBeLessThanOrEqual(
          limits.SLACK_SECTION_TEXT_MAX,
        );
      const fields = Array.isArray(block.fields) ? block.fields.filter(isRecord) : [];
      expect(fields.length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELDS_MAX);
      for (const field of fields)
        expect(String(field.text).length, `${where}: field`).toBeLessThanOrEqual(
          limits.SLACK_SECTION_FIELD_TEXT_MAX,
        );
    }
    if (block.type === 'context') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      expect(elements.length).toBeLessThanOrEqual(limits.SLACK_CONTEXT_ELEMENTS_MAX);
    }
  }
  for (const { type, text } of textObjects(blocks)) {
    expect(text, `${where}: raw control character`).not.toMatch(RAW_CONTROL);
    if (type !== 'mrkdwn') continue;
    // In mrkdwn, `<` opens mentions (<!channel>, <@U…>) and links: only our console link may.
    for (const opened of text.match(/<[^>]*>?/g) ?? []) expect(opened, `${where}: ${type}`).toMatch(OWN_LINK);
    expect(text, `${where}: a bare &`).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
  for (const text of allStrings(body)) expect(text).not.toMatch(RAW_CONTROL);
}

/** Sends the alert as a window's first, then two repeats; returns what Slack received. */
async function sendThread(alert: Alert): Promise<Json[]> {
  const app = destination();
  const store = new MemoryStateStore();
  const thread = (count: number): AlertThread => ({ key: 'k', count, windowMs: 3_600_000, store });
  for (const count of [1, 2, 3])
    expect(await app.send(alert, { thread: thread(count) })).toMatchObject({ ok: true });
  return slack.calls.map((call) => call.body);
}

describe('the Slack app keeps hostile text inert and within limits', () => {
  const cases: [string, Alert][] = [
    ...HOSTILE.map(([name, text]): [string, Alert] => [name, hostileAlert(hostileRecord(text))]),
    ['very long fields (120,000 characters of mentions)', hostileAlert(hostileRecord(LONG))],
  ];
  if (HOSTILE_TITLE_RULE)
    cases.push([
      'a rule title and runbook with mentions',
      detectionAlert(HOSTILE_TITLE_RULE, hostileRecord(LONG)),
    ]);

  it('loads the hostile-title rule', () => expect(HOSTILE_TITLE_RULE).toBeDefined());

  for (const [name, alert] of cases) {
    it(name, async () => {
      const bodies = await sendThread(alert);
      expect(slack.calls.map((call) => call.method)).toEqual([
        'chat.postMessage',
        'chat.postMessage',
        'chat.update',
        'chat.postMessage',
        'chat.update',
      ]);
      bodies.forEach((body, index) => {
        expectInert(body, `${slack.calls[index]?.method} #${index}`);
      });
    });
  }
});
