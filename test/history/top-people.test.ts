import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor/types';
import { member, stringField } from '../../lib/alerts';
import { renderBacktestTable } from '../../lib/cli/backtest';
import { parseConfig } from '../../lib/config';
import type { ActorSource } from '../../lib/driver/driver';
import type { BacktestReport } from '../../lib/history';
import { renderBacktestHtml, runBacktest } from '../../lib/history';
import { loadRules } from '../../lib/rules';
import { ALICE_VIA_CHAIN, UNKNOWN_ADMIN } from '../factories/actors';
import { HISTORY_ACCOUNTS, HISTORY_DAYS, HISTORY_RULE, historyObjects } from '../factories/history';

/**
 * The generated organization history (alice and bob create users as role Admin in two accounts),
 * backtested with attribution: alice is named by the evidence in both accounts, bob's sessions
 * started before the data. Top people count alice once across her two role-session ARNs, and
 * bob by principal, said to be unknown.
 */
const byRoleSession: ActorSource = {
  isSessionStart: () => false,
  mayStartSession: () => false,
  observe: async () => {},
  resolve: async (record): Promise<Actor> => {
    const arn = stringField(member(record.userIdentity, 'arn')) ?? '';
    return arn.endsWith('/alice') ? ALICE_VIA_CHAIN : UNKNOWN_ADMIN;
  },
};

async function backtest(): Promise<BacktestReport> {
  const root = mkdtempSync(join(tmpdir(), 'trailwatch-people-history-'));
  for (const object of historyObjects()) {
    const path = join(root, object.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
  }
  const rulesDir = mkdtempSync(join(tmpdir(), 'trailwatch-people-rule-'));
  writeFileSync(join(rulesDir, 'rule.yml'), HISTORY_RULE);
  return runBacktest({
    source: { kind: 'dir', path: root },
    filter: {
      since: Date.parse(`${HISTORY_DAYS[0]}T00:00:00Z`),
      until: Date.parse(`${HISTORY_DAYS[3]}T23:59:59Z`),
    },
    rules: loadRules([rulesDir]),
    config: parseConfig('dedup: {window: 1h}\n', 'trailwatch.yml'),
    actors: byRoleSession,
  });
}

const bob = (account: string): string => `arn:aws:sts::${account}:assumed-role/Admin/bob`;

describe('backtest: top people per rule', () => {
  it('counts a person once across role sessions, and an unknown person by principal', async () => {
    const report = await backtest();
    const [rule] = report.rules;
    // 4 days × 2 accounts × 3 regions × 2 files: 48 CreateUser each for alice and bob.
    expect(rule?.alerts).toBe(96);
    expect(rule?.topPeople).toEqual([
      { name: 'alice', known: true, alerts: 48 },
      { name: bob(HISTORY_ACCOUNTS[0]), known: false, alerts: 24 },
      { name: bob(HISTORY_ACCOUNTS[1]), known: false, alerts: 24 },
    ]);
    // The principals are still there, alice's split by account.
    expect(rule?.topPrincipals.map((p) => p.alerts)).toEqual([24, 24, 24, 24]);

    const table = renderBacktestTable(report);
    const header = table.find((line) => line.startsWith('RULE'));
    expect(header?.split(/\s{2,}/)).toEqual([
      'RULE',
      'LEVEL',
      'ALERTS',
      'AFTER DEDUP',
      'SUPPRESSED',
      'DAYS',
      'PEAK/DAY',
      'TOP PERSON',
      'TOP PRINCIPAL',
    ]);
    const row = table[table.indexOf(header ?? '') + 1]?.split(/\s{2,}/);
    expect(row?.[7]).toBe('alice (48)');

    const page = renderBacktestHtml(report);
    expect(page).toContain('<th>top people</th><th>top principals</th>');
    expect(page).toContain(
      `<td class="who">alice (48), unknown person: ${bob(HISTORY_ACCOUNTS[0])} (24), unknown person: ${bob(HISTORY_ACCOUNTS[1])} (24)</td>`,
    );
  });
});
