/** Cuts text to `max` characters, marking the cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * Makes an event-derived string inert in Slack mrkdwn: `&`, `<`, `>` are escaped as Slack requires,
 * which also disarms `<!channel>`, `<@U…>` and `<url|text>` links; plain `@here`-style mentions
 * and bare URLs are broken with a zero-width space so Slack neither pings nor links them.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function slackEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)/gi, '@\u200b$1')
    .replace(/:\/\//g, ':\u200b//');
}

/** Escapes, then cuts without leaving half an entity (`&am…`) at the end. */
export function slackText(text: string, max: number): string {
  const escaped = slackEscape(text);
  if (escaped.length <= max) return escaped;
  let cut = truncate(escaped, max).slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp > cut.length - 6 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** A value inside a Slack code span: backticks would end the span, so they become a look-alike. */
export function slackCode(text: string, max: number): string {
  return `\`${slackText(text.replace(/`/g, 'ˋ'), max - 2)}\``;
}

/** One line of plain text: control characters (CR, LF, escapes) could forge lines or terminal codes. */
export function singleLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** Printable ASCII only, on one line: what an SNS email subject can carry intact. */
export function asciiLine(text: string): string {
  return singleLine(text).replace(/[^\x20-\x7e]/g, '?');
}
