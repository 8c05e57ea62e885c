// Bundles the CLI into one CommonJS file so `npx trailwatch` starts fast and needs no TypeScript
// loader, and pre-compiles the shipped rule pack so Lambda skips YAML parsing, the rule schema and
// most of the compiler at cold start (lib/rules/pack.ts). A rule that does not load fails the build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/cli/main.ts'],
  outfile: 'dist/trailwatch.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // The sources are ES modules; in the CommonJS bundle the module's folder is __dirname.
  define: { 'import.meta.dirname': '__dirname' },
});

const { buildRulePack } = await import('../dist/trailwatch.cjs');
const { rulePackSource } = createRequire(import.meta.url)('./rule-pack-source.cjs');
mkdirSync('dist', { recursive: true });
writeFileSync('dist/rules-pack.json', JSON.stringify(buildRulePack(['rules'], '.', rulePackSource('.'))));
