/** `rules validate`: a field no CloudTrail record has is a warning, an error with --strict. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { ruleDir } from '../helpers/rules';

const RULE = `title: Deleted SAML provider (a field CloudTrail lacks)
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventSource: iam.amazonaws.com
    eventName: DeleteSAMLProvider
    status: success
  condition: selection
`;

describe('rules validate and fields no CloudTrail record can hold', () => {
  it.each([
    [[], 0, /r\.yml:\d+: warning: field 'status' cannot exist in a CloudTrail record/],
    [['--strict'], 1, /r\.yml:\d+: field 'status' cannot exist in a CloudTrail record/],
  ])('%j exits %i and names the field with its line', async (flags, code, message) => {
    const dir = ruleDir({ 'r.yml': RULE });
    const run = await runCli(['rules', 'validate', ...flags, dir]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});
