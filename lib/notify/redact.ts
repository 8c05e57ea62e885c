import type { DeliveryResult } from './types';

/**
 * Secrets kept out of delivery errors, which end up on stderr and in Lambda logs. A webhook URL
 * is a credential (Slack's `hooks.slack.com/services/T…/B…/<token>`, a Teams Workflows URL with
 * `sig=`, a URL with `user:pass@`), and so are PagerDuty routing keys and HMAC keys. They can
 * reach an error text three ways: in a transport error that quotes the URL, in a response body a
 * receiver echoes back (a PagerDuty-style 400 that repeats the request, routing key included), or
 * in a header a receiver echoes (the Basic credentials Node derives from `user:pass@`).
 */

export const REDACTED = '[redacted]';

/** A secret shorter than this is not searched for: it would redact ordinary words and digits. */
const SECRET_MIN_LENGTH = 6;

/** Query parameters that carry credentials in webhook URLs (Teams/Logic Apps `sig`, generic tokens). */
const SECRET_QUERY_KEYS =
  /([?&](?:sig|signature|token|access_token|key|api_key|apikey|code|secret|password|auth|routing_key|integration_key)=)[^&#\s"'\\]*/gi;

/** JSON members whose value is a credential, as a receiver echoing a request body would show them. */
const SECRET_JSON_MEMBERS =
  /((?:\\*")(?:routing_key|integration_key|service_key|token|secret|password|api_key|webhook_url|authorization)(?:\\*")\s*:\s*(?:\\*"))[^"\\]*/gi;

/** `scheme://user:pass@`: the credentials part of any URL. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** `Basic <base64>` / `Bearer <token>` as an echoed Authorization header shows them. */
const AUTHORIZATION_VALUES = /\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{8,}/g;

/** A URL's path and query: everything after the host of an http(s) URL. */
const URL_PATH = /\b(https?:\/\/[^\s/?#"'<>]+)[/?#][^\s"'<>]*/gi;

/**
 * The values to search for, for a secret that is a URL: the whole URL, its credentials (and the
 * Basic header Node sends for them), its path and every long path segment, every query value.
 * For any other secret: itself.
 */
export function secretVariants(secret: string): string[] {
  const found = new Set<string>([secret]);
  let url: URL | undefined;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(secret) ? new URL(secret) : undefined;
  } catch {
    url = undefined;
  }
  if (url) {
    const user = decodedOrRaw(url.username);
    const password = decodedOrRaw(url.password);
    for (const part of [url.username, url.password, user, password]) found.add(part);
    if (url.username || url.password)
      found.add(Buffer.from(`${user}:${password}`, 'utf8').toString('base64'));
    found.add(url.pathname + url.search);
    if (url.pathname.length > 1) found.add(url.pathname);
    for (const segment of url.pathname.split('/')) found.add(segment);
    for (const [, value] of url.searchParams) found.add(value);
  }
  // The same values as they appear escaped once or twice in JSON, or percent-encoded.
  for (const value of [...found]) {
    const once = JSON.stringify(value).slice(1, -1);
    found.add(once);
    found.add(JSON.stringify(once).slice(1, -1));
    const encoded = encodedOrUndefined(value);
    if (encoded !== undefined) found.add(encoded);
  }
  return [...found].filter((value) => value.length >= SECRET_MIN_LENGTH);
}

/**
 * A URL part percent-decoded, or as it is when its escapes are not UTF-8 (`%E0`, `%ZZ`): the URL
 * API keeps such a part as written, and `decodeURIComponent` throws a URIError on it. Redaction
 * runs on the delivery error path and must never throw there.
 */
function decodedOrRaw(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The value percent-encoded, or undefined when it holds a lone surrogate (a URIError): nobody can send that form. */
function encodedOrUndefined(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** What follows a secret cut short by truncation: the closing quote of the echoed text (escaped once or not), or the cut mark. */
const CUT_ENDS = ['\\"', '"', '…'] as const;

/**
 * `text` with every known secret (and its URL parts and escaped forms, see secretVariants)
 * replaced by `[redacted]`, the tail of a secret cut off at the end of a truncated echo too, and
 * credential-shaped parts of any URL or JSON member redacted even when the value is unknown.
 */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let result = text;
  const variants = knownSecrets
    .flatMap(secretVariants)
    // Longest first, so a whole URL goes before its own path.
    .sort((a, b) => b.length - a.length);
  for (const variant of variants) result = result.split(variant).join(REDACTED);
  // An echoed body is cut at a fixed length, then quoted: the cut may fall inside a secret, which
  // then ends at the closing quote (or the end of the text).
  for (const variant of variants) {
    for (let length = variant.length - 1; length >= SECRET_MIN_LENGTH; length--) {
      const prefix = variant.slice(0, length);
      if (result.endsWith(prefix)) result = `${result.slice(0, -length)}${REDACTED}`;
      for (const end of CUT_ENDS) result = result.split(`${prefix}${end}`).join(`${REDACTED}${end}`);
    }
  }
  return result
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(URL_PATH, `$1/${REDACTED}`)
    .replace(SECRET_QUERY_KEYS, `$1${REDACTED}`)
    .replace(SECRET_JSON_MEMBERS, `$1${REDACTED}`)
    .replace(AUTHORIZATION_VALUES, `$1 ${REDACTED}`);
}

/** A delivery result with its error text redacted; successes pass through. */
export function redactResult(result: DeliveryResult, knownSecrets: readonly string[]): DeliveryResult {
  return result.ok ? result : { ...result, error: redactSecrets(result.error, knownSecrets) };
}
