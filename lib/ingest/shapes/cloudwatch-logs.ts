import { gunzipSync } from 'node:zlib';
import * as z from '../../validation';
import type { DeliveryShape, Expansion } from './types';
import { parseEnvelope } from './types';

/**
 * CloudWatch Logs subscription payloads: `{"awslogs":{"data":"<base64 of gzip>"}}` as Lambda receives
 * them, and the decoded `{"messageType":…,"logEvents":[…]}` as Firehose or a saved file holds them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 */
/**
 * Cap on a decompressed subscription payload: a Lambda event is at most 6 MB (Lambda quotas) and
 * gzip shrinks JSON about tenfold, so a real payload stays far below this; a gzip bomb does not.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_LOGS_PAYLOAD_BYTES = 64 * 1024 * 1024;

const awsLogsEvent = z.object({ awslogs: z.object({ data: z.string().check(z.minLength(1)) }) });

const logsPayload = z.object({
  messageType: z.string(),
  logGroup: z.optional(z.string()),
  logStream: z.optional(z.string()),
  // Each log event is checked on its own below: one malformed event costs only itself.
  logEvents: z.array(z.unknown()),
});

export const cloudWatchLogsEventShape: DeliveryShape = {
  name: 'CloudWatch Logs subscription event',
  matches: (value) => 'awslogs' in value,
  expand: (value) => {
    const parsed = parseEnvelope(awsLogsEvent, value, 'CloudWatch Logs event');
    if (!parsed.ok) return [parsed.problem];
    let json: string;
    try {
      json = gunzipSync(Buffer.from(parsed.data.awslogs.data, 'base64'), {
        maxOutputLength: MAX_LOGS_PAYLOAD_BYTES,
      }).toString('utf8');
    } catch (error) {
      return [
        {
          kind: 'problem',
          message: `awslogs.data is not base64 of gzip data (${(error as Error).message})`,
          pointer: 'awslogs.data',
        },
      ];
    }
    return [{ kind: 'json', text: json, pointer: 'awslogs.data' }];
  },
};

export const cloudWatchLogsPayloadShape: DeliveryShape = {
  name: 'CloudWatch Logs subscription payload',
  matches: (value) => 'messageType' in value && 'logEvents' in value,
  expand: (value) => {
    const parsed = parseEnvelope(logsPayload, value, 'CloudWatch Logs payload');
    if (!parsed.ok) return [parsed.problem];
    const { messageType, logEvents } = parsed.data;
    if (messageType === 'CONTROL_MESSAGE') {
      return [{ kind: 'skip', reason: 'CloudWatch Logs control message', pointer: 'messageType' }];
    }
    if (messageType !== 'DATA_MESSAGE') {
      return [
        {
          kind: 'problem',
          message: `unknown CloudWatch Logs messageType ${messageType}`,
          pointer: 'messageType',
        },
      ];
    }
    return logEvents.map((event, index): Expansion => {
      const message =
        typeof event === 'object' && event !== null ? (event as { message?: unknown }).message : undefined;
      if (typeof message === 'string')
        return { kind: 'json', text: message, pointer: `logEvents[${index}].message` };
      return {
        kind: 'problem',
        message: `a log event's message must be a string (got ${message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message})`,
        pointer: `logEvents[${index}]`,
      };
    });
  },
};
