import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where trailwatch's own rules live: `rules/` at the package root, found from this module upwards. */
export function shippedRulesDir(): string {
  const override = process.env.TRAILWATCH_RULES_DIR;
  if (override) return override;
  // The CLI bundle sits in dist/, the sources in lib/rules/: walk up to the package root either way.
  let dir = import.meta.dirname;
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return join(dir, 'rules');
    dir = dirname(dir);
  }
  throw new Error('cannot find the shipped rules folder; set TRAILWATCH_RULES_DIR');
}
