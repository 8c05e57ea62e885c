import type { DeliveryResult } from './types';

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
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = {
  timeoutMs: 10_000,
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export interface HttpTarget {
  readonly url: string;
  /** How to name the target in messages: never the URL, which may embed a token. */
  readonly label: string;
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * POSTs a body with retries: 429 waits for Retry-After (or backs off), 5xx and network errors and
 * timeouts back off and retry, any other 4xx fails at once. The outcome is a value; nothing throws.
 */
export async function postWithRetry(
  target: HttpTarget,
  body: string,
  headers: Readonly<Record<string, string>>,
  policy: HttpPolicy = DEFAULT_HTTP_POLICY,
  sleep: Sleep = realSleep,
  random: () => number = Math.random,
): Promise<DeliveryResult> {
  let last = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let wait: number;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(policy.timeoutMs),
        redirect: 'error',
      });
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return { ok: true, attempts: attempt, detail: `HTTP ${response.status}` };
      last = `HTTP ${response.status}${text ? ` ${JSON.stringify(text)}` : ''}`;
      if (response.status === 429) {
        const asked = retryAfterMs(response.headers.get('retry-after'));
        if (asked !== undefined && asked > policy.maxRetryAfterMs) {
          return {
            ok: false,
            retryable: true,
            attempts: attempt,
            error: `${target.label}: ${last}, Retry-After ${Math.round(asked / 1000)} s is longer than ${policy.maxRetryAfterMs / 1000} s`,
          };
        }
        wait = asked ?? backoff(policy, attempt, random);
      } else if (response.status >= 500) {
        wait = backoff(policy, attempt, random);
      } else {
        return { ok: false, retryable: false, attempts: attempt, error: `${target.label}: ${last}` };
      }
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      last = timedOut ? `no answer within ${policy.timeoutMs} ms` : `network error (${errorCause(error)})`;
      wait = backoff(policy, attempt, random);
    }
    if (attempt < policy.attempts) await sleep(wait);
  }
  return {
    ok: false,
    retryable: true,
    attempts: policy.attempts,
    error: `${target.label}: ${last} after ${policy.attempts} attempts`,
  };
}

function errorCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
