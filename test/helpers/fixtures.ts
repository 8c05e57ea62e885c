import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudTrailRecord } from '../../lib/records';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/**
 * The SigmaHQ CloudTrail rules (SigmaHQ/sigma @ 8eaafff1, Detection Rule License 1.1, see
 * fixtures/NOTICE.md): `rules/` (57), `rules-placeholder/` (1) and `unsupported/` (8).
 */
export const SIGMA_FIXTURES = join(FIXTURES, 'sigma');
/** The 205 records of a Control Tower member account's day (criblpacks/cribl-aws-cloudtrail-logs @ b49de7fb). */
export const CRIBL_RECORDS = join(FIXTURES, 'cribl', 'cribl-aws-cloudtrail-logs.jsonl');

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** Records of a fixture JSON Lines file, skipping those the readers would reject. */
export function fixtureRecords(name: string): CloudTrailRecord[] {
  return readFileSync(fixturePath('jsonl', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CloudTrailRecord)
    .filter((record) => typeof record.eventID === 'string');
}

export function fixtureLogRecords(fileName: string): CloudTrailRecord[] {
  const parsed = JSON.parse(readFileSync(fixturePath('logs', fileName), 'utf8')) as {
    Records: CloudTrailRecord[];
  };
  return parsed.Records;
}

export const TRAILSCRAPER_LOG = '111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json';
export const CRIBL_LOGS = [
  '650992545562_CloudTrail_ap-southeast-2_20220103T1910Z_2K1RJSarvjlq2cAR.json',
  '650992545562_CloudTrail_ap-southeast-2_20220103T1915Z_LWA7IVRm86UOBewk.json',
  '650992545562_CloudTrail_ap-southeast-2_20220103T1930Z_l4XzuGS1OJvH48QP.json',
] as const;
