/**
 * The noise measurement and report themselves: a rule at medium or above that fires is named with
 * the event that fired it, days before the counted window are replayed but not counted, and the
 * report is deterministic Markdown whose cells survive titles with pipes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenignSet } from '../../scripts/noise/measure';
import { describeLoud, measureSet } from '../../scripts/noise/measure';
import { renderNoiseReport } from '../../scripts/noise/report';

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2026, 9, 5);
const ACCOUNT = '111122223333';

function rule(id: string, level: string, title: string, eventName: string): string {
  return `title: '${title}'
id: ${id}
level: ${level}
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ${eventName}}
  condition: selection
`;
}

function record(eventName: string, time: number, n: number): Record<string, unknown> {
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`,
      accountId: ACCOUNT,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/Ops` } },
    },
    eventTime: new Date(time).toISOString().replace('.000Z', 'Z'),
    eventSource: eventName === 'StopLogging' ? 'cloudtrail.amazonaws.com' : 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    eventID: `00000000-0000-4000-8000-00000000000${n}`,
    readOnly: eventName !== 'StopLogging',
    recipientAccountId: ACCOUNT,
  };
}

function writeLog(root: string, time: number, records: readonly Record<string, unknown>[]): void {
  const iso = new Date(time + 600_000).toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${iso.slice(0, 10).replaceAll('-', '/')}/${ACCOUNT}_CloudTrail_us-east-1_${stamp}_abcdefghijklmnop.json.gz`;
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), gzipSync(JSON.stringify({ Records: records })));
}

describe('noise measurement', () => {
  const root = mkdtempSync(join(tmpdir(), 'trailwatch-noise-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'rules'));
  writeFileSync(
    join(root, 'rules', 'loud.yml'),
    rule('7e7c3f1e-0000-4000-8000-0000000000a1', 'medium', 'Trail | stopped', 'StopLogging'),
  );
  writeFileSync(
    join(root, 'rules', 'quiet.yml'),
    rule('7e7c3f1e-0000-4000-8000-0000000000a2', 'low', 'Instances listed', 'DescribeInstances'),
  );
  writeFileSync(join(root, 'trailwatch.yml'), 'rules:\n  shipped: false\n  paths: [./rules]\n');
  const logs = join(root, 'logs');
  // Day 1 is replayed but not counted; day 2 is counted.
  writeLog(logs, FIRST_DAY + 3_600_000, [record('StopLogging', FIRST_DAY + 3_600_000, 1)]);
  const counted = FIRST_DAY + DAY_MS + 3_600_000;
  writeLog(logs, counted, [
    record('DescribeInstances', counted, 2),
    record('StopLogging', counted + 1000, 3),
  ]);
  const set = (measuredSince: number): BenignSet => ({
    name: 'probe',
    description: 'two days | one counted',
    dir: logs,
    since: FIRST_DAY,
    until: FIRST_DAY + 2 * DAY_MS - 1,
    measuredSince,
    days: 1,
    configFile: join(root, 'trailwatch.yml'),
  });

  it('names a loud rule with the counted event that fired it, and leaves a low rule out', async () => {
    const noise = await measureSet(set(FIRST_DAY + DAY_MS));
    expect(noise.loud.map((loud) => loud.rule.id)).toEqual(['7e7c3f1e-0000-4000-8000-0000000000a1']);
    const [loud] = noise.loud;
    expect(loud?.events).toHaveLength(1);
    expect(loud?.events[0]).toMatchObject({
      eventName: 'StopLogging',
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/alice`,
      identityType: 'AssumedRole',
      eventTime: new Date(counted + 1000).toISOString().replace('.000Z', 'Z'),
    });
    expect(loud && describeLoud(loud)).toContain('cloudtrail.amazonaws.com StopLogging by arn:aws:sts::');
    expect(noise.report.records).toBe(3);
    expect(noise.alerts).toBe(2);
    expect(noise.measured.get('7e7c3f1e-0000-4000-8000-0000000000a1')).toBe(1);
  });

  it('counts every day when the window starts at the first', async () => {
    const noise = await measureSet(set(FIRST_DAY));
    expect(noise.measured.get('7e7c3f1e-0000-4000-8000-0000000000a1')).toBe(2);
    expect(noise.loud[0]?.events).toHaveLength(2);
  });

  it('renders the same report twice, with pipes escaped and the loud rule listed', async () => {
    const noise = await measureSet(set(FIRST_DAY + DAY_MS));
    const text = renderNoiseReport([noise]);
    expect(renderNoiseReport([noise])).toBe(text);
    expect(text).toContain('two days \\| one counted');
    expect(text).toContain(
      '| medium | Trail \\| stopped | `7e7c3f1e-0000-4000-8000-0000000000a1` | probe | 1 |',
    );
    expect(text).toContain('**Pack total (2 rules): 2.00 alerts/day on probe.**');
    expect(text).not.toContain('None.');
    const quiet = renderNoiseReport([{ ...noise, loud: [] }]);
    expect(quiet).toContain('## Rules at medium or above that fired on benign traffic\n\nNone.');
  });
});
