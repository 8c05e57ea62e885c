// esbuild plugins for the Lambda bundles (serverless.yml custom.esbuild.plugins).
'use strict';

const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { rulePackSource } = require('./rule-pack-source.cjs');

const ROOT = join(__dirname, '..');
const RULE_PACK = join(ROOT, 'dist', 'rules-pack.json');
/** Long enough for esbuild to finish the failed build and serverless to print its error. */
const EXIT_AFTER_FAILURE_MS = 2000;

/** The `source` a built pack records, or undefined when there is none (or not one of this format). */
function packedSource() {
  try {
    return JSON.parse(readFileSync(RULE_PACK, 'utf8')).source;
  } catch {
    return undefined;
  }
}

/**
 * The functions ship dist/rules-pack.json, the rules compiled by `npm run build`
 * (lib/rules/pack.ts). A pack built from other rules, another compiler or another library version
 * than the tree being packaged would put rules in Lambda that nobody validated: it is rebuilt
 * before bundling (scripts/build-rule-pack.mjs), and packaging fails if a rule does not load.
 */
const rulePackUpToDate = {
  name: 'rule-pack-up-to-date',
  setup(build) {
    build.onStart(() => {
      const source = rulePackSource(ROOT);
      if (packedSource() === source) return undefined;
      let problem;
      try {
        execFileSync(process.execPath, [join('scripts', 'build-rule-pack.mjs')], {
          cwd: ROOT,
          stdio: 'pipe',
        });
        if (packedSource() !== source)
          problem = `${RULE_PACK} does not match the rules and compiler of this tree`;
      } catch (error) {
        problem = `the rule pack is stale and cannot be rebuilt:\n${error.stderr ?? error}`;
      }
      if (problem === undefined) return undefined;
      // Exited soon after: serverless-esbuild reports a failed build but leaves the process running
      // (`serverless package` hung until killed, on a syntax error as on this), and a stale pack
      // must stop packaging. The error is answered to esbuild first, so it ends its build cleanly.
      process.exitCode = 1;
      setTimeout(() => process.exit(1), EXIT_AFTER_FAILURE_MS).unref();
      return { errors: [{ text: problem }] };
    });
  },
};

module.exports = [rulePackUpToDate];
