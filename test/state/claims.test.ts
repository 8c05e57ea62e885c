/**
 * Claim-before-send semantics, one table of scenarios run against every state store: the memory
 * one always, DynamoDB through moto_server (its conditional writes are what processes share).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ClaimDecision, StateStore } from '../../lib/state';
import { DELIVERY_RECORD_TTL_MS, DynamoStateStore, MemoryStateStore, TTL_ATTRIBUTE } from '../../lib/state';
import { motoAvailable } from '../helpers/moto';
import { useMotoStateTables } from './tables';

const motoTables = useMotoStateTables('claims');
let dynamo: DynamoDBClient | undefined;

function motoClient(): DynamoDBClient {
  if (!dynamo) throw new Error('moto_server is not running');
  return dynamo;
}

async function dynamoStore(): Promise<{ store: StateStore; table: string }> {
  const { table, client } = await motoTables.newTable();
  dynamo = client;
  return { store: new DynamoStateStore({ table, client }), table };
}

const LEASE = 1_000;
const MAX = 2;

type Step =
  | { readonly claim: string; readonly at: number; readonly pair?: string; readonly expect: ClaimDecision }
  | { readonly release: string; readonly pair?: string }
  | { readonly mark: number; readonly pair?: string }
  | { readonly delivered: boolean; readonly pair?: string };

interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
}

/** Pairs are "alert/destination"; the default is a1/slack. */
const SCENARIOS: readonly Scenario[] = [
  {
    name: 'the first claim wins; a second claimant finds it held until the lease runs out',
    steps: [
      { claim: 'A', at: 0, expect: { kind: 'claimed', send: 1 } },
      { claim: 'B', at: 10, expect: { kind: 'held', leaseUntil: LEASE } },
      { claim: 'B', at: LEASE - 1, expect: { kind: 'held', leaseUntil: LEASE } },
    ],
  },
  {
    name: 'once marked sent, nobody claims it again, even long after the lease',
    steps: [
      { claim: 'A', at: 0, expect: { kind: 'claimed', send: 1 } },
      { delivered: false },
      { mark: 50 },
      { delivered: true },
      { claim: 'B', at: 60, expect: { kind: 'already-sent' } },
      { claim: 'C', at: 10 * LEASE, expect: { kind: 'already-sent' } },
    ],
  },
  {
    name: 'an expired lease is taken over once (the sender may have died after sending), then sends are exhausted',
    steps: [
      { claim: 'A', at: 0, expect: { kind: 'claimed', send: 1 } },
      { claim: 'B', at: LEASE, expect: { kind: 'claimed', send: 2 } },
      { claim: 'C', at: LEASE + 1, expect: { kind: 'held', leaseUntil: 2 * LEASE } },
      { claim: 'C', at: 2 * LEASE, expect: { kind: 'sends-exhausted', sends: MAX } },
      { delivered: false },
    ],
  },
  {
    name: 'a released claim (nothing reached the receiver) is not counted and may be claimed at once',
    steps: [
      { claim: 'A', at: 0, expect: { kind: 'claimed', send: 1 } },
      { release: 'A' },
      { claim: 'B', at: 1, expect: { kind: 'claimed', send: 1 } },
      { release: 'B' },
      { claim: 'C', at: 2, expect: { kind: 'claimed', send: 1 } },
    ],
  },
  {
    name: 'only the owner can release: a stranger, or an owner whose claim was taken over, cannot',
    steps: [
      { claim: 'A', at: 0, expect: { kind: 'claimed', send: 1 } },
      { release: 'B' },
      { claim: 'C', at: 1, expect: { kind: 'held', leaseUntil: LEASE } },
      { claim: 'D', at: LEASE, expect: { kind: 'claimed', send: 2 } },
      { release: 'A' },
      { claim: 'E', at: LEASE + 1, expect: { kind: 'held', leaseUntil: 2 * LEASE } },
    ],
  },
  {
    name: 'a release after the pair was marked sent changes nothing',
    steps: [
      { claim: 'A', at: 0, expect: { kind: 'claimed', send: 1 } },
      { mark: 1 },
      { release: 'A' },
      { claim: 'B', at: 2, expect: { kind: 'already-sent' } },
    ],
  },
  {
    name: 'each (alert, destination) pair is claimed on its own',
    steps: [
      { claim: 'A', at: 0, pair: 'a1/slack', expect: { kind: 'claimed', send: 1 } },
      { claim: 'B', at: 1, pair: 'a1/email', expect: { kind: 'claimed', send: 1 } },
      { claim: 'C', at: 2, pair: 'a2/slack', expect: { kind: 'claimed', send: 1 } },
      { mark: 3, pair: 'a1/email' },
      { delivered: false, pair: 'a1/slack' },
      { delivered: true, pair: 'a1/email' },
    ],
  },
];

