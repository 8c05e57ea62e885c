import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WindowEntry } from '../../lib/state';
import { pruneWindow } from '../../lib/state';

/** The window as its contract states it: within the span of the newest, oldest first. */
function reference(entries: readonly WindowEntry[], timespanMs: number): WindowEntry[] {
  const newest = entries.reduce((max, entry) => Math.max(max, entry.t), Number.NEGATIVE_INFINITY);
  return entries.filter((entry) => entry.t >= newest - timespanMs).sort((a, b) => a.t - b.t);
}

const entry: fc.Arbitrary<WindowEntry> = fc.record(
  {
    t: fc.integer({ min: 0, max: 5_000 }),
    eventID: fc.string({ maxLength: 3 }),
    value: fc.constantFrom('a', 'b', 'c', ''),
  },
  { requiredKeys: ['t', 'eventID'] },
);
const windows = fc.tuple(fc.array(entry, { maxLength: 40 }), fc.integer({ min: 0, max: 3_000 }));

describe('pruneWindow', () => {
  it('keeps every entry within the span of the newest, in time order', () => {
    fc.assert(
      fc.property(windows, ([entries, span]) => {
        expect(pruneWindow(entries, span).map((e) => e.t)).toEqual(reference(entries, span).map((e) => e.t));
        expect(new Set(pruneWindow(entries, span))).toEqual(new Set(reference(entries, span)));
      }),
      { numRuns: 2000 },
    );
  });

  it('with newest-per-value, keeps the same distinct values, each by its newest entry', () => {
    fc.assert(
      fc.property(windows, ([entries, span]) => {
        const all = reference(entries, span);
        const kept = pruneWindow(entries, span, 'newest-per-value');
        expect(new Set(kept.map((e) => e.value))).toEqual(new Set(all.map((e) => e.value)));
        expect(kept.length).toBe(new Set(all.map((e) => e.value)).size);
        for (const held of kept)
          expect(held.t).toBe(Math.max(...all.filter((e) => e.value === held.value).map((e) => e.t)));
        expect(kept.map((e) => e.t)).toEqual([...kept.map((e) => e.t)].sort((a, b) => a - b));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a window of 200,000 entries without overflowing the stack', () => {
    const entries = Array.from({ length: 200_000 }, (_, i) => ({ t: i, eventID: `e${i}` }));
    expect(pruneWindow(entries, 1_000)).toHaveLength(1_001);
  });
});
