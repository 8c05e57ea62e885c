/**
 * What a newcomer meets pointing trailwatch at moto_server: LookupEvents is not emulated (moto
 * answers an HTML page with status 500), and a bucket that does not exist. Each command says what
 * is wrong and where, never "(retryable)" for an endpoint that will never answer, never a stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import { MOTO_SKIP_MESSAGE, motoAvailable, startMoto, useMotoCredentials } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const MISSING = 's3://trailwatch-no-such-bucket/AWSLogs';
/** No sleeping between paced CloudTrail calls: the pacing has its own tests. */
const services = { pacing: { sleep: async () => {} } };

describe.skipIf(!motoAvailable)('an endpoint that cannot answer (moto_server)', () => {
  let moto: Moto;
  let restoreCredentials: () => void;

  beforeAll(async () => {
    moto = await startMoto();
    restoreCredentials = useMotoCredentials();
  }, 60_000);

  afterAll(async () => {
    restoreCredentials?.();
    await moto?.stop();
  });

  const lookups: [string, string[]][] = [
    ['lookup', ['lookup']],
    ['audit --lookup', ['audit', '--lookup', '--who', 'alice']],
  ];
  for (const [name, args] of lookups) {
    it(`${name}: LookupEvents missing is explained, and not called retryable`, async () => {
      const run = await runCli(
        [...args, '--region', 'us-east-1', '--endpoint-url', moto.endpoint],
        '',
        services,
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /LookupEvents failed: SyntaxError: the endpoint did not answer with CloudTrail's JSON .*HTTP 500.*check --endpoint-url/,
      );
      expect(run.stderr).not.toMatch(/retr/i);
    }, 30_000);
  }

  const s3Reads: [string, string[]][] = [
    ['backtest', ['backtest', MISSING, '--since', '2026-11-01', '--until', '2026-11-02']],
    ['cat', ['cat', MISSING]],
    ['scan', ['scan', MISSING]],
    ['audit', ['audit', MISSING, '--who', 'alice', '--since', '2026-11-01']],
  ];
  for (const [name, args] of s3Reads) {
    it(`${name} on a missing bucket names it and the AWS code, exits 1, no stack`, async () => {
      const run = await runCli([...args, '--region', 'us-east-1', '--endpoint-url', moto.endpoint]);
      expect(run.stderr).toContain(
        `trailwatch: error: ${MISSING}: cannot list: NoSuchBucket (HTTP 404): The specified bucket does not exist`,
      );
      expect(run.stderr).not.toMatch(/unexpected failure|\n\s+at /);
      expect(run.stderr).not.toMatch(/retr/i);
      expect(run.code).toBe(1);
    }, 30_000);
  }
});
