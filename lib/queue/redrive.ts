import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { awsErrorFacts } from '../aws';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import { SQS_BATCH_MAX_ENTRIES } from '../runtime/failures';

/**
 * Moves dead letters back to the queue they came from once the cause is fixed: SQS's own message
 * move task where the endpoint has it (it keeps the messages' attributes and paces itself), else
 * receive, send, then delete, a batch at a time. A message is deleted from the dead-letter queue
 * only after the queue accepted it, so none is lost; one sent whose delete then failed is in both
 * queues, and the delivery claims keep its alerts from going out twice.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
export interface RedriveRequest {
  /** The dead-letter queue, by URL or ARN. */
  readonly deadLetters: string;
  /** Where to move to, by URL or ARN; default: the queue whose redrive policy names the DLQ. */
  readonly queue?: string;
  /** Messages per second at most (SQS's move task takes 1 to 500). */
  readonly maxPerSecond?: number;
  /** Count, name the queues, move nothing. */
  readonly dryRun: boolean;
}

export type RedrivePath = 'message-move-task' | 'receive-send-delete';

export interface RedriveOutcome {
  readonly deadLetters: QueueRef;
  readonly queue: QueueRef | undefined;
  /** ApproximateNumberOfMessages of the dead-letter queue before anything moved. */
  readonly waiting: number;
  readonly path: RedrivePath | 'dry-run';
  /** Sent back and deleted from the dead-letter queue (receive-send-delete). */
  readonly moved: number;
  /** Refused by the queue: left in the dead-letter queue, visible again after the visibility timeout. */
  readonly failed: readonly string[];
  /** The move task's handle (message-move-task): it runs on in SQS. */
  readonly taskHandle?: string;
}

export interface QueueRef {
  readonly url: string;
  readonly arn: string;
}

export class RedriveError extends TrailwatchError {
  override readonly name = 'RedriveError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'redrive', options);
  }
}

/** SQS's move task takes 1 to 500 messages per second. */
export const MOVE_TASK_MAX_PER_SECOND = 500;
/**
 * How long a received dead letter stays hidden while it is sent back: ample for one SendMessageBatch
 * and one DeleteMessageBatch; if the run dies, the letters are visible again in this long.
 */
export const REDRIVE_VISIBILITY_SECONDS = 60;

/** Error names of an endpoint that does not have the move task (an emulator, an older partition). */
const NOT_IMPLEMENTED = new Set(['UnknownOperationException', 'InvalidAction', 'UnsupportedOperation']);

/**
 * True when the endpoint answered that it has no StartMessageMoveTask, not that this move failed:
 * an unknown action, or an answer that is not SQS's protocol at all (moto_server's HTML error page
 * for a call it lacks).
 */
export function moveTaskUnavailable(error: unknown): boolean {
  const facts = awsErrorFacts(error);
  return facts.kind === 'endpoint' || NOT_IMPLEMENTED.has(facts.code);
}

const ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(\.fifo)?)$/;

async function resolveQueue(sqs: SQSClient, given: string): Promise<QueueRef> {
  const { GetQueueAttributesCommand, GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
  const arnParts = ARN.exec(given);
  try {
    const url = arnParts
      ? ((
          await sqs.send(
            new GetQueueUrlCommand({ QueueName: arnParts[3], QueueOwnerAWSAccountId: arnParts[2] }),
          )
        ).QueueUrl ?? '')
      : given;
    const arn = arnParts
      ? given
      : ((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
          .Attributes?.QueueArn ?? '');
    if (url === '' || arn === '') throw new RedriveError(`${given}: SQS gave no URL or ARN for this queue`);
    return { url, arn };
  } catch (error) {
    if (error instanceof RedriveError) throw error;
    throw new RedriveError(`${given}: cannot find the queue: ${describe(error)}`, { cause: error });
  }
}

function describe(error: unknown): string {
  const facts = awsErrorFacts(error);
  return `${facts.code}: ${facts.message}`;
}

async function waitingCount(sqs: SQSClient, queue: QueueRef): Promise<number> {
  const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const answer = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** The one queue whose redrive policy sends to the DLQ, when no --queue names it. */
async function sourceOf(sqs: SQSClient, deadLetters: QueueRef): Promise<QueueRef> {
  const { ListDeadLetterSourceQueuesCommand } = await import('@aws-sdk/client-sqs');
  const answer = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: deadLetters.url }));
  const urls = answer.queueUrls ?? [];
  const [only] = urls;
  if (only === undefined || urls.length > 1)
    throw new RedriveError(
      `${deadLetters.arn}: ${urls.length === 0 ? 'no queue names it as its dead-letter queue' : `${urls.length} queues name it as their dead-letter queue (${urls.join(', ')})`}; name the one to move to with --queue`,
    );
  return resolveQueue(sqs, only);
}

