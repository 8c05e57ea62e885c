import { SqlUnsupported } from '../sql';

/**
 * An RE2 pattern (what rules are written and checked in, and what the JavaScript engine runs with
 * re2js) rewritten for Athena's regexp_like, so that both find the same matches, or SqlUnsupported
 * with the construct that would read differently. Athena's regular expressions are Trino's: Java
 * syntax, with Trino's documented exceptions (https://trino.io/docs/current/functions/regexp.html):
 * only `\n` ends a line in multi-line mode, `(?i)` always folds Unicode case (as RE2's does), the
 * `(?d)` and `(?u)` flags must not be used, Unicode scripts are named without `Is` and without
 * underscores. What is rewritten:
 * - `$` outside multi-line mode becomes `\z`: Java's `$` also matches before a final line break;
 * - `\s`/`\S` become RE2's exact set `[\t\n\f\r ]` (Java's `\s` also takes `\x0B`);
 * - `\v` becomes `\x0B` (RE2's vertical tab; Java's `\v` is a class of vertical whitespace);
 * - a `{` that starts no repetition becomes `\{` (RE2 reads it literally, Java refuses it);
 * - in a class, `[` and `&` are escaped (Java reads `[` as a nested class, `&&` as intersection),
 *   and a `]` right after `[` or `[^` is escaped (a literal in RE2);
 * - `\Q…\E` is spelt out as escaped characters (Trino reads it literally inside a class);
 * - `\p{Old_Italic}` loses its underscores (Trino's spelling of the same script);
 * - named groups become non-capturing groups (the names' rules differ; matching does not).
 * What is refused: POSIX classes `[[:alpha:]]` (Java has none: it reads a union of the letters),
 * `\S` inside a class, `\C`, a backslash before a digit, and inline flag groups that turn on `m`
 * (the `$` rewrite needs to know the mode everywhere) or `U`.
 * What stays different, and cannot be checked here: `.` outside dot-all mode, which Trino's
 * documentation does not say stops only at `\n` (RE2's rule) as its multi-line mode does, and
 * `\b` beside a non-spacing mark (Trino's documented exception).
 */
export function javaRegex(pattern: string, flags: string): string {
  const multiline = flags.includes('m');
  const javaFlags = `${flags.includes('i') ? 'i' : ''}${multiline ? 'm' : ''}${flags.includes('s') ? 's' : ''}`;
  let out = javaFlags === '' ? '' : `(?${javaFlags})`;
  let inClass = false;
  let classStart = -1;
  const refuse = (what: string): never => {
    throw new SqlUnsupported(
      `the regular expression ${JSON.stringify(pattern)} uses ${what}, which Athena's Java regular expressions read differently from RE2`,
    );
  };
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === '\\') {
      const next = pattern[index + 1];
      if (next === undefined) refuse('a trailing backslash');
      index++;
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', index + 1);
        const literal = end === -1 ? pattern.slice(index + 1) : pattern.slice(index + 1, end);
        out += literal.replace(/[\\^$.|?*+()[\]{}&-]/g, '\\$&');
        index = end === -1 ? pattern.length : end + 1;
        continue;
      }
      if (/[0-9]/.test(next as string)) refuse(`'\\${next}'`);
      if (next === 'C') refuse("'\\C'");
      if (next === 's') out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
      else if (next === 'S') {
        if (inClass) refuse("'\\S' inside a class");
        out += '[^\\t\\n\\f\\r ]';
      } else if (next === 'v') out += '\\x0B';
      else if (next === 'p' || next === 'P') {
        const braced = /^\{(\^?)([A-Za-z_]+)\}/.exec(pattern.slice(index + 1));
        const single = /^[A-Za-z]/.exec(pattern.slice(index + 1));
        if (braced) {
          out += `\\${next}{${braced[1]}${(braced[2] as string).replaceAll('_', '')}}`;
          index += braced[0].length;
        } else if (pattern[index + 1] !== '{' && single) {
          out += `\\${next}${single[0]}`;
          index += 1;
        } else refuse(`the Unicode class '\\${next}${pattern.slice(index + 1, index + 12)}'`);
      } else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (char === ']' && index > classStart) {
        inClass = false;
        out += ']';
      } else if (char === ']') out += '\\]';
      else if (char === '[') {
        if (pattern[index + 1] === ':') refuse('a POSIX class');
        out += '\\[';
      } else if (char === '&') out += '\\&';
      else out += char;
      continue;
    }
    switch (char) {
      case '[': {
        inClass = true;
        out += '[';
        if (pattern[index + 1] === '^') {
          out += '^';
          index++;
        }
        // A `]` first in the class is a literal in RE2.
        classStart = index + 1;
        if (pattern[index + 1] === '[' && pattern[index + 2] === ':') refuse('a POSIX class');
        break;
      }
      case '$':
        out += multiline ? '$' : '\\z';
        break;
      case '{':
        if (/^\{\d+(,\d*)?\}/.test(pattern.slice(index))) out += '{';
        else out += '\\{';
        break;
      case '(': {
        const rest = pattern.slice(index);
        const named = /^\(\?P?<[A-Za-z0-9_]+>/.exec(rest);
        if (named) {
          out += '(?:';
          index += named[0].length - 1;
          break;
        }
        const flagGroup = /^\(\?([imsU-]+)([:)])/.exec(rest);
        if (flagGroup) {
          const groupFlags = flagGroup[1] as string;
          const [on] = groupFlags.split('-');
          if (on?.includes('m')) refuse("an inline '(?m)'");
          if (groupFlags.includes('U')) refuse("an inline '(?U)'");
          out += `(?${groupFlags}${flagGroup[2]}`;
          index += flagGroup[0].length - 1;
          break;
        }
        out += '(';
        break;
      }
      default:
        out += char;
    }
  }
  return out;
}
