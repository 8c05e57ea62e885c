import type { TextTest } from './text-prefilter';

/**
 * Literal pre-checks for `|re` values: which pieces of text must occur in a record's raw JSON,
 * lowercased, whenever the pattern matches one of its values. `(?i)(^|[^a-z])(kali|parrot)` needs
 * `kali` or `parrot`; `.+:assumed-role/aws:.+` needs `assumed-role/aws`. Anything the reader does
 * not fully understand answers `true` (nothing known), so a derived check never rules out a record
 * the regex matches; the property test in test/rules/regex-literals.test.ts holds it to that.
 *
 * Why a literal run of the pattern is in the raw text: a match holds the run verbatim in the value,
 * and the value is in the raw JSON verbatim except where JSON escapes it. Runs are split at the
 * characters JSON escapes or uses as structure (as for plain values, see `requiredLiteral`), and the
 * caller gives up on records holding `\u` or `\/` escapes. Only printable ASCII is kept, because
 * `toLowerCase` maps ASCII letters one to one whatever surrounds them. Under `i`, every character
 * RE2 folds with a printable ASCII one lowercases to the same letter, except the long s (U+017F),
 * which RE2 folds with `s` (checked over every code point with re2js), so `s` ends a run there.
 */
export function regexTextTest(pattern: string, flags: string): TextTest {
  try {
    const reader = new PatternReader(pattern, flags.includes('i'));
    const test = reader.alternation();
    return reader.atEnd() ? test : true;
  } catch (error) {
    if (error instanceof Unsure) return true;
    throw error;
  }
}

/** Shorter runs are too common to rule anything out; the same floor as plain values. */
const MIN_LITERAL = 3;
/** JSON structure and the characters JSON escapes (printable ones; controls are excluded below; `:` see `verbatim`). */
const UNSAFE_IN_RAW = new Set(['"', '\\', ':', ',', '{', '}', '[', ']']);
/** RE2 folds S with U+017F, which `toLowerCase` leaves as it is (K's U+212A lowercases to k). */
const FOLDS_BEYOND_ASCII = new Set(['s', 'S']);
/** Escapes of a class of characters (`\d`, `\w`, …): they match one character of no known spelling. */
const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'C']);
/** Zero-width escapes: they consume nothing. */
const ASSERTION_ESCAPES = new Set(['b', 'B', 'A', 'z']);
/** Escapes of control characters: never verbatim in raw JSON. */
const CONTROL_ESCAPES = new Set(['a', 'f', 't', 'n', 'r', 'v']);

/** Thrown where the pattern holds something this reader does not model; the answer is then `true`. */
class Unsure extends Error {}

type Atom =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'group'; readonly test: TextTest }
  /** One character of no known spelling (`.`, a class), or a zero-width assertion. */
  | { readonly kind: 'opaque' };

const OPAQUE: Atom = { kind: 'opaque' };

class PatternReader {
  private at = 0;

  constructor(
    private readonly pattern: string,
    /** Case-insensitive anywhere: an inline `(?i)` also sets it, for the rest of the pattern. */
    private insensitive: boolean,
  ) {}

  atEnd(): boolean {
    return this.at === this.pattern.length;
  }

