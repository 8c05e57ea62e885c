/**
 * Slack's Web API as a local receiver plays it: chat.postMessage and chat.update with a Bearer
 * token, `{"ok": true, "channel", "ts", "message"}` answers (HTTP 200), `ok: false` errors
 * (HTTP 200 too), and 429 with Retry-After when told to. A channel may be named by its ID or by
 * `#name`; answers always carry the ID, as Slack's do.
 * https://docs.slack.dev/reference/methods/chat.postMessage , https://docs.slack.dev/reference/methods/chat.update
 */
import type { Answer, ReceivedRequest, Receiver } from './receiver';
import { startReceiver } from './receiver';

export const FAKE_TOKEN = 'xoxb-1111-2222-fake-token-for-tests';
export const CHANNEL_ID = 'C0ALERTS01';
export const CHANNEL_NAME = '#security-alerts';

export interface SlackCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly request: ReceivedRequest;
}

export interface FakeSlack {
  readonly receiver: Receiver;
  /** The Web API base URL to configure as `api_url`. */
  readonly apiUrl: string;
  readonly calls: SlackCall[];
  /** Messages by ts, as last posted or updated. */
  readonly messages: Map<string, Record<string, unknown>>;
  /** Answers the next calls with these instead of the normal behaviour (a queue). */
  readonly override: Answer[];
  close(): Promise<void>;
}

function json(body: unknown, status = 200): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const messages = new Map<string, Record<string, unknown>>();
  const override: Answer[] = [];
  let sequence = 0;
  const receiver = await startReceiver((request) => {
    const method = request.path.replace(/^\/api\//, '');
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(request.body);
      if (isRecord(parsed)) body = parsed;
    } catch {
      return json({ ok: false, error: 'invalid_json' });
    }
    calls.push({ method, body, request });
    const scripted = override.shift();
    if (scripted !== undefined) return scripted;
    if (request.headers.authorization !== `Bearer ${FAKE_TOKEN}`)
      return json({ ok: false, error: 'invalid_auth' });
    if (body.channel !== CHANNEL_ID && body.channel !== CHANNEL_NAME)
      return json({ ok: false, error: 'channel_not_found' });
    if (method === 'chat.postMessage') {
      if (typeof body.thread_ts === 'string' && !messages.has(body.thread_ts))
        return json({ ok: false, error: 'thread_not_found' });
      const ts = `1764547200.${String(++sequence).padStart(6, '0')}`;
      messages.set(ts, body);
      return json({ ok: true, channel: CHANNEL_ID, ts, message: { ...body, ts, type: 'message' } });
    }
    if (method === 'chat.update') {
      const ts = body.ts;
      if (typeof ts !== 'string' || !messages.has(ts)) return json({ ok: false, error: 'message_not_found' });
      messages.set(ts, { ...messages.get(ts), ...body });
      return json({ ok: true, channel: CHANNEL_ID, ts, text: body.text });
    }
    return json({ ok: false, error: 'unknown_method' });
  });
  return {
    receiver,
    apiUrl: `${new URL(receiver.url).origin}/api`,
    calls,
    messages,
    override,
    close: () => receiver.close(),
  };
}

export { json as slackJson };
