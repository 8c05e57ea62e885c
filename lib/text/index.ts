/**
 * Untrusted text (event fields, rule titles, file and key names) made safe to print on a terminal.
 *
 * A terminal acts on control characters: ESC starts colour changes, cursor moves, window-title
 * writes and OSC 8 hyperlinks; CR and BS overwrite what was printed; BEL rings; C1 codes (U+0080 to
 * U+009F) are 8-bit escapes some terminals honour; the bidi overrides and isolates (U+202A to U+202E,
 * U+2066 to U+2069, and the marks U+200E, U+200F, U+061C) reorder what is shown so a line reads
 * differently from what it holds; U+2028 and U+2029 break lines in some viewers.
 *
 * Each such character is shown, not dropped, as an ASCII escape a reader can recognise: `\t`, `\n`,
 * `\r`, `\xHH` for the other code points below U+0100 (ESC is the 4 characters `\x1b`), `\uHHHH`
 * above. The result holds only printable characters (and, for `neutralizeControl`, line feeds).
 * Backslashes are left as they are: the escape is for a human reader, not a reversible encoding.
 */

/** Line feed excepted: `neutralizeControl` keeps a message's lines. */
const CONTROL_KEEPING_NEWLINES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visible(character: string): string {
  const short = SHORT_ESCAPES[character];
  if (short !== undefined) return short;
  const code = character.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control, C1 and bidi characters shown as escapes; line feeds kept (for multi-line messages). */
export function neutralizeControl(text: string): string {
  CONTROL_KEEPING_NEWLINES.lastIndex = 0;
  return CONTROL_KEEPING_NEWLINES.test(text) ? text.replace(CONTROL_KEEPING_NEWLINES, visible) : text;
}

/** As `neutralizeControl`, and line feeds too: the result is always exactly one line. */
export function oneLine(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, visible) : text;
}

/** True when `text` holds a character `oneLine` would escape. */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/**
 * Percent-encodes everything but RFC 3986's unreserved characters (letters, digits, `-._~`):
 * `encodeURIComponent` leaves `!'()*` as they are. Like it, throws a URIError on a lone surrogate.
 * https://www.rfc-editor.org/rfc/rfc3986#section-2.3
 */
export function encodeUnreservedOnly(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
