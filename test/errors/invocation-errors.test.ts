import { describe, expect, it } from 'vitest';
import { TrailwatchError } from '../../lib/errors';
import { SecretError } from '../../lib/notify/secrets';
import { DeliveryError } from '../../lib/pipeline';
import type { FailureReporter } from '../../lib/runtime';
import {
  ColdStartError,
  classifyInvocationError,
  createTrailHandler,
  FailureQueueError,
  ReadError,
  TriggerEventError,
} from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { StateStoreError } from '../../lib/state/errors';
import { capturingLogger, testRuntime } from '../helpers/runtime';

const THROTTLED = Object.assign(new Error('Rate exceeded'), {
  name: 'ThrottlingException',
  $fault: 'client',
  $metadata: { httpStatusCode: 400 },
});

/** The Lambda side reads the base's `retryable`, not a list of classes and never the text. */
describe('an invocation error is retryable when the TrailwatchError says so', () => {
  it.each<[string, unknown, ReturnType<typeof classifyInvocationError>]>([
    ['S3 unreadable for now', new ReadError('could not read 1 input(s)'), 'retryable'],
    ['a destination down', new DeliveryError([]), 'retryable'],
    ['the failure queue refusing', new FailureQueueError('queue down'), 'retryable'],
    [
      'an unreachable state table',
      new StateStoreError('t', 'e', 'r', 'unreachable', 'ECONNREFUSED'),
      'retryable',
    ],
    ['a throttled state table', new StateStoreError('t', 'e', 'r', 'throttled', 'x'), 'retryable'],
    ['a missing state table', new StateStoreError('t', 'e', 'r', 'missing-table', 'x'), 'unexpected'],
    ['a throttled Secrets Manager', new SecretError('cannot read x', { cause: THROTTLED }), 'retryable'],
    ['a secret not set', new SecretError('environment variable X is not set'), 'unexpected'],
    ['an invalid trailwatch.yml', new ColdStartError('trailwatch.yml is invalid'), 'unexpected'],
    ['an event of another trigger', new TriggerEventError('not an S3 event'), 'wrong-event'],
    [
      'a retryable wrong event is still a wrong event',
      new TriggerEventError('x', { retryable: true }),
      'wrong-event',
    ],
    ['a fault of trailwatch', new TypeError('x is undefined'), 'unexpected'],
    ['a thrown string', 'oops', 'unexpected'],
  ])('%s: %s', (_, error, kind) => {
    expect(classifyInvocationError(error)).toBe(kind);
  });

  it("the log line carries the error's code and location", async () => {
    const failures: FailureReporter = {
      report: async (reports) => {
        if (reports.length > 0)
          throw new FailureQueueError('the failure queue q refused report(s)', {
            location: { service: 'SQS', call: 'SendMessageBatch', resource: 'queue q' },
            locationInMessage: true,
          });
      },
    };
    const { log, lines } = capturingLogger();
    const handler = createTrailHandler('logs', {
      runtime: testRuntime('destinations: {}\n', { state: new MemoryStateStore() }),
      log,
      servedAccounts: ['111122223333'],
      failures,
    });
    // A batch that is not gzip is a data fault: reported, and the report failing fails the invocation.
    const corrupt = { awslogs: { data: Buffer.from('not gzip').toString('base64') } };
    await expect(
      handler(corrupt, {
        awsRequestId: 'e1',
        functionName: 'trailwatch-test-logsIngest',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:trailwatch-test-logsIngest',
        memoryLimitInMB: '512',
      }),
    ).rejects.toBeInstanceOf(TrailwatchError);
    expect(lines.find((line) => line.message === 'invocation failed')).toMatchObject({
      errorKind: 'retryable',
      errorName: 'FailureQueueError',
      errorCode: 'failure-queue',
      errorLocation: 'SQS SendMessageBatch on queue q',
    });
  });
});