async function run(store: StateStore, steps: readonly Step[]): Promise<void> {
  for (const [index, step] of steps.entries()) {
    const [alertId = 'a1', destination = 'slack'] = (step.pair ?? 'a1/slack').split('/');
    const where = `step ${index}: ${JSON.stringify(step)}`;
    if ('claim' in step) {
      const decision = await store.claimDelivery(alertId, destination, {
        owner: step.claim,
        now: step.at,
        leaseMs: LEASE,
        maxSends: MAX,
      });
      expect(decision, where).toEqual(step.expect);
    } else if ('release' in step) {
      await store.releaseClaim(alertId, destination, step.release);
    } else if ('mark' in step) {
      await store.markDelivered(alertId, destination, step.mark);
    } else {
      expect(await store.wasDelivered(alertId, destination), where).toBe(step.delivered);
    }
  }
}

const STORES: readonly [string, () => Promise<StateStore>, boolean][] = [
  ['memory', async () => new MemoryStateStore(), true],
  ['DynamoDB (moto_server)', async () => (await dynamoStore()).store, motoAvailable],
];

for (const [name, create, available] of STORES) {
  describe.skipIf(!available)(`${name}: delivery claims`, () => {
    for (const scenario of SCENARIOS) {
      it(scenario.name, async () => run(await create(), scenario.steps));
    }

    it('of 24 concurrent claimants of one pair, exactly one wins', async () => {
      const store = await create();
      const decisions = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          store.claimDelivery('a1', 'slack', { owner: `o${i}`, now: 5, leaseMs: LEASE, maxSends: MAX }),
        ),
      );
      expect(decisions.filter((d) => d.kind === 'claimed')).toEqual([{ kind: 'claimed', send: 1 }]);
      expect(decisions.filter((d) => d.kind === 'held')).toHaveLength(23);
    });
  });
}

describe.skipIf(!motoAvailable)('DynamoDB claim records', () => {
  it('carry the TTL attribute, so DynamoDB drops them after the retry horizon', async () => {
    const { store, table } = await dynamoStore();
    await store.claimDelivery('a1', 'slack', { owner: 'A', now: 1_000, leaseMs: LEASE, maxSends: MAX });
    const claimed = await motoClient().send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'delivered#a1#slack' } },
        ConsistentRead: true,
      }),
    );
    expect(claimed.Item?.[TTL_ATTRIBUTE]?.N).toBe(String(Math.ceil((1_000 + DELIVERY_RECORD_TTL_MS) / 1000)));
    await store.markDelivered('a1', 'slack', 2_000);
    const marked = await motoClient().send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'delivered#a1#slack' } },
        ConsistentRead: true,
      }),
    );
    expect(marked.Item?.[TTL_ATTRIBUTE]?.N).toBe(String(Math.ceil((2_000 + DELIVERY_RECORD_TTL_MS) / 1000)));
    expect(marked.Item?.owner).toBeUndefined();
  });

  it('a delivery record written before claims existed still counts as sent', async () => {
    const { store, table } = await dynamoStore();
    await motoClient().send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'delivered#a1#slack' },
          deliveredAt: { N: '1' },
          [TTL_ATTRIBUTE]: { N: '99999999999' },
        },
      }),
    );
    expect(
      await store.claimDelivery('a1', 'slack', { owner: 'A', now: 5, leaseMs: LEASE, maxSends: MAX }),
    ).toEqual({ kind: 'already-sent' });
  });
});
