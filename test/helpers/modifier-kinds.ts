/**
 * What each registered modifier takes, written down here from Sigma's specification and pySigma's
 * `modify` signatures (not read from lib), and how a rule writes a value of each kind, for the
 * suites that check the modifiers' declared value kinds.
 */
import { SigmaString } from '../../lib/rules';
import type {
  DetectionItem,
  ModifierContext,
  RuleValue,
  ValueKind,
  ValueOf,
} from '../../lib/rules/modifiers/types';

export interface Declared {
  readonly accepts: readonly ValueKind[] | 'any';
  /** The words of the refusal: `'<name>' takes <expects>, not …`. */
  readonly expects?: string;
  readonly mustComeFirst?: boolean;
  /** A string the modifier's own checks accept (a network for cidr, a number for lt). */
  readonly validText?: string;
}

const TEXT: readonly ValueKind[] = ['string', 'regex', 'fieldref'];
const FLAG: Declared = { accepts: ['regex'], expects: "a regular expression (put '|re' before it)" };
const COMPARE: Declared = { accepts: ['number', 'string'], expects: 'a number', validText: '12' };

/** Every name a rule may write after `|`, aliases included. */
export const DECLARED: Readonly<Record<string, Declared>> = {
  contains: { accepts: TEXT, expects: 'a string' },
  startswith: { accepts: TEXT, expects: 'a string' },
  endswith: { accepts: TEXT, expects: 'a string' },
  all: { accepts: 'any' },
  cased: { accepts: 'any' },
  neq: { accepts: 'any' },
  re: { accepts: ['string'], expects: 'a string', mustComeFirst: true, validText: 'a+b' },
  i: FLAG,
  ignorecase: FLAG,
  m: FLAG,
  multiline: FLAG,
  s: FLAG,
  dotall: FLAG,
  exists: { accepts: ['boolean'], expects: 'true or false', mustComeFirst: true },
  cidr: {
    accepts: ['string'],
    expects: 'a network such as 10.0.0.0/8',
    mustComeFirst: true,
    validText: '10.0.0.0/8',
  },
  lt: COMPARE,
  lte: COMPARE,
  gt: COMPARE,
  gte: COMPARE,
  base64: { accepts: ['string'], expects: 'a string' },
  base64offset: { accepts: ['string'], expects: 'a string' },
  fieldref: { accepts: ['string'], expects: 'a field name', validText: 'userIdentity.userName' },
  expand: { accepts: ['string'], expects: 'a string with %placeholders%', validText: 'arn:%admins%' },
};

export function takes(declared: Declared, kind: ValueKind): boolean {
  return declared.accepts === 'any' || declared.accepts.includes(kind);
}

export function stringValue(raw: string): ValueOf<'string'> {
  return { kind: 'string', text: SigmaString.parse(raw), raw };
}

/**
 * How a rule writes a value of each kind: the modifier that makes it (none for YAML's own kinds),
 * the YAML value, and the value it becomes.
 */
export const WRITTEN: {
  readonly [K in ValueKind]: {
    readonly maker?: string;
    readonly yaml: string;
    readonly value: ValueOf<K>;
    /** How a refusal names it. */
    readonly described: string;
  };
} = {
  string: { yaml: '"x"', value: stringValue('x'), described: 'the string "x"' },
  number: { yaml: '5', value: { kind: 'number', value: 5 }, described: 'the number 5' },
  boolean: { yaml: 'true', value: { kind: 'boolean', value: true }, described: 'the boolean true' },
  null: { yaml: 'null', value: { kind: 'null' }, described: 'null' },
  regex: {
    maker: 're',
    yaml: '"a"',
    value: { kind: 'regex', pattern: 'a', flags: '' },
    described: "a regular expression (from '|re')",
  },
  cidr: {
    maker: 'cidr',
    yaml: '"10.0.0.0/8"',
    value: { kind: 'cidr', network: '10.0.0.0', prefix: 8, family: 'ipv4' },
    described: "a network (from '|cidr')",
  },
  compare: {
    maker: 'gt',
    yaml: '5',
    value: { kind: 'compare', op: 'gt', value: 5 },
    described: "a comparison (from '|gt')",
  },
  exists: {
    maker: 'exists',
    yaml: 'true',
    value: { kind: 'exists', value: true },
    described: "a presence test (from '|exists')",
  },
  fieldref: {
    maker: 'fieldref',
    yaml: '"eventName"',
    value: { kind: 'fieldref', field: 'eventName', startsWith: false, endsWith: false },
    described: "a field reference (from '|fieldref')",
  },
};

export const VALUE_KINDS = Object.keys(WRITTEN).filter((kind): kind is ValueKind => kind in WRITTEN);

/** A value of the kind that the modifier's own checks accept too (its validText for strings). */
export function validValue(name: string, kind: ValueKind): RuleValue {
  const text = DECLARED[name]?.validText;
  return kind === 'string' && text !== undefined ? stringValue(text) : WRITTEN[kind].value;
}

export const FIELD = 'requestParameters.value';

export function itemOf(values: readonly RuleValue[], applied: readonly string[] = []): DetectionItem {
  return { field: FIELD, values, linking: 'any', negated: false, cased: false, applied };
}

export const PLACEHOLDERS = { admins: ['arn:aws:iam::*:role/Admin'] };

export function testContext(): ModifierContext {
  return {
    placeholder: (name) => (name === 'admins' ? PLACEHOLDERS.admins : undefined),
    warn: () => {},
  };
}
