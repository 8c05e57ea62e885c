/**
 * Compatibility with the SigmaHQ CloudTrail rules, copied verbatim into test/fixtures/sigma (their
 * source and license in test/fixtures/NOTICE.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, RuleEngine } from '../../lib/rules';
import { CRIBL_RECORDS, SIGMA_FIXTURES as SIGMA } from '../helpers/fixtures';

describe('SigmaHQ CloudTrail rules', () => {
  it('all load unmodified and run on real records; fields CloudTrail lacks are warnings', () => {
    const set = loadRules([join(SIGMA, 'rules'), join(SIGMA, 'rules-placeholder')]);
    const records = readFileSync(CRIBL_RECORDS, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const engine = new RuleEngine(set.detections);
    let errors = 0;
    let matches = 0;
    for (const record of records) {
      for (const outcome of engine.evaluate(record)) {
        if (outcome.kind === 'error') errors++;
        else matches++;
      }
    }
    console.info(
      `SigmaHQ compatibility: ${set.detections.length} of ${set.files} rule files loaded, ${set.errors.length} errors; ${records.length} records evaluated, ${matches} matches, ${errors} rule errors`,
    );
    for (const error of set.errors) console.info(`  refused: ${error.toString()}`);
    expect(set.errors).toEqual([]);
    expect(set.detections.length).toBe(set.files);
    // A field no CloudTrail record has (a defect in the rule, or another taxonomy) is named, with its line.
    const impossible = set.warnings.filter((w) => /cannot exist in a CloudTrail record/.test(w.message));
    expect(impossible.length).toBeGreaterThan(0);
    for (const warning of impossible) expect(warning.location.line).toBeGreaterThan(0);
    // With strictFields (rules validate --strict) the same fields are refused.
    const strict = loadRules([join(SIGMA, 'rules'), join(SIGMA, 'rules-placeholder')], {
      strictFields: true,
    });
    expect(strict.errors.length).toBeGreaterThan(0);
    for (const error of strict.errors) expect(error.message).toMatch(/cannot exist in a CloudTrail record/);
    expect(errors).toBe(0);
    expect(matches).toBeGreaterThan(0);
  });

  it("the 'unsupported' ones are refused with a reason, never silently", () => {
    const set = loadRules([join(SIGMA, 'unsupported')]);
    console.info(`SigmaHQ unsupported folder: ${set.detections.length} loaded, ${set.errors.length} refused`);
    for (const error of set.errors) expect(error.toString()).toMatch(/\.yml:\d+: /);
    expect(set.detections.length + set.errors.length).toBeGreaterThanOrEqual(set.files);
  });
});
