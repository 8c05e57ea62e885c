import type { LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeResumeToken,
  encodeResumeToken,
  lookupEvents,
  RepeatedNextTokenError,
} from '../../lib/history';
import { PacedCloudTrail } from '../../lib/trail';
import { runCli } from '../helpers/cli';

const cloudtrail = mockClient(CloudTrailClient);
afterEach(() => cloudtrail.reset());

/** Event history of `total` events: a page of MaxResults (default 50) from the offset `o<n>` names. */
function history(total: number): void {
  cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
    const offset = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(1));
    const size = input.MaxResults ?? 50;
    const end = Math.min(total, offset + size);
    return {
      Events: Array.from({ length: end - offset }, (_, i) => ({ EventId: `e${offset + i}` })),
      ...(end < total ? { NextToken: `o${end}` } : {}),
    };
  });
}

const noWait = { now: () => 0, sleep: async () => undefined };
const paced = () => new PacedCloudTrail(new CloudTrailClient({ region: 'us-east-1' }), noWait);

describe('resuming with the token --max-items printed', () => {
  it('reads every event exactly once, in order, for any history, page size and --max-items', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 130 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 70 }),
        async (total, pageSize, maxItems) => {
          cloudtrail.reset();
          history(total);
          const seen: string[] = [];
          let token: string | undefined;
          for (let run = 0; run <= total; run++) {
            const result = await lookupEvents(paced(), {
              pageSize,
              maxItems,
              ...(token === undefined ? {} : { resume: decodeResumeToken(token) }),
            });
            expect(result.events.length).toBeLessThanOrEqual(maxItems);
            seen.push(...result.events.map((event) => event.EventId ?? ''));
            token = result.nextToken;
            if (token === undefined) break;
          }
          expect(seen).toEqual(Array.from({ length: total }, (_, i) => `e${i}`));
        },
      ),
      { numRuns: 60 },
    );
  });

  const cases: readonly [
    string,
    { token?: string; truncate: number },
    number,
    string[],
    string | undefined,
  ][] = [
    ['a cut first page', { truncate: 3 }, 3, ['e3', 'e4', 'e5'], encodeResumeToken({ truncate: 6 })],
    [
      'a cut later page, to its end and on',
      { token: 'o50', truncate: 48 },
      4,
      ['e98', 'e99', 'e100', 'e101'],
      encodeResumeToken({ token: 'o100', truncate: 2 }),
    ],
    [
      'a page boundary',
      { token: 'o50', truncate: 0 },
      50,
      ['e50', '…', 'e99'],
      encodeResumeToken({ token: 'o100', truncate: 0 }),
    ],
    ['the last events', { token: 'o100', truncate: 15 }, 10, ['e115', '…', 'e119'], undefined],
  ];
  it.each(cases)('%s', async (_name, resume, maxItems, expected, nextToken) => {
    history(120);
    const result = await lookupEvents(paced(), { pageSize: 50, maxItems, resume });
    const ids = result.events.map((event) => event.EventId);
    expect(ids.length > 4 ? [ids[0], '…', ids.at(-1)] : ids).toEqual(expected);
    expect(result.nextToken).toBe(nextToken);
  });

  it('stops with an error when the service answers with the token it was called with', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [{ EventId: 'e0' }], NextToken: 'same' });
    await expect(
      lookupEvents(paced(), { pageSize: 50, resume: { token: 'same', truncate: 0 } }),
    ).rejects.toThrow(RepeatedNextTokenError);
  });
});

describe('trailwatch lookup --starting-token', () => {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  it.each([
    ['a cut too deep', b64('{"NextToken": "t", "boto_truncate_amount": 80}'), /boto_truncate_amount must be/],
    ['another key', b64('{"NextToken": "t", "Marker": "m"}'), /holds "Marker"/],
    ['JSON that is not an object', b64('[1, 2]'), /decodes to a list/],
  ])('refuses %s as a usage error naming the flag, before any call', async (_name, token, message) => {
    history(10);
    const run = await runCli(['lookup', '--starting-token', token, '--region', 'us-east-1'], '', {
      pacing: noWait,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--starting-token: /);
    expect(run.stderr).toMatch(message);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(0);
  });

  it('resumes {"NextToken": null, "boto_truncate_amount": 3}, what `aws cloudtrail lookup-events --max-items 3` prints', async () => {
    history(120);
    const token = b64('{"NextToken": null, "boto_truncate_amount": 3}');
    const run = await runCli(
      ['lookup', '--starting-token', token, '--max-items', '3', '--region', 'us-east-1', '--output', 'json'],
      '',
      { pacing: noWait },
    );
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout) as { Events: { EventId: string }[]; NextToken: string };
    expect(body.Events.map((event) => event.EventId)).toEqual(['e3', 'e4', 'e5']);
    expect(Buffer.from(body.NextToken, 'base64').toString()).toBe(
      '{"NextToken": null, "boto_truncate_amount": 6}',
    );
    expect(cloudtrail.commandCalls(LookupEventsCommand).map((call) => call.args[0].input)).toEqual([
      { MaxResults: 50 },
    ]);
  });
});
