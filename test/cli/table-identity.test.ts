import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../lib/cli/table';
import {
  arnTail,
  identityCell,
  MAX_CELL,
  MAX_IDENTITY,
  minimumWidth,
  renderColumns,
  shortenMiddle,
  tableCell,
} from '../../lib/cli/table';

const SSO_ARN =
  'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com';

describe('shortening from the middle keeps who acted', () => {
  const cases: readonly [string, string, number, string | undefined, string][] = [
    [
      'an Identity Center ARN keeps its session name',
      SSO_ARN,
      36,
      'alice@example.com',
      'arn:aws:sts::1111…/alice@example.com',
    ],
    [
      'the same at the default cap',
      SSO_ARN,
      MAX_CELL,
      'alice@example.com',
      'arn:aws:sts::111122223333:assumed-role/AW…/alice@example.com',
    ],
    [
      'a person named first keeps the name and the end',
      'alice@example.com via AWSReservedSSO_AdministratorAccess_0123456789abcdef (111122223333), console',
      40,
      'alice@example.com',
      'alice@example.com…111122223333), console',
    ],
    [
      'a session named in the middle keeps it and what follows',
      'unknown (role AWSReservedSSO_AdministratorAccess_0123456789abcdef (111122223333), session alice@example.com), console',
      40,
      'alice@example.com',
      'unknown (rol…alice@example.com), console',
    ],
    [
      'without an identity: start and end',
      'Root account used to sign in to the console',
      21,
      undefined,
      'Root accou…he console',
    ],
    ['short text is kept whole', 'alice', 10, 'alice', 'alice'],
    [
      'a session name that also starts the text is kept where it names who acted, at the end (fast-check seed 296082163)',
      'arn:aws:sts::000000000000:assumed-role/a/ar',
      9,
      'ar',
      'arn:a…/ar',
    ],
  ];
  it.each(cases)('%s', (_name, text, width, identity, shown) => {
    const cell = shortenMiddle(text, width, identity);
    expect(cell).toBe(shown);
    expect(cell.length).toBeLessThanOrEqual(width);
  });

  it('identityCell keeps a 64-character session name whole, past MAX_CELL if it must', () => {
    const session = `${'s'.repeat(MAX_IDENTITY - 12)}@example.com`;
    const cell = identityCell(`arn:aws:sts::111122223333:assumed-role/Admin/${session}`, session);
    expect(cell.endsWith(`/${session}`) || cell.endsWith(session)).toBe(true);
    expect(cell.startsWith('arn:')).toBe(true);
  });

  it('tableCell takes the text alone: names.map(tableCell) shortens each from the middle', () => {
    expect([SSO_ARN, 'bob'].map(tableCell)).toEqual([
      'arn:aws:sts::111122223333:assu…56789abcdef/alice@example.com',
      'bob',
    ]);
  });

  it('arnTail is the name after the last slash', () => {
    expect(arnTail(SSO_ARN)).toBe('alice@example.com');
    expect(arnTail('arn:aws:iam::111122223333:root')).toBeUndefined();
    expect(arnTail(null)).toBeUndefined();
  });
});

interface Row {
  readonly person: string;
  readonly principal: string;
  readonly rule: string;
  readonly ip: string;
}

const COLUMNS: readonly Column<Row>[] = [
  [
    'PERSON',
    (row) => `${row.person} via AWSReservedSSO_AdministratorAccess_0123456789abcdef, console`,
    (row) => row.person,
  ],
  ['RULE', (row) => row.rule],
  ['PRINCIPAL', (row) => row.principal, (row) => arnTail(row.principal)],
  ['SOURCE IP', (row) => row.ip],
];

describe('renderColumns within a terminal width: property', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9._@+=,-]{1,63}$/);
  const role = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_+=,.@-]{0,63}$/);
  const rows = fc.array(
    fc.record({
      person: name,
      principal: fc
        .tuple(fc.stringMatching(/^\d{12}$/), role, name)
        .map(([account, roleName, session]) => `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`),
      rule: fc.string({ minLength: 1, maxLength: 120 }),
      ip: fc.ipV4(),
    }),
    { minLength: 1, maxLength: 8 },
  );

  it('for any width from the minimum up, every line fits and no person or session name is cut', () => {
    fc.assert(
      fc.property(rows, fc.nat({ max: 200 }), (table, extra) => {
        const width = minimumWidth(table, COLUMNS) + extra;
        const lines = renderColumns(table, COLUMNS, { width });
        expect(lines).toHaveLength(table.length + 1);
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
        const principalAt = lines[0]?.indexOf('PRINCIPAL') ?? -1;
        const ipAt = lines[0]?.indexOf('SOURCE IP') ?? -1;
        table.forEach((row, index) => {
          const line = lines[index + 1] ?? '';
          expect(line.startsWith(row.person)).toBe(true);
          const principal = line.slice(principalAt, ipAt).trimEnd();
          expect(
            principal.endsWith(`/${arnTail(row.principal)}`) ||
              principal.endsWith(`${arnTail(row.principal)}`),
          ).toBe(true);
          expect(principal.startsWith('arn:')).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a line narrower than the rows need is drawn at the minimum, names still whole', () => {
    const row: Row = {
      person: 'alice@example.com',
      principal: SSO_ARN,
      rule: 'Root sign-in',
      ip: '198.51.100.7',
    };
    const least = minimumWidth([row], COLUMNS);
    const lines = renderColumns([row], COLUMNS, { width: 10 });
    expect(lines[1]?.length).toBeLessThanOrEqual(least);
    expect(lines[1]).toContain('alice@example.com…');
    expect(lines[1]).toContain('/alice@example.com');
  });

  it('without a width, cells are capped at MAX_CELL and the line is as wide as they need', () => {
    const row: Row = {
      person: 'alice@example.com',
      principal: SSO_ARN,
      rule: 'Root sign-in',
      ip: '198.51.100.7',
    };
    const [, line] = renderColumns([row], COLUMNS);
    expect(line).toContain('arn:aws:sts::111122223333:assumed-role/AW…/alice@example.com');
  });
});
