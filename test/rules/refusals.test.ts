import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config';
import { loadRules, MAX_CONDITION_DEPTH } from '../../lib/rules';
import { MAX_YAML_ALIAS_COUNT, MAX_YAML_NESTING } from '../../lib/yaml';
import { ruleDir } from '../helpers/rules';

const HEADER = 'title: hostile\nlogsource: {product: aws, service: cloudtrail}\n';

/** Nine anchors, each a list of nine aliases of the previous one: 9^9 (387 million) strings. */
function aliasBomb(indent: string): string {
  const lines = [`${indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let level = 1; level < 9; level++) {
    lines.push(
      `${indent}l${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const DEEP = 20_000;

/**
 * [case, rule file text, the one error it must produce (file:line: message)]. The line is where a
 * person has to look: the first alias, the condition, the item holding the pattern, the deep node.
 */
const ruleRefusals: [string, string, RegExp][] = [
  [
    'an alias bomb',
    `${HEADER}detection:\n  s: {eventName: x}\n  condition: s\nbomb:\n${aliasBomb('  ')}`,
    new RegExp(
      `^r\\.yml:8: YAML: aliases expand past ${MAX_YAML_ALIAS_COUNT} nodes \\(a resource exhaustion "alias bomb"\\?\\)`,
    ),
  ],
  [
    `a condition of ${DEEP} nested parentheses`,
    `${HEADER}detection:\n  s: {eventName: x}\n  condition: ${'('.repeat(DEEP)}s${')'.repeat(DEEP)}\n`,
    new RegExp(
      `^r\\.yml:5: condition: the condition nests 'not' and parentheses deeper than ${MAX_CONDITION_DEPTH} levels at column ${MAX_CONDITION_DEPTH + 1}$`,
    ),
  ],
  [
    `a condition of ${DEEP} nots`,
    `${HEADER}detection:\n  s: {eventName: x}\n  condition: ${'not '.repeat(DEEP)}s\n`,
    new RegExp(
      `^r\\.yml:5: condition: the condition nests 'not' and parentheses deeper than ${MAX_CONDITION_DEPTH} levels at column ${MAX_CONDITION_DEPTH * 4 + 1}$`,
    ),
  ],
  [
    'a condition in a list, nested too deep',
    `${HEADER}detection:\n  s: {eventName: x}\n  condition:\n    - s\n    - ${'not ('.repeat(40)}s${')'.repeat(40)}\n`,
    /^r\.yml:7: condition: the condition nests 'not' and parentheses deeper than 64 levels at column 161$/,
  ],
  [
    `a selection list nested ${DEEP} deep`,
    `${HEADER}detection:\n  s:\n    eventName: ${'['.repeat(DEEP)}x${']'.repeat(DEEP)}\n  condition: s\n`,
    new RegExp(`^r\\.yml:5: YAML: maps and lists nest deeper than ${MAX_YAML_NESTING} levels here$`),
  ],
  [
    'a selection map nested past the limit',
    `${HEADER}detection:\n  s:\n    eventName: ${'{a: '.repeat(MAX_YAML_NESTING)}x${'}'.repeat(MAX_YAML_NESTING)}\n  condition: s\n`,
    new RegExp(`^r\\.yml:5: YAML: maps and lists nest deeper than ${MAX_YAML_NESTING} levels here$`),
  ],
  [
    'a backreference RE2 cannot run',
    `${HEADER}detection:\n  s:\n    eventName: x\n    userAgent|re: '(a)\\1'\n  condition: s\n`,
    /^r\.yml:6: bad regular expression "\(a\)\\\\1": invalid escape sequence: `\\1` \(it uses backreferences/,
  ],
  [
    'a lookahead RE2 cannot run',
    `${HEADER}detection:\n  s:\n    userAgent|re|i:\n      - '^aws-cli'\n      - 'boto(?!3)'\n  condition: s\n`,
    /^r\.yml:5: bad regular expression "boto\(\?!3\)": invalid or unsupported Perl syntax: `\(\?!` \(it uses lookaround/,
  ],
];

describe('hostile rules are refused with file:line', () => {
  it.each(ruleRefusals)('%s', (_name, text, message) => {
    const dir = ruleDir({
      'r.yml': text,
      'ok.yml': `${HEADER}detection: {s: {eventName: y}, condition: s}\n`,
    });
    const set = loadRules([dir]);
    expect(set.errors.map((error) => error.toString().replace(`${dir}/`, ''))).toEqual([
      expect.stringMatching(message),
    ]);
    // The other rule of the folder still loads.
    expect(set.detections.map((rule) => rule.location.file)).toEqual([join(dir, 'ok.yml')]);
  });

  it('conditions up to the depth limit still load and evaluate', () => {
    const depth = MAX_CONDITION_DEPTH;
    const condition = `${'not ('.repeat(depth / 2)}s${')'.repeat(depth / 2)}`;
    const set = loadRules([
      ruleDir({ 'r.yml': `${HEADER}detection:\n  s: {eventName: x}\n  condition: ${condition}\n` }),
    ]);
    expect(set.errors).toEqual([]);
    expect(set.detections[0]?.match({ eventName: 'x' })).toBe(true);
    // An even number of nots: the condition is the selection itself.
    expect(set.detections[0]?.match({ eventName: 'y' })).toBe(false);
  });

  it('a handful of anchors and aliases is fine', () => {
    const set = loadRules([
      ruleDir({
        'r.yml': `${HEADER}detection:\n  a: &names {eventName: [x, y]}\n  b: *names\n  condition: a and b\n`,
      }),
    ]);
    expect(set.errors).toEqual([]);
    expect(set.detections[0]?.match({ eventName: 'y' })).toBe(true);
  });
});

describe('hostile configs are refused with file:line', () => {
  const configRefusals: [string, string, RegExp][] = [
    ['an alias bomb', `placeholders:\n${aliasBomb('  ')}`, /^c\.yml:3: YAML: aliases expand past 100 nodes/],
    [
      'nesting past the limit',
      `placeholders:\n  x: ${'['.repeat(DEEP)}${']'.repeat(DEEP)}\n`,
      new RegExp(`^c\\.yml:2: YAML: maps and lists nest deeper than ${MAX_YAML_NESTING} levels here$`),
    ],
  ];
  it.each(configRefusals)('%s', (_name, text, message) => {
    let thrown: unknown;
    try {
      parseConfig(text, 'c.yml');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown instanceof ConfigError ? thrown.problems : []).toEqual([expect.stringMatching(message)]);
  });
});

/**
 * Loads a rules folder in a child process with a deadline: a loader that blocks on a FIFO would
 * hang the test worker itself (the read is synchronous), so the hang must happen elsewhere.
 */
function loadInChild(dir: string): { status: number | null; output: string } {
  const script = `
    import { loadRules } from ${JSON.stringify(join(process.cwd(), 'lib/rules/index.ts'))};
    const set = loadRules([${JSON.stringify(dir)}]);
    process.stdout.write(JSON.stringify({
      rules: set.detections.length,
      errors: set.errors.map(String),
      warnings: set.warnings.map((w) => w.location.file + ': ' + w.message),
    }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    timeout: 20_000,
    encoding: 'utf8',
  });
  return { status: child.status, output: child.stdout };
}

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

describe('special files in a rules folder', () => {
  it.skipIf(!hasMkfifo)('a FIFO is skipped with a warning naming it, not read (no hang)', () => {
    const dir = ruleDir({ 'a.yml': `${HEADER}detection: {s: {eventName: x}, condition: s}\n` });
    const fifo = join(dir, 'b-pipe.yml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const { status, output } = loadInChild(dir);
    expect(status).toBe(0);
    expect(JSON.parse(output)).toEqual({
      rules: 1,
      errors: [],
      warnings: [`${fifo}: skipped: a FIFO (named pipe); rules are read only from regular files`],
    });
  });

  it('a symbolic-link loop is followed once', () => {
    const dir = ruleDir({ 'a.yml': `${HEADER}detection: {s: {eventName: x}, condition: s}\n` });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(
      join(dir, 'sub', 'b.yml'),
      `${HEADER}id: b\ndetection: {s: {eventName: y}, condition: s}\n`,
    );
    symlinkSync(dir, join(dir, 'sub', 'back-to-top'));
    const set = loadRules([dir]);
    expect(set.errors).toEqual([]);
    expect(set.detections).toHaveLength(2);
    expect(set.files).toBe(2);
  });
});

describe('several hostile files in one load', () => {
  it('files nested too deep are each refused with their line, and the good ones still load', () => {
    // yaml's composer recurses: such a file overflowed the stack, and the second overflow in one
    // process aborted it ("FATAL ERROR: RegExpCompiler Allocation failed"): nothing after it ran.
    const flowRule = (value: string): string =>
      `{"title": "hostile", "logsource": {"product": "aws"}, "detection": {"s": {"eventName": ${value}}, "condition": "s"}}\n`;
    const dir = ruleDir({
      'a-deep-list.yml': `${'['.repeat(DEEP)}x${']'.repeat(DEEP)}\n`,
      'b-deep-map.yml': flowRule(`${'{"a": '.repeat(DEEP)}1${'}'.repeat(DEEP)}`),
      'c-deep-list.yml': flowRule(`${'['.repeat(DEEP)}1${']'.repeat(DEEP)}`),
      'd-good.yml': `${HEADER}detection: {s: {eventName: x}, condition: s}\n`,
    });
    const { status, output } = loadInChild(dir);
    expect(status).toBe(0);
    const loaded = JSON.parse(output) as { rules: number; errors: string[] };
    expect(loaded.rules).toBe(1);
    expect(loaded.errors).toEqual([
      expect.stringMatching(/a-deep-list\.yml:1: YAML: maps and lists nest /),
      expect.stringMatching(/b-deep-map\.yml:1: YAML: maps and lists nest /),
      expect.stringMatching(/c-deep-list\.yml:1: YAML: maps and lists nest /),
    ]);
  });
});
