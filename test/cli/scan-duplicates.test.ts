import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShownAlerts } from '../../lib/scan';
import { ssoTrailDeletion } from '../factories/records';
import { jsonLines, runCli } from '../helpers/cli';

const deleteTrail = (eventID: string, overrides: Record<string, unknown> = {}) =>
  ssoTrailDeletion(eventID, '111122223333', overrides);

function logFile(records: readonly Record<string, unknown>[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'trailwatch-dup-')), 'trail.jsonl');
  writeFileSync(path, records.map((record) => JSON.stringify(record)).join('\n'));
  return path;
}

const ID = '0c2a52f4-0000-4000-8000-000000000001';

describe('scan shows a record read twice once', () => {
  it('the same record twice in one file: one row, one duplicate in the summary', async () => {
    const file = logFile([deleteTrail(ID), deleteTrail(ID)]);
    const ndjson = await runCli(['scan', file, '--output', 'ndjson']);
    const findings = jsonLines(ndjson.stdout).filter((f) => f.eventName === 'DeleteTrail');
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => `${f.ruleId}:${f.eventID}`)).size).toBe(findings.length);
    expect(ndjson.stderr).toMatch(
      new RegExp(`, ${findings.length} duplicate alert\\(s\\) not shown again \\(a record read twice\\)`),
    );
    const json = await runCli(['scan', file, '--output', 'json']);
    const body = JSON.parse(json.stdout) as { findings: unknown[]; summary: { duplicateAlerts: number } };
    expect(body.findings).toHaveLength(findings.length);
    expect(body.summary.duplicateAlerts).toBe(findings.length);
  });

  it('the same file named twice: the table has each alert once', async () => {
    const file = logFile([deleteTrail(ID)]);
    const once = await runCli(['scan', file]);
    const twice = await runCli(['scan', file, file]);
    expect(twice.stdout).toBe(once.stdout);
    expect(twice.stderr).toMatch(/duplicate alert\(s\) not shown again/);
  });

  it('two different records claiming one eventID are both shown', async () => {
    const file = logFile([deleteTrail(ID), deleteTrail(ID, { eventTime: '2026-11-22T13:00:00Z' })]);
    const run = await runCli(['scan', file, '--output', 'ndjson']);
    const times = new Set(jsonLines(run.stdout).map((f) => f.eventTime));
    expect(times).toEqual(new Set(['2026-11-22T12:00:00Z', '2026-11-22T13:00:00Z']));
    expect(run.stderr).not.toMatch(/duplicate/);
  });

  it('ShownAlerts counts every repeat', () => {
    const shown = new ShownAlerts();
    const alert = { id: 'a', record: { eventID: 'e' } };
    expect([shown.firstShowing(alert), shown.firstShowing(alert), shown.firstShowing({ ...alert })]).toEqual([
      true,
      false,
      false,
    ]);
    expect(shown.firstShowing({ id: 'b', record: { eventID: 'e' } })).toBe(true);
    expect(shown.duplicates).toBe(2);
  });
});

describe('the scan table keeps who acted', () => {
  it('an Identity Center principal keeps its user name, shortened from the middle', async () => {
    const run = await runCli(['scan', logFile([deleteTrail(ID)])]);
    const row = run.stdout.split('\n').find((line) => line.includes('DeleteTrail')) ?? '';
    expect(row).toContain('…/alice@example.com');
    expect(row).toMatch(/^\S+\s+\w+\s+alice@example\.com/);
  });
});
