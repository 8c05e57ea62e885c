/**
 * RE2 patterns rewritten for Athena's Java regular expressions: each rewrite, and each refusal with
 * its reason. Java itself does not run here; the expected texts follow java.util.regex.Pattern's
 * documentation (UNIX_LINES, MULTILINE, UNICODE_CASE, character-class union and intersection).
 * The DuckDB equivalence test (dialect-equivalence.test.ts) checks the rewrites keep RE2's meaning.
 */
import { describe, expect, it } from 'vitest';
import { javaRegex } from '../../lib/athena/java-regex';
import { SqlUnsupported } from '../../lib/sql';

describe('javaRegex', () => {
  it.each([
    ['^Get.*$', '', '(?d)^Get.*\\z'],
    ['^Get.*$', 'm', '(?d)(?m)^Get.*$'],
    ['getobject', 'i', '(?d)(?iu)getobject'],
    ['a.b', 's', '(?d)(?s)a.b'],
    ['a.b', 'ims', '(?d)(?iums)a.b'],
    ['a\\sb\\S', '', '(?d)a[\\t\\n\\f\\r ]b[^\\t\\n\\f\\r ]'],
    ['[\\s,]', '', '(?d)[\\t\\n\\f\\r ,]'],
    ['a\\vb', '', '(?d)a\\x0Bb'],
    ['a{,3}', '', '(?d)a\\{,3}'],
    ['a{2,3}b{4}c{5,}', '', '(?d)a{2,3}b{4}c{5,}'],
    ['{', '', '(?d)\\{'],
    ['[[]x', '', '(?d)[\\[]x'],
    ['[a&&b]', '', '(?d)[a\\&\\&b]'],
    ['[]a]', '', '(?d)[\\]a]'],
    ['[^]a]', '', '(?d)[^\\]a]'],
    ['(?P<user>\\w+)@(?<host>[a-z.]+)', '', '(?d)(?:\\w+)@(?:[a-z.]+)'],
    ['(?i)admin', '', '(?d)(?iu)admin'],
    ['(?i:admin)|(?-i:Root)', '', '(?d)(?iu:admin)|(?-iu:Root)'],
    ['\\Q$a.b\\E$', '', '(?d)\\$a\\.b\\z'],
    ['\\pL\\p{Lu}\\PN', '', '(?d)\\pL\\p{Lu}\\PN'],
    ['\\d+\\.\\d+', '', '(?d)\\d+\\.\\d+'],
    ['[$]', '', '(?d)[$]'],
  ])('%s (flags %s) becomes %s', (pattern, flags, java) => {
    expect(javaRegex(pattern, flags)).toBe(java);
  });

  it.each([
    ['[[:alpha:]]', 'a POSIX class'],
    ['[a[:digit:]]', 'a POSIX class'],
    ['[\\S]', "'\\S' inside a class"],
    ['\\C', "'\\C'"],
    ['(a)\\1', "'\\1'"],
    ['\\p{Greek}', "the Unicode class '\\p{Greek}'"],
    ['(?m)^a$', "an inline '(?m)'"],
    ['(?U)a*', "an inline '(?U)'"],
  ])('refuses %s: %s', (pattern, what) => {
    expect(() => javaRegex(pattern, '')).toThrow(SqlUnsupported);
    expect(() => javaRegex(pattern, '')).toThrow(
      `uses ${what}, which Athena's Java regular expressions read differently from RE2`,
    );
  });
});
