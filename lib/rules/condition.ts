import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { SigmaStringPart } from './sigma-string';
import { compileStringMatcher, SigmaString, WILDCARD_MULTI, WILDCARD_SINGLE } from './sigma-string';

/**
 * Sigma conditions: `and`, `or`, `not`, parentheses, `1 of sel*`, `all of sel*`, `1 of them`,
 * `all of them` (`any of` is read as `1 of`). `not` binds tighter than `and`, `and` than `or`.
 * https://sigmahq.io/sigma-specification/specification/sigma-rules-specification.html#condition
 */
export type ConditionNode =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly operand: ConditionNode }
  | { readonly kind: 'ref'; readonly name: string }
  | { readonly kind: 'quantified'; readonly quantifier: 'one' | 'all'; readonly pattern: string };

/**
 * How deep `not` and parentheses may nest in a condition. Real conditions nest a few levels; the
 * parser is recursive, so past this limit it stops with a located error instead of overflowing
 * the stack (a condition of 20,000 nested parentheses is a few kilobytes of YAML).
 */
export const MAX_CONDITION_DEPTH = 64;

export class ConditionError extends TrailwatchError {
  override readonly name = 'ConditionError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'condition', options);
  }
}

type Token =
  | { readonly type: 'word'; readonly text: string; readonly at: number }
  | { readonly type: '('; readonly at: number }
  | { readonly type: ')'; readonly at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any']);

function tokenize(condition: string): Token[] {
  const pipe = condition.indexOf('|');
  if (pipe !== -1) {
    const aggregation =
      condition
        .slice(pipe + 1)
        .trim()
        .split(/\s+/)[0] ?? '';
    throw new ConditionError(
      `the aggregation '| ${aggregation}' is Sigma v1 syntax and is not supported: write a correlation rule (event_count, value_count or temporal) instead`,
    );
  }
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\()|(\))|([^\s()]+))/gy;
  let match: RegExpExecArray | null = pattern.exec(condition);
  while (match !== null && match[0] !== '') {
    const at = match.index + match[0].length - (match[1] ?? match[2] ?? match[3] ?? '').length;
    if (match[1]) tokens.push({ type: '(', at });
    else if (match[2]) tokens.push({ type: ')', at });
    else tokens.push({ type: 'word', text: match[3] as string, at });
    match = pattern.exec(condition);
  }
  if (pattern.lastIndex !== 0 && condition.slice(pattern.lastIndex).trim() !== '') {
    throw new ConditionError(`cannot read the condition from column ${pattern.lastIndex + 1}`);
  }
  return tokens;
}

export function parseCondition(condition: string): ConditionNode {
  const tokens = tokenize(condition);
  if (tokens.length === 0) throw new ConditionError('the condition is empty');
  let position = 0;
  let depth = 0;
  /** Enters one level of `not` or `(`, refusing past MAX_CONDITION_DEPTH with the token's column. */
  const enter = (token: Token): void => {
    depth++;
    if (depth > MAX_CONDITION_DEPTH) {
      throw new ConditionError(
        `the condition nests 'not' and parentheses deeper than ${MAX_CONDITION_DEPTH} levels at column ${token.at + 1}`,
      );
    }
  };

  const peekWord = (): string | undefined => {
    const token = tokens[position];
    return token?.type === 'word' ? token.text.toLowerCase() : undefined;
  };
  const describe = (token: Token | undefined): string =>
    token === undefined
      ? 'the end'
      : token.type === 'word'
        ? `'${token.text}' (column ${token.at + 1})`
        : `'${token.type}' (column ${token.at + 1})`;

  function parseOr(): ConditionNode {
    const operands = [parseAnd()];
    while (peekWord() === 'or') {
      position++;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { kind: 'or', operands };
  }

  function parseAnd(): ConditionNode {
    const operands = [parseNot()];
    while (peekWord() === 'and') {
      position++;
      operands.push(parseNot());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { kind: 'and', operands };
  }

  function parseNot(): ConditionNode {
    const token = tokens[position];
    if (token !== undefined && peekWord() === 'not') {
      enter(token);
      position++;
      const operand = parseNot();
      depth--;
      return { kind: 'not', operand };
    }
    return parsePrimary();
  }

  function parsePrimary(): ConditionNode {
    const token = tokens[position];
    if (token === undefined) throw new ConditionError('the condition ends where a selection was expected');
    if (token.type === '(') {
      enter(token);
      position++;
      const inner = parseOr();
      const close = tokens[position];
      if (close?.type !== ')') throw new ConditionError(`expected ')' but found ${describe(close)}`);
      position++;
      depth--;
      return inner;
    }
    if (token.type === ')') throw new ConditionError(`unexpected ')' at column ${token.at + 1}`);
    const word = token.text.toLowerCase();
    if (word === '1' || word === 'all' || word === 'any') {
      const of = tokens[position + 1];
      if (of?.type !== 'word' || of.text.toLowerCase() !== 'of') {
        throw new ConditionError(`expected 'of' after '${token.text}' but found ${describe(of)}`);
      }
      const target = tokens[position + 2];
      if (
        target?.type !== 'word' ||
        (KEYWORDS.has(target.text.toLowerCase()) && target.text.toLowerCase() !== 'them')
      ) {
        throw new ConditionError(
          `expected a selection pattern or 'them' after '${token.text} of' but found ${describe(target)}`,
        );
      }
      position += 3;
      const pattern = target.text.toLowerCase() === 'them' ? 'them' : target.text;
      return { kind: 'quantified', quantifier: word === 'all' ? 'all' : 'one', pattern };
    }
    if (/^\d+$/.test(word)) {
      throw new ConditionError(`'${token.text} of' is not Sigma: only '1 of', 'any of' and 'all of' exist`);
    }
    if (KEYWORDS.has(word)) throw new ConditionError(`unexpected '${token.text}' at column ${token.at + 1}`);
    position++;
    return { kind: 'ref', name: token.text };
  }

  const tree = parseOr();
  if (position < tokens.length) throw new ConditionError(`unexpected ${describe(tokens[position])}`);
  return tree;
}

/**
 * The selection names a quantifier pattern stands for: `them` is every name not starting with `_`;
 * otherwise `*` stands for any run of characters and `?` for one, every other character for
 * itself. Matched by the linear matcher of Sigma's wildcard values, so a pattern of many
 * wildcards cannot backtrack for long on a long name, without compiling a regular expression
 * (the first RE2 compile in a process cost a Lambda cold start several milliseconds).
 */
export function selectionsMatching(pattern: string, names: readonly string[]): string[] {
  if (pattern === 'them') return names.filter((name) => !name.startsWith('_'));
  const matches = compileStringMatcher(globOf(pattern), true);
  return names.filter(matches);
}

/** A condition's pattern as wildcard parts: no escapes, a backslash is itself. */
function globOf(pattern: string): SigmaString {
  const parts: SigmaStringPart[] = [];
  let literal = '';
  for (const char of pattern) {
    if (char !== '*' && char !== '?') {
      literal += char;
      continue;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(char === '*' ? WILDCARD_MULTI : WILDCARD_SINGLE);
  }
  if (literal !== '') parts.push(literal);
  return new SigmaString(parts);
}
