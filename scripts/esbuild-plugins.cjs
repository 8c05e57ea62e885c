// esbuild plugins for the Lambda bundles (serverless.yml custom.esbuild.plugins).
'use strict';

const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
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
 * A build error that also ends the process soon after: serverless-esbuild reports a failed build
 * but leaves the process running (`serverless package` hung until killed, on a syntax error as on
 * a stale pack). The error is answered to esbuild first, so it ends its build cleanly.
 */
function failPackaging(text) {
  process.exitCode = 1;
  setTimeout(() => process.exit(1), EXIT_AFTER_FAILURE_MS).unref();
  return { errors: [{ text }] };
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
      return problem === undefined ? undefined : failPackaging(problem);
    });
  },
};

/**
 * Libraries the functions need only now and then, kept out of the bundle: re2js runs a rule's `|re`
 * value (most records are ruled out before any regex runs) and yaml reads a deployment's
 * trailwatch.yml (none in many deployments: the defaults and the pre-compiled rule pack need no
 * YAML). Together they were 267 KB of a 577 KB bundle, and Node parses and runs every byte of a
 * bundle at cold start: measured side by side, a bundle without them loaded in 99 ms against
 * 112 ms (median of 13 fresh processes each).
 *
 * Each is built once into dist/vendor/<name>.cjs (shipped by serverless.yml's package patterns)
 * and the bundle gets a stand-in module whose exports load that file on first use. The CLI, the
 * tests and `npm run bench`'s scans import the libraries as usual.
 */
const LAZY_LIBRARIES = ['re2js', 'yaml'];
const VENDOR_DIR = join(ROOT, 'dist', 'vendor');

/** What a vendored file was built from: the library's version, esbuild's, and this plugin's format. */
function vendorSource(name) {
  // Read from its folder: a package's `exports` may not expose its package.json.
  const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  return `1 ${name} ${version} esbuild ${require('esbuild').version}`;
}

/**
 * Builds dist/vendor/<name>.cjs unless it was built from the same versions. Written under a
 * temporary name and renamed: functions are bundled in parallel, and the packaging of another one
 * may be zipping the file.
 */
function vendor(name) {
  // The functions are bundled in parallel in one process: the first build of a library is shared.
  let built = vendoring.get(name);
  if (built === undefined) {
    built = buildVendored(name);
    vendoring.set(name, built);
  }
  return built;
}

const vendoring = new Map();

async function buildVendored(name) {
  const out = join(VENDOR_DIR, `${name}.cjs`);
  const stampFile = `${out}.source`;
  const source = vendorSource(name);
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === source) return;
  mkdirSync(VENDOR_DIR, { recursive: true });
  const temporary = `${out}.${process.pid}.${Date.now()}.tmp`;
  // The asynchronous build: buildSync inside a plugin's callback waits on the esbuild service that
  // is running the callback, and never returns.
  await require('esbuild').build({
    entryPoints: [require.resolve(name, { paths: [ROOT] })],
    outfile: temporary,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'warning',
  });
  renameSync(temporary, out);
  writeFileSync(`${temporary}.source`, source);
  renameSync(`${temporary}.source`, stampFile);
}

/**
 * The stand-in for a library: every export the library has (read from it here, at build time) is
 * a getter that requires the vendored file when first read. The bundle sits in functions/, the
 * vendored files in dist/vendor/, as in the zip.
 */
function standIn(name) {
  const names = Object.keys(require(require.resolve(name, { paths: [ROOT] })));
  const file = `require('node:path').join(__dirname, '..', 'dist', 'vendor', ${JSON.stringify(`${name}.cjs`)})`;
  return lazyExports(names, file);
}

/** A module whose named exports are getters that require `target` (an expression) when first read. */
function lazyExports(names, target) {
  return [
    "'use strict';",
    `const target = ${target};`,
    'let loaded;',
    'const load = () => (loaded ??= require(target));',
    `for (const name of ${JSON.stringify(names)})`,
    '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
  ].join('\n');
}

/**
 * Node modules a dependency imports for what the functions never do: @middy/core imports
 * node:stream/web for streamed responses (trailwatch's handlers answer with a value), and loading
 * it cost 2 to 3 ms of every cold start. Its exports become getters, so a streamed response would
 * still find it.
 */
const LAZY_BUILTINS = ['node:stream/web'];

const lazyLibraries = {
  name: 'lazy-libraries',
  setup(build) {
    build.onStart(async () => {
      try {
        for (const name of LAZY_LIBRARIES) await vendor(name);
      } catch (error) {
        return failPackaging(`could not build dist/vendor: ${error.message ?? error}`);
      }
      return undefined;
    });
    const filter = new RegExp(`^(${LAZY_LIBRARIES.join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-library' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-library' }, (args) => ({
      contents: standIn(args.path),
      loader: 'js',
    }));
    const builtins = new RegExp(`^(${LAZY_BUILTINS.join('|')})$`);
    build.onResolve({ filter: builtins }, (args) => ({ path: args.path, namespace: 'lazy-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: lazyExports(Object.keys(require(args.path)), JSON.stringify(args.path)),
      loader: 'js',
    }));
  },
};

module.exports = [rulePackUpToDate, lazyLibraries];
