/**
 * The middy middlewares around every ingest handler: Powertools' Lambda context on the log lines
 * (request id, cold start), EMF flushed per invocation with the one dimension set the alarms name,
 * the event parsed at the edge, and errors mapped to one log line and one metric, then rethrown.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../lib/pipeline';
import type { FailureReport, FailureReporter } from '../../lib/runtime';
import {
  classifyInvocationError,
  createTrailHandler,
  FailureQueueError,
  ReadError,
  TriggerEventError,
} from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { cloudWatchLogsEvent, snsLambdaEvent } from '../factories/events';
import { capturingLogger, testRuntime } from '../helpers/runtime';

const RECORD = {
  eventVersion: '1.08',
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'ListUsers',
  awsRegion: 'us-east-1',
  eventID: 'middleware-1',
  recipientAccountId: '111122223333',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
};

function setup(failures?: FailureReporter) {
  const runtime = testRuntime('destinations: {}\n', { state: new MemoryStateStore() });
  const { log, lines } = capturingLogger();
  const handler = createTrailHandler('logs', {
    runtime,
    log,
    servedAccounts: ['111122223333'],
    ...(failures ? { failures } : {}),
  });
  const emf = () => lines.filter((line) => '_aws' in line);
  return { handler, lines, emf };
}

const context = (requestId: string) => ({
  awsRequestId: requestId,
  functionName: 'trailwatch-test-logsIngest',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:trailwatch-test-logsIngest',
  memoryLimitInMB: '512',
});

describe('Powertools context on every line', () => {
  it('carries the request id, and the cold-start flag true on the first invocation only', async () => {
    // Lambda sets this for an on-demand environment; Powertools reports no cold start without it.
    const saved = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    let made: ReturnType<typeof setup>;
    try {
      made = setup();
    } finally {
      if (saved === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
      else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = saved;
    }
    const { handler, lines } = made;
    const event = cloudWatchLogsEvent([JSON.stringify(RECORD)]);
    await handler(event, context('first'));
    await handler(event, context('second'));
    const done = lines.filter((line) => line.message === 'invocation done');
    expect(done.map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['first', true],
      ['second', false],
    ]);
    expect(done[0]).toMatchObject({ function_name: 'trailwatch-test-logsIngest', service: 'trailwatch' });
  });
});

describe('metrics (EMF) flushed after each invocation', () => {
  it('one document per invocation, namespace trailwatch, dimension set [Source] and nothing else', async () => {
    const { handler, emf } = setup();
    await handler(cloudWatchLogsEvent([JSON.stringify(RECORD)]), context('m1'));
    await handler(cloudWatchLogsEvent([JSON.stringify(RECORD)]), context('m2'));
    expect(emf()).toHaveLength(2);
    const [first] = emf();
    expect(first).toMatchObject({ Source: 'logs', RecordsRead: 1, RefusedEvents: 0, DataFaults: 0 });
    // Powertools' default `service` dimension would make these other metrics than the alarms watch.
    expect(first).not.toHaveProperty('service');
    expect(first?._aws).toMatchObject({
      CloudWatchMetrics: [{ Namespace: 'trailwatch', Dimensions: [['Source']] }],
    });
  });
});

describe('the event parsed at the edge', () => {
  it('refused items are counted and reported; the handler sees only what parsed', async () => {
    const reports: FailureReport[] = [];
    const sns = createTrailHandler('sns', {
      runtime: testRuntime('destinations: {}\n', { state: new MemoryStateStore() }),
      log: capturingLogger().log,
      failures: { report: async (r) => void reports.push(...r) },
    });
    const event = snsLambdaEvent([{ not: 'a delivery' }]);
    const records = (event as { Records: unknown[] }).Records;
    const result = await sns({ Records: [...records, { EventSource: 'aws:sqs' }] }, context('p1'));
    expect(result.refusedEvents).toBe(1);
    expect(reports.map((r) => r.location)).toContain('sns event Records[1]');
  });
});

describe('error mapping', () => {
  const kinds: [string, unknown, ReturnType<typeof classifyInvocationError>][] = [
    ['ReadError', new ReadError('could not read 1 input(s)'), 'retryable'],
    ['DeliveryError', new DeliveryError([]), 'retryable'],
    ['FailureQueueError', new FailureQueueError('queue down'), 'retryable'],
    ['TriggerEventError', new TriggerEventError('not an S3 event'), 'wrong-event'],
    ['TypeError', new TypeError('x is undefined'), 'unexpected'],
    ['a thrown string', 'oops', 'unexpected'],
  ];
  for (const [name, error, kind] of kinds) {
    it(`${name} is ${kind}`, () => expect(classifyInvocationError(error)).toBe(kind));
  }

  it('a failure queue that refuses: one log line, InvocationErrors 1 in the flushed metrics, rethrown', async () => {
    const { handler, lines, emf } = setup({
      report: async (reports) => {
        if (reports.length > 0) throw new FailureQueueError('the failure queue refused report(s)');
      },
    });
    await expect(
      handler(cloudWatchLogsEvent([JSON.stringify(RECORD)]), context('e1')),
    ).resolves.toBeDefined();
    // A corrupt batch is a data fault: reported, and the report failing fails the invocation.
    const corrupt = { awslogs: { data: Buffer.from('not gzip').toString('base64') } };
    await expect(handler(corrupt, context('e2'))).rejects.toThrow(FailureQueueError);
    const failed = lines.filter((line) => line.message === 'invocation failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      level: 'ERROR',
      errorKind: 'retryable',
      errorName: 'FailureQueueError',
      function_request_id: 'e2',
    });
    expect(emf().at(-1)).toMatchObject({ Source: 'logs', InvocationErrors: 1, DataFaults: 1 });
  });

  it('a wrong envelope: logged as wrong-event, counted, rethrown as TriggerEventError', async () => {
    const { handler, lines, emf } = setup();
    await expect(handler({ Records: [] }, context('w1'))).rejects.toThrow(TriggerEventError);
    expect(lines.find((line) => line.message === 'invocation failed')).toMatchObject({
      errorKind: 'wrong-event',
    });
    expect(emf()).toHaveLength(1);
    expect(emf()[0]).toMatchObject({ Source: 'logs', InvocationErrors: 1 });
  });
});
