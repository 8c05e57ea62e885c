/**
 * The index, the raw-text prefilter and the per-rule literal checks only ever skip work: on every
 * real record in the fixtures, with the shipped pack and (when present) the SigmaHQ rules, they
 * must give exactly the matches a full evaluation of every rule gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DetectionRule } from '../../lib/rules';
import { loadRules, RuleEngine, shippedRulesDir } from '../../lib/rules';
import { FIXTURES, SIGMA_FIXTURES } from '../helpers/fixtures';

function fixtureTexts(): string[] {
  const texts: string[] = [];
  for (const name of readdirSync(join(FIXTURES, 'jsonl'))) {
    texts.push(
      ...readFileSync(join(FIXTURES, 'jsonl', name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
  }
  for (const name of readdirSync(join(FIXTURES, 'logs')).filter((n) => n.endsWith('.json'))) {
    const parsed = JSON.parse(readFileSync(join(FIXTURES, 'logs', name), 'utf8')) as { Records: unknown[] };
    texts.push(...parsed.Records.map((record) => JSON.stringify(record)));
  }
  return texts;
}

const SIGMA = join(SIGMA_FIXTURES, 'rules');
const placeholders = {
  wide_permission_roles: [
    'arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AWSAdministratorAccess_*',
  ],
};
const packs: [string, string[]][] = [['the shipped pack', [shippedRulesDir()]]];
packs.push(['the SigmaHQ rules', [SIGMA]]);

function brute(rules: readonly DetectionRule[], record: Record<string, unknown>): string[] {
  return rules
    .filter((rule) => rule.match(record))
    .map((rule) => rule.meta.id)
    .sort();
}

describe('pre-filters never lose a match', () => {
  const texts = fixtureTexts();
  for (const [name, paths] of packs) {
    it(name, () => {
      const { detections } = loadRules(paths, { placeholders });
      const engine = new RuleEngine(detections);
      let matched = 0;
      for (const text of texts) {
        const record = JSON.parse(text) as Record<string, unknown>;
        const expected = brute(detections, record);
        const viaText = engine
          .evaluate(record, text)
          .map((o) => o.rule.meta.id)
          .sort();
        const viaRecord = engine
          .evaluate(record)
          .map((o) => o.rule.meta.id)
          .sort();
        expect(viaText).toEqual(expected);
        expect(viaRecord).toEqual(expected);
        if (expected.length > 0) {
          matched++;
          expect(engine.mayMatchText(text)).toBe(true);
          expect(engine.mayMatchText(JSON.stringify(record, null, 2))).toBe(true);
        }
      }
      expect(matched).toBeGreaterThan(5);
    });
  }
});
