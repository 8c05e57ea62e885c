/**
 * The Slack app destination against a local receiver playing Slack's Web API: the first alert of
 * a dedup window posts, repeats reply in its thread with a running count and update the first
 * message, across pipelines sharing a state store (another Lambda invocation); Slack's errors are
 * retried or not as documented; webhook destinations keep their behaviour.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrailwatchConfig } from '../../lib/config';
import { parseConfig } from '../../lib/config';
import type { HttpPolicy, NotifierContext } from '../../lib/notify';
import { NOTIFIERS, SecretResolver } from '../../lib/notify';
import { judgeSlackAnswer } from '../../lib/notify/slack-app';
import {
  AlertPipeline,
  createDestinations,
  defaultNotifierContext,
  throwIfRetryable,
} from '../../lib/pipeline';
import type { CloudTrailRecord } from '../../lib/records';
import type { DetectionRule, RuleSet } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import type { StateStore } from '../../lib/state';
import { MemoryStateStore } from '../../lib/state';
import type { FakeSlack } from '../helpers/fake-slack';
import { CHANNEL_ID, CHANNEL_NAME, FAKE_TOKEN, slackJson, startFakeSlack } from '../helpers/fake-slack';
import { motoAvailable } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { ruleDir } from '../helpers/rules';
import { useMotoStateTables } from '../state/tables';

const FAST: HttpPolicy = {
  timeoutMs: 2_000,
  attempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 20,
  maxRetryAfterMs: 5_000,
};

const RULES = loadRules([
  ruleDir({
    'stop.yml': `title: Logging stopped
id: bbbbbbbb-0000-4000-8000-000000000001
level: critical
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: StopLogging}, condition: s}
dedup: {fields: [userIdentity.arn], window: 1h}
`,
  }),
]);
const STOP = RULES.detections[0] as DetectionRule;

const motoTables = useMotoStateTables('trailwatch-slack-app');

let slack: FakeSlack;
let hook: Receiver;
let waits: number[];
beforeEach(async () => {
  slack = await startFakeSlack();
  hook = await startReceiver();
  waits = [];
});
afterEach(async () => {
  await slack.close();
  await hook.close();
});

function context(
  env: Record<string, string> = { TW_SLACK_TOKEN: FAKE_TOKEN, TW_SLACK_HOOK: hook.url },
): NotifierContext {
  return defaultNotifierContext({
    secrets: new SecretResolver({ env }),
    http: FAST,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

function config(app = ''): TrailwatchConfig {
  return parseConfig(
    `destinations:
  hook: {type: slack, webhook_url: {env: TW_SLACK_HOOK}}
  app: {type: slack_app, token: {env: TW_SLACK_TOKEN}, channel: '${CHANNEL_NAME}', api_url: '${slack.apiUrl}'${app}}
routing:
  defaults: {critical: [hook, app]}
`,
    'trailwatch.yml',
    Date.UTC(2026, 0, 1),
  );
}

function pipeline(state: StateStore, cfg: TrailwatchConfig = config()): AlertPipeline {
  return new AlertPipeline({
    config: cfg,
    rules: RULES as RuleSet,
    state,
    destinations: createDestinations(cfg, context()),
  });
}

let events = 0;
function stopLogging(minute: number, ip = '203.0.113.10'): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventTime: new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString(),
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'eu-west-1',
    eventID: `stop-${++events}`,
    sourceIPAddress: ip,
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/mallory',
      accountId: '111122223333',
    },
    recipientAccountId: '111122223333',
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function blocksOf(message: Record<string, unknown> | undefined): Record<string, unknown>[] {
  return Array.isArray(message?.blocks) ? message.blocks.filter(isRecord) : [];
}

/** The count line of a message's blocks, or undefined. */
function countLine(message: Record<string, unknown> | undefined): string | undefined {
  const block = blocksOf(message).find((b) => b.block_id === 'trailwatch-repeats');
  const element = Array.isArray(block?.elements) ? block.elements[0] : undefined;
  return isRecord(element) && typeof element.text === 'string' ? element.text : undefined;
}

const dynamoStore = (): Promise<StateStore> => motoTables.newStore();

const STORES: [string, () => Promise<StateStore>, boolean][] = [
  ['memory', async () => new MemoryStateStore(), true],
  ['DynamoDB (moto_server)', dynamoStore, motoAvailable],
];

