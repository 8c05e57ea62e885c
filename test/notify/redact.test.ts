import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Destination, HttpPolicy } from '../../lib/notify';
import { NOTIFIERS, REDACTED, redactSecrets, SecretResolver } from '../../lib/notify';
import { defaultNotifierContext } from '../../lib/pipeline';
import { injectedAlert } from '../factories/alerts';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

const FAST: HttpPolicy = {
  timeoutMs: 1_000,
  attempts: 2,
  baseDelayMs: 1,
  maxDelayMs: 2,
  maxRetryAfterMs: 10,
};

const ROUTING_KEY = 'R0uTiNgKeY0123456789abcdefABCDEF';
const SLACK_TOKEN = 'XyZsLaCkToKeN0123456789';
const PASSWORD = 'pa55w0rd-S3cret';
const SIG = 'SiGnAtUrE0123456789abcdef';
const HMAC_KEY = 'hmac-key-0123456789';
const HEADER_TOKEN = 'Bearer-Token-0123456789';

/** Every secret and its 8-character fragments: none may appear in an error text. */
function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets)
    for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
}

let receiver: Receiver;
let origin: string;
beforeEach(async () => {
  receiver = await startReceiver();
  origin = new URL(receiver.url).origin;
});
afterEach(async () => receiver.close());

function destination(
  type: string,
  config: Record<string, unknown>,
  env: Record<string, string>,
): Destination {
  const context = defaultNotifierContext({
    secrets: new SecretResolver({ env }),
    http: FAST,
    sleep: async () => {},
  });
  const created = NOTIFIERS.get(type)?.create(type, { type, ...config }, context);
  if (!created) throw new Error(`no notifier ${type}`);
  return created;
}

/** A receiver that answers 400 and quotes back what it got, as error pages and some APIs do. */
const ECHO_BODY = { status: 400 } as const;

