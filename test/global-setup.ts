import { execFileSync } from 'node:child_process';

/** Builds the CLI bundle once, so the tests that run `bin/trailwatch.cjs` test what users run. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
