/** The first-seen contract of every state store: memory always, DynamoDB through moto_server. */
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../lib/state';
import { MemoryStateStore } from '../../lib/state';
import { motoAvailable } from '../helpers/moto';
import { useMotoStateTables } from './tables';

const motoTables = useMotoStateTables('trailwatch-sightings');
const dynamoStore = (): Promise<StateStore> => motoTables.newStore();

const DAY = 86_400_000;
const FORGET = 90 * DAY;
const T0 = Date.parse('2024-05-01T00:00:00Z');

const stores: [string, () => Promise<StateStore>, boolean][] = [
  ['memory', async () => new MemoryStateStore(), true],
  ['DynamoDB (moto_server)', dynamoStore, motoAvailable],
];

/** Each step: a sighting of key `k`, and what the store must answer. */
const SCENARIOS: {
  name: string;
  steps: { eventID: string; t: number; first: boolean; firstAt: number }[];
}[] = [
  {
    name: 'the first sighting is first; a later one is not and reports when it began',
    steps: [
      { eventID: 'e1', t: T0, first: true, firstAt: T0 },
      { eventID: 'e2', t: T0 + DAY, first: false, firstAt: T0 },
    ],
  },
  {
    name: 'a retry of the first event is first again (its alert must still go out)',
    steps: [
      { eventID: 'e1', t: T0, first: true, firstAt: T0 },
      { eventID: 'e1', t: T0, first: true, firstAt: T0 },
      { eventID: 'e2', t: T0 + 1, first: false, firstAt: T0 },
    ],
  },
  {
    name: 'a key unseen for longer than forget is new again',
    steps: [
      { eventID: 'e1', t: T0, first: true, firstAt: T0 },
      { eventID: 'e2', t: T0 + FORGET + DAY, first: true, firstAt: T0 + FORGET + DAY },
    ],
  },
  {
    name: 'every sighting keeps the key fresh',
    steps: [
      { eventID: 'e1', t: T0, first: true, firstAt: T0 },
      { eventID: 'e2', t: T0 + 60 * DAY, first: false, firstAt: T0 },
      { eventID: 'e3', t: T0 + 120 * DAY, first: false, firstAt: T0 },
    ],
  },
  {
    name: 'an event older than the last sighting is not first and moves nothing',
    steps: [
      { eventID: 'e1', t: T0 + DAY, first: true, firstAt: T0 + DAY },
      { eventID: 'e0', t: T0, first: false, firstAt: T0 + DAY },
      { eventID: 'e2', t: T0 + 2 * DAY, first: false, firstAt: T0 + DAY },
    ],
  },
];

for (const [name, create, available] of stores) {
  describe.skipIf(!available)(`${name}: first-seen sightings`, () => {
    for (const scenario of SCENARIOS) {
      it(scenario.name, async () => {
        const store = await create();
        for (const step of scenario.steps) {
          const decision = await store.sighting('rule#k', { eventID: step.eventID, t: step.t }, FORGET);
          expect(decision, step.eventID).toEqual({ first: step.first, firstAt: step.firstAt });
        }
      });
    }

    it('keys are independent', async () => {
      const store = await create();
      expect((await store.sighting('a', { eventID: 'e1', t: T0 }, FORGET)).first).toBe(true);
      expect((await store.sighting('b', { eventID: 'e2', t: T0 }, FORGET)).first).toBe(true);
    });

    it('of concurrent first sightings by different events, exactly one is first', async () => {
      const store = await create();
      const decisions = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.sighting('race', { eventID: `e${i}`, t: T0 + i }, FORGET)),
      );
      expect(decisions.filter((decision) => decision.first)).toHaveLength(1);
    });
  });
}