describe('delivery errors never carry a secret, even when the receiver echoes it', () => {
  it('PagerDuty: a receiver echoing the body does not get the routing key logged', async () => {
    receiver.script = (request) => ({ ...ECHO_BODY, body: request.body });
    const pd = destination(
      'pagerduty',
      { routing_key: { env: 'PD' }, url: receiver.url },
      { PD: ROUTING_KEY },
    );
    const result = await pd.send(injectedAlert('alice'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(receiver.requests[0]?.body).toContain(ROUTING_KEY);
    expect(result.error).toContain(REDACTED);
    expect(result.error).toContain('HTTP 400');
    expectNoSecret(result.error, [ROUTING_KEY, '/hook/T000/B000/secret-token']);
  });

  it('PagerDuty: an echo cut in the middle of the routing key leaves no piece of it', async () => {
    // The error keeps the first 200 characters of a body: this cut falls 12 characters into the key.
    const prefix = '{"routing_key":"';
    receiver.script = (request) => ({
      ...ECHO_BODY,
      body: `${'x'.repeat(200 - prefix.length - 12)}${request.body}`,
    });
    const pd = destination(
      'pagerduty',
      { routing_key: { env: 'PD' }, url: receiver.url },
      { PD: ROUTING_KEY },
    );
    const result = await pd.send(injectedAlert('alice'));
    if (result.ok) throw new Error('expected a failure');
    expectNoSecret(result.error, [ROUTING_KEY]);
  });

  it('Slack: a webhook URL with credentials and a path token, echoed with the Authorization header', async () => {
    const url = `http://trailwatch:${PASSWORD}@${new URL(origin).host}/services/T0001/B0002/${SLACK_TOKEN}`;
    receiver.script = (request) => ({
      status: 404,
      body: `no_service at ${request.path} (auth ${request.headers.authorization ?? 'none'}) ${url}`,
    });
    const slack = destination('slack', { webhook_url: { env: 'SLACK' } }, { SLACK: url });
    const result = await slack.send(injectedAlert('alice'));
    if (result.ok) throw new Error('expected a failure');
    expect(receiver.requests[0]?.headers.authorization).toMatch(/^Basic /);
    expect(result.error).toContain('HTTP 404');
    expectNoSecret(result.error, [
      PASSWORD,
      SLACK_TOKEN,
      Buffer.from(`trailwatch:${PASSWORD}`).toString('base64'),
    ]);
  });

  it('Teams: a Workflows URL whose sig= query is the credential', async () => {
    const url = `${origin}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sig=${SIG}`;
    receiver.script = (request) => ({ status: 401, body: `bad signature for ${request.path}` });
    const teams = destination('teams', { webhook_url: { env: 'TEAMS' } }, { TEAMS: url });
    const result = await teams.send(injectedAlert('alice'));
    if (result.ok) throw new Error('expected a failure');
    expect(result.error).toContain('HTTP 401');
    expectNoSecret(result.error, [SIG]);
  });

  it('webhook: secret headers and the HMAC key echoed back stay out of the error', async () => {
    receiver.script = (request) => ({ status: 403, body: JSON.stringify(request.headers) });
    const webhook = destination(
      'webhook',
      {
        url: { env: 'URL' },
        secret: { env: 'HMAC' },
        headers: { authorization: { env: 'TOKEN' }, 'x-plain': 'visible' },
      },
      { URL: `${origin}/in?token=${SLACK_TOKEN}`, HMAC: HMAC_KEY, TOKEN: HEADER_TOKEN },
    );
    const result = await webhook.send(injectedAlert('alice'));
    if (result.ok) throw new Error('expected a failure');
    expect(receiver.requests[0]?.headers.authorization).toBe(HEADER_TOKEN);
    expectNoSecret(result.error, [HEADER_TOKEN, SLACK_TOKEN, HMAC_KEY]);
  });

  it('an unreachable URL with credentials: the network error names the host, not the secret', async () => {
    await receiver.close();
    const url = `http://trailwatch:${PASSWORD}@${new URL(origin).host}/services/T0001/B0002/${SLACK_TOKEN}`;
    const slack = destination('slack', { webhook_url: { env: 'SLACK' } }, { SLACK: url });
    const result = await slack.send(injectedAlert('alice'));
    if (result.ok) throw new Error('expected a failure');
    expect(result.error).toContain(new URL(origin).host);
    expectNoSecret(result.error, [PASSWORD, SLACK_TOKEN]);
    receiver = await startReceiver();
  });
});

describe('redactSecrets', () => {
  it.each([
    ['a known secret', `key ${ROUTING_KEY} rejected`, [ROUTING_KEY], `key ${REDACTED} rejected`],
    ['its JSON-escaped form', 'echo a\\"b-secret', ['a"b-secret'], `echo ${REDACTED}`],
    ['its doubly JSON-escaped form', 'echo a\\\\\\"b-secret', ['a"b-secret'], `echo ${REDACTED}`],
    ['its percent-encoded form', 'q=a%2Fb-secret', ['a/b-secret'], `q=${REDACTED}`],
    [
      'credentials in any URL',
      'fetch failed for https://u:p@hooks.example.com',
      [],
      `fetch failed for https://${REDACTED}@hooks.example.com`,
    ],
    [
      'the path and query of any URL',
      'POST https://hooks.slack.com/services/T1/B2/tok3n failed',
      [],
      `POST https://hooks.slack.com/${REDACTED} failed`,
    ],
    ['token= in a query', 'GET /x?a=1&token=abc123&b=2', [], `GET /x?a=1&token=${REDACTED}&b=2`],
    ['sig= in a query', '/invoke?sig=abc&sv=1', [], `/invoke?sig=${REDACTED}&sv=1`],
    ['key= in a query', '/e?key=abc', [], `/e?key=${REDACTED}`],
    [
      'a routing_key member',
      '{"routing_key":"unknownvalue","x":1}',
      [],
      `{"routing_key":"${REDACTED}","x":1}`,
    ],
    [
      'an escaped routing_key member',
      '{\\"routing_key\\":\\"v\\"}',
      [],
      `{\\"routing_key\\":\\"${REDACTED}\\"}`,
    ],
    ['a Basic header', 'auth Basic dXNlcjpwYXNzd29yZA==', [], `auth Basic ${REDACTED}`],
    [
      'the start of a secret at the end',
      `body: "${ROUTING_KEY.slice(0, 10)}"`,
      [ROUTING_KEY],
      `body: "${REDACTED}"`,
    ],
  ])('redacts %s', (_name, text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });

  it('leaves text without secrets alone', () => {
    expect(
      redactSecrets('Slack webhook (hooks.slack.com): HTTP 500 after 4 attempts', ['s3cret-value']),
    ).toBe('Slack webhook (hooks.slack.com): HTTP 500 after 4 attempts');
  });
});
