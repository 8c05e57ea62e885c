import {
  BatchProcessor,
  EventType,
  FullBatchFailureError,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { deadlineFromRemaining } from '../pipeline';
import type { FailureReport, FailureReporter, LambdaContext, Logger, Runtime } from '../runtime';
import { classifyInvocationError, handlerBase, handleTrailEvent, mapInvocationErrors } from '../runtime';
import { limitConcurrency } from './limit';
import type { QueueMessage } from './messages';
import { messageInput, parseQueueBatch, receiveCount } from './messages';

/** The `Source` dimension of the queue function's metrics, and its `trigger` log key. */
export const QUEUE_SOURCE = 'queue';

/**
 * Messages of one batch read at once. Each may name a log object of up to tens of MB read as a
 * stream; a few at a time overlap S3's latency while the function's memory stays bounded. More
 * throughput comes from more concurrent invocations (the event source mapping's maximum
 * concurrency), not from a wider fan-out inside one.
 */
export const MESSAGE_CONCURRENCY = 4;

export interface QueueHandlerDependencies {
  readonly runtime?: Runtime;
  readonly log?: Logger;
  /** Where data faults and unreadable objects are reported by location; default TRAILWATCH_FAILURE_QUEUE_URL. */
  readonly failures?: FailureReporter;
}

/** Every report of a message names it: the failure queue's reader can find it in the logs. */
function reportingMessage(failures: FailureReporter, messageId: string): FailureReporter {
  return {
    report: (reports: readonly FailureReport[]) =>
      failures.report(
        reports.map((report) => ({ ...report, location: `${report.location} (SQS message ${messageId})` })),
      ),
  };
}

/**
 * The queue function: S3 or SNS notifications buffered in SQS, read in batches, each message through
 * the one driver (handleTrailEvent, as the S3 and SNS functions). The answer is a partial batch
 * response (Powertools Batch, ReportBatchItemFailures) naming exactly the messages to retry:
 * - a message fails when its object could not be read for a reason a retry may fix (S3 throttling,
 *   a network error), when an alert's delivery failed retryably, when its failure reports could not
 *   be kept, or when processing threw unexpectedly. SQS hands it out again after the visibility
 *   timeout, and after maxReceiveCount receives moves it to the dead-letter queue, where it waits
 *   for `trailwatch redrive` once the cause is fixed. The delivery claims keep a retry from sending
 *   any alert twice.
 * - a malformed message (not JSON, no known shape), a corrupt object or one that is missing or
 *   denied is a data fault: logged with the message id, reported to the failure queue with its
 *   location, and the message is deleted. A retry would fail the same way; the dead-letter queue is
 *   kept for what a fix and a redrive can recover.
 * - an S3 test event (sent when notifications are configured) and SNS subscription messages are
 *   skipped.
 * When every message of a batch fails, Powertools throws: Lambda then backs off polling, as it
 * should while a destination or S3 is down.
 */
export function createQueueHandler(deps: QueueHandlerDependencies = {}) {
  const { log, metrics, runtimes, failures } = handlerBase(QUEUE_SOURCE, deps);
  const processor = new BatchProcessor(EventType.SQS);

  return middy(async (event: unknown, context: LambdaContext): Promise<PartialItemFailureResponse> => {
    const messages = parseQueueBatch(event);
    const remaining = context.getRemainingTimeInMillis?.();
    const deadlineAt = remaining === undefined ? undefined : deadlineFromRemaining(remaining);
    const runtime = await runtimes.current(Date.now());
    const requestId = context.awsRequestId;
    const limit = limitConcurrency(MESSAGE_CONCURRENCY);

    const processMessage = async (message: QueueMessage): Promise<void> => {
      const messageLog = log.child({ messageId: message.messageId });
      try {
        await handleTrailEvent([messageInput(message)], QUEUE_SOURCE, runtime, messageLog, {
          failures: reportingMessage(failures, message.messageId),
          metrics,
          ...(requestId === undefined ? {} : { requestId }),
          ...(deadlineAt === undefined ? {} : { deadlineAt }),
        });
      } catch (error) {
        const count = receiveCount(message);
        messageLog.error('message failed: SQS hands it out again, then moves it to the dead-letter queue', {
          errorKind: classifyInvocationError(error),
          errorName: error instanceof Error ? error.name : typeof error,
          error: error instanceof Error ? error.message : String(error),
          ...(count === undefined ? {} : { receiveCount: count }),
        });
        throw error;
      }
    };

    // Powertools runs every record's handler at once; the limit bounds how many read at a time.
    try {
      return await processPartialResponse(
        { Records: messages },
        (message: QueueMessage) => limit(() => processMessage(message)),
        processor,
      );
    } catch (error) {
      // Every message failed: each is logged above with its id. When all were retryable, the
      // invocation fails as the first of them, so its log line and metric say "retryable".
      if (error instanceof FullBatchFailureError) {
        const [first] = error.recordErrors;
        if (
          first !== undefined &&
          error.recordErrors.every((e) => classifyInvocationError(e) === 'retryable')
        )
          throw first;
      }
      throw error;
    }
  })
    .use(injectLambdaContext(log.powertools))
    .use(logMetrics(metrics))
    .use(mapInvocationErrors(log, metrics));
}