/** What SendMessage takes back of a received message's attributes (binary and string values as they were). */
function attributesOf(message: Message): Record<string, MessageAttributeValue> | undefined {
  const attributes = message.MessageAttributes;
  return attributes && Object.keys(attributes).length > 0 ? attributes : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Receive, send, then delete, a batch at a time, until the dead-letter queue answers empty. */
async function receiveSendDelete(
  sqs: SQSClient,
  from: QueueRef,
  to: QueueRef,
  limit: number,
  maxPerSecond: number | undefined,
  now: () => number,
): Promise<{ moved: number; failed: string[] }> {
  const { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } = await import(
    '@aws-sdk/client-sqs'
  );
  let moved = 0;
  const failed: string[] = [];
  // At most what was waiting: a letter that fails again and comes back while this runs is not
  // moved round in a loop.
  while (moved + failed.length < limit) {
    const started = now();
    const batch = Math.min(
      SQS_BATCH_MAX_ENTRIES,
      limit - moved - failed.length,
      maxPerSecond ?? SQS_BATCH_MAX_ENTRIES,
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from.url,
        MaxNumberOfMessages: batch,
        VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: to.url,
        Entries: messages.map((message, index) => {
          const attributes = attributesOf(message);
          return {
            Id: String(index),
            MessageBody: message.Body ?? '',
            ...(attributes === undefined ? {} : { MessageAttributes: attributes }),
          };
        }),
      }),
    );
    for (const refused of sent.Failed ?? [])
      failed.push(
        `${messages[Number(refused.Id)]?.MessageId ?? refused.Id}: ${refused.Code ?? ''} ${refused.Message ?? ''}`.trim(),
      );
    // Deleted only once the queue has it.
    const accepted = (sent.Successful ?? []).flatMap((entry) => {
      const message = messages[Number(entry.Id)];
      return message?.ReceiptHandle === undefined
        ? []
        : [{ Id: entry.Id, ReceiptHandle: message.ReceiptHandle }];
    });
    if (accepted.length > 0) {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: from.url, Entries: accepted }),
      );
      if ((deleted.Failed ?? []).length > 0)
        throw new RedriveError(
          `${from.arn}: ${deleted.Failed?.length} letter(s) were sent back but not deleted (${(deleted.Failed ?? []).map((f) => `${f.Id}: ${f.Code}`).join('; ')}); they are in both queues, and redriving them again sends each once more (their alerts are not delivered twice)`,
        );
      moved += accepted.length;
    }
    if (maxPerSecond !== undefined) {
      // Keep to the rate: this batch's messages over the time it took, at most maxPerSecond.
      const due = (messages.length / maxPerSecond) * 1000 - (now() - started);
      if (due > 0) await sleep(due);
    }
  }
  return { moved, failed };
}

export async function redrive(
  sqs: SQSClient,
  request: RedriveRequest,
  now: () => number = Date.now,
): Promise<RedriveOutcome> {
  if (
    request.maxPerSecond !== undefined &&
    (!Number.isInteger(request.maxPerSecond) ||
      request.maxPerSecond < 1 ||
      request.maxPerSecond > MOVE_TASK_MAX_PER_SECOND)
  )
    throw new RedriveError(
      `max per second ${request.maxPerSecond} is not a whole number from 1 to ${MOVE_TASK_MAX_PER_SECOND}`,
    );
  const deadLetters = await resolveQueue(sqs, request.deadLetters);
  const queue =
    request.queue === undefined ? await sourceOf(sqs, deadLetters) : await resolveQueue(sqs, request.queue);
  const waiting = await waitingCount(sqs, deadLetters);
  const base = { deadLetters, queue, waiting, moved: 0, failed: [] };
  if (request.dryRun) return { ...base, path: 'dry-run' };
  if (waiting === 0) return { ...base, path: 'message-move-task' };
  const { StartMessageMoveTaskCommand } = await import('@aws-sdk/client-sqs');
  try {
    const started = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: deadLetters.arn,
        DestinationArn: queue.arn,
        ...(request.maxPerSecond === undefined ? {} : { MaxNumberOfMessagesPerSecond: request.maxPerSecond }),
      }),
    );
    return {
      ...base,
      path: 'message-move-task',
      ...(started.TaskHandle === undefined ? {} : { taskHandle: started.TaskHandle }),
    };
  } catch (error) {
    if (!moveTaskUnavailable(error))
      throw new RedriveError(`${deadLetters.arn}: SQS refused the message move task: ${describe(error)}`, {
        cause: error,
      });
  }
  const { moved, failed } = await receiveSendDelete(
    sqs,
    deadLetters,
    queue,
    waiting,
    request.maxPerSecond,
    now,
  );
  return { ...base, path: 'receive-send-delete', moved, failed };
}
