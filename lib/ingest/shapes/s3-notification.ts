import * as z from '../../validation';
import { decodeS3EventKey } from '../log-file-key';
import { bucketName } from './bucket-name';
import type { DeliveryShape } from './types';
import { parseEnvelope } from './types';

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html */
const s3NotificationRecord = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: bucketName }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.number().check(z.int(), z.nonnegative())),
    }),
  }),
});

/** One record of an S3 event notification (`{"Records":[{"eventSource":"aws:s3",…}]}`). */
export const s3NotificationShape: DeliveryShape = {
  name: 'S3 event notification',
  matches: (value) => value.eventSource === 'aws:s3' && 's3' in value,
  expand: (value) => {
    const parsed = parseEnvelope(s3NotificationRecord, value, 'S3 event notification record');
    if (!parsed.ok) return [parsed.problem];
    const { eventName, s3 } = parsed.data;
    if (!eventName.startsWith('ObjectCreated')) {
      return [{ kind: 'skip', reason: `S3 event ${eventName} does not create an object`, pointer: 's3' }];
    }
    const key = safeDecode(s3.object.key);
    if (key === undefined) {
      return [
        {
          kind: 'problem',
          message: `S3 key ${JSON.stringify(s3.object.key)} is not valid URL encoding`,
          pointer: 's3.object.key',
        },
      ];
    }
    const ref =
      s3.object.size === undefined
        ? { bucket: s3.bucket.name, key }
        : { bucket: s3.bucket.name, key, size: s3.object.size };
    return [{ kind: 's3-object', ref, pointer: 's3.object' }];
  },
};

/** The test message S3 sends when notifications are first configured. */
export const s3TestEventShape: DeliveryShape = {
  name: 'S3 test event',
  matches: (value) => value.Event === 's3:TestEvent',
  expand: () => [{ kind: 'skip', reason: 'S3 test event', pointer: '' }],
};

function safeDecode(key: string): string | undefined {
  try {
    return decodeS3EventKey(key);
  } catch {
    return undefined;
  }
}
