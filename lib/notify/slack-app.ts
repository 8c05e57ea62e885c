import { createHash } from 'node:crypto';
import { accountLabel } from '../accounts';
import type { Alert } from '../alerts';
import { personShort } from '../alerts';
import * as z from '../validation';
import type { AnswerVerdict, SendOptions } from './http';
import { postWithRetry } from './http';
import { SLACK_FALLBACK_TEXT_MAX, SLACK_SECTION_TEXT_MAX } from './limits';
import { redactResult } from './redact';
import { secretRefSchema } from './secrets';
import { slackMessage } from './slack';
import { slackCode, slackText } from './text';
import type { AlertThread, DeliveryResult, Notifier, NotifierContext } from './types';
import { setupFailure } from './types';
import { checkDeliveryUrl, deliveryUrlSchema } from './url';

/** https://docs.slack.dev/apis/web-api/ : methods are POSTed to https://slack.com/api/<method>. */
export const SLACK_API_URL = 'https://slack.com/api';

/**
 * A chat.postMessage answer echoes the whole message (its blocks included), so it is read whole,
 * up to this many characters: a message within Slack's block limits stays far below it.
 */
const SLACK_ANSWER_MAX_CHARS = 1_000_000;

/**
 * `ok: false` errors a later attempt may clear: rate limits (Slack also answers HTTP 429 with
 * Retry-After, which the transport honours) and Slack-side unavailability.
 * https://docs.slack.dev/reference/methods/chat.postMessage#errors ,
 * https://docs.slack.dev/apis/web-api/rate-limits
 */
const SLACK_RETRY_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/**
 * Errors after which, in Slack's words, "it's possible some aspect of the operation succeeded":
 * the message may be posted, so it is not sent again at once (an unknown outcome, which the
 * pipeline re-sends at most once).
 */
const SLACK_MAYBE_DONE_ERRORS = new Set(['internal_error', 'fatal_error']);

/**
 * Configuration errors, with what to fix. Never retryable: the token, the app's scopes or the
 * channel are wrong, and the next attempt would fail the same way. Any other error is final too.
 */
const SLACK_CONFIG_ERRORS: Readonly<Record<string, string>> = {
  not_authed: 'no bot token was sent',
  invalid_auth: 'the bot token is not valid (check the secret holds the xoxb- token)',
  account_inactive: 'the token belongs to a deleted user or workspace',
  token_revoked: 'the token was revoked or the app uninstalled',
  token_expired: 'the token has expired',
  not_allowed_token_type: 'this token type cannot post: use the bot token (xoxb-)',
  no_permission: 'the app lacks permission: add the chat:write scope and reinstall it',
  missing_scope: 'the app lacks the chat:write scope: add it and reinstall the app',
  channel_not_found: 'the channel does not exist or the app cannot see it (use the channel ID, C…)',
  not_in_channel: 'the app is not in the channel: invite it (/invite @app) or add chat:write.public',
  is_archived: 'the channel is archived',
  restricted_action: 'a workspace preference prevents the app from posting in this channel',
  ekm_access_denied: 'administrators have suspended posting',
  team_access_not_granted: 'the token has no access to the workspace that owns the channel',
};

const slackAnswer = z.lazy(() =>
  z.looseObject({
    ok: z.boolean(),
    error: z.optional(z.string()),
    channel: z.optional(z.string()),
    ts: z.optional(z.string()),
  }),
);

/** What a posted message needs to be replied under and updated: Slack's channel ID and ts, and its content. */
const parentRef = z.lazy(() =>
  z.strictObject({
    channel: z.string().check(z.minLength(1)),
    ts: z.string().check(z.minLength(1)),
    text: z.string(),
    blocks: z.array(z.record(z.string(), z.unknown())),
  }),
);
type ParentRef = z.infer<typeof parentRef>;

/** Judges a Web API answer: HTTP 200 with `ok: false` is still a failure. */
export function judgeSlackAnswer(
  text: string,
  posted?: (channel: string, ts: string) => void,
): AnswerVerdict {
  let parsed: z.infer<typeof slackAnswer>;
  try {
    parsed = slackAnswer.parse(JSON.parse(text));
  } catch {
    // Slack always answers JSON; whatever answered 200 with something else may have posted it.
    return {
      kind: 'fail',
      error: 'the answer is not a Slack API answer',
      retryable: true,
      maybeReceived: true,
    };
  }
  if (parsed.ok) {
    if (parsed.channel !== undefined && parsed.ts !== undefined) posted?.(parsed.channel, parsed.ts);
    return { kind: 'ok', detail: parsed.ts === undefined ? 'ok' : `ts ${parsed.ts}` };
  }
  const error = parsed.error ?? 'unknown_error';
  if (SLACK_RETRY_ERRORS.has(error)) return { kind: 'retry', error };
  if (SLACK_MAYBE_DONE_ERRORS.has(error))
    return { kind: 'fail', error: `${error} (it may have posted)`, retryable: true, maybeReceived: true };
  const fix = SLACK_CONFIG_ERRORS[error];
  return { kind: 'fail', error: fix === undefined ? error : `${error}: ${fix}`, retryable: false };
}