for (const [name, makeStore, available] of STORES) {
  describe.skipIf(!available)(`threads in Slack with a ${name} state store`, () => {
    it('posts the first alert, replies to repeats in its thread and updates its count, across invocations', async () => {
      const state = await makeStore();
      // Two pipelines on one state store: two Lambda invocations.
      const first = pipeline(state);
      const second = pipeline(state);
      const outcomes = [
        ...(await first.handleMatch(STOP, stopLogging(0))),
        ...(await second.handleMatch(STOP, stopLogging(5, '198.51.100.7'))),
        ...(await first.handleMatch(STOP, stopLogging(9))),
      ];
      throwIfRetryable(outcomes);
      expect(outcomes.map((o) => o.status)).toEqual(['routed', 'deduplicated', 'deduplicated']);

      expect(slack.calls.map((c) => c.method)).toEqual([
        'chat.postMessage',
        'chat.postMessage',
        'chat.update',
        'chat.postMessage',
        'chat.update',
      ]);
      const [parent, reply1, update1, reply2, update2] = slack.calls;
      // The first goes to the configured channel (a name); the rest use the ID Slack answered with.
      expect(parent?.body.channel).toBe(CHANNEL_NAME);
      expect(parent?.body.thread_ts).toBeUndefined();
      const parentTs = [...slack.messages.keys()][0];
      for (const call of [reply1, reply2]) {
        expect(call?.body).toMatchObject({ channel: CHANNEL_ID, thread_ts: parentTs });
      }
      expect(JSON.stringify(reply1?.body.blocks)).toContain('Repeat 2');
      expect(JSON.stringify(reply1?.body.blocks)).toContain('198.51.100.7');
      expect(update1?.body).toMatchObject({ channel: CHANNEL_ID, ts: parentTs });
      expect(countLine(update1?.body)).toContain('Seen 2 times');
      expect(countLine(update2?.body)).toContain('Seen 3 times');
      // The updated parent still carries the whole first alert, with one count block.
      const shown = slack.messages.get(parentTs ?? '');
      expect(JSON.stringify(shown?.blocks)).toContain('Logging stopped');
      expect(countLine(shown)).toContain('Seen 3 times');
      expect(blocksOf(shown).filter((b) => b.block_id === 'trailwatch-repeats')).toHaveLength(1);
      // Every call carried the bot token as a Bearer header and a JSON body.
      for (const call of slack.calls) {
        expect(call.request.headers.authorization).toBe(`Bearer ${FAKE_TOKEN}`);
        expect(call.request.headers['content-type']).toBe('application/json; charset=utf-8');
      }
      // The webhook destination kept today's behaviour: the first alert only.
      expect(hook.requests).toHaveLength(1);
    });
  });
}

describe('the Slack app destination', () => {
  it('with thread_repeats: false, repeats are held back as for a webhook', async () => {
    const p = pipeline(new MemoryStateStore(), config(', thread_repeats: false'));
    await p.handleMatch(STOP, stopLogging(0));
    const [repeat] = await p.handleMatch(STOP, stopLogging(1));
    expect(repeat).toMatchObject({ status: 'deduplicated', suppressedSoFar: 1 });
    expect(repeat && 'deliveries' in repeat ? repeat.deliveries : undefined).toBeUndefined();
    expect(slack.calls).toHaveLength(1);
  });

  it('a new dedup window starts a new thread', async () => {
    const p = pipeline(new MemoryStateStore());
    await p.handleMatch(STOP, stopLogging(0));
    await p.handleMatch(STOP, stopLogging(90));
    await p.handleMatch(STOP, stopLogging(95));
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts.map((c) => c.body.thread_ts)).toEqual([undefined, undefined, [...slack.messages.keys()][1]]);
  });

  it('a repeat whose parent was never posted posts in full and becomes the parent', async () => {
    const p = pipeline(new MemoryStateStore());
    slack.override.push(slackJson({ ok: false, error: 'channel_not_found' }));
    const [first] = await p.handleMatch(STOP, stopLogging(0));
    expect(first).toMatchObject({ status: 'routed' });
    await p.handleMatch(STOP, stopLogging(1));
    await p.handleMatch(STOP, stopLogging(2));
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage').slice(1);
    expect(posts[0]?.body.thread_ts).toBeUndefined();
    expect(countLine(posts[0]?.body)).toContain('Seen 2 times');
    expect(posts[1]?.body.thread_ts).toBe([...slack.messages.keys()][0]);
  });

  it('a reply that went out is a success even when the count update fails', async () => {
    const p = pipeline(new MemoryStateStore());
    await p.handleMatch(STOP, stopLogging(0));
    slack.override.push(slackJson({ ok: true, channel: CHANNEL_ID, ts: '1.2' }));
    slack.override.push(slackJson({ ok: false, error: 'cant_update_message' }));
    const [repeat] = await p.handleMatch(STOP, stopLogging(1));
    const delivery = repeat && 'deliveries' in repeat ? repeat.deliveries?.[0] : undefined;
    expect(delivery).toMatchObject({ status: 'sent' });
    expect(delivery && 'result' in delivery && delivery.result.ok ? delivery.result.detail : '').toContain(
      'parent count not updated: Slack chat.update: cant_update_message',
    );
  });
});

