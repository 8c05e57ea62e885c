import { neutralizeControl } from '../text';

/**
 * Every text in the report comes from rules and events: escaped wherever it lands. The five HTML
 * specials are entities (so text cannot open a tag or leave a quoted attribute), and control and bidi
 * characters are shown as escapes (`neutralizeControl`), so an override cannot make a rule title read
 * backwards. The report builds no link from data: no `href`, `src` or script takes a value from it.
 */
export function escapeHtml(text: string): string {
  return neutralizeControl(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
