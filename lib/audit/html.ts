import type { Person } from '../actor/types';
import { escapeHtml } from '../history/html';
import { LEVELS } from '../rules';
import type { AuditAction, AuditReport, AuditSession } from './model';
import { roleLabel } from './terminal';

/**
 * The audit as one self-contained HTML page: a timeline of the person's sessions, each with its
 * actions in time order. Inline CSS only; no script, no link, no image, no external resource; every
 * string from the data goes through `escapeHtml` (entities for the HTML specials, control and bidi
 * characters shown as escapes), and no attribute takes a value from the data except through it.
 */
export function renderAuditHtml(report: AuditReport): string {
  const { summary } = report;
  const who = escapeHtml(report.who);
  const people = report.people.map(personHtml).join('; ') || `no person matched <b>${who}</b>`;
  const levels = [...LEVELS]
    .reverse()
    .filter((level) => (summary.alerts.byLevel[level] ?? 0) > 0)
    .map((level) => `<span class="rule ${level}">${level} ${summary.alerts.byLevel[level]}</span>`)
    .join(' ');
  const unattributed =
    report.unattributed.sessions === 0
      ? ''
      : `<p class="note">${report.unattributed.sessions} session(s) (${report.unattributed.actions} action(s)) of the same role(s) have no known person: ${report.unattributed.roles.map((role) => `${escapeHtml(roleLabel(role.name))} ${role.count}`).join(', ')}. No evidence in the data read names their person: they may be this person's or anyone's.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>trailwatch audit: ${who}</title>
<style>${STYLE}</style></head><body>
<h1>What ${who} did</h1>
<p class="people">${people}</p>
<table class="summary">
<tr><th>sessions</th><th>actions</th><th>writes</th><th>reads</th><th>errors</th><th>alerts</th></tr>
<tr><td>${summary.sessions}</td><td>${summary.actions}</td><td>${summary.writes}</td><td>${summary.reads}</td><td>${summary.errors}</td><td>${summary.alerts.total} ${levels}</td></tr>
</table>
<p>Services: ${summary.services.map((s) => `${escapeHtml(s.name)} (${s.count})`).join(', ') || '-'}.
Accounts: ${summary.accounts.map(escapeHtml).join(', ') || '-'}. Regions: ${summary.regions.map(escapeHtml).join(', ') || '-'}.
${summary.firstEventTime && summary.lastEventTime ? `From ${escapeHtml(summary.firstEventTime)} to ${escapeHtml(summary.lastEventTime)}.` : ''}</p>
${summary.correlations.length > 0 ? `<p>Correlated: ${summary.correlations.map((c) => `<span class="rule ${c.level}">${escapeHtml(c.title)}</span>`).join(' ')}</p>` : ''}
${unattributed}
<ol class="timeline">
${report.sessions.map(sessionHtml).join('\n')}
</ol>
<footer>trailwatch audit · every name, ARN and value above comes from CloudTrail records and is shown as recorded.</footer>
</body></html>
`;
}

function personHtml(person: Person): string {
  const name = `<b>${escapeHtml(person.name ?? '(no name)')}</b>`;
  return `${name} <span class="muted">${escapeHtml(person.kind)}${person.arn === null ? '' : ` · ${escapeHtml(person.arn)}`}</span>`;
}

function sessionHtml(session: AuditSession, index: number): string {
  const { started } = session;
  const chain =
    session.via.length === 0
      ? '<span class="muted">acted as themself</span>'
      : session.via
          .map((arn) => `<span class="role" title="${escapeHtml(arn)}">${escapeHtml(roleLabel(arn))}</span>`)
          .join(' → ');
  const when = escapeHtml(started.eventTime ?? session.firstEventTime);
  return `<li class="session">
<div class="session-head"><span class="dot start"></span><h2>Session ${index + 1}: ${escapeHtml(started.label)}</h2> <time>${when}</time>${started.eventID === undefined ? '' : ` <code>${escapeHtml(started.eventID)}</code>`}</div>
<dl>
<dt>person</dt><dd>${personHtml(session.person)}</dd>
<dt>role chain</dt><dd>${chain}</dd>
<dt>accounts</dt><dd>${session.accounts.map(escapeHtml).join(', ') || '-'}</dd>
<dt>interface</dt><dd>${session.interfaces.map(escapeHtml).join(', ') || 'unknown'}</dd>
<dt>source IPs</dt><dd>${session.sourceIPs.map(escapeHtml).join(', ') || '-'}</dd>
<dt>evidence</dt><dd>${escapeHtml(session.proof.kind)}: ${escapeHtml(session.proof.detail)}</dd>
</dl>
<ol class="actions">
${session.actions.map(actionHtml).join('\n')}
</ol>
</li>`;
}

