/**
 * Does a set of identity policies (with a permissions boundary, if any) allow one action on a
 * probe resource? This follows the documented evaluation logic for one account
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny in any policy wins; otherwise an Allow is needed in the identity policies AND,
 * when a boundary is set, in the boundary (an action outside it is not granted). Conditions are not
 * evaluated (they depend on the request): a grant that needs one, or that a conditional Deny may
 * take away, is reported as conditional. SCPs and resource policies are not read.
 */
import type { PolicyDocument, Statement } from './policy-document';
import type { ProbeArn } from './wildcard';
import { actionMatches, resourceMatches } from './wildcard';

export type PolicyKind = 'inline' | 'managed' | 'aws-managed' | 'boundary';

export interface PolicyRef {
  readonly kind: PolicyKind;
  readonly name: string;
  /** Managed policies only. */
  readonly arn?: string;
}

export interface SourcedPolicy {
  readonly policy: PolicyRef;
  readonly document: PolicyDocument;
}

export interface StatementRef {
  readonly policy: PolicyRef;
  readonly statement: Statement;
}

export interface Probe {
  readonly action: string;
  readonly resource: ProbeArn;
}

export type ProbeResult =
  | {
      readonly granted: true;
      /** The Allow that grants it (an unconditional one when there is one). */
      readonly allow: StatementRef;
      /** The boundary's Allow, when a boundary is set. */
      readonly boundaryAllow?: StatementRef;
      /** Denies with conditions that may take the grant away at request time. */
      readonly conditionalDenies: readonly StatementRef[];
      /** True when the Allow or the boundary needs a condition, or a conditional Deny applies. */
      readonly conditional: boolean;
    }
  | { readonly granted: false; readonly reason: 'no-allow' | 'outside-boundary' }
  | { readonly granted: false; readonly reason: 'denied'; readonly deniedBy: StatementRef };

/** Whether the statement's Action/NotAction covers the action. */
export function statementCoversAction(statement: Statement, action: string): boolean {
  if (statement.actions) return statement.actions.some((pattern) => actionMatches(pattern, action));
  if (statement.notActions) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
  return false;
}

/**
 * Whether the statement's Resource/NotResource covers the probe. A statement with neither (a trust
 * policy's) covers nothing: identity policies must name resources, IAM refuses them otherwise.
 */
export function statementCoversResource(statement: Statement, resource: ProbeArn): boolean {
  if (statement.resources) return statement.resources.some((pattern) => resourceMatches(pattern, resource));
  if (statement.notResources)
    return !statement.notResources.some((pattern) => resourceMatches(pattern, resource));
  return false;
}

function applies(statement: Statement, probe: Probe): boolean {
  return statementCoversAction(statement, probe.action) && statementCoversResource(statement, probe.resource);
}

function matching(
  policies: readonly SourcedPolicy[],
  probe: Probe,
  effect: 'Allow' | 'Deny',
): StatementRef[] {
  const found: StatementRef[] = [];
  for (const { policy, document } of policies) {
    for (const statement of document.statements) {
      if (statement.effect === effect && applies(statement, probe)) found.push({ policy, statement });
    }
  }
  return found;
}

/** An unconditional statement first: it is the stronger evidence. */
function strongest(refs: readonly StatementRef[]): StatementRef | undefined {
  return refs.find((ref) => ref.statement.conditions.length === 0) ?? refs[0];
}

export function evaluateProbe(
  identity: readonly SourcedPolicy[],
  boundary: SourcedPolicy | undefined,
  probe: Probe,
): ProbeResult {
  const everything = boundary ? [...identity, boundary] : identity;
  const denies = matching(everything, probe, 'Deny');
  const hardDeny = denies.find((ref) => ref.statement.conditions.length === 0);
  if (hardDeny) return { granted: false, reason: 'denied', deniedBy: hardDeny };
  const allow = strongest(matching(identity, probe, 'Allow'));
  if (!allow) return { granted: false, reason: 'no-allow' };
  const boundaryAllow = boundary ? strongest(matching([boundary], probe, 'Allow')) : undefined;
  if (boundary && !boundaryAllow) return { granted: false, reason: 'outside-boundary' };
  const conditional =
    allow.statement.conditions.length > 0 ||
    (boundaryAllow !== undefined && boundaryAllow.statement.conditions.length > 0) ||
    denies.length > 0;
  return {
    granted: true,
    allow,
    ...(boundaryAllow ? { boundaryAllow } : {}),
    conditionalDenies: denies,
    conditional,
  };
}

/**
 * The actions unconditional Denies take away from a probe's resource: listed beside a grant of
 * "every action" so the reader sees what it does not cover.
 */
export function deniedActionPatterns(
  policies: readonly SourcedPolicy[],
  resource: ProbeArn,
): readonly string[] {
  const patterns: string[] = [];
  for (const { document } of policies) {
    for (const statement of document.statements) {
      if (statement.effect !== 'Deny' || statement.conditions.length > 0) continue;
      if (!statementCoversResource(statement, resource)) continue;
      if (statement.actions) patterns.push(...statement.actions);
      if (statement.notActions) patterns.push(`all but ${statement.notActions.join(', ')}`);
    }
  }
  return patterns;
}
