/**
 * Notifiers against failing, slow and hostile receivers: a reset mid-body, 200 after the timeout,
 * 429 with absurd Retry-After values, a 10 MB answer, an answer that echoes the request (routing
 * key, URL token, credentials), and secrets that are not valid in an HTTP header. The outcome is
 * honest (sent, failed, or unknown when the receiver may have it), nothing throws, and no secret
 * appears in a result.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/alerts';
import type { DeliveryResult, HttpPolicy, NotifierContext } from '../../lib/notify';
import { NOTIFIERS, SecretResolver } from '../../lib/notify';
import { defaultNotifierContext } from '../../lib/pipeline';
import { injectedAlert } from '../factories/alerts';

const POLICY: HttpPolicy = {
  timeoutMs: 300,
  attempts: 3,
  baseDelayMs: 5,
  maxDelayMs: 10,
  maxRetryAfterMs: 2_000,
};
const TOKEN = 'XyZ-path-t0ken-0123456789';
const ROUTING_KEY = 'R0UTINGKEY-abcdef0123456789';
const PASSWORD = 'pa55w0rd-secret';
const HMAC_KEY = 'hmac-key-0123456789abcdef';
const HEADER_TOKEN = 'header-token-0123456789';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => void;

/** An HTTP receiver whose every answer is a function of the request. */
async function receiver(handle: Handler): Promise<{ base: string; count: () => number }> {
  let index = 0;
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8'), index++));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { base: `http://127.0.0.1:${port}`, count: () => index };
}

/** A TCP server that reads part of the request, then resets the connection. */
async function resetMidBody(): Promise<{ base: string; connections: () => number }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  cleanups.push(() => server.close());
  return { base: `http://127.0.0.1:${port}`, connections: () => connections };
}

function context(env: Record<string, string>): NotifierContext {
  return defaultNotifierContext({ secrets: new SecretResolver({ env }), http: POLICY });
}

const ALERT: Alert = injectedAlert('echo me');

/** Every configured destination type that posts over HTTP, aimed at `base`, with secrets in play. */
function destinations(base: string, env: Record<string, string> = {}) {
  const url = `${base.replace('http://', `http://user:${PASSWORD}@`)}/hook/T0/B0/${TOKEN}?sig=${TOKEN}`;
  const ctx = context({ URL: url, KEY: ROUTING_KEY, HMAC: HMAC_KEY, AUTH: `Bearer ${HEADER_TOKEN}`, ...env });
  const create = (type: string, config: Record<string, unknown>) => {
    const notifier = NOTIFIERS.get(type);
    if (!notifier) throw new Error(`no ${type} notifier`);
    return notifier.create(type, { type, ...config }, ctx);
  };
  return [
    create('webhook', {
      url: { env: 'URL' },
      secret: { env: 'HMAC' },
      headers: { Authorization: { env: 'AUTH' } },
    }),
    create('slack', { webhook_url: { env: 'URL' } }),
    create('teams', { webhook_url: { env: 'URL' } }),
    create('pagerduty', { routing_key: { env: 'KEY' }, url: `${base}/pd` }),
  ];
}

function expectNoSecret(result: DeliveryResult): void {
  const text = JSON.stringify(result);
  for (const secret of [TOKEN, ROUTING_KEY, PASSWORD, HMAC_KEY, HEADER_TOKEN])
    expect(text, `${secret} leaked`).not.toContain(secret);
  expect(text).not.toContain(Buffer.from(`user:${PASSWORD}`).toString('base64'));
}

