// What dist/rules-pack.json is built from, as one hash: scripts/build.mjs writes it into the pack,
// and packaging (scripts/esbuild-plugins.cjs) rebuilds a pack whose hash no longer matches the tree.
'use strict';

const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

/**
 * The rule files, the compiler's sources (a changed compiler may compile the same rule otherwise),
 * the script that writes the pack (its format) and the versions of the libraries that parse,
 * validate and match rules.
 */
const SOURCES = [
  { dir: 'rules', file: /\.ya?ml$/i },
  { dir: join('lib', 'rules'), file: /\.ts$/ },
  { dir: join('lib', 'yaml'), file: /\.ts$/ },
  { dir: join('lib', 'validation'), file: /\.ts$/ },
  { dir: 'scripts', file: /^build-rule-pack\.mjs$/ },
];
const LIBRARIES = ['yaml', 'zod', 're2js'];

function filesUnder(dir, pattern) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** A hex SHA-256 over each source's path (from `root`, with /) and text, in path order. */
function rulePackSource(root) {
  const hash = createHash('sha256');
  const files = SOURCES.flatMap(({ dir, file }) => filesUnder(join(root, dir), file))
    .map((path) => ({ path, name: relative(root, path).split(sep).join('/') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { path, name } of files) {
    hash.update(`${name}\0${readFileSync(path, 'utf8')}\0`);
  }
  for (const library of LIBRARIES) {
    const { version } = JSON.parse(readFileSync(join(root, 'node_modules', library, 'package.json'), 'utf8'));
    hash.update(`${library}@${version}\0`);
  }
  return hash.digest('hex');
}

module.exports = { rulePackSource };