/** The block on a parent message that carries the running count; replaced on each update. */
const COUNT_BLOCK_ID = 'trailwatch-repeats';

/** The parent's blocks with its count block set to `count` (Slack keeps the old blocks unless given new ones). */
export function parentWithCount(blocks: readonly Record<string, unknown>[], count: number, lastTime: string) {
  return [
    ...blocks.filter((block) => block.block_id !== COUNT_BLOCK_ID),
    {
      type: 'context',
      block_id: COUNT_BLOCK_ID,
      elements: [
        {
          type: 'mrkdwn',
          text: `:repeat: Seen ${count} times in this dedup window, last at ${slackCode(lastTime, 80)}: see the thread`,
        },
      ],
    },
  ];
}

/** Each value in a reply: seven of them and their labels stay within SLACK_SECTION_TEXT_MAX. */
const REPLY_VALUE_MAX = Math.floor((SLACK_SECTION_TEXT_MAX - 40) / 7) - 20;

/** The reply for the n-th alert of a window: when, who, from where; the parent holds the rest. */
export function slackReplyMessage(
  alert: Alert,
  count: number,
): { text: string; blocks: Record<string, unknown>[] } {
  const f = alert.facts;
  const who = alert.actor === undefined ? (f.principalArn ?? 'unknown principal') : personShort(alert.actor);
  const rows: [string, string | undefined][] = [
    ['Time', f.eventTime],
    ['Who', who],
    ['Principal', alert.actor === undefined ? undefined : f.principalArn],
    ['Account / region', f.account ? `${accountLabel(f.account, f.accountName)} / ${f.region}` : f.region],
    ['Event', `${f.eventSource} ${f.eventName}`],
    ['Source IP', f.sourceIPAddress],
    ['Error', f.errorCode],
  ];
  // At most 7 lines of 16 + 4 + REPLY_VALUE_MAX characters: within one section's 3000.
  const lines = rows
    .filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
    .map(([label, value]) => `*${label}*: ${slackCode(value, REPLY_VALUE_MAX)}`);
  return {
    text: slackText(`Repeat ${count}: ${alert.title} by ${who}`, SLACK_FALLBACK_TEXT_MAX),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:repeat: *Repeat ${count}*\n${lines.join('\n')}`,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Alert ${slackCode(alert.id, 80)}` }] },
    ],
  };
}

/** One day past the window: a parent is needed only while its window is open, then it is garbage. */
const PARENT_KEPT_AFTER_WINDOW_MS = 86_400_000;

const slackAppConfig = z.lazy(() =>
  z.strictObject({
    type: z.literal('slack_app'),
    /** The bot token (xoxb-…) with the chat:write scope: a secret, so always a reference. */
    token: secretRefSchema,
    /** The channel ID (C…); a name works for posting, but replies and updates use the ID Slack returns. */
    channel: z.string().check(z.minLength(1)),
    /** Repeats within a dedup window reply in the first alert's thread (default), or are held back as for other destinations. */
    thread_repeats: z._default(z.boolean(), true),
    /** The Web API base URL (GovSlack: https://slack-gov.com/api; tests: a local receiver). */
    api_url: z._default(deliveryUrlSchema, SLACK_API_URL),
  }),
);
type SlackAppConfig = z.infer<typeof slackAppConfig>;

