import { join } from 'node:path';

/**
 * The 57 SigmaHQ CloudTrail rules, read where the compatibility test reads them (third-party rules
 * stay out of this repository); `npm run bench` skips the SigmaHQ row when the folder is absent.
 */
export const SIGMAHQ_RULES = join(import.meta.dirname, '..', '..', 'shared', 'samples', 'sigma', 'rules');
