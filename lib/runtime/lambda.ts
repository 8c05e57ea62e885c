import middy from '@middy/core';
import { z } from 'zod';
import { handleTrailEvent } from './handle';
import type { Logger } from './logger';
import { createLogger } from './logger';
import type { Runtime } from './runtime';
import { createRuntime } from './runtime';

/**
 * What each trigger delivers, checked at the edge: a misrouted or mangled event fails at once with
 * a clear message (and, after Lambda's retries, lands in the function's failure queue).
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html
 */
export const TRIGGER_SCHEMAS = {
  s3: z.object({
    Records: z.array(z.looseObject({ eventSource: z.literal('aws:s3'), s3: z.looseObject({}) })).min(1),
  }),
  sns: z.object({
    Records: z
      .array(
        z.looseObject({ EventSource: z.literal('aws:sns'), Sns: z.looseObject({ Message: z.string() }) }),
      )
      .min(1),
  }),
  logs: z.object({ awslogs: z.object({ data: z.string().min(1) }) }),
  eventbridge: z.looseObject({ 'detail-type': z.string(), source: z.string(), detail: z.looseObject({}) }),
} as const;
export type Trigger = keyof typeof TRIGGER_SCHEMAS;

export class TriggerEventError extends Error {
  override readonly name = 'TriggerEventError';
}

interface LambdaContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
}

/**
 * The whole of a Lambda entry point: parse the trigger's event, then the shared pipeline. The
 * runtime (config and compiled rules) is built once, when the module loads: the cold start.
 */
export function createTrailHandler(
  trigger: Trigger,
  runtime: Runtime = createRuntime(),
  log: Logger = createLogger({ trigger }),
) {
  const schema = TRIGGER_SCHEMAS[trigger];
  return middy(async (event: unknown, context: LambdaContext) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
        .join('; ');
      throw new TriggerEventError(`the ${trigger} function got an event it does not take: ${issues}`);
    }
    const summary = await handleTrailEvent(
      event,
      trigger,
      runtime,
      log.child({ requestId: context.awsRequestId }),
    );
    return summary.metrics;
  });
}
