import type { IncomingMessage } from 'node:http';
import type { DeliveryResult } from './types';

/**
 * node:http and node:https, loaded on the first delivery: requiring them at module load cost about
 * 10 ms of every Lambda cold start (9-10 ms in a fresh Node 20 process here), and most invocations
 * deliver nothing. Nothing else in the functions' bundles loads them at init.
 */
const nodeHttp = (): typeof import('node:http') => process.getBuiltinModule('node:http');
const nodeHttps = (): typeof import('node:https') => process.getBuiltinModule('node:https');

/** How hard to try one delivery. */
export interface HttpPolicy {
  /** Per attempt, connection to last byte. */
  readonly timeoutMs: number;
  readonly attempts: number;
  /** Exponential backoff with full jitter, from this base, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A 429 asking to wait longer than this fails the delivery (retryably) instead of waiting. */
  readonly maxRetryAfterMs: number;
  /**
   * How many times to send again after an attempt whose request was fully written but got no
   * answer (a timeout or a dropped connection after sending). Default `RESENDS_AFTER_NO_ANSWER`.
   */
  readonly resendsAfterNoAnswer?: number;
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = {
  timeoutMs: 10_000,
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/**
 * No automatic re-send once a request went out unanswered: the receiver may be processing it
 * slowly, and re-sending on each timeout gave a receiver that answers after 12 s four copies of
 * one alert. Such an attempt ends the delivery with an unknown outcome (`maybeReceived`); the
 * pipeline decides, bounded, whether a later retry sends it once more.
 */
export const RESENDS_AFTER_NO_ANSWER = 0;

/** Enough of an error body to say what went wrong; the rest is read and dropped. */
const RESPONSE_TEXT_MAX = 200;

/** The caller's bounds on one delivery: the signal aborts it, nothing starts or waits past the deadline. */
export interface SendOptions {
  readonly signal?: AbortSignal;
  /** Epoch milliseconds. */
  readonly deadlineAt?: number;
}

export interface HttpTarget extends SendOptions {
  readonly url: string;
  /** How to name the target in messages: never the URL, which may embed a token. */
  readonly label: string;
  /**
   * For APIs that report errors inside a 2xx answer (Slack's Web API answers HTTP 200 with
   * `{"ok": false, "error": …}`): judges the body of a 2xx answer. Default: every 2xx succeeds.
   */
  readonly judgeAnswer?: (text: string) => AnswerVerdict;
  /** How many characters of a 2xx answer `judgeAnswer` sees (default RESPONSE_TEXT_MAX); the rest is dropped. */
  readonly answerMaxChars?: number;
}

/** What a 2xx answer's body says: success, a failure worth another attempt, or a final one. */
export type AnswerVerdict =
  | { readonly kind: 'ok'; readonly detail: string }
  | { readonly kind: 'retry'; readonly error: string }
  /** `maybeReceived`: the API says part of the operation may have succeeded (no re-send). */
  | {
      readonly kind: 'fail';
      readonly error: string;
      readonly retryable: boolean;
      readonly maybeReceived?: true;
    };

/** Waits `ms`, or less when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Seconds or an HTTP date, per RFC 9110 §10.2.3; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoff(policy: HttpPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** One POST: an answer, or why none came and whether the whole request had been written by then. */
type Attempt =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly retryAfter: string | null;
      readonly text: string;
    }
  | {
      readonly kind: 'no-answer';
      /** The request's last byte was handed to the operating system: the receiver may have it. */
      readonly written: boolean;
      readonly reason: 'timeout' | 'aborted' | 'network';
      readonly cause: string;
    };

/**
 * node:http rather than fetch, because only it tells when the request was fully written
 * (`finish`: "the last segment of the request headers and body have been handed off to the
 * operating system", https://nodejs.org/api/http.html#event-finish): a timeout before that
 * reached nobody, after it is an unknown outcome. A fresh connection per attempt (`agent: false`)
 * so a kept-alive socket the server already closed is never mistaken for a send.
 */
function attemptPost(
  url: URL,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  answerMaxChars: number,
): Promise<Attempt> {
  return new Promise((resolve) => {
    let written = false;
    let settled = false;
    let stopped: { reason: 'timeout' | 'aborted'; cause: string } | undefined;
    const send = url.protocol === 'https:' ? nodeHttps().request : nodeHttp().request;
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length) },
      agent: false,
    });
    const settle = (attempt: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const stop = (reason: 'timeout' | 'aborted', cause: string): void => {
      stopped ??= { reason, cause };
      request.destroy();
    };
    const timer = setTimeout(() => stop('timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => stop('aborted', 'stopped at the delivery deadline');
    signal?.addEventListener('abort', onAbort, { once: true });
    // Node also emits `finish` while tearing down a destroyed request: only a live one counts.
    request.on('finish', () => {
      if (!request.destroyed && stopped === undefined) written = true;
    });
    request.on('response', (response: IncomingMessage) => {
      const answered = (text: string): Attempt => ({
        kind: 'answered',
        status: response.statusCode ?? 0,
        retryAfter: headerValue(response.headers['retry-after']),
        text,
      });
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (text.length < answerMaxChars) text += chunk;
      });
      // The status is the answer; a body cut short by the timeout or a reset does not change it.
      response.on('end', () => settle(answered(text.slice(0, answerMaxChars))));
      response.on('close', () => settle(answered(text.slice(0, answerMaxChars))));
    });
    request.on('error', (error) =>
      settle({
        kind: 'no-answer',
        written,
        reason: stopped?.reason ?? 'network',
        cause: stopped?.cause ?? `network error (${errorCause(error)})`,
      }),
    );
    if (signal?.aborted) onAbort();
    else request.end(body);
  });
}

