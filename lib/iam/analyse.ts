/**
 * From the account's authorization details to the wide roles: for each role, its inline policies,
 * its attached managed policies (default version) and its permissions boundary, probed for every
 * administrator-equivalent capability; each reason names the policy and statement that grants it.
 */
import type { ManagedPolicyDetail, RoleDetail } from '@aws-sdk/client-iam';
import type { Capability, CapabilityId, ProbeContext } from './capabilities';
import { ANY_ACTION_PROBE, AWS_MANAGED_ADMIN_POLICIES, CAPABILITIES } from './capabilities';
import type { PolicyKind, PolicyRef, ProbeResult, SourcedPolicy, StatementRef } from './evaluate';
import { deniedActionPatterns, evaluateProbe } from './evaluate';
import type { PolicyDocument } from './policy-document';
import { parsePolicyText, summariseConditions } from './policy-document';
import type { TrustEntry } from './trust';
import { trustEntries } from './trust';

export interface AuthorizationDetails {
  readonly roles: readonly RoleDetail[];
  readonly policies: readonly ManagedPolicyDetail[];
}

export interface CitedStatement {
  readonly policy: PolicyRef;
  readonly statement: number;
  readonly sid?: string;
  /** Its conditions on one line, empty when none. */
  readonly conditions: string;
  /** The boundary's or a conditional Deny's statement, cited for what limits the grant. */
  readonly role: 'grants' | 'boundary allows' | 'may deny';
}

export interface WideReason {
  readonly capability: CapabilityId | 'aws-managed-admin';
  /** What the power is, with the exceptions that apply: "every action on every resource (except iam:*)". */
  readonly title: string;
  /** True when a condition decides the grant at request time; still listed, marked. */
  readonly conditional: boolean;
  readonly statements: readonly CitedStatement[];
}

export interface WideRole {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly boundary?: string;
  readonly reasons: readonly WideReason[];
  readonly assumableBy: readonly TrustEntry[];
  /** Policies that could not be read or parsed, so the answer may be incomplete. */
  readonly problems: readonly string[];
}

export interface RolesReport {
  readonly examined: number;
  readonly wide: readonly WideRole[];
  /** Problems of roles that were not found wide (wide roles carry their own). */
  readonly problems: readonly string[];
}

const AWS_MANAGED_ARN = /^arn:[a-z-]+:iam::aws:policy\//;

export function analyseRoles(details: AuthorizationDetails): RolesReport {
  const documents = managedDocuments(details.policies);
  const wide: WideRole[] = [];
  const problems: string[] = [];
  for (const role of details.roles) {
    const found = analyseRole(role, documents);
    if (found.reasons.length > 0) wide.push(found);
    else problems.push(...found.problems);
  }
  wide.sort((a, b) => a.arn.localeCompare(b.arn));
  return { examined: details.roles.length, wide, problems };
}

interface ManagedDocument {
  readonly name: string;
  readonly document?: PolicyDocument;
  readonly problem?: string;
}

/** Each managed policy's default version, parsed once. */
function managedDocuments(policies: readonly ManagedPolicyDetail[]): Map<string, ManagedDocument> {
  const byArn = new Map<string, ManagedDocument>();
  for (const policy of policies) {
    if (!policy.Arn) continue;
    // Some emulators leave PolicyName out; the ARN's last part is the name.
    const name = policy.PolicyName ?? policy.Arn.split('/').pop() ?? policy.Arn;
    const version =
      policy.PolicyVersionList?.find((v) => v.IsDefaultVersion) ??
      policy.PolicyVersionList?.find((v) => v.VersionId === policy.DefaultVersionId);
    if (!version?.Document) {
      byArn.set(policy.Arn, { name, problem: `${policy.Arn}: no default version document returned` });
      continue;
    }
    try {
      byArn.set(policy.Arn, { name, document: parsePolicyText(version.Document, policy.Arn) });
    } catch (error) {
      byArn.set(policy.Arn, { name, problem: (error as Error).message });
    }
  }
  return byArn;
}

