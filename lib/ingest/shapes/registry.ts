import { cloudTrailDeliveryShape } from './cloudtrail-delivery';
import { cloudTrailRecordShape } from './cloudtrail-record';
import { cloudWatchLogsEventShape, cloudWatchLogsPayloadShape } from './cloudwatch-logs';
import { digestFileShape } from './digest';
import { eventBridgeShape } from './eventbridge';
import { lookupEventShape, recordListShape } from './lookup-events';
import { s3NotificationShape, s3TestEventShape } from './s3-notification';
import { snsEnvelopeShape, snsLambdaRecordShape, sqsLambdaRecordShape } from './sns';
import type { DeliveryShape } from './types';

/**
 * Every shape trailwatch reads, tried in this order; the first whose `matches` holds expands the
 * value. The CloudTrail record comes first because it is by far the most common value, and its
 * test excludes the `aws:`-sourced notification records that also carry `eventVersion`.
 * Adding a source: one file in this folder and one line here.
 */
export const DELIVERY_SHAPES: readonly DeliveryShape[] = [
  cloudTrailRecordShape,
  s3NotificationShape,
  snsLambdaRecordShape,
  sqsLambdaRecordShape,
  snsEnvelopeShape,
  cloudTrailDeliveryShape,
  eventBridgeShape,
  cloudWatchLogsEventShape,
  cloudWatchLogsPayloadShape,
  lookupEventShape,
  digestFileShape,
  s3TestEventShape,
  recordListShape,
];
