/**
 * What packaging compares to tell a stale rule pack (scripts/rule-pack-source.cjs): the hash moves
 * with every input that can change what a rule compiles to, and with nothing else.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const { rulePackSource } = createRequire(import.meta.url)('../../scripts/rule-pack-source.cjs') as {
  rulePackSource: (root: string) => string;
};

const TREE: Record<string, string> = {
  'rules/audit/a.yml': 'title: a\n',
  'rules/b.yaml': 'title: b\n',
  'lib/rules/compile.ts': 'export const x = 1;\n',
  'lib/yaml/index.ts': 'export const y = 1;\n',
  'lib/validation/index.ts': 'export const v = 1;\n',
  'scripts/build-rule-pack.mjs': 'const w = 1;\n',
  'scripts/build.mjs': 'const b = 1;\n',
  'lib/cli/main.ts': 'export const z = 1;\n',
  'README.md': '# readme\n',
  'node_modules/yaml/package.json': '{"version":"2.8.0"}',
  'node_modules/zod/package.json': '{"version":"4.1.0"}',
  'node_modules/re2js/package.json': '{"version":"1.1.0"}',
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'trailwatch-pack-source-'));
  roots.push(root);
  for (const [path, text] of Object.entries(TREE)) write(root, path, text);
  return root;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('the rule pack source hash', () => {
  const changes: { name: string; change: (root: string) => void; moves: boolean }[] = [
    { name: 'nothing', change: () => {}, moves: false },
    { name: 'a rule edited', change: (root) => write(root, 'rules/audit/a.yml', 'title: a2\n'), moves: true },
    { name: 'a rule added', change: (root) => write(root, 'rules/c.yml', 'title: c\n'), moves: true },
    {
      name: 'a rule renamed',
      change: (root) => renameSync(join(root, 'rules/b.yaml'), join(root, 'rules/b2.yaml')),
      moves: true,
    },
    {
      name: 'the compiler edited',
      change: (root) => write(root, 'lib/rules/compile.ts', 'export const x = 2;\n'),
      moves: true,
    },
    {
      name: 'the YAML reader edited',
      change: (root) => write(root, 'lib/yaml/index.ts', 'export const y = 2;\n'),
      moves: true,
    },
    {
      name: 'the schema library edited',
      change: (root) => write(root, 'lib/validation/index.ts', 'export const v = 2;\n'),
      moves: true,
    },
    {
      name: "the pack's writer edited",
      change: (root) => write(root, 'scripts/build-rule-pack.mjs', 'const w = 2;\n'),
      moves: true,
    },
    {
      name: 'another build script edited',
      change: (root) => write(root, 'scripts/build.mjs', 'const b = 2;\n'),
      moves: false,
    },
    {
      name: 'zod upgraded',
      change: (root) => write(root, 'node_modules/zod/package.json', '{"version":"4.2.0"}'),
      moves: true,
    },
    {
      name: 'the CLI edited',
      change: (root) => write(root, 'lib/cli/main.ts', 'export const z = 2;\n'),
      moves: false,
    },
    {
      name: 'a note beside the rules',
      change: (root) => write(root, 'rules/NOTES.md', 'notes\n'),
      moves: false,
    },
    { name: 'the README edited', change: (root) => write(root, 'README.md', '# other\n'), moves: false },
  ];
  for (const { name, change, moves } of changes) {
    it(`${moves ? 'moves' : 'stays'} when ${name}`, () => {
      const root = tree();
      const before = rulePackSource(root);
      change(root);
      expect(rulePackSource(root) !== before).toBe(moves);
    });
  }

  it('is the same for the same tree wherever it lies', () => {
    expect(rulePackSource(tree())).toBe(rulePackSource(tree()));
  });
});
