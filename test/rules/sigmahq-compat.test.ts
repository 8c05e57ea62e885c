/**
 * Compatibility with the SigmaHQ CloudTrail rules, read from ../shared/samples/sigma (not copied:
 * third-party rules stay out of this repository). Skipped where that folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, RuleEngine } from '../../lib/rules';

const SAMPLES = join(import.meta.dirname, '..', '..', '..', 'shared', 'samples');
const SIGMA = join(SAMPLES, 'sigma');
const present = existsSync(join(SIGMA, 'rules'));
if (!present) console.warn(`SigmaHQ compatibility check skipped: ${SIGMA} not found`);

describe.skipIf(!present)('SigmaHQ CloudTrail rules', () => {
  it('load unmodified and run on real records; the ones naming fields CloudTrail lacks are refused', () => {
    const set = loadRules([join(SIGMA, 'rules'), join(SIGMA, 'rules-placeholder')]);
    const records = readFileSync(
      join(SAMPLES, 'cribl-aws-cloudtrail-logs', 'cribl-aws-cloudtrail-logs.jsonl'),
      'utf8',
    )
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
    // Each refusal is a field no CloudTrail record has (a defect in the rule, or another taxonomy).
    for (const error of set.errors) expect(error.message).toMatch(/cannot exist in a CloudTrail record/);
    expect(set.detections.length).toBeGreaterThanOrEqual(set.files - 2);
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
