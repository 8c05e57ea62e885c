import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Moto } from './moto';
import { MOTO_SKIP_MESSAGE, motoAvailable, startMoto, useMotoCredentials } from './moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

/** A port this process holds, as another program would between choosing and binding. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { server, port: address.port };
}

/** A port chooser that hands out the given ports first, then asks the kernel like the default. */
function portsInOrder(first: readonly number[]): () => Promise<number> {
  const queue = [...first];
  return async () => {
    const next = queue.shift();
    if (next !== undefined) return next;
    const { server, port } = await holdPort();
    await new Promise((resolve) => server.close(resolve));
    return port;
  };
}

describe.skipIf(!motoAvailable)('startMoto when its port is taken', () => {
  const started: Moto[] = [];
  const held: Server[] = [];
  afterAll(async () => {
    await Promise.all(started.map((moto) => moto.stop()));
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('does not take another moto_server that answers on the chosen port for its own', async () => {
    const other = await startMoto();
    started.push(other);
    const otherPort = Number(new URL(other.endpoint).port);
    const ours = await startMoto({ choosePort: portsInOrder([otherPort]) });
    started.push(ours);
    expect(ours.endpoint).not.toBe(other.endpoint);
    // Each has its own state: a bucket made in one is not in the other.
    await fetch(`${ours.endpoint}/only-in-ours`, { method: 'PUT' });
    expect((await fetch(`${other.endpoint}/only-in-ours`)).status).toBe(404);
  });

  // A plain socket on the port: moto_server's own bind fails, so the helper knows it was taken.
  it('gives up with the reason once every attempt found its port taken', async () => {
    const taken = await holdPort();
    held.push(taken.server);
    await expect(
      startMoto({ choosePort: portsInOrder([taken.port, taken.port]), bindAttempts: 2 }),
    ).rejects.toThrow(`port ${taken.port} was taken before moto_server bound it`);
  });
});

describe('useMotoCredentials', () => {
  it('sets the dummy credentials and puts back what was there, unset included', () => {
    const before = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'previous';
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const restore = useMotoCredentials();
      expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
      expect(process.env.AWS_SECRET_ACCESS_KEY).toBe('testing');
      restore();
      expect(process.env.AWS_ACCESS_KEY_ID).toBe('previous');
      expect('AWS_SECRET_ACCESS_KEY' in process.env).toBe(false);
    } finally {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        const value = before[name];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
