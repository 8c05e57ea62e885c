import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadedOnce } from '../aws';
import type { ErrorLocation, TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';

/**
 * What could not be processed, by location, never by content: a record that threw (poison), a
 * corrupt object or batch (data fault), an object that cannot be read as named (missing, access
 * denied), a refused trigger event. The invocation itself succeeds
 * (a retry would fail the same way and hold up the good records), so Lambda's OnFailure
 * destination never sees these: the handler sends them to the function's failure queue itself.
 */
export interface FailureReport {
  readonly kind: 'poison-record' | 'data-fault' | 'unreadable-source' | 'refused-event';
  readonly trigger: string;
  readonly requestId: string | undefined;
  /** `s3://bucket/key:line (Records[3])`, `logs event > logEvents[1]`, … */
  readonly location: string;
  readonly eventID?: string;
  readonly stage?: string;
  readonly error: string;
}

export interface FailureReporter {
  /** Sends the reports; throws when they could not all be kept (the invocation must then be retried). */
  report(reports: readonly FailureReport[]): Promise<void>;
}

/**
 * SQS SendMessageBatch takes at most 10 messages per call, 256 KiB per message.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
export const SQS_BATCH_MAX_ENTRIES = 10;
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Error texts are cut well below the SQS message limit: a location is what the reader needs. */
const MAX_ERROR_CHARS = 4_000;

export class FailureQueueError extends TrailwatchError {
  override readonly name = 'FailureQueueError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'failure-queue', { retryable: true, ...options });
  }
}

/** Reports to an SQS queue (the function's own failure queue). */
export class SqsFailureReporter implements FailureReporter {
  constructor(
    private readonly queueUrl: string,
    private readonly client: () => Promise<SQSClient>,
  ) {}

  async report(reports: readonly FailureReport[]): Promise<void> {
    if (reports.length === 0) return;
    const { SendMessageBatchCommand } = await loadSqsSdk();
    const sqs = await this.client();
    for (let start = 0; start < reports.length; start += SQS_BATCH_MAX_ENTRIES) {
      const entries = reports.slice(start, start + SQS_BATCH_MAX_ENTRIES).map((report, offset) => ({
        Id: String(start + offset),
        MessageBody: JSON.stringify({ ...report, error: report.error.slice(0, MAX_ERROR_CHARS) }),
      }));
      let failed: string[];
      try {
        const answer = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        failed = (answer.Failed ?? []).map(
          (entry) => `${entry.Id ?? '?'}: ${entry.Code ?? ''} ${entry.Message ?? ''}`,
        );
      } catch (error) {
        throw new FailureQueueError(
          `could not send ${reports.length} failure report(s) to ${this.queueUrl}: ${error instanceof Error ? error.message : String(error)}`,
          { location: this.site(), cause: error, locationInMessage: true },
        );
      }
      if (failed.length > 0)
        throw new FailureQueueError(
          `the failure queue ${this.queueUrl} refused report(s): ${failed.join('; ')}`,
          { location: this.site(), locationInMessage: true },
        );
    }
  }

  private site(): ErrorLocation {
    return { service: 'SQS', call: 'SendMessageBatch', resource: `queue ${this.queueUrl}` };
  }
}

/** The SQS SDK, loaded when the first failure is reported, once. */
const loadSqsSdk = loadedOnce(() => import('@aws-sdk/client-sqs'));

/** Where no failure queue is configured (the CLI, a local run): the log line is the report. */
export const NO_FAILURE_QUEUE: FailureReporter = { report: async () => undefined };

export function failureReporterFor(queueUrl: string | undefined, region?: string): FailureReporter {
  if (!queueUrl) return NO_FAILURE_QUEUE;
  let client: Promise<SQSClient> | undefined;
  return new SqsFailureReporter(queueUrl, () => {
    client ??= loadSqsSdk().then(({ SQSClient }) => new SQSClient(region === undefined ? {} : { region }));
    return client;
  });
}
