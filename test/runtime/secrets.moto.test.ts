/**
 * Secrets through Powertools Parameters: kept for the cache TTL, so a burst of alerts costs one
 * fetch, and fetched again once it has passed, so a rotated webhook is used without a cold start.
 * The clock is moved, not waited for.
 */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SECRET_MAX_AGE_SECONDS,
  SecretResolver,
  secretMaxAgeSeconds,
} from '../../lib/notify/secrets';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

describe('secretMaxAgeSeconds', () => {
  const cases: [string, number | undefined, string | undefined, number][] = [
    ['the default', undefined, undefined, DEFAULT_SECRET_MAX_AGE_SECONDS],
    ['POWERTOOLS_PARAMETERS_MAX_AGE', undefined, '60', 60],
    ['0 in the environment: fetch every time', undefined, '0', 0],
    ['the caller over the environment', 10, '60', 10],
    ['a value that is not whole seconds: the default', undefined, '1.5', DEFAULT_SECRET_MAX_AGE_SECONDS],
    ['a negative value: the default', undefined, '-5', DEFAULT_SECRET_MAX_AGE_SECONDS],
  ];
  for (const [name, given, env, expected] of cases) {
    it(name, () => {
      expect(secretMaxAgeSeconds(given, { POWERTOOLS_PARAMETERS_MAX_AGE: env })).toBe(expected);
    });
  }

  it('the default is 300 s', () => expect(DEFAULT_SECRET_MAX_AGE_SECONDS).toBe(300));
});

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

describe.skipIf(!motoAvailable)('a rotated secret on moto_server', () => {
  let moto: Moto;
  let client: SecretsManagerClient;
  const fetches: string[] = [];
  const NAME = 'trailwatch/rotated-slack';

  beforeAll(async () => {
    moto = await startMoto();
    client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    client.middlewareStack.add((next, context) => (args) => {
      fetches.push(String(context.commandName));
      return next(args);
    });
    await client.send(
      new CreateSecretCommand({ Name: NAME, SecretString: 'https://hooks.slack.com/services/T/B/first' }),
    );
  }, 60_000);

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  const rotate = (value: string) =>
    client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: value }));
  const gets = () => fetches.filter((name) => name === 'GetSecretValueCommand').length;

  it('keeps the value for the TTL, then reads the rotated one without a new resolver', async () => {
    await rotate('https://hooks.slack.com/services/T/B/first');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const resolver = new SecretResolver({ secretsManager: client, maxAgeSeconds: 300 });
    const before = gets();
    expect(await resolver.resolve({ secretsmanager: NAME })).toMatch(/first$/);
    await rotate('https://hooks.slack.com/services/T/B/second');
    vi.setSystemTime(Date.now() + 299_000);
    expect(await resolver.resolve({ secretsmanager: NAME })).toMatch(/first$/);
    expect(gets() - before).toBe(1);
    vi.setSystemTime(Date.now() + 2_000);
    expect(await resolver.resolve({ secretsmanager: NAME })).toMatch(/second$/);
    expect(gets() - before).toBe(2);
  });

  it('alerts resolving the secret at once share one fetch', async () => {
    const resolver = new SecretResolver({ secretsManager: client });
    const before = gets();
    const values = await Promise.all(
      Array.from({ length: 5 }, () => resolver.resolve({ secretsmanager: NAME })),
    );
    expect(new Set(values).size).toBe(1);
    expect(gets() - before).toBe(1);
  });

  it('with a TTL of 0 every resolve reads the secret', async () => {
    const resolver = new SecretResolver({ secretsManager: client, maxAgeSeconds: 0 });
    await rotate('https://hooks.slack.com/services/T/B/third');
    expect(await resolver.resolve({ secretsmanager: NAME })).toMatch(/third$/);
    await rotate('https://hooks.slack.com/services/T/B/fourth');
    expect(await resolver.resolve({ secretsmanager: NAME })).toMatch(/fourth$/);
  });

  it('a JSON secret that does not parse is named, its text never shown', async () => {
    await client.send(
      new CreateSecretCommand({ Name: 'trailwatch/not-json', SecretString: 'hooks-secret-{' }),
    );
    const error = await new SecretResolver({ secretsManager: client })
      .resolve({ secretsmanager: 'trailwatch/not-json', key: 'url' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Secrets Manager secret trailwatch/not-json (key url) is not JSON');
  });
});
