import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { formatError, formatLocation, TrailwatchError } from '../../lib/errors';
import type { AuthorizationDetailsSender } from '../../lib/iam/read';
import { IamReadError, readAuthorizationDetails } from '../../lib/iam/read';
import { SecretError, SecretResolver } from '../../lib/notify/secrets';
import { FailureQueueError, SqsFailureReporter } from '../../lib/runtime/failures';

/** An AWS SDK v3 service error as the SDK builds it. */
function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

async function thrown(run: () => Promise<unknown>): Promise<TrailwatchError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof TrailwatchError) return error;
    throw error;
  }
  throw new Error('expected a TrailwatchError');
}

/** What each error carries where lib throws it, not only where a test builds it. */
describe('errors thrown by lib carry the location their message names', () => {
  it('a secret: at its reference, never its value; not retryable when it is simply not set', async () => {
    const error = await thrown(() => new SecretResolver({ env: {} }).resolve({ env: 'SLACK_HOOK' }));
    expect(error).toBeInstanceOf(SecretError);
    expect([error.location, error.retryable, formatError(error)]).toEqual([
      { resource: 'environment variable SLACK_HOOK' },
      false,
      'environment variable SLACK_HOOK is not set',
    ]);
  });

  it.each([
    ['a throttled IAM is retryable', sdkError('Throttling', 400), true],
    ['denied access is not', sdkError('AccessDenied', 403), false],
  ])('IAM: at the call and endpoint, with the SDK error as cause; %s', async (_, failure, retryable) => {
    const sender: AuthorizationDetailsSender = { send: () => Promise.reject(failure) };
    const error = await thrown(() => readAuthorizationDetails(sender, 'http://127.0.0.1:1'));
    expect(error).toBeInstanceOf(IamReadError);
    expect([error.location, error.cause, error.retryable]).toEqual([
      { service: 'IAM', call: 'GetAccountAuthorizationDetails', resource: 'http://127.0.0.1:1' },
      failure,
      retryable,
    ]);
    expect(formatLocation(error.location ?? {})).toBe(
      'IAM GetAccountAuthorizationDetails on http://127.0.0.1:1',
    );
  });

  it('the failure queue: at SendMessageBatch on the queue, retryable, with the SDK error as cause', async () => {
    // Nothing listens on port 1 of the loopback: the send fails at once with ECONNREFUSED.
    const url = 'http://127.0.0.1:1/000000000000/failures';
    const sqs = new SQSClient({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const reporter = new SqsFailureReporter(url, async () => sqs);
    const error = await thrown(() =>
      reporter.report([
        { kind: 'poison-record', trigger: 's3', requestId: 'r', location: 'x', error: 'boom' },
      ]),
    );
    sqs.destroy();
    expect(error).toBeInstanceOf(FailureQueueError);
    expect([error.location, error.retryable, error.locationInMessage]).toEqual([
      { service: 'SQS', call: 'SendMessageBatch', resource: `queue ${url}` },
      true,
      true,
    ]);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
