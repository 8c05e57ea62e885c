import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretRef } from '../../lib/notify';
import { SecretResolver } from '../../lib/notify';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

describe.skipIf(!motoAvailable)('secrets from SSM and Secrets Manager on moto_server', () => {
  let moto: Moto;
  let ssm: SSMClient;
  let secretsManager: SecretsManagerClient;
  const calls: string[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    const settings = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    ssm = new SSMClient(settings);
    secretsManager = new SecretsManagerClient(settings);
    ssm.middlewareStack.add((next, context) => (args) => {
      calls.push(String(context.commandName));
      return next(args);
    });
    await ssm.send(
      new PutParameterCommand({
        Name: '/trailwatch/slack',
        Value: 'https://hooks.slack.com/services/T/B/ssm',
        Type: 'SecureString',
      }),
    );
    await secretsManager.send(
      new CreateSecretCommand({
        Name: 'trailwatch/keys',
        SecretString: JSON.stringify({ pagerduty: 'pd-key', webhook: 'hmac' }),
      }),
    );
  }, 60_000);

  afterAll(async () => {
    ssm?.destroy();
    secretsManager?.destroy();
    await moto?.stop();
  });

  it('reads SecureString parameters once and keeps them', async () => {
    const resolver = new SecretResolver({ ssm, secretsManager });
    expect(await resolver.resolve({ ssm: '/trailwatch/slack' })).toBe(
      'https://hooks.slack.com/services/T/B/ssm',
    );
    expect(await resolver.resolve({ ssm: '/trailwatch/slack' })).toBe(
      'https://hooks.slack.com/services/T/B/ssm',
    );
    expect(calls.filter((c) => c === 'GetParameterCommand')).toHaveLength(1);
  });

  it('reads a key of a JSON secret', async () => {
    const resolver = new SecretResolver({ ssm, secretsManager });
    expect(await resolver.resolve({ secretsmanager: 'trailwatch/keys', key: 'pagerduty' })).toBe('pd-key');
  });

  const failures: [string, SecretRef, RegExp][] = [
    [
      'a missing parameter',
      { ssm: '/trailwatch/nope' },
      /^cannot read SSM parameter \/trailwatch\/nope: ParameterNotFound$/,
    ],
    [
      'a missing secret',
      { secretsmanager: 'nope' },
      /^cannot read Secrets Manager secret nope: ResourceNotFoundException$/,
    ],
    [
      'a missing key',
      { secretsmanager: 'trailwatch/keys', key: 'slack' },
      /^Secrets Manager secret trailwatch\/keys \(key slack\) has no string field slack$/,
    ],
  ];
  for (const [name, ref, message] of failures) {
    it(`names ${name} without any value`, async () => {
      const resolver = new SecretResolver({ ssm, secretsManager });
      const error = await resolver.resolve(ref).catch((e: Error) => e);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/pd-key|hmac|hooks\.slack/);
    });
  }
});