/** One Web API call: Bearer token, JSON body, the transport's retries, the token kept out of errors. */
async function callSlack(
  context: NotifierContext,
  config: SlackAppConfig,
  token: string,
  method: 'chat.postMessage' | 'chat.update',
  body: Record<string, unknown>,
  options: SendOptions,
): Promise<{ result: DeliveryResult; posted?: { channel: string; ts: string } }> {
  let posted: { channel: string; ts: string } | undefined;
  const url = `${config.api_url.replace(/\/+$/, '')}/${method}`;
  const result = await postWithRetry(
    {
      url,
      label: `Slack ${method}`,
      ...options,
      answerMaxChars: SLACK_ANSWER_MAX_CHARS,
      judgeAnswer: (text) => judgeSlackAnswer(text, (channel, ts) => (posted = { channel, ts })),
    },
    JSON.stringify(body),
    {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${token}`,
      'user-agent': context.userAgent,
    },
    context.http,
    context.sleep,
  );
  return { result: redactResult(result, [token]), ...(posted ? { posted } : {}) };
}

/** The store key: per destination, and hashed, since a dedup key can be longer than a DynamoDB key may be. */
function threadStoreKey(destination: string, thread: AlertThread): string {
  return `slack_app#${destination}#${createHash('sha256').update(thread.key).digest('hex')}`;
}

function readParent(ref: string): ParentRef | undefined {
  try {
    return parentRef.parse(JSON.parse(ref));
  } catch {
    return undefined;
  }
}

/** Adds a note to a successful result; failures pass through. */
function noted(result: DeliveryResult, note: string): DeliveryResult {
  return result.ok ? { ...result, detail: `${result.detail ?? 'ok'}; ${note}` } : result;
}

/**
 * A Slack app (bot token, chat.postMessage): the first alert of a dedup window is posted; with
 * `thread_repeats`, each repeat replies in its thread and the first message's count is updated.
 * The parent's channel and ts live in the state store, so a repeat in another invocation finds it.
 */
export const slackAppNotifier: Notifier<SlackAppConfig> = {
  type: 'slack_app',
  description: 'Slack app (bot token): Block Kit message, repeats threaded under the first with a count',
  configSchema: slackAppConfig,
  create: (name, config, context) => {
    const post = async (
      alert: Alert,
      token: string,
      options: SendOptions,
      thread: AlertThread | undefined,
      replace: boolean,
    ): Promise<DeliveryResult> => {
      const message = slackMessage(alert);
      const blocks =
        thread !== undefined && thread.count > 1
          ? parentWithCount(message.blocks, thread.count, alert.facts.eventTime)
          : [...message.blocks];
      const body = { ...message, blocks, channel: config.channel };
      const { result, posted } = await callSlack(context, config, token, 'chat.postMessage', body, options);
      if (!result.ok || thread === undefined || posted === undefined) return result;
      const now = Date.now();
      const ref: ParentRef = { ...posted, text: message.text, blocks };
      try {
        await thread.store.saveThreadParent(threadStoreKey(name, thread), {
          ref: JSON.stringify(ref),
          count: thread.count,
          replace,
          now,
          expiresAt: now + thread.windowMs + PARENT_KEPT_AFTER_WINDOW_MS,
        });
      } catch (error) {
        // Posted: reporting a failure would post it again. Repeats will start their own thread.
        return noted(
          result,
          `not remembered as the thread parent (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      return result;
    };

    const reply = async (
      alert: Alert,
      token: string,
      options: SendOptions,
      thread: AlertThread,
    ): Promise<DeliveryResult> => {
      const found = await thread.store.threadRepeat(threadStoreKey(name, thread), thread.count, Date.now());
      const parent = found === undefined ? undefined : readParent(found.parent.ref);
      // No parent (the first alert's post failed, or is still under way elsewhere): this repeat
      // posts in full and becomes the parent, unless another got there first.
      if (found === undefined || parent === undefined) {
        return noted(
          await post(alert, token, options, thread, false),
          'no thread parent found: posted in full',
        );
      }
      const message = slackReplyMessage(alert, thread.count);
      const body = {
        ...message,
        channel: parent.channel,
        thread_ts: parent.ts,
        unfurl_links: false,
        unfurl_media: false,
      };
      const { result } = await callSlack(context, config, token, 'chat.postMessage', body, options);
      if (!result.ok || !found.newest) return result;
      const update = {
        channel: parent.channel,
        ts: parent.ts,
        text: parent.text,
        blocks: parentWithCount(parent.blocks, thread.count, alert.facts.eventTime),
      };
      const updated = await callSlack(context, config, token, 'chat.update', update, options);
      // The reply went out: a count that could not be shown does not make it a failure to re-send.
      return updated.result.ok
        ? noted(result, `parent count ${thread.count}`)
        : noted(result, `parent count not updated: ${updated.result.error}`);
    };

    return {
      name,
      type: 'slack_app',
      threadsRepeats: config.thread_repeats,
      send: async (alert, options = {}) => {
        const problem = checkDeliveryUrl(config.api_url);
        if (problem)
          return { ok: false, retryable: false, attempts: 0, error: `the Slack api_url ${problem}` };
        let token: string;
        try {
          token = await context.secrets.resolve(config.token);
        } catch (error) {
          return setupFailure(error);
        }
        const { thread, ...transport } = options;
        const threading = config.thread_repeats ? thread : undefined;
        if (threading === undefined || threading.count <= 1)
          return post(alert, token, transport, threading, true);
        return reply(alert, token, transport, threading);
      },
    };
  },
};
