/**
 * `trailwatch rules validate|test|list`, `scan --rules` and `config validate` attacked with fuzzed
 * YAML: mutated copies of the shipped rules, YAML-ish token soup, odd placeholder and destination
 * names. Every failure must be a located error (`file:line`), never a crash, a stack trace or a
 * hang, and nothing a rule says may reach the terminal as a control character.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRules, shippedRulesDir } from '../../lib/rules';
import { hasControl } from '../../lib/text';
import { runCli } from '../helpers/cli';
import { BASE_PROBE, hostileString } from './arbitraries';

const SHIPPED = shippedRulesDir();
const SHIPPED_FILES: readonly string[] = readdirSync(SHIPPED, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.yml'))
  .map((name) => readFileSync(join(SHIPPED, name), 'utf8'));

/** Pieces of YAML syntax and hostile values that a mutation splices into a rule. */
const YAML_TOKENS = [
  '&a ',
  '*a',
  '<<: *a',
  '!!js/function "x"',
  '!!binary',
  '!!python/object:os.system',
  '? ',
  '{',
  '}',
  '[',
  ']',
  ': ',
  '- ',
  '|',
  '>',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '\t',
  '\n  ',
  '#',
  '"',
  "'",
  '\\',
  '%__proto__%',
  '%constructor%',
  '|re',
  '|re: "(a+)+$"',
  '|re: "(?<=x)y"',
  '|contains|all',
  '|base64offset',
  '|cidr: 999.1.1.1/99',
  '|gt: []',
  '|fieldref: __proto__',
  '|expand',
  '1 of them',
  'all of sel*',
  'not not not',
  '((((((((',
  '__proto__:',
  'constructor:',
  'toString:',
  'condition: ',
  'correlation: {type: event_count, rules: [x], group-by: [a], timespan: 1h, condition: {gte: 1}}',
  '\u001b[31m',
  '\u0000',
  '\ufeff',
  '\ud800',
  '\u202e',
];

/** A mutation of a real rule: delete a span, insert tokens, duplicate or swap lines. */
const mutatedRule = fc
  .tuple(
    fc.constantFrom(...SHIPPED_FILES),
    fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          text: fc.constantFrom(...YAML_TOKENS),
        }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: hostileString }),
        fc.record({
          kind: fc.constant('delete' as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 20 }),
        }),
        fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([text, mutations]) => {
    let result = text;
    for (const mutation of mutations) {
      if (mutation.kind === 'insert') {
        const at = mutation.at % (result.length + 1);
        result = result.slice(0, at) + mutation.text + result.slice(at);
      } else if (mutation.kind === 'delete') {
        const at = mutation.at % (result.length + 1);
        result = result.slice(0, at) + result.slice(at + mutation.length);
      } else {
        const lines = result.split('\n');
        const a = mutation.at % lines.length;
        const b = mutation.with % lines.length;
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        result = lines.join('\n');
      }
    }
    return result;
  });

/** Token soup: YAML-ish text with no rule underneath. */
const yamlSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...YAML_TOKENS),
      fc.constantFrom('title', 'detection', 'x', 'eventName', '1', 'null'),
    ),
    {
      maxLength: 40,
    },
  )
  .map((tokens) => tokens.join(''));

/**
 * The placeholders examples/trailwatch.yml defines, each with one shipped rule that expands it. The
 * configuration attacks run against these few real rules instead of the whole pack: what is under
 * attack is the configuration's text, and compiling 200-odd rules per run (about 0.5 s) made those
 * tests slow enough to time out under load without testing anything more.
 */
const PLACEHOLDERS = [
  'wide_permission_roles',
  'audited_people',
  'ci_principals',
  'approved_regions',
  'trusted_accounts',
];
const PLACEHOLDER_RULES = new Set(
  PLACEHOLDERS.map((placeholder) => {
    const rule = SHIPPED_FILES.find((text) => text.includes(`'%${placeholder}%'`));
    if (rule === undefined) throw new Error(`no shipped rule expands %${placeholder}%`);
    return rule;
  }),
);
const PLACEHOLDER_RULES_DIR = mkdtempSync(join(tmpdir(), 'trailwatch-attack-placeholder-rules-'));
for (const [index, rule] of [...PLACEHOLDER_RULES].entries())
  writeFileSync(join(PLACEHOLDER_RULES_DIR, `rule-${index}.yml`), rule);
/** A configuration's `rules:` that loads those rules alone. */
const FEW_RULES = `rules: {shipped: false, paths: [${JSON.stringify(PLACEHOLDER_RULES_DIR)}]}\n`;

const EMPTY_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'trailwatch-attack-rulecfg-'));
const EMPTY_CONFIG = join(EMPTY_CONFIG_DIR, 'trailwatch.yml');
writeFileSync(
  EMPTY_CONFIG,
  'rules: {shipped: false}\nplaceholders: {wide_permission_roles: ["arn:aws:iam::*:role/Admin"]}\n',
);

