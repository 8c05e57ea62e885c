/** A state table that cannot be used fails fast with one line naming table, endpoint and region. */
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoStateStore, StateStoreError } from '../../lib/state';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import { MOTO_REGION } from './tables';

/** A loopback port nobody listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What a dead endpoint may cost at most: the SDK's 3 attempts of a refused connection and backoff. */
const FAIL_FAST_MS = 5_000;

async function failure(run: () => Promise<unknown>): Promise<StateStoreError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof StateStoreError) return error;
    throw new Error(`expected a StateStoreError, got ${String(error)}`);
  }
  throw new Error('expected the state store to fail');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('an unusable state table', () => {
  it('at a closed port: one line naming table, endpoint and region, within seconds, for every operation', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = new DynamoStateStore({ table: 'trailwatch-state', region: 'us-east-1', endpoint });
    const operations: [string, () => Promise<unknown>][] = [
      [
        'claimDelivery',
        () => store.claimDelivery('a', 'slack', { owner: 'o', now: 0, leaseMs: 1, maxSends: 2 }),
      ],
      ['markDelivered', () => store.markDelivered('a', 'slack', 0)],
      ['releaseClaim', () => store.releaseClaim('a', 'slack', 'o')],
      ['dedup', () => store.dedup('k', 'a', 1000, 0)],
      ['appendToWindow', () => store.appendToWindow('w', { t: 0, eventID: 'e' }, 1000)],
    ];
    for (const [name, run] of operations) {
      const started = Date.now();
      const error = await failure(run);
      expect(Date.now() - started, name).toBeLessThan(FAIL_FAST_MS);
      expect(error.message, name).toBe(
        `state table 'trailwatch-state' at ${endpoint} (region us-east-1) is unreachable: ECONNREFUSED`,
      );
      expect(error.problem).toBe('unreachable');
      expect(error.retryable).toBe(true);
      expect(error.message).not.toContain('\n');
    }
  });

  it('without credentials: says so, naming the table', async () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ])
      vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = new DynamoStateStore({ table: 'trailwatch-state', region: 'eu-west-1', endpoint });
    const error = await failure(() => store.markDelivered('a', 'slack', 0));
    expect(error.message).toMatch(
      /^state table 'trailwatch-state' at http:\/\/127\.0\.0\.1:\d+ \(region eu-west-1\) cannot be used without AWS credentials: /,
    );
    expect(error.problem).toBe('no-credentials');
  });
});

describe.skipIf(!motoAvailable)('a state table that does not exist (moto_server)', () => {
  if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);
  let moto: Moto | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => moto?.stop());

  it('is named as missing, with the endpoint it was looked for at', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    const endpoint = moto?.endpoint ?? '';
    const store = new DynamoStateStore({ table: 'no-such-table', region: MOTO_REGION, endpoint });
    const error = await failure(() =>
      store.claimDelivery('a', 'slack', { owner: 'o', now: 0, leaseMs: 1, maxSends: 2 }),
    );
    expect(error.message).toBe(
      `state table 'no-such-table' at ${endpoint} (region us-east-1) does not exist: ResourceNotFoundException`,
    );
    expect(error.retryable).toBe(false);
  });
});
