/**
 * When a timeout may have delivered: a request not fully written reached nobody and is retried;
 * one written and unanswered is an unknown outcome and is not re-sent. Signals and deadlines bound
 * every attempt and every wait.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpPolicy } from '../../lib/notify';
import { postWithRetry, realSleep } from '../../lib/notify';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

const POLICY: HttpPolicy = {
  timeoutMs: 200,
  attempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 20,
  maxRetryAfterMs: 1_000,
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(script: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(script);
  cleanups.push(() => r.close());
  return r;
}

/** Accepts connections and never reads: a large request can never be fully written. */
async function nonReader(): Promise<{ url: string; connections: () => number }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    socket.pause();
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}/hook`, connections: () => sockets.length };
}

/** Larger than loopback socket buffers on both ends (a few MB each), so `finish` never comes. */
const UNWRITABLE_BODY = 'x'.repeat(32 * 1024 * 1024);

const waits: number[] = [];
const recordSleep = async (ms: number): Promise<void> => {
  waits.push(ms);
};
afterEach(() => {
  waits.length = 0;
});

describe('timeouts and unknown outcomes', () => {
  it('a timeout before the request was fully written reached nobody: retried, and retryable', async () => {
    const target = await nonReader();
    const result = await postWithRetry(
      { url: target.url, label: 'r' },
      UNWRITABLE_BODY,
      {},
      POLICY,
      recordSleep,
    );
    expect(result).toEqual({
      ok: false,
      retryable: true,
      attempts: 3,
      error: 'r: no answer within 200 ms after 3 attempts',
    });
    expect(target.connections()).toBe(3);
  });

  const resends: [number | undefined, number][] = [
    [undefined, 1],
    [0, 1],
    [1, 2],
  ];
  for (const [allowed, copies] of resends) {
    it(`written and unanswered, resendsAfterNoAnswer ${allowed ?? 'default'}: ${copies} cop(ies), then unknown`, async () => {
      const r = await receiver(() => 'hang');
      const policy = allowed === undefined ? POLICY : { ...POLICY, resendsAfterNoAnswer: allowed };
      const result = await postWithRetry({ url: r.url, label: 'r' }, '{}', {}, policy, recordSleep);
      expect(result).toEqual({
        ok: false,
        retryable: false,
        attempts: copies,
        maybeReceived: true,
        error: 'r: request sent, no answer within 200 ms; the receiver may have it',
      });
      expect(r.requests).toHaveLength(copies);
    });
  }

  it('an answer too slow for the timeout is unknown, not a failure, and sent once', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 600 }));
    const result = await postWithRetry({ url: r.url, label: 'r' }, '{}', {}, POLICY, recordSleep);
    expect(result).toMatchObject({ ok: false, maybeReceived: true, attempts: 1 });
    expect(r.requests).toHaveLength(1);
  });

  it('a 5xx after an unanswered send still says the receiver may have it', async () => {
    const r = await receiver((_, i) => (i === 0 ? 'hang' : { status: 503 }));
    const result = await postWithRetry(
      { url: r.url, label: 'r' },
      '{}',
      {},
      { ...POLICY, resendsAfterNoAnswer: 1 },
      recordSleep,
    );
    expect(result).toMatchObject({ ok: false, retryable: true, attempts: 3, maybeReceived: true });
  });
});

describe('signals and deadlines', () => {
  it('an aborted signal before the first attempt sends nothing', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const result = await postWithRetry(
      { url: r.url, label: 'r', signal: AbortSignal.abort() },
      '{}',
      {},
      POLICY,
      recordSleep,
    );
    expect(result).toEqual({
      ok: false,
      retryable: true,
      attempts: 0,
      error: 'r: stopped at the delivery deadline after 0 attempt(s)',
    });
    expect(r.requests).toHaveLength(0);
  });

  it('an abort while waiting for the answer: unknown, since the request went out', async () => {
    const r = await receiver(() => 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await postWithRetry(
      { url: r.url, label: 'r', signal: controller.signal },
      '{}',
      {},
      { ...POLICY, timeoutMs: 60_000 },
      recordSleep,
    );
    expect(result).toMatchObject({
      ok: false,
      maybeReceived: true,
      attempts: 1,
      error: 'r: request sent, stopped at the delivery deadline; the receiver may have it',
    });
  });

  it('the deadline shortens the attempt: a hang ends at the deadline, not the 60 s timeout', async () => {
    const r = await receiver(() => 'hang');
    const started = Date.now();
    const result = await postWithRetry(
      { url: r.url, label: 'r', deadlineAt: Date.now() + 200 },
      '{}',
      {},
      { ...POLICY, timeoutMs: 60_000 },
      recordSleep,
    );
    expect(result).toMatchObject({ ok: false, maybeReceived: true, attempts: 1 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never sleeps past the deadline between retries', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const result = await postWithRetry(
      { url: r.url, label: 'r', deadlineAt: Date.now() + 300 },
      '{}',
      {},
      { ...POLICY, baseDelayMs: 5_000, maxDelayMs: 5_000 },
      recordSleep,
      () => 1,
    );
    expect(result).toEqual({
      ok: false,
      retryable: true,
      attempts: 1,
      error: 'r: stopped at the delivery deadline after 1 attempt(s) (last: HTTP 503)',
    });
    expect(waits).toEqual([]);
  });

  it('the real sleep wakes when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await realSleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
