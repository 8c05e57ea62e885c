import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Tally } from '../driver';
import { recordsRead } from '../driver';
import type { RuntimeSupply } from '../iam';
import { wideRolesRuntime } from '../iam';
import { deadlineFromRemaining } from '../pipeline';
import { mapInvocationErrors } from './error-mapping';
import type { LambdaContext, Trigger } from './events';
import { accountList, ParsedTrigger, parseTriggerEvent } from './events';
import type { FailureReporter } from './failures';
import { failureReporterFor } from './failures';
import { handleTrailEvent } from './handle';
import type { Logger } from './logger';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import type { Runtime } from './runtime';
import { createRuntime } from './runtime';

export type { LambdaContext, Trigger } from './events';
export { splitEvent, TRIGGER_SCHEMAS, TriggerEventError } from './events';

export interface HandlerDependencies {
  readonly runtime?: Runtime;
  readonly log?: Logger;
  readonly failures?: FailureReporter;
  /** Accounts whose events this function serves; default TRAILWATCH_SERVED_ACCOUNTS plus its own. */
  readonly servedAccounts?: readonly string[];
}

/**
 * What every handler builds once, when its module loads (the cold start): its logger and metrics
 * for its source, where it gets the runtime (config and compiled rules), and where failures go.
 */
export function handlerBase(
  source: string,
  deps: Pick<HandlerDependencies, 'runtime' | 'log' | 'failures'>,
): {
  readonly log: Logger;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly runtimes: RuntimeSupply<Runtime>;
  readonly failures: FailureReporter;
} {
  const log = deps.log ?? createLogger({ trigger: source });
  const metrics = createMetrics(source, log.sink);
  // `wide_permission_roles: auto`: the stored list is read at the first invocation and every few minutes.
  const given = deps.runtime;
  const runtimes = given
    ? { current: async () => given }
    : wideRolesRuntime(createRuntime(), (placeholders) => createRuntime(process.env, { placeholders }), log);
  const failures =
    deps.failures ?? failureReporterFor(process.env.TRAILWATCH_FAILURE_QUEUE_URL, process.env.AWS_REGION);
  return { log, metrics, runtimes, failures };
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
 * The whole of a Lambda entry point, as middy middlewares around the one driver: Powertools adds
 * the Lambda context (request id, cold start) to the logs and flushes the metrics; the event is
 * parsed at the edge; errors are mapped to a log line and a metric, then rethrown. The runtime
 * (config and compiled rules) is built once, when the module loads: the cold start.
 */
export function createTrailHandler(trigger: Trigger, deps: HandlerDependencies = {}) {
  const { log, metrics, runtimes, failures } = handlerBase(trigger, deps);
  const configuredAccounts = deps.servedAccounts ?? accountList(process.env.TRAILWATCH_SERVED_ACCOUNTS);
  return (
    middy(async (event: unknown, context: LambdaContext): Promise<HandlerResult> => {
      if (!(event instanceof ParsedTrigger))
        throw new Error('the event reached the handler unparsed: parseTriggerEvent must run first');
      const remaining = context.getRemainingTimeInMillis?.();
      const runtime = await runtimes.current(Date.now());
      const requestId = context.awsRequestId;
      const summary = await handleTrailEvent(event.inputs, trigger, runtime, log, {
        failures,
        metrics,
        refused: event.refused,
        ...(requestId === undefined ? {} : { requestId }),
        ...(remaining === undefined ? {} : { deadlineAt: deadlineFromRemaining(remaining) }),
      });
      return handlerResult(summary.tally, event.refused.length);
    })
      // Middy runs `before` in this order and `after`/`onError` in reverse: the error is mapped
      // (and counted) before the metrics are flushed, and both before the context is cleared.
      .use(injectLambdaContext(log.powertools))
      .use(logMetrics(metrics))
      .use(mapInvocationErrors(log, metrics))
      .use(parseTriggerEvent(trigger, configuredAccounts))
  );
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
