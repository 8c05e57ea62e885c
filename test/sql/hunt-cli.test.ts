/**
 * `trailwatch hunt`: the same findings as `scan` on the same inputs (SQL for the rules it
 * compiles, the JavaScript engine for the others), scan's read flags, its refusals, and an
 * `s3://` prefix read from moto_server through trailwatch's S3 reader.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import {
  MOTO_SKIP_MESSAGE,
  motoAvailable,
  motoS3Client,
  seedBucket,
  startMoto,
  useMotoCredentials,
} from '../helpers/moto';

const ROOT = join(import.meta.dirname, '..', '..');
const LOGS = join(ROOT, 'examples', 'logs');
const CONFIG = join(ROOT, 'examples', 'trailwatch.yml');

/** Alert id and event of each finding, sorted: what must agree between scan and hunt. */
function alertKeys(stdout: string): string[] {
  return jsonLines(stdout)
    .map((finding) => `${String(finding.alertId)} ${String(finding.ruleId)} ${String(finding.eventID)}`)
    .sort();
}

describe('trailwatch hunt --engine duckdb', () => {
  it.each([
    ['every record', []],
    ['a time window', ['--since', '2022-01-01T00:00:00Z', '--until', '2022-12-31T23:59:59Z']],
    ['one record region', ['--record-region', 'us-east-1']],
    ['one account', ['--account', '111122223333']],
  ])('finds what scan finds on the example logs: %s', async (_name, flags) => {
    const common = [LOGS, '--config', CONFIG, '--output', 'ndjson', ...flags];
    const scan = await runCli(['scan', ...common]);
    const hunt = await runCli(['hunt', '--engine', 'duckdb', ...common]);
    expect(hunt.code).toBe(scan.code);
    expect(alertKeys(hunt.stdout)).toEqual(alertKeys(scan.stdout));
    expect(hunt.stderr).toMatch(/compiled to SQL \(duckdb\)/);
  });

  it('finds something on the example logs, and lists what SQL cannot express with the reason', async () => {
    const hunt = await runCli(['hunt', LOGS, '--config', CONFIG, '--output', 'json']);
    expect(hunt.code).toBe(0);
    const report = JSON.parse(hunt.stdout) as {
      findings: unknown[];
      unsupported: { title: string; reason: string }[];
      summary: { engine: string; compiled: number; records: number };
    };
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.summary.engine).toBe('duckdb');
    expect(report.summary.records).toBeGreaterThan(0);
    expect(report.unsupported.some((rule) => /first_seen/.test(rule.reason))).toBe(true);
    expect(report.unsupported.some((rule) => /actor\.\*/.test(rule.reason))).toBe(true);
    expect(hunt.stderr).toMatch(/SQL cannot express \(run by the JavaScript engine\)/);
  });

  it.each([
    [['--fail-on', 'critical'], 1],
    [['--fail-on', 'critical', '--until', '2015-01-01'], 0],
    [['--fail-on', 'high', '--until', '2015-01-01'], 1],
  ])('%j exits %i as scan does', async (flags, code) => {
    const args = [LOGS, '--config', CONFIG, '--output', 'ndjson', ...flags];
    const scan = await runCli(['scan', ...args]);
    const hunt = await runCli(['hunt', ...args]);
    expect(hunt.code).toBe(code);
    expect(hunt.code).toBe(scan.code);
  });

  it.each([
    [['hunt', '--engine', 'oracle', LOGS], /--engine.*takes one of duckdb/],
    [['hunt', '--engine', 'duckdb'], /name at least one/],
    [['hunt', '-'], /not standard input/],
    [['hunt', LOGS, '--since', '2024-01-02', '--until', '2024-01-01'], /--since.*is after --until/],
  ])('refuses %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

/** A rule counted by a correlation (`generate: false`: its matches alone raise nothing), and the correlation. */
const CORRELATED_RULES = `title: Describe call
id: 7d1c9a52-6c53-4a3c-9a86-1f3c2b1e0001
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName|startswith: Describe
  condition: selection
level: low
---
title: Describe burst
id: 7d1c9a52-6c53-4a3c-9a86-1f3c2b1e0002
correlation:
  type: event_count
  rules: [7d1c9a52-6c53-4a3c-9a86-1f3c2b1e0001]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: {gte: 3}
level: high
---
title: Describe regions
id: 7d1c9a52-6c53-4a3c-9a86-1f3c2b1e0003
correlation:
  type: value_count
  rules: [7d1c9a52-6c53-4a3c-9a86-1f3c2b1e0001]
  group-by: [userIdentity.arn]
  timespan: 1h
  condition: {field: awsRegion, gte: 2}
level: medium
`;

function describeCall(arn: string, minute: number, region: string, index: number): string {
  return JSON.stringify({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn, accountId: '111122223333' },
    eventTime: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString().replace('.000', ''),
    eventSource: 'ec2.amazonaws.com',
    eventName: index % 2 === 0 ? 'DescribeInstances' : 'DescribeVolumes',
    awsRegion: region,
    eventID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    recipientAccountId: '111122223333',
  });
}

describe('trailwatch hunt: correlations over the SQL matches', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'trailwatch-hunt-'));
    writeFileSync(join(folder, 'rules.yml'), CORRELATED_RULES);
    const alice = 'arn:aws:iam::111122223333:user/alice';
    const bob = 'arn:aws:iam::111122223333:user/bob';
    // alice: 7 calls a minute apart over two regions (fires, empties its window, fires again); bob: 2 calls, 30 minutes apart.
    const lines = [
      ...[0, 1, 2, 3, 4, 5, 6].map((minute, i) =>
        describeCall(alice, minute, i < 4 ? 'us-east-1' : 'eu-west-1', i),
      ),
      describeCall(bob, 0, 'us-east-1', 10),
      describeCall(bob, 30, 'us-east-1', 11),
    ];
    writeFileSync(join(folder, 'records.jsonl'), `${lines.join('\n')}\n`);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('event_count and value_count fire where and as often as scan fires them', async () => {
    const common = [
      join(folder, 'records.jsonl'),
      '--rules',
      join(folder, 'rules.yml'),
      '--output',
      'ndjson',
    ];
    const scan = await runCli(['scan', ...common]);
    const hunt = await runCli(['hunt', ...common]);
    expect(hunt.code).toBe(0);
    expect(alertKeys(hunt.stdout)).toEqual(alertKeys(scan.stdout));
    const kinds = jsonLines(hunt.stdout).map((finding) => `${String(finding.kind)} ${String(finding.title)}`);
    expect(kinds.filter((kind) => kind === 'correlation Describe burst')).toHaveLength(2);
    expect(kinds).toContain('correlation Describe regions');
    expect(kinds.some((kind) => kind.startsWith('detection'))).toBe(false);
    expect(hunt.stderr).toMatch(/2 correlation\(s\) counted over their matches/);
  });
});

