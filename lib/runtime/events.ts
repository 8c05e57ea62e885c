import type { MiddlewareObj } from '@middy/core';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { Input } from '../ingest';
import * as z from '../validation';
import type { FailureReport } from './failures';

/**
 * What each trigger delivers, checked at the edge. The envelope must be right (a misrouted event
 * fails at once with a clear message); each item of a batch is checked on its own, so one
 * malformed notification record is refused, located, and the others are processed.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html
 */
export const TRIGGER_SCHEMAS = {
  s3: {
    envelope: z.object({ Records: z.array(z.unknown()).check(z.minLength(1)) }),
    item: z.looseObject({
      eventSource: z.literal('aws:s3'),
      s3: z.looseObject({
        bucket: z.looseObject({ name: z.string().check(z.minLength(1)) }),
        object: z.looseObject({ key: z.string().check(z.minLength(1)) }),
      }),
    }),
  },
  sns: {
    envelope: z.object({ Records: z.array(z.unknown()).check(z.minLength(1)) }),
    item: z.looseObject({ EventSource: z.literal('aws:sns'), Sns: z.looseObject({ Message: z.string() }) }),
  },
  logs: {
    envelope: z.object({ awslogs: z.object({ data: z.string().check(z.minLength(1)) }) }),
    item: undefined,
  },
  eventbridge: {
    envelope: z.looseObject({
      'detail-type': z.string(),
      source: z.string(),
      account: z.string(),
      detail: z.looseObject({}),
    }),
    item: undefined,
  },
} as const;
export type Trigger = keyof typeof TRIGGER_SCHEMAS;

export class TriggerEventError extends TrailwatchError {
  override readonly name = 'TriggerEventError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'wrong-event', options);
  }
}

/** EventBridge sources of AWS services are `aws.<service>`; anything else can be put by anyone. */
const AWS_EVENT_SOURCE = /^aws\.[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const ACCOUNT_ID = /^\d{12}$/;

/** The twelve-digit account ids of a comma-separated list; anything else is left out. */
export function accountList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => ACCOUNT_ID.test(item));
}

/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME` → ACCOUNT. */
function accountOf(functionArn: string | undefined): string | undefined {
  return functionArn?.split(':')[4];
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
}

/**
 * The inputs the driver reads, and what was refused: a wrong envelope throws (the function was
 * wired to the wrong source); a malformed item, a forged EventBridge source or an account this
 * function does not serve is refused by location and the rest goes on.
 */
export function splitEvent(
  trigger: Trigger,
  event: unknown,
  servedAccounts: readonly string[],
  requestId?: string,
): { inputs: Input[]; refused: FailureReport[] } {
  const name = `${trigger} event`;
  const refuse = (location: string, error: string): FailureReport => ({
    kind: 'refused-event',
    trigger,
    requestId,
    location,
    error,
  });
  const wrongEnvelope = (error: z.core.$ZodError): TriggerEventError =>
    new TriggerEventError(`the ${trigger} function got an event it does not take: ${describeIssues(error)}`);
  if (trigger === 'eventbridge') {
    const envelope = TRIGGER_SCHEMAS.eventbridge.envelope.safeParse(event);
    if (!envelope.success) throw wrongEnvelope(envelope.error);
    const { source, account } = envelope.data;
    if (!AWS_EVENT_SOURCE.test(source))
      return {
        inputs: [],
        refused: [refuse(name, `source ${JSON.stringify(source)} is not an AWS service`)],
      };
    if (servedAccounts.length > 0 && !servedAccounts.includes(account))
      return {
        inputs: [],
        refused: [refuse(name, `account ${JSON.stringify(account)} is not one this function serves`)],
      };
    return { inputs: [{ kind: 'payload', name, value: event }], refused: [] };
  }
  if (trigger === 'logs') {
    const envelope = TRIGGER_SCHEMAS.logs.envelope.safeParse(event);
    if (!envelope.success) throw wrongEnvelope(envelope.error);
    return { inputs: [{ kind: 'payload', name, value: event }], refused: [] };
  }
  const schema = TRIGGER_SCHEMAS[trigger];
  const envelope = schema.envelope.safeParse(event);
  if (!envelope.success) throw wrongEnvelope(envelope.error);
  const inputs: Input[] = [];
  const refused: FailureReport[] = [];
  envelope.data.Records.forEach((item, index) => {
    const checked = schema.item.safeParse(item);
    const location = `${name} Records[${index}]`;
    if (checked.success) inputs.push({ kind: 'payload', name: location, value: { Records: [item] } });
    else refused.push(refuse(location, describeIssues(checked.error)));
  });
  return { inputs, refused };
}

/** A trigger event once checked at the edge: what the driver reads and what was refused by location. */
export class ParsedTrigger {
  constructor(
    readonly inputs: readonly Input[],
    readonly refused: readonly FailureReport[],
  ) {}
}

/** The parts of Lambda's context object trailwatch reads. */
export interface LambdaContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  readonly invokedFunctionArn?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/**
 * The middy middleware that parses the trigger's event before the handler runs: the handler gets
 * a ParsedTrigger in place of the raw event, or never runs (a wrong envelope is a TriggerEventError,
 * which the error-mapping middleware logs and counts). The accounts served are the configured ones
 * plus the function's own, read from its ARN.
 */
export function parseTriggerEvent(
  trigger: Trigger,
  configuredAccounts: readonly string[],
): MiddlewareObj<unknown, unknown, Error, LambdaContext> {
  return {
    name: 'parseTriggerEvent',
    before: (request) => {
      const served = [...configuredAccounts, ...accountList(accountOf(request.context.invokedFunctionArn))];
      const { inputs, refused } = splitEvent(trigger, request.event, served, request.context.awsRequestId);
      request.event = new ParsedTrigger(inputs, refused);
    },
  };
}