/** Sends one alert straight to a slack_app destination built from the registry. */
async function sendOnce(env?: Record<string, string>) {
  const destination = NOTIFIERS.get('slack_app')?.create(
    'app',
    { type: 'slack_app', token: { env: 'TW_SLACK_TOKEN' }, channel: CHANNEL_ID, api_url: slack.apiUrl },
    context(env),
  );
  const [alert] = await pipeline(new MemoryStateStore(), config()).alertsFor(STOP, stopLogging(0));
  if (destination === undefined || alert === undefined) throw new Error('no slack_app notifier');
  return destination.send(alert);
}

describe("Slack's answers", () => {
  const CASES: {
    name: string;
    answers: ReturnType<typeof slackJson>[];
    expected: Record<string, unknown>;
    calls: number;
    /** The transport's waits: Retry-After exactly, or one jittered backoff within the base delay. */
    waits?: number[] | 'backoff';
  }[] = [
    {
      name: 'HTTP 429 waits for Retry-After, then posts',
      answers: [{ status: 429, headers: { 'retry-after': '2' }, body: '{"ok":false,"error":"ratelimited"}' }],
      expected: { ok: true, attempts: 2 },
      calls: 2,
      waits: [2000],
    },
    {
      name: 'ok:false ratelimited in a 200 backs off and retries',
      answers: [slackJson({ ok: false, error: 'ratelimited' })],
      expected: { ok: true, attempts: 2 },
      calls: 2,
      waits: 'backoff',
    },
    {
      name: 'service_unavailable every time ends retryable',
      answers: [1, 2, 3].map(() => slackJson({ ok: false, error: 'service_unavailable' })),
      expected: { ok: false, retryable: true, attempts: 3 },
      calls: 3,
    },
    {
      name: 'invalid_auth is a configuration error: not retried, not retryable',
      answers: [slackJson({ ok: false, error: 'invalid_auth' })],
      expected: { ok: false, retryable: false, attempts: 1 },
      calls: 1,
    },
    {
      name: 'channel_not_found names the fix',
      answers: [slackJson({ ok: false, error: 'channel_not_found' })],
      expected: { ok: false, retryable: false, error: expect.stringContaining('use the channel ID') },
      calls: 1,
    },
    {
      name: 'not_in_channel says to invite the app',
      answers: [slackJson({ ok: false, error: 'not_in_channel' })],
      expected: { ok: false, retryable: false, error: expect.stringContaining('invite it') },
      calls: 1,
    },
    {
      name: 'internal_error may have posted: not re-sent now, an unknown outcome',
      answers: [slackJson({ ok: false, error: 'internal_error' })],
      expected: { ok: false, retryable: true, maybeReceived: true, attempts: 1 },
      calls: 1,
    },
    {
      name: 'an error Slack has not documented is final',
      answers: [slackJson({ ok: false, error: 'something_new' })],
      expected: { ok: false, retryable: false, error: 'Slack chat.postMessage: something_new' },
      calls: 1,
    },
    {
      name: 'HTTP 500 backs off and retries',
      answers: [{ status: 500 }],
      expected: { ok: true, attempts: 2 },
      calls: 2,
    },
  ];
  for (const { name, answers, expected, calls, waits: expectedWaits } of CASES) {
    it(name, async () => {
      slack.override.push(...answers);
      expect(await sendOnce()).toMatchObject(expected);
      expect(slack.calls).toHaveLength(calls);
      if (expectedWaits === 'backoff') {
        expect(waits).toHaveLength(1);
        expect(waits[0]).toBeLessThanOrEqual(FAST.baseDelayMs);
      } else if (expectedWaits) expect(waits).toEqual(expectedWaits);
    });
  }

  it('a wrong token is reported as invalid_auth, and the token never appears in an error', async () => {
    const result = await sendOnce({ TW_SLACK_TOKEN: 'xoxb-wrong-token-123456' });
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining('invalid_auth'),
    });
    slack.override.push({ status: 400, body: `{"ok":false,"error":"bad","echo":"Bearer ${FAKE_TOKEN}"}` });
    const echoed = await sendOnce();
    expect(echoed.ok).toBe(false);
    expect(JSON.stringify(echoed)).not.toContain(FAKE_TOKEN);
    expect(JSON.stringify(echoed)).not.toContain('fake-token');
  });

  it('a missing token secret fails before anything is sent', async () => {
    expect(await sendOnce({})).toMatchObject({ ok: false, attempts: 0 });
    expect(slack.calls).toHaveLength(0);
  });

  it('no configuration error is ever judged retryable', () => {
    const config = [
      'not_authed',
      'invalid_auth',
      'account_inactive',
      'token_revoked',
      'token_expired',
      'not_allowed_token_type',
      'no_permission',
      'missing_scope',
      'channel_not_found',
      'not_in_channel',
      'is_archived',
      'restricted_action',
      'ekm_access_denied',
      'team_access_not_granted',
      'invalid_arguments',
      'invalid_blocks',
      'msg_too_long',
    ];
    for (const error of config) {
      const verdict = judgeSlackAnswer(JSON.stringify({ ok: false, error }));
      expect(verdict, error).toMatchObject({ kind: 'fail', retryable: false });
    }
  });
});
