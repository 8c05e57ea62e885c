import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { callAws, PacedCloudTrail, TrailError } from '../../lib/trail';

function awsError(name: string): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: 400 } });
}

describe('CloudTrail errors in plain words', () => {
  const cases: [string, RegExp][] = [
    [
      'InsufficientS3BucketPolicyException',
      /CloudTrail may not write to the bucket: .*Set bucket\.create: true/,
    ],
    ['TrailAlreadyExistsException', /a trail with this name already exists/],
    ['MaximumNumberOfTrailsExceededException', /already has 5 trails/],
    ['KmsKeyNotFoundException', /KMS key does not exist/],
    ['InsufficientEncryptionPolicyException', /KMS key's policy must let cloudtrail\.amazonaws\.com use it/],
    ['AccessDeniedException', /lack the permission/],
    ['SomethingNewException', /CreateTrail failed: SomethingNewException: SomethingNewException from AWS/],
  ];
  for (const [name, message] of cases) {
    it(name, async () => {
      const client = new CloudTrailClient({ region: 'us-east-1' });
      mockClient(client).on(CreateTrailCommand).rejects(awsError(name));
      const paced = new PacedCloudTrail(client, { sleep: async () => {} });
      const error = await paced
        .send('write', new CreateTrailCommand({ Name: 't', S3BucketName: 'b' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrailError);
      expect((error as TrailError).message).toMatch(message);
      expect((error as TrailError).code).toBe(name);
    });
  }
});

describe('pacing and throttling', () => {
  it('names calls by API even when a bundler suffixed the command class', async () => {
    class DescribeTrailsCommand2 extends DescribeTrailsCommand {}
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client).on(DescribeTrailsCommand).resolves({ trailList: [] });
    const paced = new PacedCloudTrail(client, { sleep: async () => {} });
    await paced.send('read', new DescribeTrailsCommand2({}));
    expect(paced.calls).toEqual(['DescribeTrails']);
  });

  it('retries a throttled call with backoff, then succeeds', async () => {
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client)
      .on(DescribeTrailsCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ trailList: [] });
    const waits: number[] = [];
    const paced = new PacedCloudTrail(client, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(await paced.send('read', new DescribeTrailsCommand({}))).toEqual({ trailList: [] });
    expect(paced.calls).toEqual(['DescribeTrails', 'DescribeTrails', 'DescribeTrails']);
    expect(waits.filter((ms) => ms >= 500)).toEqual([500, 1000]);
  });

  it('gives up after five throttled attempts with a clear message', async () => {
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client).on(DescribeTrailsCommand).rejects(awsError('ThrottlingException'));
    const paced = new PacedCloudTrail(client, { sleep: async () => {} });
    await expect(paced.send('read', new DescribeTrailsCommand({}))).rejects.toThrow(
      /DescribeTrails failed: ThrottlingException: CloudTrail is throttling calls even after retries/,
    );
    expect(paced.calls).toHaveLength(5);
  });

  it('spaces reads 100 ms and writes 1 s apart', async () => {
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client).on(DescribeTrailsCommand).resolves({}).on(CreateTrailCommand).resolves({});
    let clock = 0;
    const waits: number[] = [];
    const paced = new PacedCloudTrail(client, {
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    await paced.send('read', new DescribeTrailsCommand({}));
    await paced.send('read', new DescribeTrailsCommand({}));
    await paced.send('write', new CreateTrailCommand({ Name: 'a', S3BucketName: 'b' }));
    await paced.send('write', new CreateTrailCommand({ Name: 'a', S3BucketName: 'b' }));
    expect(waits).toEqual([100, 1000]);
  });
});

describe('one error path: the call, the resource, and whether to retry', () => {
  const failures: [string, Error, boolean, RegExp][] = [
    [
      'a client error is not retryable',
      awsError('AccessDeniedException'),
      false,
      /^CreateTrail failed: AccessDeniedException: the credentials in use lack the permission for this call\. \(trail audit\)$/,
    ],
    [
      'a server fault is',
      Object.assign(new Error('We encountered an internal error.'), {
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
      true,
      /^CreateTrail failed: InternalFailure: We encountered an internal error\. \(trail audit; retryable\)$/,
    ],
    [
      'a refused connection is, by its Node code',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      true,
      /^CreateTrail failed: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:9 \(trail audit; retryable\)$/,
    ],
    [
      'an S3 answer with no body reads its code',
      Object.assign(new Error('UnknownError'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }),
      false,
      /^CreateTrail failed: Forbidden: UnknownError \(trail audit\)$/,
    ],
  ];
  for (const [name, failure, retryable, message] of failures) {
    it(name, async () => {
      const error = await callAws({ call: 'CreateTrail', resource: 'trail audit' }, () =>
        Promise.reject(failure),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrailError);
      if (!(error instanceof TrailError)) return;
      expect(error.message).toMatch(message);
      expect(error.retryable).toBe(retryable);
      expect(error.site).toEqual({ call: 'CreateTrail', resource: 'trail audit' });
      expect(error.cause).toBe(failure);
    });
  }

  it('PacedCloudTrail fails through the same path, naming the resource it was given', async () => {
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client).on(DescribeTrailsCommand).rejects(awsError('TrailNotFoundException'));
    const paced = new PacedCloudTrail(client, { sleep: async () => {} });
    const error = await paced
      .send('read', new DescribeTrailsCommand({}), 'trail audit')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TrailNotFoundException',
      retryable: false,
      site: { call: 'DescribeTrails', resource: 'trail audit' },
      message:
        'DescribeTrails failed: TrailNotFoundException: no trail with this name exists in this region. (trail audit)',
    });
  });

  it('a throttled call that runs out of retries is retryable', async () => {
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client).on(DescribeTrailsCommand).rejects(awsError('ThrottlingException'));
    const paced = new PacedCloudTrail(client, { sleep: async () => {} });
    await expect(paced.send('read', new DescribeTrailsCommand({}))).rejects.toMatchObject({
      retryable: true,
    });
  });
});
