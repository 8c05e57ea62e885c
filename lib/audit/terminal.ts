import type { Person } from '../actor/types';
import type { Column } from '../cli/table';
import { renderColumns, tableCell } from '../cli/table';
import { LEVELS } from '../rules';
import { accountOfArn } from './collect';
import type { AuditAction, AuditReport, AuditSession, AuditSummary } from './model';

/**
 * The report for a terminal: a heading per session, then its actions as a table, then the summary.
 * Every string from the data (names, ARNs, IPs, error codes, rule titles) goes through `tableCell`
 * or `renderColumns`: one line, control and bidi characters shown as escapes, cut to a cell's width.
 */
export function renderAuditTable(report: AuditReport): string[] {
  const lines: string[] = [];
  const { summary } = report;
  if (report.sessions.length === 0) {
    lines.push(`no session of ${tableCell(report.who)} found`);
  } else {
    lines.push(
      `${report.people.map(describePerson).join('; ')}: ${summary.sessions} session(s), ${summary.actions} action(s), ${summary.writes} write(s), ${summary.errors} error(s), ${summary.alerts.total} alert(s)`,
    );
  }
  report.sessions.forEach((session, index) => {
    lines.push('', ...renderSession(session, index + 1));
  });
  lines.push('', ...renderSummary(summary));
  const { unattributed } = report;
  if (unattributed.sessions > 0) {
    lines.push(
      '',
      `note: ${unattributed.sessions} session(s) (${unattributed.actions} action(s)) of the same role(s) have no known person: ${unattributed.roles.map((role) => `${tableCell(roleLabel(role.name))} ${role.count}`).join(', ')}. No evidence in the data read names their person (their start is outside it, or their credentials had expired): they may be this person's or anyone's.`,
    );
  }
  return lines;
}

export function describePerson(person: Person): string {
  const name = tableCell(person.name ?? '(no name)');
  return person.arn === null
    ? `${name} (${person.kind})`
    : `${name} (${person.kind}, ${tableCell(person.arn)})`;
}

/** `Admin (111111111111)`: a role ARN as its name and account. */
export function roleLabel(arn: string): string {
  const slash = arn.lastIndexOf('/');
  const name = slash >= 0 ? arn.slice(slash + 1) : arn;
  const account = accountOfArn(arn);
  return account === undefined ? name : `${name} (${account})`;
}

function renderSession(session: AuditSession, number: number): string[] {
  const { started } = session;
  const when = started.eventTime ?? session.firstEventTime;
  const startEvent = started.eventID === undefined ? '' : `, event ${tableCell(started.eventID)}`;
  const chain =
    session.via.length === 0
      ? 'acted as themself'
      : session.via.map((arn) => tableCell(roleLabel(arn))).join(' → ');
  return [
    `Session ${number}: ${started.label} at ${tableCell(when)}${startEvent}`,
    `  person     ${describePerson(session.person)}`,
    `  via        ${chain}`,
    `  accounts   ${session.accounts.map((value) => tableCell(value)).join(', ') || '-'}`,
    `  interface  ${session.interfaces.join(', ') || 'unknown'}`,
    `  source IP  ${session.sourceIPs.map((value) => tableCell(value)).join(', ') || '-'}`,
    `  evidence   ${session.proof.kind}: ${tableCell(session.proof.detail)}`,
    `  from ${tableCell(session.firstEventTime)} to ${tableCell(session.lastEventTime)}, ${session.actions.length} action(s)`,
    ...renderColumns(session.actions, ACTION_COLUMNS).map((line) => `  ${line}`),
  ];
}

const ACTION_COLUMNS: readonly Column<AuditAction>[] = [
  ['TIME', (a) => a.eventTime],
  ['ACCOUNT', (a) => a.account ?? '-'],
  ['REGION', (a) => a.region],
  ['ACTION', (a) => `${a.service}:${a.action}`],
  ['ACCESS', (a) => a.access],
  ['ERROR', (a) => a.errorCode ?? '-'],
  ['RULES', (a) => (a.rules.length === 0 ? '-' : a.rules.map((r) => `${r.level}: ${r.title}`).join('; '))],
  ['EVENT ID', (a) => a.eventID],
];

function renderSummary(summary: AuditSummary): string[] {
  const levels = [...LEVELS]
    .reverse()
    .filter((level) => (summary.alerts.byLevel[level] ?? 0) > 0)
    .map((level) => `${level} ${summary.alerts.byLevel[level]}`);
  const lines = [
    'Summary',
    `  sessions   ${summary.sessions}`,
    `  actions    ${summary.actions}: ${summary.writes} write(s), ${summary.reads} read(s)${summary.unknownAccess > 0 ? `, ${summary.unknownAccess} neither (sign-ins)` : ''}`,
    `  errors     ${summary.errors}`,
    `  services   ${summary.services.map((s) => `${tableCell(s.name)} ${s.count}`).join(', ') || '-'}`,
    `  accounts   ${summary.accounts.map((value) => tableCell(value)).join(', ') || '-'}`,
    `  regions    ${summary.regions.map((value) => tableCell(value)).join(', ') || '-'}`,
    `  alerts     ${summary.alerts.total}${levels.length > 0 ? ` (${levels.join(', ')})` : ''}`,
  ];
  if (summary.correlations.length > 0) {
    lines.push(
      `  correlated ${summary.correlations.map((c) => `${c.level}: ${tableCell(c.title)}`).join('; ')}`,
    );
  }
  if (summary.firstEventTime !== null && summary.lastEventTime !== null) {
    lines.push(`  window     ${tableCell(summary.firstEventTime)} to ${tableCell(summary.lastEventTime)}`);
  }
  return lines;
}