/**
 * The name of the first header node:http would throw on (a name that is not an RFC 9110 token, a
 * value with CR, LF or another control character, such as a token pasted with its newline), or
 * undefined. Only the name is returned: the value may be a secret.
 */
function invalidHeader(headers: Readonly<Record<string, string>>): string | undefined {
  const { validateHeaderName, validateHeaderValue } = nodeHttp();
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      return name;
    }
  }
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/**
 * POSTs a body with retries: 429 waits for Retry-After (or backs off), 5xx and failures that
 * reached nobody (refused, DNS, a timeout before the request was written) back off and retry,
 * any other 4xx fails at once. A 2xx succeeds unless the target's `judgeAnswer` reads its body as
 * an error (to retry with backoff, or final). A request written but not answered is not re-sent (see
 * `RESENDS_AFTER_NO_ANSWER`): it ends with `maybeReceived`. Nothing starts or sleeps past the
 * target's deadline or after its signal aborts. The outcome is a value; nothing throws.
 */
export async function postWithRetry(
  target: HttpTarget,
  body: string,
  headers: Readonly<Record<string, string>>,
  policy: HttpPolicy = DEFAULT_HTTP_POLICY,
  sleep: Sleep = realSleep,
  random: () => number = Math.random,
): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return { ok: false, retryable: false, attempts: 0, error: `${target.label}: not a valid URL` };
  }
  const badHeader = invalidHeader(headers);
  if (badHeader !== undefined) {
    // A header node:http would refuse (it throws): a config or secret problem no retry can fix.
    return {
      ok: false,
      retryable: false,
      attempts: 0,
      error: `${target.label}: header ${JSON.stringify(badHeader)} cannot be sent: its name is not an HTTP token or its value holds a line break or control character (check the secret or the config for a stray newline)`,
    };
  }
  const payload = Buffer.from(body, 'utf8');
  const resendsAllowed = policy.resendsAfterNoAnswer ?? RESENDS_AFTER_NO_ANSWER;
  let unanswered = 0;
  let last = '';
  const maybe = (): { maybeReceived?: true } => (unanswered > 0 ? { maybeReceived: true } : {});
  const atDeadline = (attempts: number): DeliveryResult => ({
    ok: false,
    retryable: true,
    attempts,
    error: `${target.label}: stopped at the delivery deadline after ${attempts} attempt(s)${last ? ` (last: ${last})` : ''}`,
    ...maybe(),
  });
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const left = target.deadlineAt === undefined ? Number.POSITIVE_INFINITY : target.deadlineAt - Date.now();
    if (target.signal?.aborted || left <= 0) return atDeadline(attempt - 1);
    const timeoutMs = Math.min(policy.timeoutMs, left);
    const outcome = await attemptPost(
      url,
      payload,
      headers,
      timeoutMs,
      target.signal,
      Math.max(RESPONSE_TEXT_MAX, target.answerMaxChars ?? 0),
    );
    let wait: number;
    if (outcome.kind === 'answered') {
      const { status } = outcome;
      const text = outcome.text.slice(0, RESPONSE_TEXT_MAX);
      const verdict: AnswerVerdict | undefined =
        status >= 200 && status < 300
          ? (target.judgeAnswer?.(outcome.text) ?? { kind: 'ok', detail: `HTTP ${status}` })
          : undefined;
      if (verdict?.kind === 'ok') return { ok: true, attempts: attempt, detail: verdict.detail };
      last =
        verdict === undefined ? `HTTP ${status}${text ? ` ${JSON.stringify(text)}` : ''}` : verdict.error;
      if (verdict?.kind === 'fail') {
        return {
          ok: false,
          retryable: verdict.retryable,
          attempts: attempt,
          error: `${target.label}: ${last}`,
          ...(verdict.maybeReceived ? { maybeReceived: true } : maybe()),
        };
      }
      if (status === 429) {
        const asked = retryAfterMs(outcome.retryAfter);
        if (asked !== undefined && asked > policy.maxRetryAfterMs) {
          return {
            ok: false,
            retryable: true,
            attempts: attempt,
            error: `${target.label}: ${last}, Retry-After ${Math.round(asked / 1000)} s is longer than ${policy.maxRetryAfterMs / 1000} s`,
            ...maybe(),
          };
        }
        wait = asked ?? backoff(policy, attempt, random);
      } else if (status >= 500 || verdict?.kind === 'retry') {
        wait = backoff(policy, attempt, random);
      } else {
        return {
          ok: false,
          retryable: false,
          attempts: attempt,
          error: `${target.label}: ${last}`,
          ...maybe(),
        };
      }
    } else {
      last = outcome.cause;
      if (outcome.written) {
        unanswered++;
        if (unanswered > resendsAllowed) {
          return {
            ok: false,
            retryable: false,
            attempts: attempt,
            maybeReceived: true,
            error: `${target.label}: request sent, ${last}; the receiver may have it`,
          };
        }
      }
      if (outcome.reason === 'aborted') return atDeadline(attempt);
      wait = backoff(policy, attempt, random);
    }
    if (attempt < policy.attempts) {
      if (target.deadlineAt !== undefined && Date.now() + wait >= target.deadlineAt)
        return atDeadline(attempt);
      await sleep(wait, target.signal);
    }
  }
  return {
    ok: false,
    retryable: true,
    attempts: policy.attempts,
    error: `${target.label}: ${last} after ${policy.attempts} attempts`,
    ...maybe(),
  };
}

function errorCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const cause = error.cause instanceof Error ? errorCause(error.cause) : undefined;
  return code ?? cause ?? error.message;
}
