// Bundles the CLI into one CommonJS file so `npx trailwatch` starts fast and needs no TypeScript
// loader, and pre-compiles the shipped rule pack so Lambda skips YAML parsing, the rule schema and
// most of the compiler at cold start (lib/rules/pack.ts). A rule that does not load fails the build.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * No source map unless TRAILWATCH_SOURCEMAP=1: the linked map was 8.7 MB, more than the bundle,
 * and nothing reads it unless Node runs with --enable-source-maps. The bundle is not minified, so
 * a stack trace without it still names each function, at a line of dist/trailwatch.cjs under a
 * `// lib/<folder>/<file>.ts` comment that says which source it came from. A map left by a
 * debugging build is removed, so it is never packed (package.json `files` leaves maps out too).
 */
const withSourceMap = process.env.TRAILWATCH_SOURCEMAP === '1';

await build({
  entryPoints: ['lib/cli/main.ts'],
  outfile: 'dist/trailwatch.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: withSourceMap ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
  // The sources are ES modules; in the CommonJS bundle the module's folder is __dirname.
  define: { 'import.meta.dirname': '__dirname' },
  // DuckDB (`trailwatch hunt`) is a native addon: it cannot be bundled, so it is required from
  // node_modules (a dependency), and only when a hunt runs (lib/hunt/duckdb.ts imports it lazily).
  external: ['@duckdb/node-api'],
});

if (!withSourceMap) rmSync('dist/trailwatch.cjs.map', { force: true });

// The rule pack is compiled by its own script, which packaging also runs when the pack is stale.
await import('./build-rule-pack.mjs');
