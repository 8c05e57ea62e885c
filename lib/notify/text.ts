import { oneLine } from '../text';

/**
 * Event-derived text made inert for each destination. An attacker writes much of a CloudTrail
 * record (user agent, session name, request parameters, even `errorMessage` via a crafted call),
 * so nothing from it may ping a channel, carry a link, apply formatting or reach a reader's
 * terminal or mail client as a control character.
 */

/** Cuts text to `max` characters, marking the cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/** U+200B ZERO WIDTH SPACE: invisible, and not part of a URL, host name or mention to any parser. */
const ZWSP = '\u200b';

/**
 * Breaks `scheme://` and `@channel`/`@here`/`@everyone` with a zero-width space: belt and braces
 * even inside code spans, where Slack neither links nor pings, since the same text is also the
 * notification fallback and may be shown by clients with their own rules.
 */
function breakSchemesAndMentions(text: string): string {
  return text.replace(/:\/\//g, `:${ZWSP}//`).replace(/@(channel|here|everyone)/gi, `@${ZWSP}$1`);
}

/**
 * Breaks what a chat client would turn into a link or a mention: `scheme://`, a dot between a
 * label and a letter (`evil.com`, `evil。com`: the full stops U+3002, U+FF0E, U+FF61 separate
 * labels in IDNA too), `@channel`/`@here`/`@everyone`. A zero-width space goes before each, so
 * the text reads the same, but `evil​.com` is no host name to a link detector. Dots before digits
 * are left alone: IP addresses (`203.0.113.10`) stay exact and are not linked.
 */
export function breakLinks(text: string): string {
  return breakSchemesAndMentions(text).replace(/[.\u3002\uff0e\uff61](?=\p{L})/gu, `${ZWSP}$&`);
}

/** Line breaks and tabs: read as word separators. */
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

/**
 * One line of plain text: line breaks and tabs become one space (a value cannot forge a line such
 * as `Subject: …`), and every other control character (C0, DEL, C1, ESC sequences), bidi mark,
 * override or isolate is shown as a visible escape (`\x1b`, `\u202e`) by the shared neutraliser
 * in lib/text, so nothing can recolour, overwrite or reorder what a reader sees.
 */
export function singleLine(text: string): string {
  return oneLine(text.replace(LINE_BREAKS, ' '));
}

/** Printable ASCII only, on one line: what an SNS email subject can carry intact. */
export function asciiLine(text: string): string {
  return singleLine(text).replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Slack's required escapes, and nothing else of HTML: "there are three characters you must
 * convert to HTML entities and only three: &, <, and >" (they open `<!channel>`, `<@U…>` and
 * `<url|text>` sequences). https://docs.slack.dev/messaging/formatting-message-text#escaping
 * (formerly api.slack.com/reference/surfaces/formatting#escaping). Also one line, controls
 * visible, links and mentions broken (see breakLinks).
 */
export function slackEscape(text: string): string {
  return breakLinks(singleLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/**
 * Slack documents no escape for its formatting characters (`*bold*`, `_italic_`, `~strike~`,
 * `` `code` ``): only &, < and > have entities. In free text each is therefore replaced by a
 * look-alike Slack's parser does not know: ∗ (U+2217 ASTERISK OPERATOR), ˍ (U+02CD MODIFIER
 * LETTER LOW MACRON), ∼ (U+223C TILDE OPERATOR), ˋ (U+02CB MODIFIER LETTER GRAVE ACCENT).
 * Replacement cannot be undone by any context, unlike zero-width joiners whose effect depends on
 * the client's word-boundary rules. Values that must stay exact go in code spans (slackCode).
 */
const FORMATTING_LOOKALIKES: Readonly<Record<string, string>> = {
  '*': '\u2217',
  _: '\u02cd',
  '~': '\u223c',
  '`': '\u02cb',
};

function neutralizeFormatting(text: string): string {
  return text.replace(/[*_~`]/g, (character) => FORMATTING_LOOKALIKES[character] ?? character);
}

/** Cuts escaped Slack text without leaving half an entity (`&am…`) at the end. */
function cutEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  let cut = truncate(escaped, max).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp > cut.length - 6 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** Free mrkdwn text from an event: escaped, one line, no formatting, no links, cut to `max`. */
export function slackText(text: string, max: number): string {
  return cutEscaped(neutralizeFormatting(slackEscape(text)), max);
}

/**
 * A value shown exactly, in a Slack code span: Slack applies no bold, italic or strike and makes
 * no link inside one, so `*`, `_`, `~` and dots stay as they are (ARNs, hosts and user agents
 * copy exactly; schemes and mentions are still broken, see breakSchemesAndMentions). Only a backtick could end the span early, so it becomes ˋ
 * (U+02CB); the required &, <, > escapes and the line and control handling still apply.
 */
export function slackCode(text: string, max: number): string {
  const escaped = breakSchemesAndMentions(singleLine(text.replace(/`/g, '\u02cb')))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  return `\`${cutEscaped(escaped, max - 2)}\``;
}

/**
 * Adaptive Card TextBlock and FactSet text reads a Markdown subset (emphasis, links, lists):
 * each Markdown character is backslash-escaped and bare links are broken as for Slack. Cut after
 * escaping, never between a backslash and what it escapes. https://adaptivecards.io/explorer/TextBlock.html
 */
export function teamsText(text: string, max: number): string {
  const escaped = breakLinks(singleLine(text))
    .replace(/([\\[\]()*_~`#<>])/g, '\\$1')
    // A list marker counts only at the start of a line, and the text is one line.
    .replace(/^([-+]|\d+[.)])/, '\\$1');
  if (escaped.length <= max) return escaped;
  let cut = truncate(escaped, max).slice(0, -1);
  const trailingBackslashes = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailingBackslashes % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Characters JSON.stringify leaves raw inside strings that still act on a reader: DEL, C1
 * controls, bidi marks, overrides and isolates, line and paragraph separators. (C0 controls are
 * always \u-escaped by JSON.stringify.)
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a body or an email: the same data (a JSON parser reads back identical strings), but
 * with every control and bidi character written as a `\uXXXX` escape, so the raw text shown in a
 * log, a mail client or a terminal carries none of them. `fallback` is used when the value
 * cannot be serialised (nesting past the stack); it must itself serialise.
 */
export function inertJson(value: unknown, fallback: unknown, space?: number): string {
  let text: string;
  try {
    text = JSON.stringify(value, null, space);
  } catch {
    text = JSON.stringify(fallback, null, space);
  }
  return text.replace(
    RAW_IN_JSON,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
