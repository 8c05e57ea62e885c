/**
 * `|re` literal pre-checks: what they derive from a pattern, and (property) that a derived check
 * never rules out the raw JSON of a record whose value the regex matches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileText, type TextTest } from '../../lib/rules/detection';
import { compileLinearRegex } from '../../lib/rules/regex';
import { regexTextTest } from '../../lib/rules/regex-literals';

describe('regexTextTest derives the literals a match needs', () => {
  const cases: [pattern: string, flags: string, expected: TextTest][] = [
    // A colon goes on a run but never starts one (in an object matched as JSON it is structure).
    ['.+:assumed-role/aws:.+', '', { literal: 'assumed-role/aws:' }],
    ['":abc', '', { literal: 'abc' }],
    [
      '(?i)(^|[^a-z])(kali|parrot|pentoo)([^a-z]|$)',
      '',
      { op: 'any', terms: [{ literal: 'kali' }, { literal: 'parrot' }, { literal: 'pentoo' }] },
    ],
    ['"Principal"\\s*:\\s*"\\*"', '', { literal: 'principal' }],
    [
      '^arn:aws[\\w-]*:kms:[\\w-]+:\\d{12}:',
      '',
      { op: 'all', terms: [{ literal: 'arn:aws' }, { literal: 'kms:' }] },
    ],
    ['^\\d{12}$', '', true],
    ['TruffleHog', '', { literal: 'trufflehog' }],
    // A quantified character ends the run; an optional one is not required.
    ['abc+def', '', { op: 'all', terms: [{ literal: 'abc' }, { literal: 'def' }] }],
    ['abcx?def', '', { op: 'all', terms: [{ literal: 'abc' }, { literal: 'def' }] }],
    ['abcx{0,3}def', '', { op: 'all', terms: [{ literal: 'abc' }, { literal: 'def' }] }],
    ['(?:foo)+bar', '', { op: 'all', terms: [{ literal: 'foo' }, { literal: 'bar' }] }],
    ['(?:foo)*bar', '', { literal: 'bar' }],
    [
      '(?P<x>delete|remove)Bucket',
      '',
      {
        op: 'all',
        terms: [{ op: 'any', terms: [{ literal: 'delete' }, { literal: 'remove' }] }, { literal: 'bucket' }],
      },
    ],
    // An alternative with nothing known makes the whole unknown.
    ['foo|.', '', true],
    // Under i, s may be the long s (U+017F), which lowercases to itself: it ends a run.
    ['massive', 'i', { literal: 'ive' }],
    ['(?i)kelvin', '', { literal: 'kelvin' }],
    ['kelvin\\.k(?i)class', '', { op: 'all', terms: [{ literal: 'kelvin.k' }, { literal: 'cla' }] }],
    // Escapes spelled differently in raw JSON, and constructs not modelled, prove nothing.
    ['ab\\x41cd', '', true],
    ['\\Qa.b\\E', '', true],
    ['abc\\012def', '', true],
    ['a"b:c,d', '', { literal: 'b:c' }],
    ['tab\\there', '', { op: 'all', terms: [{ literal: 'tab' }, { literal: 'here' }] }],
    ['[]abc]xyz', '', { literal: 'xyz' }],
    ['[[:alpha:]]xyz', '', { literal: 'xyz' }],
    // `{,3}` is no repetition in RE2: literal characters, split at JSON structure.
    ['a{,3}bcd', '', { literal: 'bcd' }],
  ];
  it.each(cases)('%s (flags %s)', (pattern, flags, expected) => {
    compileLinearRegex(pattern, flags); // every case is a pattern RE2 accepts
    expect(regexTextTest(pattern, flags)).toEqual(expected);
  });
});

/** A small regex syntax tree, rendered to RE2 syntax and sampled to strings it matches. */
type Node =
  | { kind: 'char'; char: string }
  | { kind: 'dot' }
  | { kind: 'class'; source: string; members: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; branches: Node[]; opener: string }
  | { kind: 'repeat'; item: Node; quantifier: string; least: number; most: number };

/** Letters that fold beyond ASCII, JSON structure and escapes, regex metacharacters, non-ASCII. */
const ALPHABET = [
  'a',
  'b',
  'k',
  'K',
  's',
  'S',
  'x',
  '1',
  '-',
  '/',
  ':',
  '"',
  '.',
  '\\',
  '{',
  '}',
  ' ',
  'é',
  'İ',
  '\t',
];
const META = new Set(['.', '\\', '{', '}', '+', '*', '?', '(', ')', '|', '[', ']', '^', '$']);
const CLASSES: { source: string; members: string }[] = [
  { source: '[a-c]', members: 'abc' },
  { source: '\\d', members: '0123456789' },
  { source: '[^"]', members: 'aZ/:é' },
  { source: '\\s', members: ' \t' },
  { source: '\\w', members: 'aZ_9' },
];
const QUANTIFIERS: { quantifier: string; least: number; most: number }[] = [
  { quantifier: '*', least: 0, most: 2 },
  { quantifier: '+', least: 1, most: 3 },
  { quantifier: '?', least: 0, most: 1 },
  { quantifier: '{2}', least: 2, most: 2 },
  { quantifier: '{1,3}?', least: 1, most: 3 },
  { quantifier: '{0,2}', least: 0, most: 2 },
];

