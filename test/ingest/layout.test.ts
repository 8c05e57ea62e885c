import { describe, expect, it } from 'vitest';
import type { LayoutFilter, ListedObject } from '../../lib/ingest';
import { daysBetween, walkLayout, walkLayoutByDay } from '../../lib/ingest';

/** An in-memory bucket that records every listing call, to prove what is (not) listed. */
function fakeBucket(keys: readonly string[]) {
  const calls: string[] = [];
  async function* list(prefix: string, delimiter: boolean) {
    calls.push(`${delimiter ? 'D' : 'F'} ${prefix}`);
    const under = keys.filter((k) => k.startsWith(prefix));
    if (!delimiter) {
      yield { prefixes: [], objects: under.map((key) => ({ key, size: 10 })) };
      return;
    }
    const prefixes = new Set<string>();
    const objects: ListedObject[] = [];
    for (const key of under) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) objects.push({ key, size: 10 });
      else prefixes.add(prefix + rest.slice(0, slash + 1));
    }
    yield { prefixes: [...prefixes].sort(), objects };
  }
  return { list, calls };
}

const file = (org: string, account: string, region: string, day: string, hhmm = '1005') =>
  `trail/AWSLogs/${org}${account}/CloudTrail/${region}/${day.replaceAll('-', '/')}/${account}_CloudTrail_${region}_${day.replaceAll('-', '')}T${hhmm}Z_u.json.gz`;

const KEYS = [
  file('o-abcdefghij/', '111111111111', 'us-east-1', '2024-05-01'),
  file('o-abcdefghij/', '111111111111', 'us-east-1', '2024-05-02'),
  file('o-abcdefghij/', '111111111111', 'eu-west-1', '2024-05-02'),
  file('o-abcdefghij/', '222222222222', 'us-east-1', '2024-05-02'),
  file('o-abcdefghij/', '222222222222', 'us-east-1', '2024-05-03', '0030'),
  'trail/AWSLogs/o-abcdefghij/111111111111/CloudTrail-Digest/us-east-1/2024/05/02/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20240502T100000Z.json.gz',
  'unrelated/readme.txt',
];

async function walk(prefix: string, filter: LayoutFilter) {
  const bucket = fakeBucket(KEYS);
  const found: string[] = [];
  for await (const object of walkLayout(bucket.list, prefix, filter)) found.push(object.key);
  return { found, calls: bucket.calls };
}

describe('listing follows the key layout and never walks the whole bucket', () => {
  it('without filters, one flat listing of the prefix', async () => {
    const { found, calls } = await walk('trail/', {});
    expect(found).toHaveLength(6);
    expect(calls).toEqual(['F trail/']);
  });

  it('an account filter lists only that account, through the organisation folder', async () => {
    const { found, calls } = await walk('', { accounts: new Set(['222222222222']) });
    expect(found).toEqual([KEYS[3], KEYS[4]]);
    expect(calls.some((c) => c.includes('111111111111'))).toBe(false);
    expect(calls).not.toContain('F ');
  });

  it('a region and day window lists generated day folders only', async () => {
    const filter = {
      regions: new Set(['us-east-1']),
      since: Date.UTC(2024, 4, 2),
      until: Date.UTC(2024, 4, 2, 23, 59),
    };
    const { found, calls } = await walk('trail/AWSLogs/', filter);
    expect(found).toEqual([KEYS[1], KEYS[3], KEYS[4]]);
    const flatCalls = calls.filter((c) => c.startsWith('F '));
    expect(flatCalls.every((c) => /\/us-east-1\/2024\/05\/0[23]\/$/.test(c))).toBe(true);
    expect(calls.some((c) => c.includes('eu-west-1/2024'))).toBe(false);
  });

  it('a prefix that already names the account lists flat and filters by key', async () => {
    const { found } = await walk('trail/AWSLogs/o-abcdefghij/111111111111/CloudTrail/', {
      regions: new Set(['eu-west-1']),
    });
    expect(found).toEqual([KEYS[2]]);
  });

  it('an open-ended window walks the year and month folders that exist instead of naming every day', async () => {
    const { found, calls } = await walk('trail/AWSLogs/', {
      regions: new Set(['us-east-1']),
      since: Date.UTC(2020, 0, 1),
    });
    expect(found).toEqual([KEYS[0], KEYS[1], KEYS[3], KEYS[4]]);
    expect(calls.length).toBeLessThan(30);
  });

  it('lists day folders concurrently and yields them in the order of a sequential walk', async () => {
    const bucket = fakeBucket(KEYS);
    let inFlight = 0;
    let most = 0;
    // Later folders answer sooner, so any reordering would show.
    const delays = new Map<string, number>();
    async function* slowList(prefix: string, delimiter: boolean) {
      inFlight++;
      most = Math.max(most, inFlight);
      const delay = delimiter ? 0 : 40 - Math.min(35, delays.size * 5);
      delays.set(prefix, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      inFlight--;
      yield* bucket.list(prefix, delimiter);
    }
    const filter = { since: Date.UTC(2024, 4, 1), until: Date.UTC(2024, 4, 3, 23) };
    const sequential: string[] = [];
    for await (const object of walkLayout(bucket.list, 'trail/', filter, 1)) sequential.push(object.key);
    const concurrent: string[] = [];
    for await (const object of walkLayout(slowList, 'trail/', filter, 4)) concurrent.push(object.key);
    expect(concurrent).toEqual(sequential);
    expect([...sequential].sort()).toEqual(KEYS.slice(0, 5).sort());
    expect(most).toBe(4);
  });

  it('by day: one group per day folder across accounts and regions, in day order', async () => {
    const bucket = fakeBucket(KEYS);
    const filter = { since: Date.UTC(2024, 4, 1), until: Date.UTC(2024, 4, 3, 23) };
    const groups: { day: string | undefined; index: number; total: number; keys: string[] }[] = [];
    for await (const group of walkLayoutByDay(bucket.list, 'trail/', filter, 4)) {
      groups.push({ ...group, keys: group.objects.map((o) => o.key) });
    }
    expect(groups.map((g) => [g.day, g.index, g.total])).toEqual([
      ['2024-05-01', 0, 4],
      ['2024-05-02', 1, 4],
      ['2024-05-03', 2, 4],
      ['2024-05-04', 3, 4],
    ]);
    expect(groups[1]?.keys.sort()).toEqual([KEYS[1], KEYS[2], KEYS[3]].sort());
    expect(groups[2]?.keys).toEqual([KEYS[4]]);
    expect(groups[3]?.keys).toEqual([]);
  });

  it('day folders cover the delivery lag after until', () => {
    expect(daysBetween({ since: Date.UTC(2024, 4, 1, 22), until: Date.UTC(2024, 4, 2, 23, 30) })).toEqual([
      '2024-05-01',
      '2024-05-02',
      '2024-05-03',
    ]);
  });
});
