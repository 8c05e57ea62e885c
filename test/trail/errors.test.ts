import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { PacedCloudTrail, TrailError } from '../../lib/trail';

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
