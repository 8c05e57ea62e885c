/**
 * Every schema is built with zod/mini through lib/validation: classic zod in a Lambda bundle cost
 * about 410 KB of its 720 KB and tens of milliseconds of every cold start (lib/validation says
 * why). Checked two ways: no source imports zod but lib/validation, and esbuild, bundling each
 * function as serverless.yml does, takes no file of classic zod.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** `from 'zod'`, `from "zod/v4"`, `require('zod')`: any import of the package or its subpaths. */
const ZOD_IMPORT = /(?:from\s+|require\(\s*|import\(\s*)['"]zod(?:\/[^'"]*)?['"]/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('one zod API', () => {
  it('no source but lib/validation imports zod', () => {
    const importing = [...sources(join(ROOT, 'lib')), ...sources(join(ROOT, 'functions'))]
      .filter((file) => ZOD_IMPORT.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(importing).toEqual(['lib/validation/index.ts']);
  });

  it.each(['s3', 'sns', 'logs', 'eventbridge', 'queue', 'trail'])(
    'the %s function bundles no classic zod',
    async (fn) => {
      const result = await build({
        entryPoints: [join(ROOT, 'functions', `${fn}.ts`)],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'cjs',
        mainFields: ['module', 'main'],
        external: ['@aws-sdk/*'],
        define: { 'import.meta.dirname': '__dirname' },
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.some((input) => input.includes('node_modules/zod/v4/mini/'))).toBe(true);
      expect(inputs.filter((input) => /node_modules\/zod\/(v4\/classic|v3)\//.test(input))).toEqual([]);
    },
    60_000,
  );
});
