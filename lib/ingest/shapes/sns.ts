import * as z from '../../validation';
import type { DeliveryShape } from './types';
import { parseEnvelope } from './types';

/** A record of the event SNS gives a Lambda function (`{"Records":[{"EventSource":"aws:sns",…}]}`). */
const snsLambdaRecord = z.object({ Sns: z.object({ Message: z.string() }) });

export const snsLambdaRecordShape: DeliveryShape = {
  name: 'SNS Lambda record',
  matches: (value) => value.EventSource === 'aws:sns' || ('Sns' in value && 'EventSubscriptionArn' in value),
  expand: (value) => {
    const parsed = parseEnvelope(snsLambdaRecord, value, 'SNS record');
    if (!parsed.ok) return [parsed.problem];
    return [{ kind: 'json', text: parsed.data.Sns.Message, pointer: 'Sns.Message' }];
  },
};

/** The SNS message envelope as delivered over HTTP(S) or to SQS without raw delivery. */
const snsEnvelope = z.object({ Type: z.string(), Message: z.string() });

export const snsEnvelopeShape: DeliveryShape = {
  name: 'SNS message',
  matches: (value) => typeof value.Type === 'string' && 'Message' in value && 'TopicArn' in value,
  expand: (value) => {
    const parsed = parseEnvelope(snsEnvelope, value, 'SNS message');
    if (!parsed.ok) return [parsed.problem];
    if (parsed.data.Type !== 'Notification') {
      return [
        { kind: 'skip', reason: `SNS ${parsed.data.Type} message carries no notification`, pointer: '' },
      ];
    }
    return [{ kind: 'json', text: parsed.data.Message, pointer: 'Message' }];
  },
};

/** A record of the event SQS gives a Lambda function; the body is whatever was sent. */
const sqsLambdaRecord = z.object({ body: z.string() });

export const sqsLambdaRecordShape: DeliveryShape = {
  name: 'SQS Lambda record',
  matches: (value) => value.eventSource === 'aws:sqs',
  expand: (value) => {
    const parsed = parseEnvelope(sqsLambdaRecord, value, 'SQS record');
    if (!parsed.ok) return [parsed.problem];
    return [{ kind: 'json', text: parsed.data.body, pointer: 'body' }];
  },
};
