import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';

/** A KMS call CloudTrail makes for itself: no rule of the shipped pack can match it, so scan rules it out unparsed. */
function serviceCall(index: number): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
    eventTime: `2026-11-22T12:00:${String(index % 60).padStart(2, '0')}Z`,
    eventSource: 'kms.amazonaws.com',
    eventName: 'GenerateDataKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'cloudtrail.amazonaws.com',
    userAgent: 'cloudtrail.amazonaws.com',
    requestParameters: { keySpec: 'AES_256' },
    responseElements: null,
    eventID: `0c2a52f4-0000-4000-8000-${String(index).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
  };
}

/** A trail deleted by an IAM user: the shipped pack alerts on it. */
function deleteTrail(index: number): Record<string, unknown> {
  return {
    ...serviceCall(index),
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/bob',
      accountId: '111122223333',
      userName: 'bob',
    },
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'DeleteTrail',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { name: 'management-events' },
    readOnly: false,
  };
}

const LAYOUTS: readonly [string, string, (records: readonly Record<string, unknown>[]) => string][] = [
  ['a CloudTrail log file', 'trail.json', (records) => JSON.stringify({ Records: records })],
  ['JSON Lines', 'trail.jsonl', (records) => records.map((record) => JSON.stringify(record)).join('\n')],
  ['a JSON array', 'trail.json', (records) => JSON.stringify(records)],
];

describe('scan numbers records in its origins as cat does, whatever it ruled out unparsed', () => {
  for (const [layout, name, write] of LAYOUTS) {
    it.each([0, 1, 12, 30])(`${layout}: the record at position %i keeps its number`, async (position) => {
      const records = Array.from({ length: position + 2 }, (_, i) =>
        i === position ? deleteTrail(i) : serviceCall(i),
      );
      const path = join(mkdtempSync(join(tmpdir(), 'trailwatch-origin-')), name);
      writeFileSync(path, write(records));
      const run = await runCli(['scan', path, '--output', 'ndjson']);
      const origins = jsonLines(run.stdout).map((finding) => String(finding.origin));
      expect(origins.length).toBeGreaterThan(0);
      for (const origin of origins) expect(origin).toMatch(new RegExp(`record #${position}\\b`));
      if (position > 0) expect(run.stderr).toMatch(/\([1-9]\d* ruled out unparsed\)/);
    });
  }

  it('a problem after ruled-out records has the number cat gives it', async () => {
    const records = [serviceCall(0), serviceCall(1), { ...deleteTrail(2), eventID: undefined }];
    const path = join(mkdtempSync(join(tmpdir(), 'trailwatch-origin-')), 'trail.json');
    writeFileSync(path, JSON.stringify({ Records: records }));
    const scan = await runCli(['scan', path]);
    const cat = await runCli(['cat', path]);
    const problem = (stderr: string): string | undefined => /\(Records\[2\], record #\d+/.exec(stderr)?.[0];
    expect(problem(cat.stderr)).toBe('(Records[2], record #2');
    expect(problem(scan.stderr)).toBe(problem(cat.stderr));
  });
});
