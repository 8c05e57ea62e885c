/** One contract for every state store: the memory one always, DynamoDB through moto_server. */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../lib/state';
import { DynamoStateStore, MemoryStateStore, TTL_ATTRIBUTE } from '../../lib/state';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

let moto: Moto | undefined;
let dynamo: DynamoDBClient | undefined;
let tables = 0;

beforeAll(async () => {
  if (!motoAvailable) return;
  moto = await startMoto();
  dynamo = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: MOTO_CREDENTIALS,
  });
}, 60_000);
afterAll(async () => {
  dynamo?.destroy();
  await moto?.stop();
});

async function dynamoStore(): Promise<StateStore> {
  const table = `trailwatch-state-${++tables}`;
  const client = dynamo as DynamoDBClient;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
    }),
  );
  return new DynamoStateStore({ table, client });
}

const stores: [string, () => Promise<StateStore>, boolean][] = [
  ['memory', async () => new MemoryStateStore(), true],
  ['DynamoDB (moto_server)', dynamoStore, motoAvailable],
];

for (const [name, create, available] of stores) {
  describe.skipIf(!available)(`${name} state store`, () => {
    const HOUR = 3_600_000;

    it('opens a dedup window, counts duplicates, lets a retry of the same alert through, and reopens', async () => {
      const store = await create();
      expect(await store.dedup('k', 'a1', HOUR, 0)).toEqual({ notify: true, suppressedBefore: 0 });
      expect(await store.dedup('k', 'a2', HOUR, 1000)).toEqual({ notify: false, suppressedSoFar: 1 });
      expect(await store.dedup('k', 'a3', HOUR, 2000)).toEqual({ notify: false, suppressedSoFar: 2 });
      expect(await store.dedup('k', 'a1', HOUR, 3000)).toEqual({ notify: true, suppressedBefore: 0 });
      expect(await store.dedup('k', 'a4', HOUR, HOUR + 1)).toEqual({ notify: true, suppressedBefore: 2 });
      expect(await store.dedup('other', 'a5', HOUR, 10)).toEqual({ notify: true, suppressedBefore: 0 });
    });

    it('keeps correlation windows by event time and resets them', async () => {
      const store = await create();
      await store.appendToWindow('w', { t: 0, eventID: 'a' }, 600_000);
      await store.appendToWindow('w', { t: 300_000, eventID: 'b', value: 'x' }, 600_000);
      const kept = await store.appendToWindow('w', { t: 700_000, eventID: 'c' }, 600_000);
      expect(kept.map((e) => e.eventID)).toEqual(['b', 'c']);
      await store.resetWindow('w');
      expect(
        (await store.appendToWindow('w', { t: 800_000, eventID: 'd' }, 600_000)).map((e) => e.eventID),
      ).toEqual(['d']);
    });

    it('keeps one entry per value, the newest, for a count of distinct values', async () => {
      // A busy principal listing in one region all day: thousands of events, one value. Every
      // event kept, the DynamoDB item passed its 400 KB limit and each later record failed.
      const store = await create();
      let kept: Awaited<ReturnType<StateStore['appendToWindow']>> = [];
      for (let i = 0; i < 3000; i++)
        kept = await store.appendToWindow(
          'v',
          { t: i * 100, eventID: `e${i}`, value: 'us-east-1' },
          600_000,
          'newest-per-value',
        );
      expect(kept).toEqual([{ t: 299_900, eventID: 'e2999', value: 'us-east-1' }]);
      kept = await store.appendToWindow(
        'v',
        { t: 300_000, eventID: 'f', value: 'eu-west-1' },
        600_000,
        'newest-per-value',
      );
      expect(kept.map((e) => e.value)).toEqual(['us-east-1', 'eu-west-1']);
      // An event arriving late, older than the value's newest, does not replace it.
      kept = await store.appendToWindow(
        'v',
        { t: 1_000, eventID: 'late', value: 'eu-west-1' },
        600_000,
        'newest-per-value',
      );
      expect(kept.map((e) => e.eventID)).toEqual(['e2999', 'f']);
    }, 120_000);

    it('takes keys longer than a DynamoDB partition key may be', async () => {
      // Keys carry record values (a principal's ARN, a group's values): a hostile record can make
      // them any length, and DynamoDB refuses a partition key over 2,048 bytes.
      const store = await create();
      const long = `arn:aws:iam::111122223333:user/${'x'.repeat(5_000)}`;
      expect(await store.dedup(long, 'a1', HOUR, 0)).toEqual({ notify: true, suppressedBefore: 0 });
      expect(await store.dedup(long, 'a2', HOUR, 1)).toEqual({ notify: false, suppressedSoFar: 1 });
      expect(await store.dedup(`${long}y`, 'a3', HOUR, 2)).toEqual({ notify: true, suppressedBefore: 0 });
      await store.appendToWindow(long, { t: 0, eventID: 'a' }, 600_000);
      const kept = await store.appendToWindow(long, { t: 1, eventID: 'b' }, 600_000);
      expect(kept.map((e) => e.eventID)).toEqual(['a', 'b']);
      await store.markDelivered('a1', long, 0);
      expect(await store.wasDelivered('a1', long)).toBe(true);
      expect(await store.wasDelivered('a1', `${long}y`)).toBe(false);
    });

    it('remembers deliveries per alert and destination', async () => {
      const store = await create();
      expect(await store.wasDelivered('a1', 'slack')).toBe(false);
      await store.markDelivered('a1', 'slack', Date.now());
      expect(await store.wasDelivered('a1', 'slack')).toBe(true);
      expect(await store.wasDelivered('a1', 'email')).toBe(false);
    });
  });
}

describe.skipIf(!motoAvailable)('DynamoDB state store, one item per window', () => {
  it('keeps a window within one item, dropping its oldest entries first', async () => {
    // 450 entries of 1 KB values are past DynamoDB's 400 KB item: the write would be refused.
    const store = await dynamoStore();
    let kept: Awaited<ReturnType<StateStore['appendToWindow']>> = [];
    for (let i = 0; i < 450; i++)
      kept = await store.appendToWindow(
        'big',
        { t: i, eventID: `e${i}`, value: 'v'.repeat(1_000) },
        3_600_000,
      );
    expect(kept[kept.length - 1]?.eventID).toBe('e449');
    expect(JSON.stringify(kept).length).toBeLessThan(400_000);
    expect(kept.map((e) => e.t)).toEqual([...kept.map((e) => e.t)].sort((a, b) => a - b));
  }, 120_000);
});
