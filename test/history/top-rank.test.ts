import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderBacktestTable } from '../../lib/cli/backtest';
import { arnTail, identityCell } from '../../lib/cli/table';
import { rankTop, TOP_PEOPLE, TOP_PRINCIPALS, topPersonText } from '../../lib/history';
import { fixtureReport } from './report-fixture';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

const entry = fc.record({
  name: fc.oneof(fc.constantFrom('alice', 'Alice', 'arn:aws:sts::1:assumed-role/A/b', 'bob'), fc.string()),
  known: fc.boolean(),
  alerts: fc.integer({ min: 1, max: 4 }),
});
/** Entries as the report keeps them: one per name and kind. */
const entries = fc.uniqueArray(entry, { selector: (e) => `${e.known}\u0000${e.name}`, maxLength: 12 });

describe('backtest top lists: one deterministic order', () => {
  it('any reading order gives the same list', () => {
    fc.assert(
      fc.property(
        entries.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        ([list, shuffled]) => {
          expect([...shuffled].sort(rankTop)).toEqual([...list].sort(rankTop));
        },
      ),
    );
  });

  it('most alerts first, then code-point order, then a named person before a principal reading the same', () => {
    const arn = 'arn:aws:sts::1:assumed-role/Admin/bob';
    const sorted = [
      { name: arn, known: false, alerts: 2 },
      { name: 'alice', known: true, alerts: 2 },
      { name: arn, known: true, alerts: 2 },
      { name: 'Zed', known: true, alerts: 2 },
      { name: 'carol', known: true, alerts: 3 },
    ].sort(rankTop);
    expect(sorted.map((e) => `${e.name}${e.known ? '' : ' (unknown)'}`)).toEqual([
      'carol',
      'Zed',
      'alice',
      arn,
      `${arn} (unknown)`,
    ]);
  });

  it("the table's TOP PERSON and TOP PRINCIPAL are the first of the lists the JSON holds", () => {
    const report = fixtureReport('2026-11-01', 3);
    const table = renderBacktestTable(report);
    const header = table.findIndex((line) => line.startsWith('RULE'));
    const rule = report.rules.find((r) => r.alerts > 0);
    const person = rule?.topPeople[0];
    const principal = rule?.topPrincipals[0];
    expect(person && principal).toBeTruthy();
    if (!person || !principal) return;
    const row = table[header + 1] ?? '';
    // Cells are shortened from the middle; the name that says who acted is never cut.
    expect(row).toContain(identityCell(topPersonText(person), person.name));
    expect(row).toContain(
      identityCell(`${principal.principal} (${principal.alerts})`, arnTail(principal.principal)),
    );
    expect(row).toContain(`/${person.name} (${principal.alerts})`);
  });

  it('the README says what the report lists: top people and principals, how many, in which order', () => {
    const report = README.slice(README.indexOf('- **Report.** Per rule'));
    const bullet = report.slice(0, report.indexOf('\n- '));
    expect(bullet).toContain(`the top ${TOP_PEOPLE} people`);
    expect(bullet).toContain(`the top ${TOP_PRINCIPALS} principals`);
    expect(bullet).toContain('The table shows the first of each (TOP PERSON, TOP');
    expect(bullet).toContain('code-point order');
  });
});
