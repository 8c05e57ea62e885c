import { basename, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, runRuleTests, shippedRulesDir } from '../../lib/rules';

const dir = shippedRulesDir();
const set = loadRules([dir]);

describe('the shipped rule pack', () => {
  it('loads without errors', () => {
    expect(set.errors.map((e) => e.toString())).toEqual([]);
  });

  it('has the seed rules, all 15 CIS controls and at least 30 more detections', () => {
    const areas = (area: string) =>
      set.detections.filter((r) => relative(dir, r.location.file).startsWith(`${area}/`));
    expect(areas('audit')).toHaveLength(3);
    const cis = areas('cis').map((r) => r.meta.tags.find((t) => /^cis\.aws\.4\.\d+$/.test(t)));
    expect(new Set(cis)).toEqual(new Set(Array.from({ length: 15 }, (_, i) => `cis.aws.4.${i + 1}`)));
    expect(set.detections.length - areas('audit').length - areas('cis').length).toBeGreaterThanOrEqual(30);
  });

  it('gives every rule a unique id, a level, and ATT&CK tags', () => {
    const rules = [...set.detections, ...set.correlations];
    expect(new Set(rules.map((r) => r.meta.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.meta.id, basename(rule.location.file)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(
        rule.meta.tags.some((t) => t.startsWith('attack.')),
        rule.meta.title,
      ).toBe(true);
      expect(rule.meta.description, rule.meta.title).toBeTruthy();
    }
  });

  for (const rule of set.detections) {
    describe(`${relative(dir, rule.location.file)}`, () => {
      it('ships at least one positive and one negative test', () => {
        expect(rule.tests.some((t) => t.expect)).toBe(true);
        expect(rule.tests.some((t) => !t.expect)).toBe(true);
      });
      for (const result of runRuleTests(rule, {})) {
        it(`${result.expect ? 'matches' : 'ignores'}: ${result.name}`, () => {
          expect(result.why ?? '').toBe('');
          expect(result.passed).toBe(true);
        });
      }
    });
  }

  it('resolves every correlation to loaded rules', () => {
    expect(set.correlations.length).toBeGreaterThanOrEqual(5);
    for (const correlation of set.correlations) expect(correlation.ruleIds.length).toBeGreaterThan(0);
  });
});
