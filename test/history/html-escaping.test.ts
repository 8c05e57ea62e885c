import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BacktestReport, RuleReport } from '../../lib/history';
import { escapeHtml, renderBacktestHtml } from '../../lib/history';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  'javascript:alert(1)',
  '</title><script>x</script>',
  ']]><svg onload=alert(1)>',
  '&lt;already escaped&gt;',
  'evil\u202etxt.exe\x1b[31m',
];

function rule(title: string, principal: string, id = 'r1'): RuleReport {
  return {
    id,
    title,
    level: 'high',
    kind: 'detection',
    alerts: 3,
    afterDedup: 2,
    deduplicated: 1,
    suppressed: 0,
    perDay: { '2026-11-01': { alerts: 3, afterDedup: 2 } },
    topPrincipals: [{ principal, alerts: 3 }],
    topPeople: [
      { name: principal, known: true, alerts: 2 },
      { name: principal, known: false, alerts: 1 },
    ],
  };
}

function report(text: string): BacktestReport {
  return {
    source: text,
    since: '2026-11-01T00:00:00Z',
    until: '2026-11-02T00:00:00Z',
    accounts: [text],
    regions: [text],
    objects: { listed: 1, read: 1, skipped: 0, bytes: 10 },
    records: 3,
    alerts: 3,
    afterDedup: 2,
    days: ['2026-11-01'],
    rules: [rule(text, text), rule(`${text}-2`, text, text)],
    problems: [text],
    problemCount: 1,
    ruleErrors: 0,
  };
}

/** Every tag the page is built from; any other is text that escaped its escaping. */
const OWN_TAGS = new Set(
  'html head meta title style body h1 h2 p code table tr th td figure figcaption svg line text rect ul li span div'.split(
    ' ',
  ),
);
/** Every attribute the page sets; none takes a URL or a script. */
const OWN_ATTRIBUTES = new Set(
  'lang charset class style xmlns role width height viewbox x y x1 y1 x2 y2 stroke text-anchor font-size fill transform'.split(
    ' ',
  ),
);

function structure(page: string): { tags: Set<string>; attributes: Set<string> } {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  for (const [, name, rest] of page.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    tags.add((name ?? '').toLowerCase());
    for (const [, attribute] of (rest ?? '').matchAll(/([\w-]+)="[^"]*"/g)) {
      attributes.add((attribute ?? '').toLowerCase());
    }
  }
  return { tags, attributes };
}

describe('the HTML report escapes everything it takes from rules and events', () => {
  it.each(HOSTILE)('%s stays text', (text) => {
    const page = renderBacktestHtml(report(text));
    const { tags, attributes } = structure(page);
    expect([...tags].filter((tag) => !OWN_TAGS.has(tag))).toEqual([]);
    expect([...attributes].filter((attribute) => !OWN_ATTRIBUTES.has(attribute))).toEqual([]);
    expect(page).not.toMatch(/<script/i);
    expect(page.match(/="[^"]*javascript:[^"]*"/i)).toBeNull();
    // Bidi overrides and escapes show as text.
    expect(page).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(page.includes('\x1b')).toBe(false);
  });

  it('escapes the five HTML specials and shows controls', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(escapeHtml('a\u202eb\x1bc')).toBe('a\\u202eb\\x1bc');
  });

  it('property: any text in any field leaves the page structure unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const { tags, attributes } = structure(renderBacktestHtml(report(text)));
        expect([...tags].filter((tag) => !OWN_TAGS.has(tag))).toEqual([]);
        expect([...attributes].filter((attribute) => !OWN_ATTRIBUTES.has(attribute))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
