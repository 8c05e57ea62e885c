import { createQueueHandler } from '../lib/queue';

/**
 * Triggered by the ingest queue's event source mapping: S3 or SNS notifications buffered in SQS,
 * answered with a partial batch response (ReportBatchItemFailures).
 */
export const handler = createQueueHandler();