  /** `a|b|c` up to the end or the `)` closing the current group. */
  alternation(): TextTest {
    const branches = [this.sequence()];
    while (this.pattern[this.at] === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    return anyOf(branches);
  }

  private sequence(): TextTest {
    const terms: TextTest[] = [];
    let run = '';
    const endRun = (): void => {
      if (run.length >= MIN_LITERAL) terms.push({ literal: run.toLowerCase() });
      run = '';
    };
    while (!this.atEnd() && this.pattern[this.at] !== '|' && this.pattern[this.at] !== ')') {
      const atom = this.atom();
      const least = this.quantifier();
      if (atom.kind === 'char' && this.verbatim(atom.char, run === '') && least !== 0) {
        run += atom.char;
        // `ab+c` holds `ab`, then more b's: the run cannot go on past a repeated character.
        if (least !== undefined) endRun();
        continue;
      }
      endRun();
      if (atom.kind === 'group' && least !== 0) terms.push(atom.test);
    }
    endRun();
    return allOf(terms);
  }

  /** The least number of repetitions a quantifier after an atom allows, or undefined for none. */
  private quantifier(): number | undefined {
    const next = this.pattern[this.at];
    let least: number | undefined;
    if (next === '*' || next === '?') least = 0;
    else if (next === '+') least = 1;
    else if (next === '{') {
      // RE2 reads `{n}`, `{n,}` and `{n,m}` as repetition; any other `{` is a literal character.
      const repeat = /^\{(\d+)(,\d*)?\}/.exec(this.pattern.slice(this.at));
      if (repeat === null) return undefined;
      least = Number(repeat[1]);
      this.at += repeat[0].length - 1;
    } else return undefined;
    this.at++;
    if (this.pattern[this.at] === '?') this.at++; // lazy: the same strings match
    return least;
  }

  private atom(): Atom {
    const char = this.pattern[this.at] as string;
    this.at++;
    switch (char) {
      case '(':
        return this.group();
      case '[':
        this.skipClass();
        return OPAQUE;
      case '.':
      case '^':
      case '$':
        return OPAQUE;
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new Unsure();
      default:
        return { kind: 'char', char };
    }
  }

  private group(): Atom {
    if (this.pattern[this.at] === '?') {
      this.at++;
      const named = /^P?<[A-Za-z0-9_]+>/.exec(this.pattern.slice(this.at));
      if (named !== null) this.at += named[0].length;
      else {
        const flags = /^[imsU-]*/.exec(this.pattern.slice(this.at))?.[0] ?? '';
        this.at += flags.length;
        // Scoping is ignored: folding case for longer than RE2 does only shortens runs.
        if (flags.includes('i')) this.insensitive = true;
        const after = this.pattern[this.at];
        this.at++;
        if (after === ')') return OPAQUE;
        if (after !== ':') throw new Unsure();
      }
    }
    const test = this.alternation();
    if (this.pattern[this.at] !== ')') throw new Unsure();
    this.at++;
    return { kind: 'group', test };
  }

  private escape(): Atom {
    const char = this.pattern[this.at];
    this.at++;
    if (char === undefined) throw new Unsure();
    if (CLASS_ESCAPES.has(char) || ASSERTION_ESCAPES.has(char) || CONTROL_ESCAPES.has(char)) return OPAQUE;
    if (char === 'p' || char === 'P') {
      if (this.pattern[this.at] === '{') {
        const end = this.pattern.indexOf('}', this.at);
        if (end === -1) throw new Unsure();
        this.at = end + 1;
      } else this.at++;
      return OPAQUE;
    }
    // Escaped punctuation is that character; letters and digits (\x41, \012, \Q…\E) are not modelled.
    if (/^[!-/:-@[-`{-~]$/.test(char)) return { kind: 'char', char };
    throw new Unsure();
  }

  /** Past the `]` closing a class opened just before; `[]a]` and `[^]a]` hold a literal `]`. */
  private skipClass(): void {
    if (this.pattern[this.at] === '^') this.at++;
    if (this.pattern[this.at] === ']') this.at++;
    for (;;) {
      const char = this.pattern[this.at];
      if (char === undefined) throw new Unsure();
      if (char === ']') {
        this.at++;
        return;
      }
      if (char === '\\') {
        if (this.pattern[this.at + 1] === 'Q') throw new Unsure();
        this.at += 2;
      } else if (char === '[' && this.pattern[this.at + 1] === ':') {
        const end = this.pattern.indexOf(':]', this.at + 2);
        if (end === -1) throw new Unsure();
        this.at = end + 2;
      } else this.at++;
    }
  }

  /**
   * Whether a character of the pattern is spelled the same in the record's lowercased raw JSON.
   * A colon may go on a run, not start one: a value that is an object is matched as its JSON
   * (`{"a":1}`), where a colon is structure, always right after a quote (which no run holds); raw
   * JSON may space it (`"a": 1`). After any other character a colon is inside a string, verbatim.
   */
  private verbatim(char: string, startsRun: boolean): boolean {
    if (char === ':') return !startsRun;
    const code = char.charCodeAt(0);
    if (code < 0x20 || code > 0x7e || UNSAFE_IN_RAW.has(char)) return false;
    return !(this.insensitive && FOLDS_BEYOND_ASCII.has(char));
  }
}

/** Every term must hold; terms that prove nothing (`true`) drop out. */
function allOf(terms: readonly TextTest[]): TextTest {
  const known = terms.filter((term) => term !== true);
  if (known.includes(false)) return false;
  if (known.length === 0) return true;
  return known.length === 1 ? (known[0] as TextTest) : { op: 'all', terms: known };
}

/** One of the branches must hold; a branch that proves nothing makes the whole prove nothing. */
function anyOf(branches: readonly TextTest[]): TextTest {
  if (branches.includes(true)) return true;
  const known = branches.filter((branch) => branch !== false);
  if (known.length === 0) return false;
  return known.length === 1 ? (known[0] as TextTest) : { op: 'any', terms: known };
}
