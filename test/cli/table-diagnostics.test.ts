import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderBacktestTable } from '../../lib/cli/backtest';
import type { CliIo } from '../../lib/cli/io';
import { guardedIo, isTerminal, neutralizingStream, writeDiagnostic } from '../../lib/cli/io';
import type { BacktestReport } from '../../lib/history';
import { runCli } from '../helpers/cli';

const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the test.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function captured(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\x1b', '\r', '\n', '\x07', '\x7f', '\u009b', '\u0085', '\u202e', '\u2066', '\u2029'),
    fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
  ),
  maxLength: 60,
});

describe('writeDiagnostic', () => {
  it('prints one line whatever the message holds', async () => {
    const err = captured();
    writeDiagnostic(
      { stderr: err.stream },
      'trailwatch: error: x\x1b]8;;http://evil\x07y\ntrailwatch: 0 findings\r',
    );
    await settle();
    expect(err.text()).toBe('trailwatch: error: x\\x1b]8;;http://evil\\x07y\\ntrailwatch: 0 findings\\r\n');
  });

  it('property: exactly one line, ending in a line feed, with no control, C1 or bidi character', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (file, field) => {
        const err = captured();
        writeDiagnostic({ stderr: err.stream }, `trailwatch: error: ${file}: record 3: ${field}`);
        await settle();
        const text = err.text();
        expect(text.endsWith('\n')).toBe(true);
        expect(text.indexOf('\n')).toBe(text.length - 1);
        expect(text).not.toMatch(UNSAFE);
      }),
      { numRuns: 200 },
    );
  });
});

describe('guardedIo: every stderr write is neutralised', () => {
  it('escapes controls but keeps the line feeds of a multi-line message', async () => {
    const err = captured();
    const io = guardedIo({ stdout: new PassThrough(), stderr: err.stream, stdin: Readable.from([]) });
    io.stderr.write('trailwatch: \x1b[2Jcleared\nsecond line \u202eexe.txt\n');
    await settle();
    expect(err.text()).toBe('trailwatch: \\x1b[2Jcleared\nsecond line \\u202eexe.txt\n');
  });

  it('decodes a character split across two Buffer writes whole', async () => {
    const err = captured();
    const stream = neutralizingStream(err.stream);
    const bytes = Buffer.from('é\u009b');
    stream.write(bytes.subarray(0, 1));
    stream.write(bytes.subarray(1));
    await settle();
    expect(err.text()).toBe('é\\x9b');
  });

  it('leaves stdout alone and gives the raw stream to the progress bar', async () => {
    const out = captured();
    const err = captured();
    const io = guardedIo({ stdout: out.stream, stderr: err.stream, stdin: Readable.from([]) });
    expect(io.stdout).toBe(out.stream);
    expect(io.terminal).toBe(err.stream);
    expect(guardedIo(io)).toBe(io);
    io.terminal?.write('\r\x1b[2K');
    io.stdout.write('{"k":"\\u001b"}\n');
    await settle();
    expect(err.text()).toBe('\r\x1b[2K');
    expect(out.text()).toBe('{"k":"\\u001b"}\n');
  });

  it('answers isTTY for the stream it wraps', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(isTerminal(neutralizingStream(tty))).toBe(true);
    expect(isTerminal(neutralizingStream(new PassThrough()))).toBe(false);
  });

  it('property: whatever is written, stderr holds no control, C1 or bidi character', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { maxLength: 5 }), async (messages) => {
        const err = captured();
        const io: CliIo = guardedIo({
          stdout: new PassThrough(),
          stderr: err.stream,
          stdin: Readable.from([]),
        });
        for (const message of messages) io.stderr.write(`trailwatch: ${message}\n`);
        await settle();
        expect(err.text()).not.toMatch(UNSAFE);
      }),
      { numRuns: 200 },
    );
  });

  it('the CLI itself: a hostile file name in an error message stays inert', async () => {
    const name = '/nonexistent/evil\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\u202efdp.exe';
    const run = await runCli(['cat', name]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('evil\\x1b]8;;https://evil.example\\x07click');
    expect(run.stderr).not.toMatch(UNSAFE);
  });
});

function report(overrides: Partial<BacktestReport> = {}): BacktestReport {
  return {
    source: 's3://bucket/prefix',
    since: '2026-11-01T00:00:00Z',
    until: '2026-11-03T00:00:00Z',
    accounts: null,
    regions: null,
    objects: { listed: 2, read: 2, skipped: 0, bytes: 100 },
    records: 10,
    alerts: 3,
    afterDedup: 2,
    days: ['2026-11-01', '2026-11-02'],
    rules: [],
    problems: [],
    problemCount: 0,
    ruleErrors: 0,
    ...overrides,
  };
}

describe('renderBacktestTable', () => {
  it('property: rule titles, principals and the source print as inert single lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostile, hostile), { minLength: 1, maxLength: 5 }),
        hostile,
        (rules, source) => {
          const lines = renderBacktestTable(
            report({
              source,
              rules: rules.map(([title, principal], i) => ({
                id: `r${i}`,
                title,
                level: 'high',
                kind: 'detection',
                alerts: 2,
                afterDedup: 1,
                deduplicated: 1,
                suppressed: 0,
                perDay: { '2026-11-01': { alerts: 2, afterDedup: 1 } },
                topPrincipals: [{ principal, alerts: 2 }],
                topPeople: [{ name: principal, known: true, alerts: 2 }],
              })),
            }),
          );
          for (const line of lines) {
            expect(line).not.toMatch(UNSAFE);
            expect(line).not.toContain('\n');
          }
          // Title line, summary, blank, rules header and rows, the quiet count, blank, days header and row.
          expect(lines).toHaveLength(3 + 1 + rules.length + 2 + 2);
        },
      ),
      { numRuns: 200 },
    );
  });
});
