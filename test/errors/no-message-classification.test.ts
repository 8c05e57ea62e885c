import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_YAML_ALIAS_COUNT, parseYamlDocuments } from '../../lib/yaml';

/**
 * Errors are told apart by class (`instanceof`), by `code` or by an SDK error's `name`, never by
 * their message text: a reworded message must not change what the program does. These patterns
 * find the ways text gets read to decide something about an error.
 */
const MESSAGE_TESTS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  {
    what: 'a string test on a message',
    pattern: /\bmessage\??\.(?:includes|match|matchAll|startsWith|endsWith|search|indexOf|lastIndexOf)\(/,
  },
  { what: 'a regular expression run on a message', pattern: /\.(?:test|exec)\([^)]*\bmessage\b/ },
  { what: 'a string test on a stack', pattern: /\bstack\??\.(?:includes|match|startsWith|indexOf)\(/ },
  {
    what: 'a string test on an error turned into text',
    pattern: /String\((?:error|err|e|cause)\)\.(?:includes|match|startsWith|endsWith|indexOf)\(/,
  },
  { what: 'a message compared with a fixed text', pattern: /(?<!typeof )\bmessage\s*[!=]==?\s*['"`]/ },
];

/**
 * Lines that match a pattern but read no error, each with why. Keyed by file and a part of the
 * line's text, so that a moved line stays allowed and a rewritten one is looked at again.
 */
const ALLOWED: readonly { readonly file: string; readonly line: string; readonly why: string }[] = [
  {
    file: 'cli/flags.ts',
    line: "issue.message.startsWith(':')",
    why: 'lays out a zod issue of a flag for display (no space before a message that starts with a colon); it decides no kind of error',
  },
];

function findings(text: string): { line: number; text: string; what: string }[] {
  return text.split('\n').flatMap((line, index) =>
    MESSAGE_TESTS.filter(({ pattern }) => pattern.test(line)).map(({ what }) => ({
      line: index + 1,
      text: line.trim(),
      what,
    })),
  );
}

const LIB = join(import.meta.dirname, '..', '..', 'lib');

function typescriptFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('no lib file classifies an error by its message text', () => {
  it.each([
    ["if (error.message.includes('ENOENT')) return 'missing';"],
    ['if (err.message?.match(/throttl/i)) retry();'],
    ['const alias = /alias count/i.test(error.message);'],
    ["if (message === 'Rate exceeded') wait();"],
    ["if (String(error).includes('timeout')) retry();"],
    ["if (error.stack?.includes('at parse')) return;"],
  ])('the scanner finds %s', (line) => {
    expect(findings(line)).toHaveLength(1);
  });

  it.each([
    ["if (error.name === 'ThrottlingException') retry();"],
    ["return error instanceof TrailError && /Throttl/.test(error.code ?? '');"],
    ["if (error.code === 'RESOURCE_EXHAUSTION') return deep();"],
    ["if (typeof message === 'string') return message;"],
  ])('the scanner lets %s pass', (line) => {
    expect(findings(line)).toEqual([]);
  });

  it('every file under lib/ passes, but for the lines allowed above with their reason', () => {
    const found = typescriptFiles(LIB).flatMap((path) =>
      findings(readFileSync(path, 'utf8')).map((finding) => ({ file: relative(LIB, path), ...finding })),
    );
    const unexplained = found.filter(
      (finding) =>
        !ALLOWED.some((allowed) => allowed.file === finding.file && finding.text.includes(allowed.line)),
    );
    expect(unexplained).toEqual([]);
  });
});

/** The two classifications that read yaml's message text before, now by its code and class. */
describe("yaml's errors are told apart by code and class", () => {
  /** Nine anchors, each a list of nine aliases of the previous one: 9^9 strings. */
  const aliasBomb = [
    'a0: &a0 [x, x, x, x, x, x, x, x, x]',
    ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`),
  ].join('\n');

  it.each([
    [
      'an alias bomb is named as one, at its first alias',
      aliasBomb,
      [
        {
          line: 2,
          message: `aliases expand past ${MAX_YAML_ALIAS_COUNT} nodes (a resource exhaustion "alias bomb"?); write the values out instead`,
        },
      ],
    ],
    [
      'an alias before its anchor is not an alias bomb',
      'a: *later\nb: &later 1\n',
      [
        {
          line: 1,
          message:
            'cannot read the document: Unresolved alias (the anchor must be set before the alias): later',
        },
      ],
    ],
    [
      'nesting that would overflow the composer is refused before it, at its line',
      `${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
      [{ line: 1, message: 'maps and lists nest deeper than 128 levels here' }],
    ],
  ])('%s', (_, text, expected) => {
    const [document] = parseYamlDocuments('x.yml', text);
    expect(document?.syntaxErrors.slice(0, 1)).toEqual(expected);
  });

  it('an alias after its anchor reads as the anchored value', () => {
    const [document] = parseYamlDocuments('x.yml', 'a: &x [1]\nb: *x\n');
    expect([document?.syntaxErrors, document?.value]).toEqual([[], { a: [1], b: [1] }]);
  });
});
