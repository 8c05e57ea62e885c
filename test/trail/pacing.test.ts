import { CloudTrailClient, DescribeTrailsCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { LOOKUP_INTERVAL_MS, LOOKUP_SPACING_MS, PacedCloudTrail, READ_INTERVAL_MS } from '../../lib/trail';

describe('PacedCloudTrail', () => {
  it('queues concurrent calls one interval apart instead of letting them leave together', async () => {
    // The pacer's own clock and timers, faked: the test checks the spacing without waiting it out.
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const client = new CloudTrailClient({ region: 'us-east-1' });
      const sent: number[] = [];
      mockClient(client)
        .on(LookupEventsCommand)
        .callsFake(async () => {
          sent.push(performance.now());
          return { Events: [] };
        });
      const paced = new PacedCloudTrail(client);
      const all = Promise.all([1, 2, 3].map(() => paced.send('lookup', new LookupEventsCommand({}))));
      await vi.advanceTimersByTimeAsync(3 * LOOKUP_SPACING_MS);
      await all;
      expect(sent).toHaveLength(3);
      for (let i = 1; i < sent.length; i++) {
        expect((sent[i] ?? 0) - (sent[i - 1] ?? 0)).toBe(LOOKUP_SPACING_MS);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('spaces lookups by the documented interval plus a margin for arrival jitter', async () => {
    const client = new CloudTrailClient({ region: 'us-east-1' });
    mockClient(client).on(LookupEventsCommand).resolves({}).on(DescribeTrailsCommand).resolves({});
    let clock = 0;
    const waits: number[] = [];
    const paced = new PacedCloudTrail(client, {
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    await paced.send('lookup', new LookupEventsCommand({}));
    await paced.send('lookup', new LookupEventsCommand({}));
    // Each kind has its own budget: the first read does not wait for the lookups.
    await paced.send('read', new DescribeTrailsCommand({}));
    await paced.send('read', new DescribeTrailsCommand({}));
    expect(waits).toEqual([LOOKUP_SPACING_MS, READ_INTERVAL_MS]);
    expect(LOOKUP_SPACING_MS).toBeGreaterThan(LOOKUP_INTERVAL_MS);
  });
});
