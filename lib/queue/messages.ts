import type { Input } from '../ingest';
import { TriggerEventError } from '../runtime';
import * as z from '../validation';

/**
 * The event an SQS event source mapping gives Lambda: a batch of messages, each with the id the
 * partial batch response names it by. The envelope is checked at the edge (a function wired to the
 * wrong source fails at once); a message's body is whatever the sender wrote, read by the shapes.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
export const SQS_BATCH_EVENT = z.object({
  Records: z
    .array(
      z.looseObject({
        messageId: z.string().check(z.minLength(1)),
        eventSource: z.literal('aws:sqs'),
      }),
    )
    .check(z.minLength(1)),
});

/** One message of the batch as the handler reads it; the body is checked per message, not here. */
export type QueueMessage = z.infer<typeof SQS_BATCH_EVENT>['Records'][number];

/** The message's body and receive count, when they have the documented types. */
const MESSAGE_PARTS = z.looseObject({
  body: z.string(),
  attributes: z.optional(z.looseObject({ ApproximateReceiveCount: z.optional(z.string()) })),
});

/** The batch, or a TriggerEventError naming every field at fault. */
export function parseQueueBatch(event: unknown): QueueMessage[] {
  const parsed = SQS_BATCH_EVENT.safeParse(event);
  if (!parsed.success)
    throw new TriggerEventError(
      `the queue function got an event it does not take: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
        .join('; ')}`,
    );
  return parsed.data.Records;
}

/** The name every problem of a message is located by: its id is what the DLQ and the logs show. */
export function messageSource(messageId: string): string {
  return `sqs message ${messageId}`;
}

/**
 * What the one reader reads for a message: the SQS record itself, whose shape (lib/ingest/shapes
 * `sqsLambdaRecordShape`) opens the body, which may be an S3 event notification, an SNS envelope of
 * one (raw delivery or not), CloudTrail's own SNS notification or an S3 test event. A body that is
 * not a string is passed on as it is, so the shape reports it as a malformed SQS record.
 */
export function messageInput(message: QueueMessage): Input {
  const parts = MESSAGE_PARTS.safeParse(message);
  const body: unknown = parts.success ? parts.data.body : message.body;
  return {
    kind: 'payload',
    name: messageSource(message.messageId),
    value: { eventSource: 'aws:sqs', body },
  };
}

/** ApproximateReceiveCount: how many times SQS has handed the message out (1 on the first try). */
export function receiveCount(message: QueueMessage): number | undefined {
  const parts = MESSAGE_PARTS.safeParse(message);
  const count = parts.success ? Number(parts.data.attributes?.ApproximateReceiveCount) : Number.NaN;
  return Number.isInteger(count) && count > 0 ? count : undefined;
}
