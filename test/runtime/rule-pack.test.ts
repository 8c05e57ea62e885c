/**
 * A cold start reads the pre-compiled pack named by TRAILWATCH_RULES_PACK, with the placeholders
 * of the deployment's trailwatch.yml, and fails loudly on a pack it cannot read.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRulePack } from '../../lib/rules';
import { ColdStartError } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { ruleDir } from '../helpers/rules';
import { testRuntime } from '../helpers/runtime';

const RULE_ID = '0f1d7d39-0000-4000-8000-0000000000c1';
const rules = ruleDir({
  'ci-change.yml': `title: change outside CI
id: ${RULE_ID}
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: UpdateFunctionCode}
  filter_ci:
    userIdentity.arn|expand: '%ci_principals%'
  condition: selection and not filter_ci
`,
});

function packFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'trailwatch-pack-')), 'rules-pack.json');
  writeFileSync(file, content);
  return file;
}

const built = packFile(JSON.stringify(buildRulePack([rules], rules, 'test')));
const record = (arn: string) => ({
  eventName: 'UpdateFunctionCode',
  eventSource: 'lambda.amazonaws.com',
  userIdentity: { arn },
});

describe('the cold start reads the pre-compiled pack', () => {
  const cases = [
    { name: 'no placeholder configured: the pack as built', config: '', ciMatches: true },
    {
      name: 'the placeholder configured: compiled at load with its values',
      config: 'placeholders:\n  ci_principals: ["arn:aws:iam::*:role/ci"]\n',
      ciMatches: false,
    },
  ];
  for (const { name, config, ciMatches } of cases) {
    it(name, () => {
      const runtime = testRuntime(
        config,
        { state: new MemoryStateStore() },
        { TRAILWATCH_RULES_PACK: built },
      );
      expect(runtime.rules.detections.map((rule) => rule.meta.id)).toEqual([RULE_ID]);
      const [rule] = runtime.rules.detections;
      expect(rule?.match(record('arn:aws:iam::111122223333:role/ci'))).toBe(ciMatches);
      expect(rule?.match(record('arn:aws:iam::111122223333:user/alice'))).toBe(true);
    });
  }

  const refused = [
    {
      name: 'the pre-parsed pack of an earlier build',
      content: '{"version":1,"documents":[]}',
      why: /npm run build/,
    },
    { name: 'a file that is not JSON', content: '{"version":2,', why: /cannot read the rule pack/ },
  ];
  for (const { name, content, why } of refused) {
    it(`refuses ${name}`, () => {
      const file = packFile(content);
      const start = () => testRuntime('', { state: new MemoryStateStore() }, { TRAILWATCH_RULES_PACK: file });
      expect(start).toThrow(ColdStartError);
      expect(start).toThrow(why);
    });
  }
});
