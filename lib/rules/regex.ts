import { RE2JS, RE2JSException } from 're2js';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';

/**
 * The regular-expression engine behind `|re`: RE2 semantics (linear time in the input, whatever the
 * pattern), so a rule cannot freeze a scan with catastrophic backtracking.
 *
 * Chosen by measurement (Node 20, x86-64, 2 shared cores; JS RegExp is V8's backtracking engine):
 *
 * | input                                            | JS RegExp  | re2js      | re2 (native) |
 * | ------------------------------------------------ | ---------- | ---------- | ------------ |
 * | `(a+)+$` on `"a" * 30 + "!"` (31 chars)          | 79,941 ms  | 0.039 ms   | 0.0009 ms    |
 * | shipped `"Action"\s*:\s*(\[[^\]]*)?"\*"` on a    | 81,682 ms  | 0.95 ms    | 1.70 ms      |
 * | 1 MiB policyDocument of `"Action":["s3:x",` × n  |            |            |              |
 * | the same 1 MiB document ending in `"*"]` (match) | n/a        | 10.9 ms    | 1.72 ms      |
 * | `:assumed-role/Adm.n/` on a 50-char ARN, per call| 0.031 µs   | 0.55 µs    | 0.15 µs      |
 * | compiling the policyDocument pattern             | n/a        | 74 µs      | 10 µs        |
 *
 * Both RE2 engines remove the freeze; the native `re2` addon is faster per call, but it is a C++
 * addon: `npm install re2` compiled it here with node-gyp (about 2 minutes, a 20 MB x86-64
 * `re2.node`), and the Lambda functions run on arm64, so the deployment zip would need an arm64
 * build of the addon (cross-compiled or fetched per platform) and would break when built on the
 * wrong machine. `re2js` is pure JavaScript: it bundles into the zip as is, on any architecture.
 * Few rules use `|re` (3 shipped) and the pack's literal prefilter skips most records before any
 * regex runs, so re2js's per-call cost does not show in scan throughput. Hence re2js.
 */
/** RE2's flag bits, read when a pattern is first compiled: the Lambda bundles load re2js only then. */
function flagBit(flag: RegexFlag): number {
  return flag === 'i' ? RE2JS.CASE_INSENSITIVE : flag === 'm' ? RE2JS.MULTILINE : RE2JS.DOTALL;
}

export type RegexFlag = 'i' | 'm' | 's';

export interface LinearRegex {
  /** Whether the pattern matches anywhere in the text (unanchored, like `RegExp.prototype.test`). */
  test(text: string): boolean;
}

/** A pattern RE2 refuses, with the reason in words a rule author can act on. */
export class RegexSyntaxError extends TrailwatchError {
  override readonly name = 'RegexSyntaxError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'regex-syntax', options);
  }
}

/** Perl constructs that need backtracking, which RE2 leaves out by design. */
const UNSUPPORTED_CONSTRUCTS: readonly { readonly test: RegExp; readonly what: string }[] = [
  { test: /\\[1-9]|\\k</, what: 'backreferences (\\1, \\k<name>)' },
  { test: /\(\?<?[=!]/, what: 'lookaround ((?=…), (?!…), (?<=…), (?<!…))' },
  { test: /[*+?}][+]/, what: 'possessive quantifiers (a*+)' },
  { test: /\(\?>/, what: 'atomic groups ((?>…))' },
];

/**
 * Patterns compiled so far, by flags and text: `|re` compiles each value once to check it and once
 * to match, and rules share patterns (a pack's variants of one rule), while compiling costs far
 * more than a lookup (74 µs above). An RE2JS object keeps no state between calls, so one serves
 * every rule. Bounded: patterns come from rule files, but a process may load many packs.
 */
const compiled = new Map<string, LinearRegex>();
const MAX_COMPILED = 10_000;

/**
 * Compiles a pattern for linear-time matching, or throws RegexSyntaxError explaining why RE2 cannot
 * run it. `flags` is any combination of i, m and s.
 */
export function compileLinearRegex(pattern: string, flags: string): LinearRegex {
  const key = `${flags}/${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    regex = compileUncached(pattern, flags);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, regex);
  }
  return regex;
}

function compileUncached(pattern: string, flags: string): LinearRegex {
  let bits = 0;
  for (const flag of flags) {
    if (flag !== 'i' && flag !== 'm' && flag !== 's') {
      throw new RegexSyntaxError(`unknown regular-expression flag '${flag}' (known: i, m, s)`);
    }
    bits |= flagBit(flag);
  }
  try {
    return RE2JS.compile(pattern, bits);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    const construct = UNSUPPORTED_CONSTRUCTS.find((candidate) => candidate.test.test(pattern));
    const why = construct
      ? `it uses ${construct.what}, which RE2 leaves out to match in linear time; syntax: https://github.com/google/re2/wiki/Syntax`
      : 'RE2 syntax: https://github.com/google/re2/wiki/Syntax';
    throw new RegexSyntaxError(`${error.message.replace(/^error parsing regexp: /, '')} (${why})`);
  }
}
