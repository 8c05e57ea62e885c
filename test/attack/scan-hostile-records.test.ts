/**
 * `trailwatch scan` attacked with hostile records and file names. Whatever a record holds, the
 * scan ends with 0 or 1 (never a crash or a stack trace), every record with its minimal fields is
 * alerted, NDJSON output always parses, table lines and stderr lines carry no control character,
 * and each stderr message is one line.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControl } from '../../lib/text';
import { runCli } from '../helpers/cli';
import { ruleDir } from '../helpers/rules';
import { anyRecord, BASE_PROBE, goodHostileRecord, hostileString, nested } from './arbitraries';

const RULES = ruleDir({
  'probe.yml': `title: Probe call
id: 5b0e7f6e-0000-4000-8000-00000000a771
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventSource: probe.amazonaws.com}
  condition: selection
fields: [userIdentity.arn, requestParameters.userName, resources.ARN, requestParameters, __proto__, constructor]
`,
  'nested.yml': `title: Probe with a nested parameter
id: 5b0e7f6e-0000-4000-8000-00000000a772
level: medium
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: Probe
    requestParameters|contains: 'evil'
  regex:
    userAgent|re: '^(a+)+$'
  condition: selection or regex
fields: [requestParameters.k.k.k, userAgent]
`,
  'everything.yml': `title: Any record
id: 5b0e7f6e-0000-4000-8000-00000000a773
level: low
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventVersion|exists: true}
  condition: selection
fields: [eventName, awsRegion, userIdentity]
`,
});
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'trailwatch-attack-config-'));
const CONFIG = join(CONFIG_DIR, 'trailwatch.yml');
writeFileSync(CONFIG, 'rules: {shipped: false}\n');

/** What a scan's streams must look like, whatever the input. */
function expectSaneRun(run: { code: number; stdout: string; stderr: string }, format: string): void {
  expect([0, 1]).toContain(run.code);
  expect(run.stderr).not.toMatch(/\n\s+at |TypeError|RangeError|Maximum call stack/);
  const errLines = run.stderr.split('\n').filter((line) => line !== '');
  for (const line of errLines) {
    expect(line.startsWith('trailwatch')).toBe(true);
    expect(hasControl(line)).toBe(false);
  }
  const outLines = run.stdout.split('\n').filter((line) => line !== '');
  if (format === 'ndjson') for (const line of outLines) expect(() => JSON.parse(line)).not.toThrow();
  if (format === 'json') expect(() => JSON.parse(run.stdout)).not.toThrow();
  if (format === 'table') for (const line of outLines) expect(hasControl(line)).toBe(false);
}

function writeJsonLines(dir: string, name: string, records: readonly unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
  return file;
}

describe('scan with hostile records', () => {
  it('every record with its minimal fields is alerted, whatever its other fields hold', async () => {
    const good = fc
      .integer({ min: 1, max: 6 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => goodHostileRecord(`good-${i}`))));
    await fc.assert(
      fc.asyncProperty(
        good,
        fc.array(anyRecord, { maxLength: 3 }),
        fc.constantFrom('ndjson', 'table', 'json'),
        fc.boolean(),
        async (records, junk, format, asLogFile) => {
          const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-scan-'));
          const mixed = [...records, ...junk];
          const file = asLogFile ? join(dir, 'log.json') : writeJsonLines(dir, 'records.jsonl', mixed);
          if (asLogFile) writeFileSync(file, JSON.stringify({ Records: mixed }));
          const run = await runCli(['scan', file, '--rules', RULES, '--config', CONFIG, '--format', format]);
          expectSaneRun(run, format);
          if (format === 'ndjson') {
            const alerted = new Set(
              run.stdout
                .split('\n')
                .filter((line) => line !== '')
                .map((line) => JSON.parse(line) as { eventID: string; ruleId: string })
                .filter((finding) => finding.ruleId.endsWith('a771'))
                .map((finding) => finding.eventID),
            );
            for (const record of records) expect(alerted).toContain(record.eventID);
          }
          if (junk.length === 0 && format !== 'table') expect(run.code).toBe(0);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('minimal fields holding hostile strings are alerted too, as inert text', async () => {
    const nonEmpty = hostileString.filter((text) => text !== '');
    const record = fc
      .record({
        eventName: nonEmpty,
        eventSource: nonEmpty,
        // A real region code too: a console link is then built from the hostile event id.
        awsRegion: fc.oneof(nonEmpty, fc.constant('us-east-1')),
        eventVersion: nonEmpty,
        eventID: nonEmpty,
      })
      .map((fields) => ({ ...BASE_PROBE, ...fields }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('ndjson', 'table'),
        async (records, format) => {
          const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-min-'));
          const file = writeJsonLines(dir, 'records.jsonl', records);
          const run = await runCli(['scan', file, '--rules', RULES, '--config', CONFIG, '--format', format]);
          expectSaneRun(run, format);
          expect(run.code).toBe(0);
          if (format === 'ndjson') {
            const anyRecord = run.stdout.split('\n').filter((line) => line.includes('a773'));
            expect(anyRecord).toHaveLength(records.length);
          } else
            expect(run.stdout.split('\n').filter((line) => line.includes('Any record'))).toHaveLength(
              records.length,
            );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('records nested past the readers limit are located problems; the others are alerted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-deep-'));
    const records = [
      { ...BASE_PROBE, eventID: 'before' },
      { ...BASE_PROBE, eventID: 'deep', requestParameters: nested(20_000, true) },
      { ...BASE_PROBE, eventID: 'after', requestParameters: nested(500, false, 'evil') },
    ];
    // JSON.stringify of 20k levels works; build the deep line by hand to be sure of the text.
    const file = join(dir, 'deep.jsonl');
    const deep = `${'{"k":['.repeat(10_000)}1${']}'.repeat(10_000)}`;
    writeFileSync(
      file,
      [
        JSON.stringify(records[0]),
        JSON.stringify({ ...BASE_PROBE, eventID: 'deep', requestParameters: 'x' }).replace('"x"', deep),
        JSON.stringify(records[2]),
      ].join('\n'),
    );
    const run = await runCli(['scan', file, '--rules', RULES, '--config', CONFIG, '--format', 'ndjson']);
    expectSaneRun(run, 'ndjson');
    expect(run.code).toBe(1);
    const ids = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { eventID: string }).eventID);
    expect(ids).toContain('before');
    expect(ids).toContain('after');
    expect(ids).not.toContain('deep');
    expect(run.stderr).toMatch(/deep\.jsonl:2/);
  });

  it('a file whose name holds newlines and escapes is named on one inert line', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (name) => {
        // A file name cannot hold '/' or NUL, and Linux names are bytes: lone surrogates cannot round-trip.
        const safe = name
          .replaceAll('/', '_')
          .replaceAll(String.fromCharCode(0), '_')
          .replace(/[\ud800-\udfff]/g, '_');
        if (safe === '' || safe === '.' || safe === '..') return;
        const dir = mkdtempSync(join(tmpdir(), 'trailwatch-attack-name-'));
        mkdirSync(join(dir, 'in'));
        // A leading dot would hide the file: the folder walk skips dot files (reported to the readers).
        const file = join(dir, 'in', `f${safe}.json`);
        writeFileSync(file, '{"Records": [{"eventVersion": 1}, ');
        const run = await runCli(['scan', join(dir, 'in'), '--rules', RULES, '--config', CONFIG]);
        expectSaneRun(run, 'table');
        expect(run.code).toBe(1);
      }),
      { numRuns: 60 },
    );
  });
});
