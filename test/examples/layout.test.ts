/**
 * The bundled log objects sit under the S3 keys CloudTrail would have given them, so that the
 * account and region in a key (what `--account` and the S3 listing read) agree with the records.
 * Layout: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DELIVERY_LAG_MS, parseLogFileKey } from '../../lib/ingest';

const EXAMPLE_LOGS = join(import.meta.dirname, '..', '..', 'examples', 'logs');

/**
 * `AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`,
 * written out in full here rather than taken from the reader, so a lenient reader cannot hide a
 * misplaced file.
 */
const DOCUMENTED_KEY =
  /^AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(?<account>\d{12})\/CloudTrail\/(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\/(?<year>\d{4})\/(?<month>\d{2})\/(?<day>\d{2})\/(?<fileAccount>\d{12})_CloudTrail_(?<fileRegion>[a-z]{2}(?:-[a-z]+)+-\d)_(?<stamp>\d{8})T(?<hour>\d{2})(?<minute>\d{2})Z_[A-Za-z0-9]{16}\.json\.gz$/;

/** The file name's stamp has minute precision: a record of that minute may sit in the file. */
const STAMP_PRECISION_MS = 60_000;

interface LogRecord {
  readonly recipientAccountId?: string;
  readonly awsRegion?: string;
  readonly eventTime?: string;
  readonly eventID?: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function logRecords(path: string): LogRecord[] {
  const parsed: unknown = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('Records' in parsed) ||
    !Array.isArray(parsed.Records)
  ) {
    throw new Error(`${path}: not a CloudTrail log file ({"Records":[…]})`);
  }
  return parsed.Records;
}

const keys = filesUnder(join(EXAMPLE_LOGS, 'AWSLogs')).map((path) =>
  relative(EXAMPLE_LOGS, path).split(sep).join('/'),
);

describe('the example log objects', () => {
  it('are the 40 gzipped log objects of the samples, and nothing else sits under AWSLogs/', () => {
    expect(keys).toHaveLength(40);
    for (const key of keys) expect(key).toMatch(/\.json\.gz$/);
  });

  it.each(keys)('%s follows the documented key layout, and each record matches its key', (key) => {
    const layout = DOCUMENTED_KEY.exec(key)?.groups;
    expect(layout, `${key} does not follow CloudTrail's key layout`).toBeDefined();
    if (!layout) return;
    expect(layout.fileAccount, 'account in the file name').toBe(layout.account);
    expect(layout.fileRegion, 'region in the file name').toBe(layout.region);
    expect(layout.stamp, 'date in the file name').toBe(`${layout.year}${layout.month}${layout.day}`);
    const deliveredAt = Date.UTC(
      Number(layout.year),
      Number(layout.month) - 1,
      Number(layout.day),
      Number(layout.hour),
      Number(layout.minute),
    );
    // The reader's own reading of the key, which `--account`, `--region` and the listing use.
    expect(parseLogFileKey(key)).toMatchObject({
      kind: 'log',
      accountId: layout.account,
      region: layout.region,
      deliveredAt,
    });

    const records = logRecords(join(EXAMPLE_LOGS, key));
    expect(records.length).toBeGreaterThan(0);
    records.forEach((record, index) => {
      const at = `${key} Records[${index}] (eventID ${record.eventID})`;
      expect(record.recipientAccountId, `${at}: recipientAccountId`).toBe(layout.account);
      expect(record.awsRegion, `${at}: awsRegion`).toBe(layout.region);
      const eventTime = Date.parse(record.eventTime ?? '');
      // Written after its events, and within the lag the S3 listing allows for (`--until` + lag).
      expect(eventTime, `${at}: eventTime after the file was delivered`).toBeLessThan(
        deliveredAt + STAMP_PRECISION_MS,
      );
      expect(eventTime, `${at}: eventTime too long before delivery`).toBeGreaterThanOrEqual(
        deliveredAt - DELIVERY_LAG_MS,
      );
    });
  });
});
