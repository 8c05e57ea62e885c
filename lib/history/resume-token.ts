import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
/**
 * The AWS CLI's `--starting-token`, read and written as botocore's paginator does, so a token
 * printed by `aws cloudtrail lookup-events --max-items N` resumes in trailwatch and the other way
 * round.
 *
 * botocore (botocore/paginate.py, TokenEncoder / TokenDecoder / PageIterator):
 * - a token is `base64(json.dumps(d))` where `d` holds the operation's input token (`NextToken` for
 *   LookupEvents; `None` → `null` when the cut fell in the first page) and, when `--max-items` cut a
 *   page, `boto_truncate_amount`: how many events of the page fetched with that `NextToken` were
 *   already returned;
 * - a token that does not decode as base64 JSON is an old-style `TOKEN___N` (N items returned) or a
 *   service NextToken passed through as is.
 */

/** Where to resume: the service token to call with (absent: the first page) and the events of that page already returned. */
export interface ResumePoint {
  readonly token?: string;
  readonly truncate: number;
}

/** The key botocore adds for a cut page (`_truncate_response`). */
const TRUNCATE_KEY = 'boto_truncate_amount';
/** The paginator's input token for LookupEvents (botocore's cloudtrail paginators-1.json). */
const INPUT_TOKEN_KEY = 'NextToken';
/** A LookupEvents page holds at most 50 events (MaxResults 1 to 50), so no cut is deeper. */
const MAX_TRUNCATE = 50;
/** botocore's separator in pre-JSON tokens (`_parse_starting_token_deprecated`). */
const DEPRECATED_SEPARATOR = '___';

/** A starting token that decodes as the AWS CLI's JSON but says something the paginator cannot resume from. */
export class StartingTokenError extends TrailwatchError {
  override readonly name = 'StartingTokenError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'starting-token', options);
  }
}

/**
 * Python's `json.dumps` of a string with its defaults (`ensure_ascii=True`): JSON's escapes, and
 * every character outside printable ASCII as `\uXXXX` of its UTF-16 code units, lower-case hex.
 */
function pythonJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The token botocore prints for this point, byte for byte: `json.dumps` separates with `", "` and
 * `": "`, keeps the input token first and adds the cut only when a page was cut.
 */
export function encodeResumeToken(point: ResumePoint): string {
  const token = point.token === undefined ? 'null' : pythonJsonString(point.token);
  const cut = point.truncate > 0 ? `, "${TRUNCATE_KEY}": ${point.truncate}` : '';
  return Buffer.from(`{"${INPUT_TOKEN_KEY}": ${token}${cut}}`, 'utf8').toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The JSON a base64 token holds, or undefined when it is not base64 of UTF-8 JSON (then it is the service's own token). */
function base64Json(text: string): { value: unknown } | undefined {
  if (!BASE64.test(text)) return undefined;
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    return undefined;
  }
  try {
    return { value: JSON.parse(json) };
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value)}`
    : `${typeof value} ${String(value)}`;
}

function truncateOf(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_TRUNCATE) {
    throw new StartingTokenError(
      `${TRUNCATE_KEY} must be a whole number from 0 to ${MAX_TRUNCATE} (a LookupEvents page holds at most ${MAX_TRUNCATE} events); got ${describe(value)}`,
    );
  }
  return value;
}

function fromObject(body: object): ResumePoint {
  const unknown = Object.keys(body).filter((key) => key !== INPUT_TOKEN_KEY && key !== TRUNCATE_KEY);
  if (unknown.length > 0) {
    throw new StartingTokenError(
      `it holds ${unknown.map((key) => JSON.stringify(key)).join(', ')}; a LookupEvents token holds only "${INPUT_TOKEN_KEY}" and "${TRUNCATE_KEY}"`,
    );
  }
  const token: unknown = Reflect.get(body, INPUT_TOKEN_KEY);
  const truncate = truncateOf(Reflect.get(body, TRUNCATE_KEY));
  // botocore skips a None or "None" input token: the call starts at the first page.
  if (token === undefined || token === null || token === 'None') return { truncate };
  if (typeof token !== 'string' || token === '') {
    throw new StartingTokenError(
      `${INPUT_TOKEN_KEY} must be the service's token (a non-empty string) or null; got ${describe(token)}`,
    );
  }
  return { token, truncate };
}

/**
 * Reads a starting token as the AWS CLI does: its base64 JSON, an old-style `TOKEN___N`, or a
 * service NextToken as is. Throws StartingTokenError for what the paginator could not resume from.
 */
export function decodeResumeToken(text: string): ResumePoint {
  const trimmed = text.trim();
  if (trimmed === '') throw new StartingTokenError('it is empty');
  const decoded = base64Json(trimmed);
  if (decoded !== undefined) {
    const { value } = decoded;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new StartingTokenError(
        `it decodes to ${describe(value)}, not the AWS CLI's {"${INPUT_TOKEN_KEY}": …, "${TRUNCATE_KEY}": N}`,
      );
    }
    return fromObject(value);
  }
  const parts = trimmed.split(DEPRECATED_SEPARATOR);
  const count = parts[1];
  if (parts.length === 2 && count !== undefined && /^\d+$/.test(count)) {
    const token = parts[0] ?? '';
    const truncate = truncateOf(Number(count));
    return token === 'None' || token === '' ? { truncate } : { token, truncate };
  }
  return { token: trimmed, truncate: 0 };
}
