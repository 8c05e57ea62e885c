/**
 * The raw-text prefilter (`RuleEngine.mayMatchText`) may only rule out a record no rule matches.
 * Its fast paths read eventName and eventSource from the text and specialise the pack's tests to
 * them, search a key's values before its literals, and adapt as records go by (reordering, trials):
 * each is held here to the full match of every rule, on the packs' own test events mutated the
 * way real trails and hostile inputs differ (another event's name or source, tool user agents,
 * errors, keys in another order, pretty-printing, \u escapes, duplicate keys).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectionRule } from '../../lib/rules';
import { loadRules, RuleEngine, shippedRulesDir } from '../../lib/rules';
import { SIGMA_FIXTURES } from '../helpers/fixtures';
import { inlineEvents } from '../helpers/rule-equivalence';

const placeholders = {
  wide_permission_roles: [
    'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AWSAdministratorAccess_*',
  ],
  ci_principals: ['arn:aws:iam::*:role/github-actions-*'],
};

/** User agents of offensive and audit tools and ordinary clients, in their usual spellings. */
const USER_AGENTS = [
  'aws-cli/2.15.0 Python/3.11',
  'Boto3/1.34.0 Python/3.11 Botocore/1.34.0',
  'stratus-red-team_4f1c',
  'Pacu-Session-1 Boto3/1.9',
  'ScoutSuite/5.12 Boto3',
  'Scout Suite/5.12',
  'aws-cli/1.18 Python/3.8 Linux/5.10-kali1',
  'APN_1826889',
  'console.amazonaws.com',
];

/** Replaces the `nth` letter inside a JSON string of the text with its \u escape (same parsed value). */
function escapeLetter(text: string, nth: number): string {
  let inString = false;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\' && inString) {
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    else if (inString && /[A-Za-z]/.test(char) && seen++ === nth) {
      return `${text.slice(0, i)}\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}${text.slice(i + 1)}`;
    }
  }
  return text;
}

function packs(): [string, readonly DetectionRule[], Record<string, unknown>[]][] {
  const shipped = loadRules([shippedRulesDir()], { placeholders });
  const sigma = loadRules([join(SIGMA_FIXTURES, 'rules')], { placeholders });
  const events = [...inlineEvents(shipped), ...inlineEvents(sigma)] as unknown as Record<string, unknown>[];
  return [
    ['the shipped pack', shipped.detections, events],
    ['the SigmaHQ rules', sigma.detections, events],
  ];
}

describe('the prefilter never rules out a match, on mutated test events (property)', () => {
  for (const [name, detections, events] of packs()) {
    it(name, () => {
      expect(events.length).toBeGreaterThan(300);
      const names = [...new Set(events.map((event) => event.eventName).filter((v) => typeof v === 'string'))];
      const sources = [
        ...new Set(events.map((event) => event.eventSource).filter((v) => typeof v === 'string')),
      ];
      const mutation = fc.record({
        event: fc.constantFrom(...events),
        eventName: fc.option(fc.constantFrom(...names), { nil: undefined }),
        eventSource: fc.option(fc.constantFrom(...sources), { nil: undefined }),
        userAgent: fc.option(fc.constantFrom(...USER_AGENTS), { nil: undefined }),
        errorCode: fc.option(fc.constantFrom('AccessDenied', 'Client.UnauthorizedOperation', null), {
          nil: undefined,
        }),
        reversed: fc.boolean(),
        indent: fc.constantFrom(0, 0, 2),
        escape: fc.option(fc.nat(400), { nil: undefined }),
        duplicateName: fc.option(fc.constantFrom(...names), { nil: undefined }),
      });
      // One engine for the whole run, as a scan has: its reordering, trials and specialised tests
      // adapt to the records before each one.
      const engine = new RuleEngine(detections);
      let withMatches = 0;
      fc.assert(
        fc.property(mutation, (m) => {
          let record: Record<string, unknown> = { ...m.event };
          if (m.eventName !== undefined) record.eventName = m.eventName;
          if (m.eventSource !== undefined) record.eventSource = m.eventSource;
          if (m.userAgent !== undefined) record.userAgent = m.userAgent;
          if (m.errorCode !== undefined) record.errorCode = m.errorCode;
          if (m.reversed) record = Object.fromEntries(Object.entries(record).reverse());
          let text = JSON.stringify(record, null, m.indent);
          if (m.escape !== undefined) text = escapeLetter(text, m.escape);
          // A second eventName spelled with an escape: JSON.parse keeps it, a plain search misses it.
          if (m.duplicateName !== undefined)
            text = `${text.slice(0, text.lastIndexOf('}'))},"event\\u004eame":${JSON.stringify(m.duplicateName)}}`;
          const parsed = JSON.parse(text) as Record<string, unknown>;
          const matched = detections.filter((rule) => rule.match(parsed)).map((rule) => rule.meta.id);
          if (matched.length > 0) {
            withMatches++;
            expect(engine.mayMatchText(text), matched.join(', ')).toBe(true);
          }
        }),
        { numRuns: 3000 },
      );
      // Not vacuous: a good share of the mutated events still match some rule.
      expect(withMatches).toBeGreaterThan(300);
    });
  }
});
