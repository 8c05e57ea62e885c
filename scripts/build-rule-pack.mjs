// Compiles the shipped rules into dist/rules-pack.json, what the Lambda functions read at cold start
// (lib/rules/pack.ts says what it holds). Exits 1, naming every rule that does not load, without
// writing a pack. Run by scripts/build.mjs, and by packaging when the pack is stale
// (scripts/esbuild-plugins.cjs): it bundles only the rule compiler, not the CLI, so it is quick.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { rulePackSource } = require('./rule-pack-source.cjs');

/**
 * JSON with every character past ASCII written as a \u escape. One such character (a '…' in a
 * description) made Node read the whole 520 KB pack into a two-byte string, which decodes and
 * parses slower: measured in fresh processes, read and parse took 29-30 ms, the escaped pack
 * 20-23 ms, of every cold start. JSON.parse gives back the same values.
 */
function asciiJson(value) {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const scratch = mkdtempSync(join(tmpdir(), 'trailwatch-rule-pack-'));
try {
  const builder = join(scratch, 'pack-build.cjs');
  await build({
    entryPoints: [join(root, 'lib', 'rules', 'pack-build.ts')],
    outfile: builder,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    // The sources are ES modules; in the CommonJS bundle the module's folder is __dirname.
    define: { 'import.meta.dirname': '__dirname' },
  });
  const { buildRulePack, RulePackBuildError } = require(builder);
  let pack;
  try {
    pack = buildRulePack([join(root, 'rules')], root, rulePackSource(root));
  } catch (error) {
    if (!(error instanceof RulePackBuildError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
  if (pack) {
    // Written aside and renamed: a packaging running at the same time reads the old pack or the
    // new one, never half of one.
    mkdirSync(join(root, 'dist'), { recursive: true });
    const written = join(root, 'dist', `.rules-pack.${process.pid}.json`);
    writeFileSync(written, asciiJson(pack));
    renameSync(written, join(root, 'dist', 'rules-pack.json'));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
