/**
 * What `npm pack` would publish: the CLI bundle, its bin and the rule pack, and no source map
 * (scripts/build.mjs writes one only with TRAILWATCH_SOURCEMAP=1; package.json `files` leaves any
 * out). The vitest global setup has just built dist/ the default way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './package';

interface PackedFile {
  readonly path: string;
}

function isPackReport(value: unknown): value is { files: PackedFile[] }[] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry: unknown) =>
        typeof entry === 'object' &&
        entry !== null &&
        'files' in entry &&
        Array.isArray(entry.files) &&
        entry.files.every(
          (file: unknown) =>
            typeof file === 'object' && file !== null && 'path' in file && typeof file.path === 'string',
        ),
    )
  );
}

/** The paths `npm pack` would put in the tarball; scripts off, so it packs dist/ as built. */
function packedPaths(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const report: unknown = JSON.parse(output);
  if (!isPackReport(report)) throw new Error(`npm pack --json printed no file list: ${output.slice(0, 200)}`);
  return report.flatMap((entry) => entry.files.map((file) => file.path));
}

describe('the npm package', () => {
  it('ships the CLI bundle, its bin and the rule pack, and no source map', () => {
    const paths = packedPaths();
    expect(paths).toEqual(
      expect.arrayContaining(['bin/trailwatch.cjs', 'dist/trailwatch.cjs', 'dist/rules-pack.json']),
    );
    expect(paths.filter((path) => path.endsWith('.map'))).toEqual([]);
  });

  it('builds no map by default, and the bundle links none', () => {
    expect(existsSync(join(ROOT, 'dist', 'trailwatch.cjs.map'))).toBe(false);
    expect(readFileSync(join(ROOT, 'dist', 'trailwatch.cjs'), 'utf8')).not.toMatch(/sourceMappingURL/);
  });
});
