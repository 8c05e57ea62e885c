/**
 * `trailwatch roles` output. The table is for people: one block per wide role, its reasons (each
 * naming the policy and statement) and who may assume it. JSON carries the same, for tools.
 * Every string from IAM is user-chosen (names, paths, conditions): the table shows each on one inert
 * line.
 */
import { oneLine } from '../text';
import type { CitedStatement, RolesReport, WideRole } from './analyse';
import type { PolicyRef } from './evaluate';
import type { TrustEntry } from './trust';

const POLICY_KIND_TEXT: Record<PolicyRef['kind'], string> = {
  inline: 'inline policy',
  managed: 'managed policy',
  'aws-managed': 'AWS managed policy',
  boundary: 'boundary',
};

const TRUST_KIND_TEXT: Record<TrustEntry['kind'], string> = {
  anyone: 'ANYONE (Principal "*")',
  account: 'account',
  role: 'role',
  user: 'user',
  session: 'session',
  'deleted-principal': 'deleted principal',
  service: 'service',
  federated: 'federated',
  'canonical-user': 'canonical user',
  'everyone-except': 'everyone except',
  other: 'principal',
};

export function describePolicy(policy: PolicyRef): string {
  return `${POLICY_KIND_TEXT[policy.kind]} ${policy.name}`;
}

function describeStatement(cited: CitedStatement): string {
  const sid = cited.sid ? ` (${cited.sid})` : '';
  const conditions = cited.conditions ? ` if ${cited.conditions}` : '';
  return `${cited.role} ${describePolicy(cited.policy)}, statement ${cited.statement}${sid}${conditions}`;
}

/** Account ids as principals mean any principal of that account its own policies allow. */
function describeTrust(entry: TrustEntry): string {
  const actions =
    entry.actions.length === 1 && entry.actions[0] === 'sts:AssumeRole'
      ? ''
      : ` [${entry.actions.join(', ')}]`;
  const conditions = entry.conditions ? ` if ${entry.conditions}` : '';
  return `${TRUST_KIND_TEXT[entry.kind]} ${entry.principal}${actions}${conditions}`;
}

function roleBlock(role: WideRole): string[] {
  const lines = [oneLine(role.arn)];
  if (role.boundary) lines.push(`  boundary: ${oneLine(role.boundary)}`);
  lines.push('  wide because:');
  for (const reason of role.reasons) {
    lines.push(`    - ${oneLine(reason.title)}${reason.conditional ? ' [CONDITIONAL]' : ''}`);
    for (const cited of reason.statements) lines.push(`        ${oneLine(describeStatement(cited))}`);
  }
  lines.push('  assumable by:');
  if (role.assumableBy.length === 0) lines.push('    (no principal: its trust policy allows no one)');
  for (const entry of role.assumableBy) lines.push(`    - ${oneLine(describeTrust(entry))}`);
  for (const problem of role.problems) lines.push(`  warning: ${oneLine(problem)}`);
  return lines;
}

export function formatRolesTable(report: RolesReport): string {
  const blocks = report.wide.map((role) => roleBlock(role).join('\n'));
  const summary = `${report.wide.length} of ${report.examined} role(s) grant administrator-equivalent power`;
  const problems = report.problems.map((problem) => `warning: ${oneLine(problem)}`);
  return `${[...blocks, summary, ...problems].join('\n\n')}\n`;
}

export function formatRolesJson(report: RolesReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
