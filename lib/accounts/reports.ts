import type { AuditReport } from '../audit/model';
import type { AccountNames } from './names';
import { accountLabel } from './names';

/** The report with `accountNames`: the name of each account it shows that has one (for JSON readers). */
export function withAccountNames(
  report: AuditReport,
  accounts: AccountNames,
): AuditReport & {
  readonly accountNames: Readonly<Record<string, string>>;
} {
  const ids = new Set<string>(report.summary.accounts);
  for (const session of report.sessions) {
    for (const account of session.accounts) ids.add(account);
    for (const action of session.actions) if (action.account !== null) ids.add(action.account);
  }
  const accountNames: Record<string, string> = {};
  for (const id of [...ids].sort()) {
    const name = accounts.name(id);
    if (name !== undefined) accountNames[id] = name;
  }
  return { ...report, accountNames };
}

/**
 * The report as people read it: each account id shown as `111122223333 (prod)` where it has a
 * name, in the summary, the sessions and the actions. For the terminal table and the HTML page;
 * JSON keeps the ids and carries the names apart (withAccountNames).
 */
export function labelAuditAccounts(report: AuditReport, accounts: AccountNames): AuditReport {
  const label = (id: string): string => accountLabel(id, accounts.name(id));
  return {
    ...report,
    summary: { ...report.summary, accounts: report.summary.accounts.map(label) },
    sessions: report.sessions.map((session) => ({
      ...session,
      accounts: session.accounts.map(label),
      actions: session.actions.map((action) => ({
        ...action,
        account: action.account === null ? null : label(action.account),
      })),
    })),
  };
}