/** `arn:aws:iam::111122223333:role/path/Name` → partition and account, for the probes. */
export function probeContextOf(arn: string): ProbeContext {
  const [, partition = 'aws', , , account = ''] = arn.split(':');
  return { partition, account };
}

function analyseRole(role: RoleDetail, documents: Map<string, ManagedDocument>): WideRole {
  const arn = role.Arn ?? `(role ${role.RoleName ?? '?'})`;
  const problems: string[] = [];
  const identity: SourcedPolicy[] = [];
  const fallbackReasons: WideReason[] = [];
  for (const inline of role.RolePolicyList ?? []) {
    const name = inline.PolicyName ?? '?';
    try {
      identity.push({
        policy: { kind: 'inline', name },
        document: parsePolicyText(inline.PolicyDocument ?? '', `${arn} inline policy ${name}`),
      });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  for (const attached of role.AttachedManagedPolicies ?? []) {
    const policyArn = attached.PolicyArn ?? '';
    const kind: PolicyKind = AWS_MANAGED_ARN.test(policyArn) ? 'aws-managed' : 'managed';
    const name = attached.PolicyName ?? policyArn;
    const managed = documents.get(policyArn);
    if (managed?.document) {
      identity.push({ policy: { kind, name, arn: policyArn }, document: managed.document });
      continue;
    }
    problems.push(
      managed?.problem ?? `${policyArn}: attached to ${arn} but not in the authorization details`,
    );
    const known = kind === 'aws-managed' ? AWS_MANAGED_ADMIN_POLICIES[name] : undefined;
    if (known)
      fallbackReasons.push({
        capability: 'aws-managed-admin',
        title: `${known} (AWS managed policy ${name}, listed by name: its document was not read)`,
        conditional: role.PermissionsBoundary !== undefined,
        statements: [],
      });
  }
  let boundary: SourcedPolicy | undefined;
  const boundaryArn = role.PermissionsBoundary?.PermissionsBoundaryArn;
  if (boundaryArn) {
    const managed = documents.get(boundaryArn);
    if (managed?.document) {
      const kind: PolicyKind = 'boundary';
      boundary = { policy: { kind, name: managed.name, arn: boundaryArn }, document: managed.document };
    } else {
      // Without the boundary's text nothing can be ruled out: evaluate as if there were none, and say so.
      problems.push(`${boundaryArn}: the permissions boundary of ${arn} was not read; it is not applied`);
    }
  }
  let assumableBy: TrustEntry[] = [];
  try {
    assumableBy = trustEntries(parsePolicyText(role.AssumeRolePolicyDocument ?? '{}', `${arn} trust policy`));
  } catch (error) {
    problems.push((error as Error).message);
  }
  const reasons = [...wideReasons(identity, boundary, probeContextOf(arn)), ...fallbackReasons];
  return {
    arn,
    name: role.RoleName ?? '',
    path: role.Path ?? '/',
    ...(boundaryArn ? { boundary: boundaryArn } : {}),
    reasons,
    assumableBy,
    problems,
  };
}

const statementKey = (ref: StatementRef): string =>
  `${ref.policy.kind}\u0000${ref.policy.arn ?? ref.policy.name}\u0000${ref.statement.index}`;

/**
 * The capabilities the policies grant, broadest first. A capability whose granting statements were
 * all cited by a broader one already is left out: `Action: *` is one reason, not twenty.
 */
export function wideReasons(
  identity: readonly SourcedPolicy[],
  boundary: SourcedPolicy | undefined,
  context: ProbeContext,
): WideReason[] {
  const cited = new Set<string>();
  const reasons: WideReason[] = [];
  for (const capability of CAPABILITIES) {
    const grants = grantsOf(capability, identity, boundary, context);
    if (!grants) continue;
    const allows = grants.map((grant) => grant.allow);
    const keys = allows.map(statementKey);
    const previous = reasons.at(-1);
    // `iam:Put*` grants three escalations through one statement: one reason that names all three.
    if (previous?.capability === capability.id && sameCitations(previous, grants)) {
      reasons[reasons.length - 1] = {
        ...previous,
        title: `${previous.title}; ${capability.title}`,
        conditional: previous.conditional || grants.some((grant) => grant.conditional),
      };
      continue;
    }
    if (keys.every((key) => cited.has(key))) continue;
    for (const key of keys) cited.add(key);
    reasons.push({
      capability: capability.id,
      title: titleOf(capability, grants, identity, boundary, context),
      conditional: grants.some((grant) => grant.conditional),
      statements: citations(grants),
    });
  }
  return reasons;
}

type Grant = Extract<ProbeResult, { granted: true }>;

function sameCitations(reason: WideReason, grants: readonly Grant[]): boolean {
  const next = citations(grants);
  return (
    next.length === reason.statements.length &&
    next.every((cited, index) => {
      const other = reason.statements[index];
      return (
        other !== undefined &&
        other.role === cited.role &&
        other.statement === cited.statement &&
        other.policy.kind === cited.policy.kind &&
        (other.policy.arn ?? other.policy.name) === (cited.policy.arn ?? cited.policy.name)
      );
    })
  );
}

/** One grant per required group (the first probe of the group that is granted), or undefined. */
function grantsOf(
  capability: Capability,
  identity: readonly SourcedPolicy[],
  boundary: SourcedPolicy | undefined,
  context: ProbeContext,
): Grant[] | undefined {
  const grants: Grant[] = [];
  for (const group of capability.requires) {
    const results = group
      .map((probe) =>
        evaluateProbe(identity, boundary, { action: probe.action, resource: probe.resource(context) }),
      )
      .filter((result): result is Grant => result.granted);
    const best = results.find((result) => !result.conditional) ?? results[0];
    if (!best) return undefined;
    grants.push(best);
  }
  return grants;
}

function titleOf(
  capability: Capability,
  grants: readonly Grant[],
  identity: readonly SourcedPolicy[],
  boundary: SourcedPolicy | undefined,
  context: ProbeContext,
): string {
  if (capability.id !== 'all-actions') return capability.title;
  // "Every action" may carry exceptions: the Allow's NotAction, and Denies of some actions.
  const grant = grants[0];
  const notActions = grant?.allow.statement.notActions ?? [];
  const probe = capability.requires[0]?.[0];
  const denied = probe
    ? deniedActionPatterns(boundary ? [...identity, boundary] : identity, probe.resource(context))
    : [];
  const boundaryNot = grant?.boundaryAllow?.statement.notActions ?? [];
  const exceptions = [...new Set([...notActions, ...boundaryNot, ...denied])].filter(
    (pattern) => pattern !== ANY_ACTION_PROBE,
  );
  return exceptions.length === 0
    ? capability.title
    : `every action on every resource except ${exceptions.join(', ')}`;
}

function citations(grants: readonly Grant[]): CitedStatement[] {
  const cited: CitedStatement[] = [];
  const seen = new Set<string>();
  const add = (ref: StatementRef, role: CitedStatement['role']): void => {
    const key = `${role}\u0000${statementKey(ref)}`;
    if (seen.has(key)) return;
    seen.add(key);
    cited.push({
      policy: ref.policy,
      statement: ref.statement.index,
      ...(ref.statement.sid ? { sid: ref.statement.sid } : {}),
      conditions: summariseConditions(ref.statement.conditions),
      role,
    });
  };
  for (const grant of grants) add(grant.allow, 'grants');
  for (const grant of grants) if (grant.boundaryAllow) add(grant.boundaryAllow, 'boundary allows');
  for (const grant of grants) for (const deny of grant.conditionalDenies) add(deny, 'may deny');
  return cited;
}
