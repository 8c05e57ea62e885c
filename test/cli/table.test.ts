import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../lib/cli/table';
import { MAX_CELL, renderColumns, tableCell } from '../../lib/cli/table';

/** Every character a terminal acts on or that reorders or breaks a line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

interface Finding {
  readonly time: string;
  readonly rule: string;
  readonly principal: string;
  readonly file: string;
}

const COLUMNS: readonly Column<Finding>[] = [
  ['TIME', (f) => f.time],
  ['RULE', (f) => f.rule],
  ['PRINCIPAL', (f) => f.principal],
  ['FILE', (f) => f.file],
];

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    time: '2026-11-22T12:00:00Z',
    rule: 'Root sign-in',
    principal: 'arn:aws:iam::111122223333:root',
    file: 'trail/111122223333_CloudTrail_us-east-1.json.gz',
    ...overrides,
  };
}

describe('renderColumns: control characters from the data stay inert', () => {
  const cases: [string, string, string][] = [
    ['ANSI colour', 'x\x1b[31mred\x1b[0m', 'x\\x1b[31mred\\x1b[0m'],
    [
      'OSC 8 link',
      '\x1b]8;;https://evil.example\x07click\x1b]8;;\x07',
      '\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07',
    ],
    ['carriage return overwriting the line', 'benign\rforged', 'benign\\rforged'],
    ['bell', 'ding\x07', 'ding\\x07'],
    ['8-bit CSI (C1)', '\u009b31mred', '\\x9b31mred'],
    ['next line (C1 NEL)', 'a\u0085b', 'a\\x85b'],
    ['delete', 'a\x7fb', 'a\\x7fb'],
    ['NUL and backspace', 'a\x00b\x08c', 'a\\x00b\\x08c'],
    ['right-to-left override', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
    ['bidi isolate', 'a\u2066b\u2069c', 'a\\u2066b\\u2069c'],
    ['line feed', 'one\ntrailwatch: 0 findings', 'one\\ntrailwatch: 0 findings'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['tab', 'a\tb', 'a\\tb'],
    [
      'plain text unchanged',
      'arn:aws:iam::111122223333:user/ünïcødé',
      'arn:aws:iam::111122223333:user/ünïcødé',
    ],
  ];
  for (const [name, input, shown] of cases) {
    it(name, () => {
      const lines = renderColumns([finding({ principal: input })], COLUMNS);
      expect(lines).toHaveLength(2);
      expect(lines[1]).not.toMatch(UNSAFE);
      expect(lines[1]).toContain(shown);
    });
  }

  it('neutralises the titles too', () => {
    const lines = renderColumns([finding()], [['EVIL\x1b[2J\nTITLE', (f: Finding) => f.rule]]);
    expect(lines[0]).toBe('EVIL\\x1b[2J\\nTITLE');
  });
});

describe('renderColumns: any number of rows, any cell size', () => {
  it('renders 200k rows (Math.max(...widths) overflowed the stack past ~120k)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => finding({ principal: `user-${i}` }));
    const started = performance.now();
    const lines = renderColumns(rows, COLUMNS);
    const elapsed = performance.now() - started;
    expect(lines).toHaveLength(200_001);
    expect(lines[200_000]).toMatch(/user-199999\s+trail\//);
    // Every row is padded to the widest cell of its column: all lines but the last cell align.
    expect(lines[1]?.indexOf('trail/')).toBe(lines[200_000]?.indexOf('trail/'));
    expect(elapsed).toBeLessThan(10_000);
  });

  it('cuts a 1 MB cell to MAX_CELL from the middle, so other lines stay narrow', () => {
    const huge = `${'A'.repeat(512 * 1024)}${'Z'.repeat(512 * 1024)}`;
    const lines = renderColumns([finding({ rule: huge }), finding()], COLUMNS);
    for (const line of lines) expect(line.length).toBeLessThan(4 * MAX_CELL + 3 * 2 + 1);
    expect(lines[1]).toContain(`${'A'.repeat(30)}…${'Z'.repeat(MAX_CELL - 31)}`);
  });

  it('caps a cell at MAX_CELL even after escapes lengthen it', () => {
    const cell = tableCell('\x1b'.repeat(MAX_CELL));
    expect(cell.length).toBe(MAX_CELL);
    expect(cell).toContain('…');
    expect(cell).not.toMatch(UNSAFE);
  });

  it('keeps a cell of exactly MAX_CELL whole, and cuts one longer in the middle', () => {
    expect(tableCell('x'.repeat(MAX_CELL))).toBe('x'.repeat(MAX_CELL));
    expect(tableCell('x'.repeat(MAX_CELL + 1))).toBe(`${'x'.repeat(30)}…${'x'.repeat(MAX_CELL - 31)}`);
  });

  it('never cuts an emoji in half, at either end of the cut', () => {
    const emoji = '😀'.repeat(MAX_CELL);
    const cell = tableCell(emoji);
    expect(cell).toBe(`${'😀'.repeat(15)}…${'😀'.repeat(14)}`);
    expect(cell.replace(/😀/g, '')).toBe('…');
  });
});

describe('renderColumns: property', () => {
  // Any code point, the dangerous ones made frequent, in every field.
  const hostile = fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        '\x1b',
        '\r',
        '\n',
        '\x07',
        '\x7f',
        '\u009b',
        '\u0085',
        '\u202e',
        '\u2067',
        '\u2028',
        '\t',
      ),
      fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
      fc.constantFrom('a', ' ', '[', ']', ';', '\\'),
    ),
    maxLength: 80,
  });
  const findings = fc.array(fc.record({ time: hostile, rule: hostile, principal: hostile, file: hostile }), {
    maxLength: 20,
  });

  it('one line per row, no control, C1 or bidi character, no cell wider than MAX_CELL', () => {
    fc.assert(
      fc.property(findings, (rows) => {
        const lines = renderColumns(rows, COLUMNS);
        expect(lines).toHaveLength(rows.length + 1);
        for (const line of lines) {
          expect(line).not.toMatch(UNSAFE);
          expect(line.length).toBeLessThanOrEqual(4 * MAX_CELL + 3 * 2);
        }
      }),
      { numRuns: 300 },
    );
  });
});
