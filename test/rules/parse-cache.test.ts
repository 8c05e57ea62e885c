/**
 * The rule-file parse cache only ever spares work: cold (nothing kept), warm (read back) and with
 * a damaged entry, a file gives the YAML parser's own documents: values, lines, syntax errors and
 * the line of any path. Values JSON cannot carry exactly are never kept.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findRuleFiles, loadRules, shippedRulesDir } from '../../lib/rules';
import { parseRuleFile } from '../../lib/rules/parse-cache';
import type { YamlDocument } from '../../lib/yaml';
import { parseYamlDocuments } from '../../lib/yaml';

let dir: string;
const previous = process.env.TRAILWATCH_PARSE_CACHE;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tw-parse-cache-'));
  process.env.TRAILWATCH_PARSE_CACHE = dir;
});

afterEach(() => {
  if (previous === undefined) delete process.env.TRAILWATCH_PARSE_CACHE;
  else process.env.TRAILWATCH_PARSE_CACHE = previous;
  rmSync(dir, { recursive: true, force: true });
});

/** Every path to a map key or list item of a value, and a few that lead nowhere. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [prefix, [...prefix, 'nowhere']];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) found.push(...paths(item, [...prefix, index]));
  } else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  return found;
}

function same(actual: YamlDocument[], expected: YamlDocument[]): void {
  expect(actual.map(({ lineOf: _, ...rest }) => rest)).toEqual(
    expected.map(({ lineOf: _, ...rest }) => rest),
  );
  expected.forEach((document, index) => {
    for (const path of paths(document.value).slice(0, 60))
      expect(actual[index]?.lineOf(path)).toBe(document.lineOf(path));
  });
}

describe('the rule-file parse cache', () => {
  it('gives the YAML parser documents of shipped rule files, cold and warm', () => {
    const { files } = findRuleFiles([shippedRulesDir()]);
    for (const file of files.slice(0, 20)) {
      const text = readFileSync(file, 'utf8');
      const expected = parseYamlDocuments(file, text);
      same(parseRuleFile(file, text), expected); // cold: parsed and kept
      same(parseRuleFile(file, text), expected); // warm: read back, lines learned
      same(parseRuleFile(file, text), expected); // warm, lines known
    }
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });

  it('keeps nothing JSON cannot carry exactly, and nothing with a syntax error', () => {
    const texts = [
      'title: x\nvalue: .nan\n',
      'title: x\nvalue: -0\n',
      'title: x\nvalue: .inf\n',
      'title: [unclosed\n',
      'a: 1\na: 2\n',
    ];
    for (const text of texts) {
      const expected = parseYamlDocuments('f.yml', text);
      same(parseRuleFile('f.yml', text), expected);
      same(parseRuleFile('f.yml', text), expected);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('parses again when an entry is damaged or from another format', () => {
    const text = 'title: x\ndetection:\n  sel:\n    eventName: A\n  condition: sel\n---\ntitle: y\n';
    const expected = parseYamlDocuments('f.yml', text);
    same(parseRuleFile('f.yml', text), expected);
    const [entry] = readdirSync(dir);
    for (const damage of ['{', '{"format":"0","documents":[]}', '{"format":1}', 'null']) {
      writeFileSync(join(dir, entry as string), damage);
      same(parseRuleFile('f.yml', text), expected);
    }
  });

  it('loads the shipped pack the same with and without it', () => {
    const describeSet = (set: ReturnType<typeof loadRules>) => ({
      rules: set.detections.map((rule) => ({
        meta: rule.meta,
        location: rule.location,
        detection: rule.detection,
      })),
      correlations: set.correlations.map((rule) => rule.meta),
      errors: set.errors.map((error) => error.message),
      warnings: set.warnings,
      files: set.files,
    });
    process.env.TRAILWATCH_PARSE_CACHE = 'off';
    const plain = describeSet(loadRules([shippedRulesDir()]));
    process.env.TRAILWATCH_PARSE_CACHE = dir;
    expect(describeSet(loadRules([shippedRulesDir()]))).toEqual(plain);
    expect(describeSet(loadRules([shippedRulesDir()]))).toEqual(plain);
  });
});
