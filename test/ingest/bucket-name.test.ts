import { describe, expect, it } from 'vitest';
import { cloudTrailDeliveryShape } from '../../lib/ingest/shapes/cloudtrail-delivery';
import { s3NotificationShape } from '../../lib/ingest/shapes/s3-notification';

/**
 * A notification names the bucket to read; a name S3 never allows (dots alone read as a path
 * segment, a slash as another path) is refused at its place, and every name S3 allows, legacy
 * us-east-1 names included, goes on to be read.
 */
const notification = (bucket: string) => ({
  eventSource: 'aws:s3',
  eventName: 'ObjectCreated:Put',
  s3: { bucket: { name: bucket }, object: { key: 'AWSLogs/k.json.gz', size: 10 } },
});
const delivery = (bucket: string) => ({ s3Bucket: bucket, s3ObjectKey: ['AWSLogs/k.json.gz'] });

const cases: { bucket: string; read: boolean }[] = [
  { bucket: 'trail-logs', read: true },
  { bucket: 'my.dotted.bucket', read: true },
  { bucket: 'Legacy_Bucket_Of_US_East_1', read: true },
  { bucket: 'a'.repeat(255), read: true },
  { bucket: '.', read: false },
  { bucket: '..', read: false },
  { bucket: '...', read: false },
  { bucket: 'a/b', read: false },
  { bucket: '', read: false },
  { bucket: 'a'.repeat(256), read: false },
  { bucket: 'bucket?versionId=1', read: false },
  { bucket: 'bücket', read: false },
];

describe('the bucket a notification names', () => {
  for (const { bucket, read } of cases) {
    const label = JSON.stringify(bucket.length > 40 ? `${bucket.slice(0, 10)}… (${bucket.length})` : bucket);
    it(`${label}: ${read ? 'read' : 'refused at the bucket name'}`, () => {
      for (const expansions of [
        s3NotificationShape.expand(notification(bucket)),
        cloudTrailDeliveryShape.expand(delivery(bucket)),
      ]) {
        const kinds = expansions.map((e) => e.kind);
        if (read) expect(kinds).toEqual(['s3-object']);
        else {
          expect(kinds).toEqual(['problem']);
          expect(JSON.stringify(expansions[0])).toMatch(/bucket|s3Bucket/);
        }
      }
    });
  }
});
