/**
 * Who may assume a role: the principals its trust policy allows, each with the conditions it must
 * meet. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
import type { PolicyDocument, PrincipalBlock, Statement } from './policy-document';
import { summariseConditions } from './policy-document';
import { actionMatches } from './wildcard';

export type TrustKind =
  | 'anyone'
  | 'account'
  | 'role'
  | 'user'
  | 'session'
  /** A unique id (AROA…, AIDA…): IAM shows these when the principal named was deleted. */
  | 'deleted-principal'
  | 'service'
  | 'federated'
  | 'canonical-user'
  /** NotPrincipal: everyone except those listed. */
  | 'everyone-except'
  | 'other';

export interface TrustEntry {
  readonly kind: TrustKind;
  readonly principal: string;
  /** The sts actions it is allowed (sts:AssumeRole, sts:AssumeRoleWithSAML, …). */
  readonly actions: readonly string[];
  /** Conditions on one line, empty when none. */
  readonly conditions: string;
  readonly statement: number;
}

/** The calls that start a session in the role. */
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[a-z-]+:iam::\d{12}:root$/;
const UNIQUE_ID = /^A[A-Z]{3}[A-Z0-9]{12,}$/;

export function classifyAwsPrincipal(id: string): TrustKind {
  if (id === '*') return 'anyone';
  if (ACCOUNT_ID.test(id) || ACCOUNT_ROOT.test(id)) return 'account';
  if (/^arn:[a-z-]+:iam::\d{12}:role\//.test(id)) return 'role';
  if (/^arn:[a-z-]+:iam::\d{12}:user\//.test(id)) return 'user';
  if (/^arn:[a-z-]+:sts::\d{12}:(assumed-role|federated-user)\//.test(id)) return 'session';
  if (UNIQUE_ID.test(id)) return 'deleted-principal';
  return 'other';
}

function kindsOf(block: PrincipalBlock): { kind: TrustKind; principal: string }[] {
  if (block === '*') return [{ kind: 'anyone', principal: '*' }];
  const entries: { kind: TrustKind; principal: string }[] = [];
  for (const [type, ids] of Object.entries(block)) {
    for (const id of ids) {
      const kind: TrustKind =
        type === 'AWS'
          ? classifyAwsPrincipal(id)
          : type === 'Service'
            ? 'service'
            : type === 'Federated'
              ? 'federated'
              : type === 'CanonicalUser'
                ? 'canonical-user'
                : 'other';
      entries.push({ kind, principal: id });
    }
  }
  return entries;
}

function assumeActions(statement: Statement): string[] {
  return ASSUME_ACTIONS.filter((action) =>
    statement.actions
      ? statement.actions.some((pattern) => actionMatches(pattern, action))
      : !(statement.notActions ?? []).some((pattern) => actionMatches(pattern, action)),
  );
}

/** The Allow statements' principals that may start a session; Deny statements are not subtracted. */
export function trustEntries(document: PolicyDocument): TrustEntry[] {
  const entries: TrustEntry[] = [];
  for (const statement of document.statements) {
    if (statement.effect !== 'Allow') continue;
    const actions = assumeActions(statement);
    if (actions.length === 0) continue;
    const conditions = summariseConditions(statement.conditions);
    if (statement.principal) {
      for (const { kind, principal } of kindsOf(statement.principal))
        entries.push({ kind, principal, actions, conditions, statement: statement.index });
    }
    if (statement.notPrincipal) {
      for (const { principal } of kindsOf(statement.notPrincipal))
        entries.push({ kind: 'everyone-except', principal, actions, conditions, statement: statement.index });
    }
  }
  return entries;
}
