/**
 * `--profile NAME` selects that profile for every AWS call a command makes, as the AWS CLI does:
 * its keys sign the request even when other keys sit in the environment, and its region is used
 * when neither --region nor AWS_REGION names one. A local receiver stands in for AWS and records
 * the Authorization header, whose credential scope names the access key id and the region.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { iniSection, useProfile } from '../../lib/cli/profile';
import { runCli } from '../helpers/cli';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

const PROFILE_KEY = 'AKIATWPROFILE0000001';
const ENV_KEY = 'AKIATWENVIRONMENT001';
const PROFILE_REGION = 'eu-west-3';

let receiver: Receiver;
let dir = '';

beforeAll(async () => {
  // AWS answers AccessDenied: the command fails (exit 1), after the request the test reads.
  receiver = await startReceiver(() => ({
    status: 403,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: '{"__type":"AccessDeniedException","message":"denied"}',
  }));
  dir = mkdtempSync(join(tmpdir(), 'trailwatch-profile-'));
  writeFileSync(
    join(dir, 'credentials'),
    `[default]\naws_access_key_id = AKIATWDEFAULT0000001\naws_secret_access_key = d\n\n[audit]\naws_access_key_id = ${PROFILE_KEY}\naws_secret_access_key = secret\n`,
  );
  writeFileSync(
    join(dir, 'config'),
    `[default]\nregion = us-west-2\n\n[profile audit]\nregion = ${PROFILE_REGION}\ns3 =\n  region = ap-south-1\n`,
  );
  writeFileSync(
    join(dir, 'trailwatch.yml'),
    'destinations:\n  mail:\n    type: email\n    topic_arn: arn:aws:sns:eu-west-3:111122223333:alerts\n',
  );
});
afterAll(async () => receiver.close());

beforeEach(() => {
  receiver.requests.length = 0;
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
  // Keys in the environment: --profile wins over them, as with the AWS CLI.
  vi.stubEnv('AWS_ACCESS_KEY_ID', ENV_KEY);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'environment');
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_REGION', undefined);
  vi.stubEnv('AWS_DEFAULT_REGION', undefined);
  vi.stubEnv('AWS_ENDPOINT_URL_SNS', receiver.url);
});
afterEach(() => vi.unstubAllEnvs());

/** The access key id and region of the first request's credential scope. */
function signedBy(): { key: string; region: string; service: string } | undefined {
  const authorization = String(receiver.requests[0]?.headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  return scope ? { key: scope[1] ?? '', region: scope[2] ?? '', service: scope[3] ?? '' } : undefined;
}

describe('--profile selects the named profile wherever AWS is called', () => {
  const at = (): string[] => ['--endpoint-url', receiver.url];
  it.each([
    ['lookup (CloudTrail)', () => ['lookup', ...at()], PROFILE_REGION, 'cloudtrail'],
    ['cat from S3', () => ['cat', 's3://bucket/AWSLogs/', ...at()], PROFILE_REGION, 's3'],
    ['scan from S3', () => ['scan', 's3://bucket/AWSLogs/', ...at()], PROFILE_REGION, 's3'],
    [
      'backtest from S3',
      () => ['backtest', 's3://bucket/AWSLogs/', '--since', '-1d', ...at()],
      PROFILE_REGION,
      's3',
    ],
    [
      'audit --lookup (CloudTrail)',
      () => ['audit', '--lookup', '--who', 'alice', ...at()],
      PROFILE_REGION,
      'cloudtrail',
    ],
    [
      'trail status (STS first: the account id)',
      () => ['trail', 'status', '--name', 't', ...at()],
      PROFILE_REGION,
      'sts',
    ],
    // IAM is global: signed for us-east-1 whatever the profile's region.
    ['roles (IAM)', () => ['roles', ...at()], 'us-east-1', 'iam'],
    [
      'notify test to SNS',
      () => ['notify', 'test', 'mail', '--config', join(dir, 'trailwatch.yml')],
      PROFILE_REGION,
      'sns',
    ],
  ])('%s', async (_, args, region, service) => {
    const run = await runCli([...args(), '--profile', 'audit']);
    expect(run.code).not.toBe(2);
    expect(signedBy()).toEqual({ key: PROFILE_KEY, region, service });
    // The environment is the one the command started with.
    expect(process.env.AWS_PROFILE).toBeUndefined();
    expect(process.env.AWS_ACCESS_KEY_ID).toBe(ENV_KEY);
    expect(process.env.AWS_REGION).toBeUndefined();
  });

  it('without --profile, the environment keys sign', async () => {
    await runCli(['lookup', '--endpoint-url', receiver.url, '--region', 'us-east-1']);
    expect(signedBy()).toEqual({ key: ENV_KEY, region: 'us-east-1', service: 'cloudtrail' });
  });

  it('--region and AWS_REGION come before the profile region', async () => {
    await runCli([
      'lookup',
      '--endpoint-url',
      receiver.url,
      '--profile',
      'audit',
      '--region',
      'ca-central-1',
    ]);
    expect(signedBy()?.region).toBe('ca-central-1');
    receiver.requests.length = 0;
    vi.stubEnv('AWS_REGION', 'sa-east-1');
    await runCli(['lookup', '--endpoint-url', receiver.url, '--profile', 'audit']);
    expect(signedBy()?.region).toBe('sa-east-1');
  });

  it('an unknown profile is a usage error before any call', async () => {
    const run = await runCli(['lookup', '--endpoint-url', receiver.url, '--profile', 'nobody']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--profile nobody: no such profile in');
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('reading the shared files', () => {
  const CONFIG =
    '[default]\nregion = us-west-2\n[profile audit]\n# a comment\nregion = eu-west-3\ns3 =\n  region = ap-south-1\n[profile  other ]\nregion=eu-north-1\n';
  it.each([
    ['default', new Map([['region', 'us-west-2']])],
    [
      'profile audit',
      new Map([
        ['region', 'eu-west-3'],
        ['s3', ''],
      ]),
    ],
    ['profile other', new Map([['region', 'eu-north-1']])],
    ['profile absent', undefined],
  ])('[%s]', (section, expected) => {
    expect(iniSection(CONFIG, section)).toEqual(expected);
  });

  it('useProfile puts back exactly what it changed', () => {
    const env: Record<string, string | undefined> = {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_ACCESS_KEY_ID: ENV_KEY,
      AWS_SESSION_TOKEN: 'token',
    };
    const before = { ...env };
    const restore = useProfile('audit', env);
    expect(env).toEqual({
      AWS_CONFIG_FILE: before.AWS_CONFIG_FILE,
      AWS_SHARED_CREDENTIALS_FILE: before.AWS_SHARED_CREDENTIALS_FILE,
      AWS_PROFILE: 'audit',
      AWS_REGION: PROFILE_REGION,
    });
    restore();
    expect(env).toEqual(before);
  });
});
