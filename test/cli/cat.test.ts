import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lookupEventsOutput } from '../factories/events';
import { jsonLines, runCli } from '../helpers/cli';
import {
  CRIBL_LOGS,
  fixtureLogRecords,
  fixturePath,
  fixtureRecords,
  TRAILSCRAPER_LOG,
} from '../helpers/fixtures';

const docs = fixtureRecords('aws-docs-examples.jsonl');

describe('trailwatch cat', () => {
  it('prints one compact JSON record per line from a directory of mixed inputs', async () => {
    const run = await runCli(['cat', fixturePath('logs')]);
    const records = jsonLines(run.stdout);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    // trailscraper's .json and its identical .json.gz, and the three Cribl objects.
    const expected =
      2 * fixtureLogRecords(TRAILSCRAPER_LOG).length +
      CRIBL_LOGS.map((name) => fixtureLogRecords(name).length).reduce((a, b) => a + b, 0);
    expect(records.length).toBe(expected);
    expect(run.stdout.split('\n')[0]).not.toContain('\n  ');
  });

  it('reads standard input, recognising JSON Lines by content', async () => {
    const lines = docs.slice(0, 3).map((r) => JSON.stringify(r));
    const run = await runCli(['cat', '-'], `${lines.join('\n')}\n`);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).map((r) => r.eventID)).toEqual(docs.slice(0, 3).map((r) => r.eventID));
  });

  it('reads LookupEvents output saved from the AWS CLI', async () => {
    const run = await runCli(['cat', '-'], JSON.stringify(lookupEventsOutput(docs.slice(0, 4))));
    expect(jsonLines(run.stdout).map((r) => r.eventID)).toEqual(docs.slice(0, 4).map((r) => r.eventID));
  });

  it('filters on eventTime with --since and --until', async () => {
    const run = await runCli([
      'cat',
      fixturePath('logs'),
      '--since',
      '2022-01-03T19:05:00Z',
      '--until',
      '2022-01-03T19:24:00Z',
    ]);
    const times = jsonLines(run.stdout).map((r) => String(r.eventTime));
    expect(times.sort()).toEqual([
      '2022-01-03T19:05:19Z',
      '2022-01-03T19:12:14Z',
      '2022-01-03T19:12:16Z',
      '2022-01-03T19:23:54Z',
      '2022-01-03T19:23:55Z',
    ]);
  });

  it('filters on --region and --account', async () => {
    const byRegion = await runCli(['cat', fixturePath('logs'), '--region', 'eu-central-1']);
    expect(new Set(jsonLines(byRegion.stdout).map((r) => r.awsRegion))).toEqual(new Set(['eu-central-1']));
    const byAccount = await runCli(['cat', fixturePath('logs'), '--account', '111111111111']);
    expect(jsonLines(byAccount.stdout)).toHaveLength(4);
  });

  it('exits 1 when an input failed, after printing everything it could read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-cat-'));
    const good = JSON.stringify({ Records: docs.slice(0, 2) });
    writeFileSync(join(dir, 'a.json.gz'), gzipSync(good).subarray(0, 60));
    writeFileSync(join(dir, 'b.json'), good);
    const run = await runCli(['cat', dir, join(dir, 'missing.json')]);
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout)).toHaveLength(2);
    expect(run.stderr).toMatch(/trailwatch: error: .*a\.json\.gz.*: truncated gzip data/);
    expect(run.stderr).toMatch(/trailwatch: error: .*missing\.json: no such file or directory/);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no inputs', ['cat'], /missing required argument 'inputs'/],
    ['a bad time', ['cat', 'x', '--since', 'soon'], /cannot read "soon" as a time/],
    [
      'since after until',
      ['cat', 'x', '--since', '2024-02-01', '--until', '2024-01-01'],
      /--since is after --until/,
    ],
    ['a bad account', ['cat', 'x', '--account', '123'], /12-digit account ids; got 123/],
    ['a bad region', ['cat', 'x', '--region', 'mars'], /region names such as eu-west-1; got mars/],
    ['an S3 URL without bucket', ['cat', 's3://'], /needs a bucket name/],
    ['an unknown option', ['cat', 'x', '--frobnicate'], /unknown option '--frobnicate'/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [name, args, message] of usageErrors) {
    it(`exits 2 for a usage error: ${name}`, async () => {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    });
  }

  it('--verbose reports skipped inputs and a count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-cat-'));
    writeFileSync(
      join(dir, '111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T100000Z.json.gz'),
      'x',
    );
    const run = await runCli(['cat', '-v', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped .*CloudTrail-Digest.*: CloudTrail digest file/);
    expect(run.stderr).toMatch(/0 record\(s\), 0 problem\(s\), 1 skipped/);
  });
});

describe('the trailwatch bin', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'trailwatch.cjs');

  it('runs from the built bundle and prints records', () => {
    const out = execFileSync(process.execPath, [bin, 'cat', fixturePath('logs', `${TRAILSCRAPER_LOG}.gz`)], {
      encoding: 'utf8',
    });
    expect(jsonLines(out)).toHaveLength(2);
  });

  it('stops quietly when the reader of its output goes away', () => {
    const result = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${bin}" cat "${fixturePath('logs')}" | head -n 1`],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(jsonLines(result.stdout)).toHaveLength(1);
    expect(result.stderr).toBe('');
  });

  it('prints its version and help', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toMatch(
      /^\d+\.\d+\.\d+$/,
    );
    expect(execFileSync(process.execPath, [bin, 'cat', '--help'], { encoding: 'utf8' })).toMatch(
      /--endpoint-url/,
    );
  });
});

describe('--max-record-size', () => {
  it.each([
    ['2KB', 2000],
    ['1KiB', 1024],
    ['512', 512],
  ])('%s skips larger records, each reported with its place', async (size, bytes) => {
    const big = { ...minimalRecord('big'), requestParameters: { blob: 'x'.repeat(4000) } };
    const small = minimalRecord('small');
    const run = await runCli(
      ['cat', '-', '--max-record-size', size],
      `${JSON.stringify(big)}\n${JSON.stringify(small)}\n`,
    );
    expect(jsonLines(run.stdout).map((r) => r.eventID)).toEqual(['small']);
    expect(run.stderr).toContain(`larger than ${bytes} bytes`);
    expect(run.code).toBe(1);
  });

  it('refuses a size it cannot read', async () => {
    const run = await runCli(['cat', '-', '--max-record-size', 'lots'], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--max-record-size takes a size/);
  });
});

function minimalRecord(eventID: string): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventTime: '2026-11-30T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    eventID,
  };
}