function actionHtml(action: AuditAction): string {
  const classes = ['action', action.access, action.errorCode === null ? '' : 'failed']
    .filter(Boolean)
    .join(' ');
  const rules = action.rules
    .map(
      (rule) =>
        `<span class="rule ${rule.level}" title="${escapeHtml(rule.ruleId)}">${escapeHtml(rule.title)}</span>`,
    )
    .join(' ');
  const error =
    action.errorCode === null
      ? ''
      : ` <span class="error" title="${escapeHtml(action.errorMessage ?? '')}">${escapeHtml(action.errorCode)}</span>`;
  return `<li class="${classes}"><span class="dot"></span><time>${escapeHtml(action.eventTime)}</time> <b>${escapeHtml(`${action.service}:${action.action}`)}</b> <span class="access">${action.access}</span>${error} <span class="muted">${escapeHtml(action.account ?? '-')} · ${escapeHtml(action.region)} · ${escapeHtml(action.sourceIPAddress ?? '-')}</span> ${rules} <code class="id">${escapeHtml(action.eventID)}</code></li>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f;background:#fff;max-width:1200px}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.05rem;margin:0;display:inline}
.muted{color:#6b6b6b}code{font:12px ui-monospace,monospace;color:#555}
table.summary{border-collapse:collapse;margin:1rem 0}table.summary td,table.summary th{border:1px solid #ddd;padding:4px 10px;text-align:left}
table.summary th{background:#f4f4f4}
.note{background:#fff6d6;border-left:4px solid #e0b300;padding:.5rem .75rem}
ol.timeline{list-style:none;padding:0;margin:1.5rem 0;border-left:3px solid #c9d3e0;margin-left:10px}
li.session{position:relative;padding:0 0 1.5rem 1.25rem}
.session-head{margin-bottom:.25rem}.session-head time{margin-left:.5rem;color:#444}
.dot{position:absolute;left:-8px;width:13px;height:13px;border-radius:50%;background:#8aa4c8;border:2px solid #fff}
.dot.start{background:#2f5d9e;width:15px;height:15px;left:-9px;top:2px}
dl{display:grid;grid-template-columns:8rem auto;gap:2px 10px;margin:.25rem 0 .5rem}dt{color:#6b6b6b}dd{margin:0}
.role{background:#eef3fa;border-radius:3px;padding:0 4px}
ol.actions{list-style:none;padding:0;margin:0}
li.action{position:relative;padding:3px 0 3px 4px;border-bottom:1px solid #f0f0f0}
li.action .dot{left:-30px;top:8px;width:9px;height:9px}
li.action.write .dot{background:#e8833a}li.action.read .dot{background:#9bb7d9}
li.action.failed .dot{background:#c62828}
li.action time{font:12px ui-monospace,monospace;color:#444}
.access{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#6b6b6b}
li.action.write .access{color:#b35a12;font-weight:600}
.error{background:#fde2e2;color:#a31515;border-radius:3px;padding:0 4px;font-size:12px}
.rule{border-radius:3px;padding:0 5px;font-size:12px;color:#fff;background:#777}
.rule.critical{background:#7b1fa2}.rule.high{background:#c62828}.rule.medium{background:#e8833a}.rule.low{background:#2f5d9e}.rule.informational{background:#777}
code.id{margin-left:.5rem}
footer{margin-top:2rem;color:#888;font-size:12px}
`;
