import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpPolicy, NotifierContext } from '../../lib/notify';
import { NOTIFIERS, postWithRetry, retryAfterMs, SecretResolver, SIGNATURE_HEADER } from '../../lib/notify';
import { defaultNotifierContext } from '../../lib/pipeline';
import { injectedAlert } from '../factories/alerts';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

const FAST: HttpPolicy = {
  timeoutMs: 300,
  attempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 20,
  maxRetryAfterMs: 5_000,
};

let receiver: Receiver;
let waits: number[];
const sleep = async (ms: number): Promise<void> => {
  waits.push(ms);
};

beforeEach(async () => {
  receiver = await startReceiver();
  waits = [];
});
afterEach(async () => receiver.close());

const post = () =>
  postWithRetry(
    { url: receiver.url, label: 'receiver' },
    '{}',
    { 'content-type': 'application/json' },
    FAST,
    sleep,
    () => 1,
  );

describe('delivery over HTTP', () => {
  it('waits as long as Retry-After asks on 429, then succeeds', async () => {
    receiver.script = (_, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 };
    expect(await post()).toEqual({ ok: true, attempts: 2, detail: 'HTTP 200' });
    expect(waits).toEqual([2000]);
  });

  it('backs off on 5xx and retries until it works', async () => {
    receiver.script = (_, i) => (i < 2 ? { status: 503 } : { status: 200 });
    expect(await post()).toMatchObject({ ok: true, attempts: 3 });
    expect(waits).toEqual([10, 20]);
  });

  it('does not retry other 4xx, and says what came back', async () => {
    receiver.script = () => ({ status: 404, body: 'no_service' });
    expect(await post()).toEqual({
      ok: false,
      retryable: false,
      attempts: 1,
      error: 'receiver: HTTP 404 "no_service"',
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it('gives up retryably after the last attempt', async () => {
    receiver.script = () => ({ status: 500 });
    expect(await post()).toMatchObject({
      ok: false,
      retryable: true,
      attempts: 3,
      error: 'receiver: HTTP 500 after 3 attempts',
    });
  });

  it('times out a receiver that never answers, once: the request went out, so the outcome is unknown', async () => {
    receiver.script = () => 'hang';
    expect(await post()).toEqual({
      ok: false,
      retryable: false,
      attempts: 1,
      maybeReceived: true,
      error: 'receiver: request sent, no answer within 300 ms; the receiver may have it',
    });
    expect(receiver.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('fails retryably at once when Retry-After is longer than it may wait', async () => {
    receiver.script = () => ({ status: 429, headers: { 'retry-after': '3600' } });
    expect(await post()).toMatchObject({ ok: false, retryable: true, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('treats a refused connection as a network error', async () => {
    const url = receiver.url;
    await receiver.close();
    const result = await postWithRetry({ url, label: 'gone' }, '{}', {}, FAST, sleep);
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      error: expect.stringMatching(/^gone: network error \(ECONNREFUSED\)/),
    });
    receiver = await startReceiver();
  });

  const retryAfter: [string | null, number | undefined][] = [
    ['5', 5000],
    ['0', 0],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ];
  for (const [header, expected] of retryAfter) {
    it(`reads Retry-After ${JSON.stringify(header)}`, () =>
      expect(retryAfterMs(header, Date.parse('2015-10-21T07:30:00Z'))).toBe(expected));
  }
});

describe('notifiers end to end', () => {
  const context = (env: Record<string, string>): NotifierContext =>
    defaultNotifierContext({ secrets: new SecretResolver({ env }), http: FAST, sleep });
  const alert = injectedAlert('alice');

  it('Slack posts Block Kit to the webhook from the secret reference', async () => {
    const slack = NOTIFIERS.get('slack')?.create(
      'team',
      { type: 'slack', webhook_url: { env: 'SLACK_URL' } },
      context({ SLACK_URL: receiver.url }),
    );
    expect(await slack?.send(alert)).toMatchObject({ ok: true });
    const body = JSON.parse(receiver.requests[0]?.body ?? '{}') as { blocks: unknown[]; text: string };
    expect(body.blocks.length).toBeGreaterThan(3);
    expect(body.text).toContain('HIGH: Access key created');
  });

  it('a missing secret fails as a configuration error (not retryable) and never prints a value', async () => {
    const slack = NOTIFIERS.get('slack')?.create(
      'team',
      { type: 'slack', webhook_url: { env: 'NOPE' } },
      context({}),
    );
    expect(await slack?.send(alert)).toEqual({
      ok: false,
      retryable: false,
      attempts: 0,
      error: 'environment variable NOPE is not set',
    });
  });

  it('errors name the host, never the secret path of the URL', async () => {
    receiver.script = () => ({ status: 403, body: 'invalid_token' });
    const slack = NOTIFIERS.get('slack')?.create(
      'team',
      { type: 'slack', webhook_url: { env: 'SLACK_URL' } },
      context({ SLACK_URL: receiver.url }),
    );
    const result = await slack?.send(alert);
    expect(result?.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('secret-token');
    expect(JSON.stringify(result)).toContain('Slack webhook (127.0.0.1:');
  });

  it('a plain http:// URL off this machine is refused', async () => {
    const slack = NOTIFIERS.get('slack')?.create(
      'team',
      { type: 'slack', webhook_url: { env: 'SLACK_URL' } },
      context({ SLACK_URL: 'http://hooks.example.com/x' }),
    );
    expect(await slack?.send(alert)).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringMatching(/must be an https:\/\/ URL/),
    });
  });

  it('the webhook signs the exact body with HMAC-SHA256', async () => {
    const webhook = NOTIFIERS.get('webhook')?.create(
      'siem',
      {
        type: 'webhook',
        url: receiver.url,
        secret: { env: 'KEY' },
        headers: { 'X-Team': 'secops', Authorization: { env: 'TOKEN' } },
      },
      context({ KEY: 'shared-key', TOKEN: 'Bearer t0ken' }),
    );
    expect(await webhook?.send(alert)).toMatchObject({ ok: true });
    const request = receiver.requests[0];
    const expected = `sha256=${createHmac('sha256', 'shared-key')
      .update(request?.body ?? '')
      .digest('hex')}`;
    expect(request?.headers[SIGNATURE_HEADER]).toBe(expected);
    expect(request?.headers['x-team']).toBe('secops');
    expect(request?.headers.authorization).toBe('Bearer t0ken');
    expect(request?.headers['x-trailwatch-alert-id']).toBe(alert.id);
  });

  it('PagerDuty sends an Events v2 trigger with the routing key', async () => {
    receiver.script = () => ({ status: 202, body: '{"status":"success"}' });
    const pd = NOTIFIERS.get('pagerduty')?.create(
      'oncall',
      { type: 'pagerduty', routing_key: { env: 'PD' }, url: receiver.url },
      context({ PD: 'R0UTINGKEY' }),
    );
    expect(await pd?.send(alert)).toMatchObject({ ok: true, detail: 'HTTP 202' });
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      routing_key: 'R0UTINGKEY',
      event_action: 'trigger',
      dedup_key: alert.id,
    });
  });

  it('Teams posts an Adaptive Card', async () => {
    const teams = NOTIFIERS.get('teams')?.create(
      'ops',
      { type: 'teams', webhook_url: { env: 'T' } },
      context({ T: receiver.url }),
    );
    expect(await teams?.send(alert)).toMatchObject({ ok: true });
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
  });
});
