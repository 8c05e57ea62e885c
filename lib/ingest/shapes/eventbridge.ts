import * as z from '../../validation';
import { bucketName } from './bucket-name';
import type { DeliveryShape } from './types';
import { isObject, parseEnvelope } from './types';

/**
 * EventBridge events. CloudTrail's detail types all end in "via CloudTrail" ("AWS API Call via
 * CloudTrail", "AWS Console Sign In via CloudTrail", "AWS Service Event via CloudTrail",
 * "AWS Console Action via CloudTrail", "AWS Insight via CloudTrail") and carry the record in `detail`.
 * S3 "Object Created" events name a log object; their keys are not URL-encoded.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
const CLOUDTRAIL_DETAIL_TYPE_SUFFIX = 'via CloudTrail';

const eventBridgeEvent = z.object({
  'detail-type': z.string(),
  source: z.string(),
  detail: z.unknown(),
});

const s3ObjectCreatedDetail = z.object({
  bucket: z.object({ name: bucketName }),
  object: z.object({
    key: z.string().check(z.minLength(1)),
    size: z.optional(z.number().check(z.int(), z.nonnegative())),
  }),
});

export const eventBridgeShape: DeliveryShape = {
  name: 'EventBridge event',
  matches: (value) => 'detail-type' in value && 'detail' in value,
  expand: (value) => {
    const parsed = parseEnvelope(eventBridgeEvent, value, 'EventBridge event');
    if (!parsed.ok) return [parsed.problem];
    const { 'detail-type': detailType, source, detail } = parsed.data;
    if (source === 'aws.s3' && detailType === 'Object Created') {
      const object = parseEnvelope(s3ObjectCreatedDetail, detail, 'S3 Object Created detail');
      if (!object.ok) return [{ ...object.problem, pointer: 'detail' }];
      const { bucket, object: created } = object.data;
      const ref =
        created.size === undefined
          ? { bucket: bucket.name, key: created.key }
          : { bucket: bucket.name, key: created.key, size: created.size };
      return [{ kind: 's3-object', ref, pointer: 'detail.object' }];
    }
    if (detailType.endsWith(CLOUDTRAIL_DETAIL_TYPE_SUFFIX) && isObject(detail)) {
      return [{ kind: 'record', value: detail, pointer: 'detail' }];
    }
    return [
      {
        kind: 'problem',
        message: `EventBridge event "${detailType}" from ${source} carries no CloudTrail record`,
        pointer: 'detail-type',
      },
    ];
  },
};
