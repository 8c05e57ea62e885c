import * as z from '../../validation';
import { bucketName } from './bucket-name';
import type { DeliveryShape } from './types';
import { parseEnvelope } from './types';

/**
 * CloudTrail's own SNS notification when it delivers log files: the keys are plain, not URL-encoded.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/configure-sns-notifications-for-cloudtrail.html
 */
const deliveryNotification = z.object({
  s3Bucket: bucketName,
  s3ObjectKey: z.array(z.string().check(z.minLength(1))),
});

export const cloudTrailDeliveryShape: DeliveryShape = {
  name: 'CloudTrail SNS delivery notification',
  matches: (value) => 's3Bucket' in value && 's3ObjectKey' in value,
  expand: (value) => {
    const parsed = parseEnvelope(deliveryNotification, value, 'CloudTrail delivery notification');
    if (!parsed.ok) return [parsed.problem];
    const { s3Bucket, s3ObjectKey } = parsed.data;
    return s3ObjectKey.map((key, index) => ({
      kind: 's3-object' as const,
      ref: { bucket: s3Bucket, key },
      pointer: `s3ObjectKey[${index}]`,
    }));
  },
};
