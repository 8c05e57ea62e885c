/**
 * A date alone as the end of a window (`--until 2026-10-05`, lookup's `--end-time 2026-10-05`)
 * includes that whole UTC day, in every command that takes a window. Each command reads the same
 * four records around that day; the window 2026-10-05..2026-10-05 keeps exactly the two inside it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEndTime, parseTime } from '../../lib/time';
import { runCli } from '../helpers/cli';

const ACCOUNT = '111122223333';

/** The four records: the last second before the day, its first and last seconds, the next day's first. */
const TIMES = [
  ['before', '2026-10-04T23:59:59Z'],
  ['first-second', '2026-10-05T00:00:00Z'],
  ['last-second', '2026-10-05T23:59:59Z'],
  ['next-day', '2026-10-06T00:00:00Z'],
] as const;
const INSIDE = ['first-second', 'last-second'];

function record(id: string, time: string): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: time,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    eventID: id,
    eventType: 'AwsApiCall',
    readOnly: false,
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE00001',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEALICE0001',
      userName: 'alice',
    },
    sourceIPAddress: '203.0.113.10',
    requestParameters: { userName: `user-${id}` },
    recipientAccountId: ACCOUNT,
  };
}

/** One log file per record under its real key, delivered five minutes after it (as CloudTrail does). */
function trailFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'trailwatch-until-'));
  for (const [id, time] of TIMES) {
    const delivered = new Date(Date.parse(time) + 5 * 60_000).toISOString();
    const [y, m, d] = delivered.slice(0, 10).split('-');
    const stamp = `${y}${m}${d}T${delivered.slice(11, 13)}${delivered.slice(14, 16)}Z`;
    const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${y}/${m}/${d}/${ACCOUNT}_CloudTrail_us-east-1_${stamp}_${id}.json.gz`;
    mkdirSync(dirname(join(root, key)), { recursive: true });
    writeFileSync(join(root, key), gzipSync(JSON.stringify({ Records: [record(id, time)] })));
  }
  return root;
}

let folder = '';
let rule = '';
beforeAll(() => {
  folder = trailFolder();
  rule = join(mkdtempSync(join(tmpdir(), 'trailwatch-until-rule-')), 'create-user.yml');
  writeFileSync(
    rule,
    'title: any CreateUser\nid: 5d1f0b1e-0a52-4c55-9d1c-7f0e8a7c0001\nlevel: low\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: CreateUser}, condition: s}\n',
  );
});

const WINDOW = ['--since', '2026-10-05', '--until', '2026-10-05'];

/** The ids of the four records found in a command's output. */
function idsIn(text: string): string[] {
  return TIMES.map(([id]) => id).filter((id) => text.includes(`"${id}"`));
}

describe('lib/time: parseEndTime', () => {
  it.each([
    ['a date alone: its last millisecond', '2026-10-05', Date.parse('2026-10-05T23:59:59.999Z')],
    ['a leap day', '2024-02-29', Date.parse('2024-02-29T23:59:59.999Z')],
    ['the last day of a year', '2026-12-31', Date.parse('2026-12-31T23:59:59.999Z')],
    ['a date with a clock: as typed', '2026-10-05T10:00:00Z', Date.parse('2026-10-05T10:00:00Z')],
    ['midnight written out: as typed', '2026-10-05T00:00:00Z', Date.parse('2026-10-05T00:00:00Z')],
    ['epoch seconds: as typed', '1791158400', 1791158400_000],
    ['relative: as typed', '-1d', Date.parse('2026-10-09T12:00:00Z')],
  ])('%s', (_, text, expected) => {
    expect(parseEndTime(text, Date.parse('2026-10-10T12:00:00Z'))).toBe(expected);
  });

  it('leaves the start of a window at the first millisecond of the day', () => {
    expect(parseTime('2026-10-05')).toBe(Date.parse('2026-10-05T00:00:00Z'));
  });
});

describe('a date-only --until includes its whole day, in every command reading records', () => {
  it.each([
    ['cat', () => ['cat', folder, ...WINDOW], (stdout: string) => idsIn(stdout)],
    [
      'scan',
      () => ['scan', folder, ...WINDOW, '--rules', rule, '--output', 'ndjson'],
      (stdout: string) => idsIn(stdout),
    ],
    [
      'audit',
      () => ['audit', folder, ...WINDOW, '--who', 'alice', '--rules', rule, '--output', 'json'],
      (stdout: string) => idsIn(stdout),
    ],
    [
      'backtest',
      () => ['backtest', folder, ...WINDOW, '--rules', rule, '--output', 'json', '--no-progress'],
      // The report counts records and alerts; the one rule raises one alert per record it sees.
      (stdout: string) => {
        const report = JSON.parse(stdout) as { records: number; alerts: number; until: string };
        expect(report.until).toBe('2026-10-05T23:59:59.999Z');
        return report.alerts === INSIDE.length ? INSIDE : [`${report.alerts} alerts`];
      },
    ],
  ])('%s', async (_, args, found) => {
    const run = await runCli(args());
    expect(run.stderr).not.toMatch(/error/);
    expect(found(run.stdout)).toEqual(INSIDE);
  });
});

describe('a date-only end of window reaches LookupEvents as the end of that day', () => {
  const cloudtrail = mockClient(CloudTrailClient);
  const now = Date.parse('2026-10-20T12:00:00Z');
  beforeEach(() => {
    cloudtrail.reset();
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    cloudtrail.restore();
  });

  it.each([
    ['lookup --end-time', ['lookup', '--start-time', '2026-10-05', '--end-time', '2026-10-05']],
    ['audit --lookup --until', ['audit', '--lookup', '--who', 'alice', ...WINDOW]],
  ])('%s', async (_, args) => {
    await runCli([...args, '--region', 'us-east-1'], '', { now: () => now });
    const [call] = cloudtrail.commandCalls(LookupEventsCommand);
    expect(call?.args[0].input.StartTime?.toISOString()).toBe('2026-10-05T00:00:00.000Z');
    expect(call?.args[0].input.EndTime?.toISOString()).toBe('2026-10-05T23:59:59.999Z');
  });
});