describe('hostile and failing receivers', () => {
  it('a receiver that echoes the request (body, headers, URL) never gets a secret into the result', async () => {
    const { base } = await receiver((req, res, body) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`bad: ${req.url} ${JSON.stringify(req.headers)} ${body}`);
    });
    for (const destination of destinations(base)) {
      const result = await destination.send(ALERT);
      expect(result.ok).toBe(false);
      expectNoSecret(result);
    }
  });

  it('a receiver that echoes with the secret cut at every length leaks no tail of it', async () => {
    for (let cut = 1; cut < ROUTING_KEY.length; cut += 3) {
      const { base } = await receiver((_req, res, body) => {
        const at = body.indexOf(ROUTING_KEY);
        res.writeHead(400);
        res.end(`echo ${body.slice(Math.max(0, at - 150 + cut), at + cut)}`);
      });
      const [, , , pagerduty] = destinations(base);
      const result = await pagerduty?.send(ALERT);
      if (result === undefined) throw new Error('no pagerduty destination');
      expect(result.ok).toBe(false);
      // The echo is cut to 200 characters: whatever survives must not hold 8+ characters of the key.
      for (let start = 0; start + 8 <= ROUTING_KEY.length; start++)
        expect(JSON.stringify(result)).not.toContain(ROUTING_KEY.slice(start, start + 8));
    }
  });

  it('a reset mid-body is failed (retryable) or unknown, never sent', async () => {
    const { base } = await resetMidBody();
    for (const destination of destinations(base)) {
      const result = await destination.send(ALERT);
      expect(result.ok).toBe(false);
      if (!result.ok && !result.maybeReceived) expect(result.retryable).toBe(true);
      expectNoSecret(result);
    }
  });

  it('200 after the timeout is unknown (maybe received), sent once, not re-sent', async () => {
    const { base, count } = await receiver((_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) res.end('ok');
      }, 600);
    });
    const [webhook] = destinations(base);
    const result = await webhook?.send(ALERT);
    expect(result).toMatchObject({ ok: false, maybeReceived: true });
    expect(count()).toBe(1);
    if (result) expectNoSecret(result);
  });

  it.each([
    ['a huge number of seconds', '99999999999999999999999999'],
    ['a date far in the future', 'Fri, 31 Dec 9999 23:59:59 GMT'],
    ['a negative number', '-5'],
    ['garbage', '\u0000nope'],
    ['a fraction', '0.5'],
  ])('429 with Retry-After %s ends bounded and honest', async (_name, retryAfter) => {
    const { base, count } = await receiver((_req, res) => {
      res.writeHead(429, { 'retry-after': retryAfter.replaceAll(String.fromCharCode(0), '') });
      res.end('slow down');
    });
    const [webhook] = destinations(base);
    const started = Date.now();
    const result = await webhook?.send(ALERT);
    expect(Date.now() - started).toBeLessThan(POLICY.maxRetryAfterMs * POLICY.attempts);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(count()).toBeLessThanOrEqual(POLICY.attempts);
  });

  it('a 10 MB answer is read and dropped: the status decides, the error stays short', async () => {
    const big = 'A'.repeat(10 * 1024 * 1024);
    const { base } = await receiver((_req, res, _body, index) => {
      res.writeHead(index === 0 ? 500 : 200);
      res.end(`${ROUTING_KEY}${big}`);
    });
    const [, , , pagerduty] = destinations(base);
    const started = Date.now();
    const result = await pagerduty?.send(ALERT);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('secrets that cannot be sent as they are', () => {
  it.each([
    ['a header secret with a trailing newline (a copy-pasted token)', { AUTH: `Bearer ${HEADER_TOKEN}\n` }],
    ['a header secret with CR LF and a second header', { AUTH: `Bearer ${HEADER_TOKEN}\r\nX-Evil: 1` }],
  ])('%s fails the delivery without throwing or leaking', async (_name, env) => {
    const { base, count } = await receiver((_req, res) => res.end('ok'));
    const [webhook] = destinations(base, env);
    const result = await webhook?.send(ALERT);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(count()).toBe(0);
    if (result && !result.ok) {
      expect(result.error).toMatch(/authorization/i);
      expectNoSecret(result);
    }
  });

  it('a header name that is not an HTTP token fails the delivery without throwing', async () => {
    const { base, count } = await receiver((_req, res) => res.end('ok'));
    const webhook = NOTIFIERS.get('webhook')?.create(
      'hook',
      { type: 'webhook', url: `${base}/hook`, headers: { 'bad header\r\n': 'x' } },
      context({}),
    );
    const result = await webhook?.send(ALERT);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(count()).toBe(0);
  });
});
