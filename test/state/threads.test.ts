/** The thread-parent contract of every state store: memory always, DynamoDB through moto_server. */
import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../lib/state';
import { MemoryStateStore } from '../../lib/state';
import { motoAvailable } from '../helpers/moto';
import { useMotoStateTables } from './tables';

const motoTables = useMotoStateTables('trailwatch-threads');
const dynamoStore = (): Promise<StateStore> => motoTables.newStore();

const NOW = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
const LIVE = { now: NOW, expiresAt: NOW + HOUR };

const stores: [string, () => Promise<StateStore>, boolean][] = [
  ['memory', async () => new MemoryStateStore(), true],
  ['DynamoDB (moto_server)', dynamoStore, motoAvailable],
];

for (const [name, make, available] of stores) {
  describe.skipIf(!available)(`thread parents in ${name}`, () => {
    it('a repeat finds no parent before one is saved', async () => {
      const state = await make();
      expect(await state.threadRepeat('k', 2, NOW)).toBeUndefined();
    });

    it('a repeat finds the saved parent and raises its count; a lower or equal count is not newest', async () => {
      const state = await make();
      expect(await state.saveThreadParent('k', { ref: 'p1', count: 1, replace: true, ...LIVE })).toEqual({
        ref: 'p1',
        count: 1,
      });
      const steps: [number, boolean, number][] = [
        // count sent, newest?, count the parent shows afterwards
        [2, true, 2],
        [4, true, 4],
        [3, false, 4],
        [4, false, 4],
        [5, true, 5],
      ];
      for (const [count, newest, shows] of steps)
        expect(await state.threadRepeat('k', count, NOW + 1000)).toEqual({
          parent: { ref: 'p1', count: shows },
          newest,
        });
    });

    it('the first alert of a new window replaces the parent; a repeat that found none does not', async () => {
      const state = await make();
      await state.saveThreadParent('k', { ref: 'old', count: 7, replace: true, ...LIVE });
      expect(await state.saveThreadParent('k', { ref: 'orphan', count: 3, replace: false, ...LIVE })).toEqual(
        {
          ref: 'old',
          count: 7,
        },
      );
      expect(await state.saveThreadParent('k', { ref: 'new', count: 1, replace: true, ...LIVE })).toEqual({
        ref: 'new',
        count: 1,
      });
      expect(await state.threadRepeat('k', 2, NOW)).toEqual({
        parent: { ref: 'new', count: 2 },
        newest: true,
      });
    });

    it('a repeat that found no parent becomes it, and later repeats thread under it', async () => {
      const state = await make();
      expect(await state.saveThreadParent('k', { ref: 'orphan', count: 3, replace: false, ...LIVE })).toEqual(
        {
          ref: 'orphan',
          count: 3,
        },
      );
      expect(await state.threadRepeat('k', 4, NOW)).toEqual({
        parent: { ref: 'orphan', count: 4 },
        newest: true,
      });
    });

    it('an expired parent is absent, whether or not TTL has deleted it yet, and may be replaced', async () => {
      const state = await make();
      await state.saveThreadParent('k', { ref: 'p1', count: 1, replace: true, ...LIVE });
      const after = NOW + HOUR + 1000;
      expect(await state.threadRepeat('k', 2, after)).toBeUndefined();
      expect(
        await state.saveThreadParent('k', {
          ref: 'p2',
          count: 2,
          replace: false,
          now: after,
          expiresAt: after + HOUR,
        }),
      ).toEqual({ ref: 'p2', count: 2 });
    });

    it('keys are independent', async () => {
      const state = await make();
      await state.saveThreadParent('a', { ref: 'pa', count: 1, replace: true, ...LIVE });
      expect(await state.threadRepeat('b', 2, NOW)).toBeUndefined();
      expect(await state.threadRepeat('a', 2, NOW)).toMatchObject({ parent: { ref: 'pa' } });
    });

    it('of concurrent repeats, exactly the highest count is newest and the parent ends at it', async () => {
      const state = await make();
      await state.saveThreadParent('k', { ref: 'p', count: 1, replace: true, ...LIVE });
      const counts = [2, 3, 4, 5, 6, 7, 8, 9];
      const results = await Promise.all(counts.map((count) => state.threadRepeat('k', count, NOW)));
      expect(results.every((result) => result?.parent.ref === 'p')).toBe(true);
      // Whatever order the writes land in, the last newest one carries the highest count.
      const newestCounts = counts.filter((_, index) => results[index]?.newest);
      expect(newestCounts).toContain(9);
      expect(await state.threadRepeat('k', 9, NOW)).toEqual({
        parent: { ref: 'p', count: 9 },
        newest: false,
      });
    });
  });
}
