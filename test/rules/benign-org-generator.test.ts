/** The benign organisation generator: reproducible, in the organization trail's S3 layout, and valid CloudTrail. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLogFileKey, readRecords } from '../../lib/ingest';
import { checkRecord } from '../../lib/records';
import type { BenignOrg } from '../factories/benign-org';
import {
  ACCOUNTS,
  GOVERNED_REGIONS,
  generateBenignOrg,
  ORG_ID,
  writeBenignOrg,
} from '../factories/benign-org';

function digest(org: BenignOrg): string {
  const hash = createHash('sha256');
  for (const object of org.objects) hash.update(object.key).update(object.body);
  return hash.digest('hex');
}

describe('benign organisation generator', () => {
  const org = generateBenignOrg({ seed: 7, days: 2 });
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same objects, byte for byte, for the same seed, and others for another seed', () => {
    expect(digest(generateBenignOrg({ seed: 7, days: 2 }))).toBe(digest(org));
    expect(digest(generateBenignOrg({ seed: 8, days: 2 }))).not.toBe(digest(org));
  });

  it('writes every account and governed region as an organization trail, one file per delivery', () => {
    const seen = new Set<string>();
    for (const object of org.objects) {
      const key = parseLogFileKey(object.key);
      expect(key, object.key).toMatchObject({ kind: 'log', orgId: ORG_ID });
      if (!key) continue;
      seen.add(`${key.accountId}/${key.region}`);
      const parsed: unknown = JSON.parse(gunzipSync(object.body).toString('utf8'));
      expect(parsed).toEqual({ Records: object.records });
      for (const record of object.records) {
        expect(record.recipientAccountId, object.key).toBe(key.accountId);
        expect(record.awsRegion, object.key).toBe(key.region);
        // Delivered after the event, within CloudTrail's documented 5 to 15 minutes.
        const lag = (key.deliveredAt ?? 0) - Date.parse(String(record.eventTime));
        expect(lag).toBeGreaterThan(0);
        expect(lag).toBeLessThanOrEqual(15 * 60_000);
      }
    }
    for (const account of Object.values(ACCOUNTS)) {
      for (const region of GOVERNED_REGIONS)
        expect(seen, `${account}/${region}`).toContain(`${account}/${region}`);
    }
  });

  it('writes records that pass trailwatch record validation, each eventID once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-benign-org-'));
    dirs.push(dir);
    await writeBenignOrg(dir, org);
    const problems: string[] = [];
    const ids = new Set<string>();
    let records = 0;
    const inputs = org.objects.map((object) => ({ kind: 'path' as const, path: join(dir, object.key) }));
    for await (const result of readRecords(inputs)) {
      if (result.kind === 'problem') problems.push(result.message);
      else if (result.kind === 'record') {
        records++;
        ids.add(result.record.eventID);
        expect(typeof result.record.readOnly, result.record.eventName).toBe('boolean');
      }
    }
    expect(problems).toEqual([]);
    expect(records).toBe(org.records);
    expect(ids.size).toBe(records);
    for (const object of org.objects.slice(0, 50)) {
      for (const record of object.records) expect(checkRecord({ ...record }).ok).toBe(true);
    }
  });

  it('keeps every event inside the days asked for', () => {
    for (const object of org.objects) {
      for (const record of object.records) {
        const time = Date.parse(String(record.eventTime));
        expect(time).toBeGreaterThanOrEqual(org.since);
        expect(time).toBeLessThanOrEqual(org.until);
      }
    }
  });
});