const nodeArbitrary = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'regex' },
    fc.constantFrom(...ALPHABET).map((char): Node => ({ kind: 'char', char })),
    fc.constant<Node>({ kind: 'dot' }),
    fc.constantFrom(...CLASSES).map((c): Node => ({ kind: 'class', ...c })),
    fc.array(tie('node'), { minLength: 1, maxLength: 6 }).map((items): Node => ({ kind: 'seq', items })),
    fc
      .tuple(
        fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('(', '(?:', '(?P<n>', '(?i:'),
      )
      .map(([branches, opener]): Node => ({ kind: 'alt', branches, opener })),
    fc
      .tuple(tie('node'), fc.constantFrom(...QUANTIFIERS))
      .map(([item, q]): Node => ({ kind: 'repeat', item, ...q })),
  ),
}));

let groupNames = 0;
function render(node: Node): string {
  switch (node.kind) {
    case 'char':
      return META.has(node.char) ? `\\${node.char}` : node.char;
    case 'dot':
      return '.';
    case 'class':
      return node.source;
    case 'seq':
      return node.items.map(render).join('');
    case 'alt': {
      // RE2 refuses a name used twice: each named group gets its own.
      const opener = node.opener === '(?P<n>' ? `(?P<n${groupNames++}>` : node.opener;
      return `${opener}${node.branches.map(render).join('|')})`;
    }
    case 'repeat': {
      // A quantifier applies to one atom: wrap anything longer.
      const inner = render(node.item);
      const atomic =
        node.item.kind === 'char' ||
        node.item.kind === 'dot' ||
        node.item.kind === 'class' ||
        node.item.kind === 'alt';
      return `${atomic ? inner : `(?:${inner})`}${node.quantifier}`;
    }
  }
}

/** Spellings RE2 treats as the same letter under i, including those beyond ASCII. */
const FOLDS: Readonly<Record<string, string[]>> = {
  k: ['k', 'K', '\u212a'],
  s: ['s', 'S', '\u017f'],
  a: ['a', 'A'],
  b: ['b', 'B'],
  x: ['x', 'X'],
};

function sample(node: Node, pick: (n: number) => number, insensitive: boolean): string {
  switch (node.kind) {
    case 'char': {
      const folds = FOLDS[node.char.toLowerCase()];
      return insensitive && folds ? (folds[pick(folds.length)] as string) : node.char;
    }
    case 'dot':
      return (['q', 'é', ':', '"', 'ſ'] as const)[pick(5)] as string;
    case 'class':
      return node.members[pick(node.members.length)] as string;
    case 'seq':
      return node.items.map((item) => sample(item, pick, insensitive)).join('');
    case 'alt':
      return sample(
        node.branches[pick(node.branches.length)] as Node,
        pick,
        insensitive || node.opener === '(?i:',
      );
    case 'repeat': {
      const times = node.least + pick(node.most - node.least + 1);
      return Array.from({ length: times }, () => sample(node.item, pick, insensitive)).join('');
    }
  }
}

function picker(choices: readonly number[]): (n: number) => number {
  let next = 0;
  return (n) => (choices[next++ % choices.length] as number) % n;
}

describe('a derived literal check never rules out a record the regex matches (property)', () => {
  it('holds for generated patterns, matching values, and their raw JSON records', () => {
    fc.assert(
      fc.property(
        nodeArbitrary.node,
        fc.constantFrom('', 'i', '(?i)'),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        (node, flagging, choices, before, after) => {
          const inline = flagging === '(?i)';
          const flags = flagging === 'i' ? 'i' : '';
          const pattern = `${inline ? '(?i)' : ''}${render(node)}`;
          const regex = compileLinearRegex(pattern, flags);
          // Case folding also covers groups opened with (?i: (handled inside `sample`).
          const value = `${before}${sample(node, picker(choices), inline || flags === 'i')}${after}`;
          expect(regex.test(value)).toBe(true);
          // The value as a string, and inside an object matched as its JSON (as `leafText` reads
          // an object), in a raw record spaced differently from JSON.stringify.
          const check = compileText(regexTextTest(pattern, flags), 'unlinked');
          const records = [
            JSON.stringify({ eventName: 'X', requestParameters: { field: value } }),
            JSON.stringify({ eventName: 'X', requestParameters: { field: { nested: [1, value] } } }, null, 1),
          ];
          for (const raw of records) {
            // Records holding \u or \/ escapes are not judged by literals (see the engine).
            if (raw.includes('\\u') || raw.includes('\\/')) continue;
            const passes = check === true || (check !== false && check(raw.toLowerCase()));
            expect(passes, `${pattern} on ${JSON.stringify(value)}`).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('a pattern matched against an object value, read as its JSON (property)', () => {
  it('never rules out the record, however the raw JSON is spaced', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -99, max: 999 }), fc.boolean());
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('a', 'kms', 'b:c'),
          fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })),
        ),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 2 }),
        (object, from, length, spacing) => {
          // What `leafText` hands the regex for an object value, and a piece of it as the pattern.
          const leaf = JSON.stringify(object);
          const start = from % (leaf.length + 1);
          const piece = leaf.slice(start, start + (length % 12));
          const pattern = [...piece].map((char) => (META.has(char) ? `\\${char}` : char)).join('');
          expect(compileLinearRegex(pattern, '').test(leaf)).toBe(true);
          const raw = JSON.stringify({ eventName: 'X', requestParameters: { field: object } }, null, spacing);
          if (raw.includes('\\u') || raw.includes('\\/')) return;
          const check = compileText(regexTextTest(pattern, ''), 'unlinked');
          const passes = check === true || (check !== false && check(raw.toLowerCase()));
          expect(passes, `${pattern} on ${leaf}`).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
