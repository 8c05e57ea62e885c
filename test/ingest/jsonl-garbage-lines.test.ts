/**
 * Garbage lines between JSON Lines records that open a value and break it on the same line
 * (found by the framer property test): each costs only its own line.
 */
import { describe, expect, it } from 'vitest';
import { bytesInput, collect } from '../helpers/read';

const record = (eventID: string): string =>
  JSON.stringify({
    eventVersion: '1.08',
    eventTime: '2024-05-01T12:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    eventID,
  });

describe('a broken line between JSON Lines records', () => {
  it.each([['[}'], ['{]'], ['[[}'], ['{"a":[}'], ['}'], [']'], ['[1,}']])(
    '%s costs only its own line',
    async (garbage) => {
      for (const chunkSize of [1, 7, 4096]) {
        const text = `${record('a')}\n${garbage}\n${record('b')}\n${garbage}\n${record('c')}\n`;
        const { records, problems } = await collect([bytesInput('mixed.jsonl', text, chunkSize)]);
        expect(records.map((r) => r.eventID)).toEqual(['a', 'b', 'c']);
        expect([...new Set(problems.map((p) => p.origin.line))]).toEqual([2, 4]);
      }
    },
  );
});
