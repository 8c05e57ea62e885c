import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Builds the CLI bundle once, so the tests that run `bin/trailwatch.cjs` test what users run; and
 * gives the run its own temporary folder, removed when it ends. Many tests make scratch folders
 * (rule files, configs, unpacked zips, CLI runs) in os.tmpdir(): one run left over a thousand of
 * them behind. The workers and every process they start inherit TMPDIR, which os.tmpdir() reads.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const scratch = mkdtempSync(join(tmpdir(), 'trailwatch-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  };
}
