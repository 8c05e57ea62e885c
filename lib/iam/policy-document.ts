import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
/**
 * IAM policy documents as the evaluator reads them: statements normalised to lists, every value
 * checked, so a malformed document is an error that names the policy rather than a wrong answer.
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

export type Effect = 'Allow' | 'Deny';

/** One condition test, e.g. `Bool aws:MultiFactorAuthPresent = ["true"]`. */
export interface ConditionTest {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** A principal block of a trust policy: `*`, or type (AWS, Service, Federated, CanonicalUser) to ids. */
export type PrincipalBlock = '*' | Readonly<Record<string, readonly string[]>>;

export interface Statement {
  /** Position in the document's Statement list (0 for a lone statement object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** Exactly one of actions / notActions is set. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  /** Exactly one of resources / notResources is set (trust policies have neither). */
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly principal?: PrincipalBlock;
  readonly notPrincipal?: PrincipalBlock;
  readonly conditions: readonly ConditionTest[];
}

export interface PolicyDocument {
  readonly statements: readonly Statement[];
}

export class PolicyDocumentError extends TrailwatchError {
  override readonly name = 'PolicyDocumentError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'policy-document', options);
  }
}

/**
 * GetAccountAuthorizationDetails returns documents "URL-encoded compliant with RFC 3986"
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html); some emulators and
 * the SDK's own decoding hand back plain JSON. Both are accepted: JSON first, then decoded JSON.
 */
export function parsePolicyText(text: string, where: string): PolicyDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(decodeURIComponent(text));
    } catch (error) {
      throw new PolicyDocumentError(`${where}: not a JSON policy document (${(error as Error).message})`);
    }
  }
  return parsePolicyDocument(value, where);
}

export function parsePolicyDocument(value: unknown, where: string): PolicyDocument {
  if (!isObject(value)) throw new PolicyDocumentError(`${where}: a policy document is a JSON object`);
  const raw = value.Statement;
  if (raw === undefined) return { statements: [] };
  const list = Array.isArray(raw) ? raw : [raw];
  return {
    statements: list.map((item, index) => parseStatement(item, index, `${where} Statement[${index}]`)),
  };
}

function parseStatement(value: unknown, index: number, where: string): Statement {
  if (!isObject(value)) throw new PolicyDocumentError(`${where}: a statement is a JSON object`);
  const effect = value.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyDocumentError(`${where}: Effect must be Allow or Deny, not ${JSON.stringify(effect)}`);
  const statement: {
    index: number;
    sid?: string;
    effect: Effect;
    actions?: readonly string[];
    notActions?: readonly string[];
    resources?: readonly string[];
    notResources?: readonly string[];
    principal?: PrincipalBlock;
    notPrincipal?: PrincipalBlock;
    conditions: readonly ConditionTest[];
  } = { index, effect, conditions: parseConditions(value.Condition, where) };
  if (typeof value.Sid === 'string') statement.sid = value.Sid;
  if (value.Action !== undefined) statement.actions = stringList(value.Action, `${where} Action`);
  if (value.NotAction !== undefined) statement.notActions = stringList(value.NotAction, `${where} NotAction`);
  if (value.Resource !== undefined) statement.resources = stringList(value.Resource, `${where} Resource`);
  if (value.NotResource !== undefined)
    statement.notResources = stringList(value.NotResource, `${where} NotResource`);
  if (value.Principal !== undefined)
    statement.principal = parsePrincipal(value.Principal, `${where} Principal`);
  if (value.NotPrincipal !== undefined)
    statement.notPrincipal = parsePrincipal(value.NotPrincipal, `${where} NotPrincipal`);
  if ((statement.actions === undefined) === (statement.notActions === undefined))
    throw new PolicyDocumentError(`${where}: a statement has exactly one of Action and NotAction`);
  return statement;
}

function parseConditions(value: unknown, where: string): ConditionTest[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw new PolicyDocumentError(`${where} Condition: a JSON object`);
  const tests: ConditionTest[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) throw new PolicyDocumentError(`${where} Condition.${operator}: a JSON object`);
    for (const [key, values] of Object.entries(block)) {
      tests.push({ operator, key, values: scalarList(values, `${where} Condition.${operator}.${key}`) });
    }
  }
  return tests;
}

function parsePrincipal(value: unknown, where: string): PrincipalBlock {
  if (value === '*') return '*';
  if (!isObject(value)) throw new PolicyDocumentError(`${where}: "*" or a JSON object`);
  const block: Record<string, readonly string[]> = {};
  for (const [type, ids] of Object.entries(value)) block[type] = stringList(ids, `${where}.${type}`);
  return block;
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item !== 'string') throw new PolicyDocumentError(`${where}: strings expected`);
    return item;
  });
}

/** Condition values may be strings, numbers or booleans in JSON; IAM compares them as text. */
function scalarList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      return String(item);
    throw new PolicyDocumentError(`${where}: strings, numbers or booleans expected`);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Bool aws:MultiFactorAuthPresent=true; StringEquals sts:ExternalId=a|b`: one line a reader can act on. */
export function summariseConditions(conditions: readonly ConditionTest[]): string {
  return conditions.map((test) => `${test.operator} ${test.key}=${test.values.join('|')}`).join('; ');
}
