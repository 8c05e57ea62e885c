/**
 * Sessions in the DynamoDB state table on moto_server: what one Lambda invocation learns attributes
 * calls another one sees; items share the dedup table under `session#`, with TTL at expiry.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../lib/actor';
import { ActorResolver, DynamoSessionStore, SESSION_MISS_CACHE_MS } from '../../lib/actor';
import { StateStoreError, TTL_ATTRIBUTE } from '../../lib/state';
import type { Moto } from '../helpers/moto';
import { MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import { createStateTable, MOTO_REGION, motoDynamo } from '../state/tables';
import { scenarioRecords } from './scenario';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

let moto: Moto | undefined;
let dynamo: DynamoDBClient | undefined;
let tables = 0;

beforeAll(async () => {
  if (!motoAvailable) return;
  moto = await startMoto();
  dynamo = motoDynamo(moto);
}, 60_000);
afterAll(async () => {
  dynamo?.destroy();
  await moto?.stop();
});

function client(): DynamoDBClient {
  if (!dynamo) throw new Error('moto_server is not running');
  return dynamo;
}

async function freshTable(): Promise<string> {
  const table = `sessions-${++tables}`;
  await createStateTable(client(), table);
  return table;
}

const session = (key: string, name: string | null, expiresAt = Date.UTC(2024, 4, 1, 11)): SessionRecord => ({
  key,
  person: { name, arn: null, kind: name === null ? 'unknown' : 'iam-user' },
  via: ['arn:aws:iam::111111111111:role/Admin'],
  session: key,
  proof: { kind: name === null ? 'none' : 'access-key', detail: 'AssumeRole returned it', eventID: 'e-1' },
  startedBy: 'assume-role',
  interface: 'cli',
  startedAt: '2024-05-01T10:00:00Z',
  expiresAt,
  accounts: ['111111111111'],
});

describe.skipIf(!motoAvailable)('DynamoSessionStore on moto_server', () => {
  it('stores a session under session#<key> with TTL at its expiry, and reads it back', async () => {
    const table = await freshTable();
    const store = new DynamoSessionStore({ table, client: client() });
    const record = session('ASIAROUNDTRIP0000001', 'alice', Date.UTC(2024, 4, 1, 11, 0, 0, 500));
    await store.put(record);
    const item = await client().send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'session#ASIAROUNDTRIP0000001' } } }),
    );
    expect(item.Item?.[TTL_ATTRIBUTE]?.N).toBe(String(Math.ceil(record.expiresAt / 1000)));
    const other = new DynamoSessionStore({ table, client: client() });
    expect(await other.get('ASIAROUNDTRIP0000001')).toEqual(record);
    expect(await other.get('ASIANOTHERE000000001')).toBeUndefined();
  });

  it('a hostile record cannot make a session write fail: long keys are hashed, huge sessions stay in memory', async () => {
    // DynamoDB refuses a partition key over 2,048 bytes and an item over 400 KB (moto too); the
    // refusal would stop the invocation as a state table failure.
    const table = await freshTable();
    const store = new DynamoSessionStore({ table, client: client() });
    const longKey = `ASIA${'K'.repeat(3_000)}`;
    await store.put(session(longKey, 'alice'));
    expect((await new DynamoSessionStore({ table, client: client() }).get(longKey))?.person.name).toBe(
      'alice',
    );
    const huge = {
      ...session('ASIAHUGESESSION00001', 'mallory'),
      via: Array(500).fill(`arn:aws:iam::1:role/${'r'.repeat(1_000)}`),
    };
    await store.put(huge);
    expect((await store.get('ASIAHUGESESSION00001'))?.person.name).toBe('mallory');
    expect(
      await new DynamoSessionStore({ table, client: client() }).get('ASIAHUGESESSION00001'),
    ).toBeUndefined();
  });

  it('never replaces a session naming its person with one that does not, across processes', async () => {
    const table = await freshTable();
    const first = new DynamoSessionStore({ table, client: client() });
    const second = new DynamoSessionStore({ table, client: client() });
    await first.put(session('ASIAKNOWN00000000001', 'alice'));
    await second.put(session('ASIAKNOWN00000000001', null));
    expect(
      (await new DynamoSessionStore({ table, client: client() }).get('ASIAKNOWN00000000001'))?.person.name,
    ).toBe('alice');
    await first.put(session('ASIAUNKNOWNFIRST0001', null));
    await second.put(session('ASIAUNKNOWNFIRST0001', 'bob'));
    expect(
      (await new DynamoSessionStore({ table, client: client() }).get('ASIAUNKNOWNFIRST0001'))?.person.name,
    ).toBe('bob');
  });

  it('a miss is trusted for SESSION_MISS_CACHE_MS, then the table is asked again', async () => {
    const table = await freshTable();
    let now = 0;
    const reader = new DynamoSessionStore({ table, client: client() }, () => now);
    expect(await reader.get('ASIALATER00000000001')).toBeUndefined();
    await new DynamoSessionStore({ table, client: client() }).put(session('ASIALATER00000000001', 'carol'));
    expect(await reader.get('ASIALATER00000000001')).toBeUndefined();
    now += SESSION_MISS_CACHE_MS + 1;
    expect((await reader.get('ASIALATER00000000001'))?.person.name).toBe('carol');
  });

  it('an AssumeRole seen by one invocation attributes the calls a later invocation sees', async () => {
    const table = await freshTable();
    const records = scenarioRecords('two-people-one-role');
    const firstInvocation = new ActorResolver(new DynamoSessionStore({ table, client: client() }));
    for (const record of records.filter((r) => r.eventName === 'AssumeRole'))
      await firstInvocation.observe(record);
    const laterInvocation = new ActorResolver(new DynamoSessionStore({ table, client: client() }));
    const people: Record<string, string | null> = {};
    for (const record of records.filter((r) => r.eventName !== 'AssumeRole')) {
      people[record.eventID] = (await laterInvocation.resolve(record)).person.name;
    }
    expect(people).toEqual({
      'a-03': 'alice',
      'a-04': 'bob',
      'a-05': 'alice',
      'a-06': 'bob',
      'a-08': 'alice',
      'a-09': null,
      'a-10': null,
    });
  });

  it('the chain into a second account, each account in its own invocation, names alice', async () => {
    const table = await freshTable();
    const records = scenarioRecords('chain-cross-account');
    for (const account of ['111111111111', '222222222222']) {
      const invocation = new ActorResolver(new DynamoSessionStore({ table, client: client() }));
      for (const record of records.filter((r) => r.recipientAccountId === account))
        await invocation.observe(record);
    }
    const reader = new ActorResolver(new DynamoSessionStore({ table, client: client() }));
    const last = records[records.length - 1];
    if (last === undefined) throw new Error('scenario empty');
    const actor = await reader.resolve(last);
    expect([actor.person.name, actor.via.length, actor.proof.kind]).toEqual(['alice', 2, 'access-key']);
  });
});

describe('DynamoSessionStore without a table', () => {
  it('an unreachable endpoint is a StateStoreError naming table, endpoint and region', async () => {
    const store = new DynamoSessionStore({
      table: 'trailwatch-state',
      region: MOTO_REGION,
      endpoint: 'http://127.0.0.1:1',
    });
    const failure = await store.get('ASIAANY').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StateStoreError);
    expect(String(failure)).toContain(
      "state table 'trailwatch-state' at http://127.0.0.1:1 (region us-east-1)",
    );
  }, 30_000);
});
