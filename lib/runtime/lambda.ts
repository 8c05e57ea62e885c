import middy from '@middy/core';
import { z } from 'zod';
import type { Tally } from '../driver';
import { recordsRead } from '../driver';
import { wideRolesRuntime } from '../iam';
import type { Input } from '../ingest';
import { deadlineFromRemaining } from '../pipeline';
import type { FailureReport, FailureReporter } from './failures';
import { failureReporterFor } from './failures';
import { handleTrailEvent } from './handle';
import type { Logger } from './logger';
import { createLogger } from './logger';
import type { Runtime } from './runtime';
import { createRuntime } from './runtime';

/**
 * What each trigger delivers, checked at the edge. The envelope must be right (a misrouted event
 * fails at once with a clear message); each item of a batch is checked on its own, so one
 * malformed notification record is refused, located, and the others are processed.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html
 */
export const TRIGGER_SCHEMAS = {
  s3: {
    envelope: z.object({ Records: z.array(z.unknown()).min(1) }),
    item: z.looseObject({
      eventSource: z.literal('aws:s3'),
      s3: z.looseObject({
        bucket: z.looseObject({ name: z.string().min(1) }),
        object: z.looseObject({ key: z.string().min(1) }),
      }),
    }),
  },
  sns: {
    envelope: z.object({ Records: z.array(z.unknown()).min(1) }),
    item: z.looseObject({ EventSource: z.literal('aws:sns'), Sns: z.looseObject({ Message: z.string() }) }),
  },
  logs: { envelope: z.object({ awslogs: z.object({ data: z.string().min(1) }) }), item: undefined },
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

export class TriggerEventError extends Error {
  override readonly name = 'TriggerEventError';
}

interface LambdaContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  readonly invokedFunctionArn?: string;
  readonly getRemainingTimeInMillis?: () => number;
}

/** EventBridge sources of AWS services are `aws.<service>`; anything else can be put by anyone. */
const AWS_EVENT_SOURCE = /^aws\.[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const ACCOUNT_ID = /^\d{12}$/;

export interface HandlerDependencies {
  readonly runtime?: Runtime;
  readonly log?: Logger;
  readonly failures?: FailureReporter;
  /** Accounts whose events this function serves; default TRAILWATCH_SERVED_ACCOUNTS plus its own. */
  readonly servedAccounts?: readonly string[];
}

/** What an invocation returns: its counts (Lambda logs them; tests read them). */
export interface HandlerResult extends Record<string, number> {
  readonly recordsRead: number;
  readonly recordsSkipped: number;
  readonly alerts: number;
  readonly notificationsSent: number;
  readonly deliveriesFailed: number;
  readonly deliveriesUnknown: number;
  readonly poisonRecords: number;
  readonly refusedEvents: number;
}

/**
 * The whole of a Lambda entry point: check the trigger's event, then the one driver. The runtime
 * (config and compiled rules) is built once, when the module loads: the cold start.
 */
export function createTrailHandler(trigger: Trigger, deps: HandlerDependencies = {}) {
  const log = deps.log ?? createLogger({ trigger });
  // `wide_permission_roles: auto`: the stored list is read at the first invocation and every few minutes.
  const given = deps.runtime;
  const runtimes = given
    ? { current: async () => given }
    : wideRolesRuntime(createRuntime(), (placeholders) => createRuntime(process.env, { placeholders }), log);
  const failures =
    deps.failures ?? failureReporterFor(process.env.TRAILWATCH_FAILURE_QUEUE_URL, process.env.AWS_REGION);
  const configuredAccounts = deps.servedAccounts ?? accountList(process.env.TRAILWATCH_SERVED_ACCOUNTS);
  return middy(async (event: unknown, context: LambdaContext): Promise<HandlerResult> => {
    const requestId = context.awsRequestId;
    const served = [...configuredAccounts, ...accountList(accountOf(context.invokedFunctionArn))];
    const { inputs, refused } = splitEvent(trigger, event, served, requestId);
    const remaining = context.getRemainingTimeInMillis?.();
    const runtime = await runtimes.current(Date.now());
    const summary = await handleTrailEvent(inputs, trigger, runtime, log.child({ requestId }), {
      failures,
      refused,
      ...(requestId === undefined ? {} : { requestId }),
      ...(remaining === undefined ? {} : { deadlineAt: deadlineFromRemaining(remaining) }),
    });
    return handlerResult(summary.tally, refused.length);
  });
}

function handlerResult(tally: Tally, refusedEvents: number): HandlerResult {
  return {
    recordsRead: recordsRead(tally),
    recordsSkipped: tally.problems,
    alerts: tally.alerts,
    notificationsSent: tally.notifications.sent,
    deliveriesFailed: tally.notifications.failed,
    deliveriesUnknown: tally.notifications.unknown,
    poisonRecords: tally.poisonRecords,
    refusedEvents,
  };
}

function accountList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => ACCOUNT_ID.test(item));
}

/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME` → ACCOUNT. */
function accountOf(functionArn: string | undefined): string | undefined {
  return functionArn?.split(':')[4];
}

function describeIssues(error: z.ZodError): string {
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
  const schema = TRIGGER_SCHEMAS[trigger];
  const envelope = schema.envelope.safeParse(event);
  if (!envelope.success)
    throw new TriggerEventError(
      `the ${trigger} function got an event it does not take: ${describeIssues(envelope.error)}`,
    );
  const name = `${trigger} event`;
  const refuse = (location: string, error: string): FailureReport => ({
    kind: 'refused-event',
    trigger,
    requestId,
    location,
    error,
  });
  if (trigger === 'eventbridge') {
    const { source, account } = envelope.data as { source: string; account: string };
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
  if (schema.item === undefined) return { inputs: [{ kind: 'payload', name, value: event }], refused: [] };
  const records = (envelope.data as { Records: unknown[] }).Records;
  const inputs: Input[] = [];
  const refused: FailureReport[] = [];
  records.forEach((item, index) => {
    const checked = schema.item.safeParse(item);
    const location = `${name} Records[${index}]`;
    if (checked.success) inputs.push({ kind: 'payload', name: location, value: { Records: [item] } });
    else refused.push(refuse(location, describeIssues(checked.error)));
  });
  return { inputs, refused };
}
