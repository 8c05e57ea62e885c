import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../helpers/cli';
import { runCli as runCliPaced } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import { MOTO_SKIP_MESSAGE, motoAvailable, startMoto, useMotoCredentials } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);
/** The CLI with CloudTrail's pacing waits skipped: moto does not throttle, and the waits are tested apart. */
const runCli = (args: string[]): Promise<CliRun> =>
  runCliPaced(args, '', { pacing: { sleep: async () => {} } });
/**
 * The AWS CLI to compare output keys with: v2 where installed, else the `aws` on PATH (v1). Both
 * print the API's own shapes, so their keys are the same.
 */
function findAwsCli(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  const found = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? 'aws' : undefined;
}
const AWS_CLI = findAwsCli();
if (!AWS_CLI)
  console.warn('no AWS CLI found: the comparison of describe/status keys with aws cloudtrail is skipped');

describe.skipIf(!motoAvailable)('trailwatch trail against moto_server', () => {
  let moto: Moto;
  let config: string;
  let common: string[];
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = useMotoCredentials();
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-trail-'));
    config = join(dir, 'trailwatch.yml');
    writeFileSync(
      config,
      `trail:
  name: cli-trail
  bucket: {name: cli-trail-logs, create: true}
  tags: {Compliance: Auditing, Owner: secops}
  insights: [ApiCallRateInsight]
`,
    );
    common = ['--config', config, '--region', 'us-east-1', '--endpoint-url', moto.endpoint];
  }, 60_000);

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  it('plan shows the creation, apply makes it, and a second apply changes nothing', async () => {
    const plan = await runCli(['trail', 'plan', ...common]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/\+ trail: create "cli-trail" \(CreateTrail\)/);
    const apply = await runCli(['trail', 'apply', ...common]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(
      /CreateBucket, PutPublicAccessBlock, PutBucketEncryption, PutBucketPolicy, CreateTrail, PutEventSelectors, PutInsightSelectors, StartLogging/,
    );
    const again = await runCli(['trail', 'apply', ...common]);
    expect(again.stdout).toMatch(/already as desired, no changes/);
  });

  it('validate passes on the applied trail and fails (exit 1) once logging stops', async () => {
    const ok = await runCli(['trail', 'validate', ...common]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/trail cli-trail: healthy/);
    expect((await runCli(['trail', 'stop', ...common])).stdout).toMatch(/logging stopped/);
    const bad = await runCli(['trail', 'validate', ...common, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      healthy: false,
      findings: [{ severity: 'error', check: 'logging' }],
    });
    expect((await runCli(['trail', 'start', ...common])).stdout).toMatch(/logging started/);
  });

  const ourOutputs = async () => ({
    ours: JSON.parse(
      (await runCli(['trail', 'describe', ...common, '--name', 'cli-trail', '--json'])).stdout,
    ) as {
      trailList: Record<string, unknown>[];
    },
    status: JSON.parse(
      (await runCli(['trail', 'status', ...common, '--name', 'cli-trail', '--json'])).stdout,
    ) as Record<string, unknown>,
  });

  it('describe and status --json print the trail and its status', async () => {
    const { ours, status } = await ourOutputs();
    expect(ours.trailList[0]).toMatchObject({
      Name: 'cli-trail',
      S3BucketName: 'cli-trail-logs',
      IsMultiRegionTrail: true,
      LogFileValidationEnabled: true,
      HomeRegion: 'us-east-1',
    });
    expect(status).toMatchObject({ IsLogging: true });
  });

  it.skipIf(!AWS_CLI)('describe and status --json have the keys aws cloudtrail prints', async () => {
    const { ours, status } = await ourOutputs();
    const cli = AWS_CLI as string;
    const env = { ...process.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const aws = (args: string[]) =>
      JSON.parse(
        execFileSync(cli, ['cloudtrail', ...args, '--endpoint-url', moto.endpoint, '--output', 'json'], {
          env,
          encoding: 'utf8',
        }),
      );
    const theirs = aws(['describe-trails', '--trail-name-list', 'cli-trail']) as {
      trailList: Record<string, unknown>[];
    };
    const theirStatus = aws(['get-trail-status', '--name', 'cli-trail']) as Record<string, unknown>;
    expect(Object.keys(ours.trailList[0] ?? {}).length).toBeGreaterThan(8);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(Object.keys(ours.trailList[0] ?? {}).sort()).toEqual(
      Object.keys(theirs.trailList[0] ?? {}).sort(),
    );
    expect(Object.keys(status).sort()).toEqual(Object.keys(theirStatus).sort());
  });

  it('delete asks for --yes; readable describe and errors name what is wrong', async () => {
    const refused = await runCli(['trail', 'delete', ...common]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --yes to confirm/);
    expect((await runCli(['trail', 'describe', ...common])).stdout).toMatch(
      /cli-trail \(arn:aws:cloudtrail:us-east-1:\d{12}:trail\/cli-trail\)\n {2}home region us-east-1; multi-region; global service events; log file validation/,
    );
    const missing = await runCli(['trail', 'status', ...common, '--name', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /GetTrailStatus failed: TrailNotFoundException: no trail with this name exists in this region/,
    );
    expect((await runCli(['trail', 'delete', ...common, '--yes'])).stdout).toMatch(
      /trail cli-trail: deleted/,
    );
  });

  it('plan without a trail section, or with an invalid one, is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-trail-'));
    const empty = join(dir, 'empty.yml');
    writeFileSync(empty, 'placeholders: {}\n');
    expect(
      (await runCli(['trail', 'plan', '--config', empty, '--endpoint-url', moto.endpoint])).stderr,
    ).toMatch(/needs a trail: section/);
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'trail:\n  name: x\n  bucket: {name: UPPER}\n');
    const run = await runCli(['trail', 'plan', '--config', bad, '--endpoint-url', moto.endpoint]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/trail name 'x' must be 3 to 128 characters long/);
    expect(run.stderr).toMatch(/bucket name 'UPPER'/);
  });
});