/** stderr: no stack trace, every line inert and, for errors about the rule file, located. */
function expectLocatedErrors(stderr: string, file: string): void {
  expect(stderr).not.toMatch(/\n\s+at |Maximum call stack|RangeError|TypeError|Cannot read prop/);
  for (const line of stderr.split('\n').filter((l) => l !== '')) {
    expect(hasControl(line)).toBe(false);
    if (line.includes(file))
      expect(line).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(:\\d+)+: `));
  }
}

function expectInertStdout(stdout: string): void {
  for (const line of stdout.split('\n')) expect(hasControl(line)).toBe(false);
}

async function attackWith(text: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-rule-'));
  const file = join(dir, 'rule.yml');
  writeFileSync(file, text);
  for (const command of ['validate', 'test', 'list']) {
    const run = await runCli(['rules', command, dir, '--config', EMPTY_CONFIG]);
    expect([0, 1]).toContain(run.code);
    expectLocatedErrors(run.stderr, file);
    expectInertStdout(run.stdout);
  }
  const records = join(dir, 'records.jsonl');
  writeFileSync(records, `${JSON.stringify({ ...BASE_PROBE, eventID: 'r1' })}\n`);
  const scan = await runCli(['scan', records, '--rules', dir, '--config', EMPTY_CONFIG]);
  // A folder whose every rule was refused leaves nothing to scan for: a usage error, said so.
  if (scan.code === 2) expect(scan.stderr).toMatch(/no rules loaded/);
  else expect([0, 1]).toContain(scan.code);
  expectLocatedErrors(scan.stderr, file);
  expectInertStdout(scan.stdout);
}

describe('hostile rule files', () => {
  it('mutated shipped rules are located errors or load, never a crash', async () => {
    await fc.assert(fc.asyncProperty(mutatedRule, attackWith), { numRuns: 150 });
  }, 60_000);

  it('YAML token soup is a located error or loads, never a crash', async () => {
    await fc.assert(fc.asyncProperty(yamlSoup, attackWith), { numRuns: 100 });
  }, 60_000);

  it('titles and test names with terminal escapes print inert in rules test and rules list', async () => {
    const rule = `title: "t\\u001b[2J\\u001b]8;;http://evil\\u0007x"
id: 5b0e7f6e-0000-4000-8000-00000000c001
level: high
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: "X\\u001b[31m"}, condition: s}
tests:
  - {name: "n\\u001b]8;;x\\u0007\\r\\nPASS forged", expect: true, event: {eventName: Y}}
  - {name: "ok\\u202e", expect: false, event: {eventName: Y}}
`;
    await attackWith(rule);
  });

  it.each([
    ['rules that reference fields only present in arrays', 'resources.ARN|contains: "x"'],
    ['a field named like an Object method', 'userIdentity.toString|exists: true'],
    [
      'a huge list of values',
      `eventName: [${Array.from({ length: 20_000 }, (_, i) => `"E${i}"`).join(',')}]`,
    ],
    ['a huge wildcard value', `eventName: "${'*a'.repeat(20_000)}"`],
  ])('%s', async (_name, selection) => {
    await attackWith(`title: t
id: 5b0e7f6e-0000-4000-8000-00000000c002
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  s:
    ${selection}
  condition: s
`);
  });
});

describe('hostile configurations', () => {
  it('run against real shipped rules, one per placeholder of the example, that load and expand', async () => {
    const set = loadRules([PLACEHOLDER_RULES_DIR], { placeholders: { wide_permission_roles: ['x'] } });
    expect(set.errors).toEqual([]);
    expect(set.detections).toHaveLength(PLACEHOLDER_RULES.size);
    const example = `${readFileSync(join(__dirname, '../../examples/trailwatch.yml'), 'utf8')}${FEW_RULES}`;
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-excfg-'));
    writeFileSync(join(dir, 'trailwatch.yml'), example);
    const run = await runCli(['config', 'validate', '--config', join(dir, 'trailwatch.yml')]);
    expect(run.code).toBe(0);
  });

  const oddNames = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', '0'),
    hostileString,
  );

  it('odd placeholder and destination names are data or located errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        oddNames,
        oddNames,
        fc.constantFrom('validate', 'scan'),
        async (placeholder, destination, command) => {
          const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-cfg-'));
          const config = join(dir, 'trailwatch.yml');
          const q = (text: string): string => JSON.stringify(text);
          writeFileSync(
            config,
            `${FEW_RULES}placeholders:
  ${q(placeholder)}: [x]
  wide_permission_roles: [${q(placeholder)}]
destinations:
  ${q(destination)}: {type: webhook, url: {env: HOOK_${'x'}}}
routing:
  defaults: {high: [${q(destination)}], critical: [${q(destination)}]}
`,
          );
          const records = join(dir, 'r.jsonl');
          writeFileSync(records, `${JSON.stringify({ ...BASE_PROBE, eventID: 'c1' })}\n`);
          const run =
            command === 'validate'
              ? await runCli(['config', 'validate', '--config', config])
              : await runCli(['scan', records, '--config', config]);
          expect([0, 1, 2]).toContain(run.code);
          expectLocatedErrors(run.stderr, config);
          if (run.code === 2) expect(run.stderr).toMatch(/trailwatch\.yml:\d+/);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  it('mutated example configs are located errors or load', async () => {
    const example = `${readFileSync(join(__dirname, '../../examples/trailwatch.yml'), 'utf8')}${FEW_RULES}`;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...YAML_TOKENS)), { minLength: 1, maxLength: 3 }),
        async (inserts) => {
          let text = example;
          for (const [at, token] of inserts) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + token + text.slice(i);
          }
          const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-excfg-'));
          const config = join(dir, 'trailwatch.yml');
          writeFileSync(config, text);
          const run = await runCli(['config', 'validate', '--config', config]);
          expect([0, 1, 2]).toContain(run.code);
          expectLocatedErrors(run.stderr, config);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
