/**
 * RE2 patterns rewritten for Athena's Java regular expressions: each rewrite, and each refusal with
 * its reason. Java itself does not run here; the expected texts follow java.util.regex.Pattern's
 * documentation and Trino's exceptions to it (character-class union and intersection, `\\s`, `$`,
 * script names).
 * The DuckDB equivalence test (dialect-equivalence.test.ts) checks the rewrites keep RE2's meaning.
 */
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { javaRegex } from '../../lib/athena/java-regex';
import { SqlUnsupported } from '../../lib/sql';

describe('javaRegex', () => {
  it.each([
    ['^Get.*$', '', '^Get.*\\z'],
    ['^Get.*$', 'm', '(?m)^Get.*$'],
    ['getobject', 'i', '(?i)getobject'],
    ['a.b', 's', '(?s)a.b'],
    ['a.b', 'ims', '(?ims)a.b'],
    ['a\\sb\\S', '', 'a[\\t\\n\\f\\r ]b[^\\t\\n\\f\\r ]'],
    ['[\\s,]', '', '[\\t\\n\\f\\r ,]'],
    ['a\\vb', '', 'a\\x0Bb'],
    ['a{,3}', '', 'a\\{,3}'],
    ['a{2,3}b{4}c{5,}', '', 'a{2,3}b{4}c{5,}'],
    ['{', '', '\\{'],
    ['[[]x', '', '[\\[]x'],
    ['[a&&b]', '', '[a\\&\\&b]'],
    ['[]a]', '', '[\\]a]'],
    ['[^]a]', '', '[^\\]a]'],
    ['(?P<user>\\w+)@(?<host>[a-z.]+)', '', '(?:\\w+)@(?:[a-z.]+)'],
    ['(?i)admin', '', '(?i)admin'],
    ['(?i:admin)|(?-i:Root)', '', '(?i:admin)|(?-i:Root)'],
    ['\\Q$a.b\\E$', '', '\\$a\\.b\\z'],
    ['\\pL\\p{Lu}\\PN', '', '\\pL\\p{Lu}\\PN'],
    ['\\d+\\.\\d+', '', '\\d+\\.\\d+'],
    ['[$]', '', '[$]'],
    ['\\p{Greek}\\p{Old_Italic}\\P{^Han}', '', '\\p{Greek}\\p{OldItalic}\\P{^Han}'],
  ])('%s (flags %s) becomes %s', (pattern, flags, java) => {
    expect(javaRegex(pattern, flags)).toBe(java);
  });

  it.each([
    ['[[:alpha:]]', 'a POSIX class'],
    ['[a[:digit:]]', 'a POSIX class'],
    ['[\\S]', "'\\S' inside a class"],
    ['\\C', "'\\C'"],
    ['(a)\\1', "'\\1'"],
    ['(?m)^a$', "an inline '(?m)'"],
    ['(?U)a*', "an inline '(?U)'"],
  ])('refuses %s: %s', (pattern, what) => {
    expect(() => javaRegex(pattern, '')).toThrow(SqlUnsupported);
    expect(() => javaRegex(pattern, '')).toThrow(
      `uses ${what}, which Athena's Java regular expressions read differently from RE2`,
    );
  });
});

/**
 * The rewrite keeps RE2's meaning: for random patterns RE2 accepts (built from the constructs the
 * rewrite touches) and random texts (line breaks, vertical tabs, brackets, case), the rewritten
 * pattern, read by RE2, finds a match
 * exactly where the original does. What Java does with the rewrite is not checked here.
 */
describe('javaRegex keeps what RE2 matches (fast-check)', () => {
  const TOKENS = [
    'a',
    'b',
    'A',
    '.',
    '$',
    '^',
    '\\s',
    '\\S',
    '\\v',
    '{',
    '}',
    'a{1,2}',
    'a{,2}',
    '[a\\s]',
    '[]a]',
    '[^]a]',
    '[[]',
    '[&b]',
    '&',
    '(?i)',
    '(?i:a)',
    '(?s:.)',
    '(?P<x>a)',
    '(a|b)',
    '*',
    '?',
    '\\Q.$\\E',
    '\\d',
    '\\z',
    ' ',
  ];
  const CHARS = [
    'a',
    'b',
    'A',
    'B',
    '\n',
    '\r',
    '\u000b',
    ' ',
    '\t',
    '{',
    '}',
    '[',
    ']',
    '&',
    '.',
    '$',
    '1',
    '\u2028',
  ];
  const re2 = (pattern: string, flags: string) =>
    RE2JS.compile(
      pattern,
      (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) |
        (flags.includes('m') ? RE2JS.MULTILINE : 0) |
        (flags.includes('s') ? RE2JS.DOTALL : 0),
    );

  it('matches the same texts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 6 }),
        fc.subarray(['i', 'm', 's']),
        fc.array(fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        (tokens, flagList, texts) => {
          const pattern = tokens.join('');
          const flags = flagList.join('');
          let original: ReturnType<typeof re2>;
          try {
            original = re2(pattern, flags);
          } catch {
            return; // not a pattern a rule could hold
          }
          let java: string;
          try {
            java = javaRegex(pattern, flags);
          } catch (error) {
            if (error instanceof SqlUnsupported) return; // refused, with its reason
            throw error;
          }
          const rewritten = re2(java, '');
          for (const chars of texts) {
            const text = chars.join('');
            expect(
              rewritten.matcher(text).find(),
              `${JSON.stringify(pattern)} /${flags} as ${JSON.stringify(java)} on ${JSON.stringify(text)}`,
            ).toBe(original.matcher(text).find());
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
