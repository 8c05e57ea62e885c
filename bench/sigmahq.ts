import { join } from 'node:path';

/**
 * The 57 SigmaHQ CloudTrail rules, from the test fixtures (SigmaHQ/sigma @ 8eaafff1, Detection Rule
 * License 1.1; see test/fixtures/NOTICE.md).
 */
export const SIGMAHQ_RULES = join(import.meta.dirname, '..', 'test', 'fixtures', 'sigma', 'rules');