describe.skipIf(!motoAvailable)('trailwatch hunt over s3:// (moto_server)', () => {
  let moto: Moto;
  let restore: () => void;
  beforeAll(async () => {
    restore = useMotoCredentials();
    moto = await startMoto();
    const files = readdirSync(LOGS, { recursive: true, encoding: 'utf8' }).filter(
      (name) => name.endsWith('.json') || name.endsWith('.json.gz') || name.endsWith('.jsonl'),
    );
    await seedBucket(
      motoS3Client(moto),
      'hunt-logs',
      files.map((name) => ({ key: `logs/${name}`, body: readFileSync(join(LOGS, name)) })),
    );
  });
  afterAll(async () => {
    await moto?.stop();
    restore?.();
  });

  it('reads a prefix through trailwatch S3 reader and finds what it finds locally', async () => {
    const common = ['--config', CONFIG, '--output', 'ndjson'];
    const local = await runCli(['hunt', LOGS, ...common]);
    const remote = await runCli([
      'hunt',
      's3://hunt-logs/logs/',
      '--endpoint-url',
      moto.endpoint,
      '--region',
      'us-east-1',
      ...common,
    ]);
    expect(remote.code).toBe(0);
    expect(alertKeys(remote.stdout)).toEqual(alertKeys(local.stdout));
    expect(alertKeys(remote.stdout).length).toBeGreaterThan(0);
  });
});
if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);
