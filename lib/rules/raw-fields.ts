import { skipWhitespace, stringEnd } from './literals';

/**
 * Exact values of a few top-level fields of a record, read from its raw JSON without parsing the
 * whole of it. The literal prefilter can only say a record *may* match; with `userIdentity` known
 * exactly, a rule's `not filter_*` selections on it can also say a record *cannot* match (an AWS
 * service assuming a role for itself, a session that is not an instance's), which is most of what
 * busy trails hold. Whatever is unclear answers "not known", never a guess.
 *
 * Why a value read here is the value the full parse gives the record: the text holds no `\u`
 * escapes (the caller checks, as for literals), so a key is spelled only one way; the key occurs
 * exactly once in the whole text, so there is no duplicate for `JSON.parse` to prefer; it sits at
 * depth 1 of the top-level object, so it is that object's own key; and the value's text is what
 * `JSON.parse` reads for it. That object is the record: the reader takes a top-level object with
 * `userIdentity` for a CloudTrail record unless its own `eventSource` starts with `aws:`, which
 * the caller rules out (see `RuleEngine.mayMatchText`).
 */

/** The top-level fields read exactly; a rule's items on other fields stay unknown. */
export const KNOWN_ROOTS: ReadonlySet<string> = new Set(['userIdentity']);

const QUOTED_USER_IDENTITY = '"userIdentity"';

const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/**
 * The record's fields that could be read exactly, as a record of their own (`{userIdentity: …}`),
 * or undefined when none could. Only for text the caller has checked holds no `\u` escapes.
 */
export function knownFields(text: string): Readonly<Record<string, unknown>> | undefined {
  const userIdentity = topLevelObject(text, QUOTED_USER_IDENTITY);
  return userIdentity === undefined ? undefined : { userIdentity };
}

/**
 * The parsed object value of a top-level key that occurs once in the text, or undefined when the
 * key is absent, repeated, nested, not an object, or the text around it is not well formed.
 */
export function topLevelObject(text: string, quotedKey: string): object | undefined {
  const at = text.indexOf(quotedKey);
  if (at === -1 || text.indexOf(quotedKey, at + quotedKey.length) !== -1) return undefined;
  if (depthAt(text, at) !== 1) return undefined;
  let start = skipWhitespace(text, at + quotedKey.length);
  if (text.charCodeAt(start) !== COLON) return undefined;
  start = skipWhitespace(text, start + 1);
  if (text.charCodeAt(start) !== OPEN_BRACE) return undefined;
  const end = closingBrace(text, start);
  if (end === -1) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many objects and arrays enclose position `at` (outside strings), counting from the start of
 * the text; -1 when `at` falls inside a string or the text closes more than it opened, or when the
 * text does not begin with an object.
 */
function depthAt(text: string, at: number): number {
  const first = skipWhitespace(text, 0);
  if (text.charCodeAt(first) !== OPEN_BRACE) return -1;
  let depth = 0;
  for (let i = first; i < at; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i + 1);
      // The string runs past `at` (or never ends: its end is then the text's): `at` is inside it.
      if (i >= at) return -1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      // The top-level object closed before `at`: what follows is not inside it.
      if (depth <= 0) return -1;
    }
  }
  return depth;
}

/** The index of the `}` closing the object that opens at `start`, or -1. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i + 1);
      if (i === text.length) return -1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return code === CLOSE_BRACE ? i : -1;
    }
  }
  return -1;
}
