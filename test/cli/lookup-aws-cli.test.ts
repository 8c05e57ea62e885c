/**
 * `trailwatch lookup` and the real AWS CLI (`aws cloudtrail lookup-events`) against one fake
 * LookupEvents endpoint: each resumes the other's `--max-items` token, skipping exactly the events
 * already returned, and both print the same token for the same position. Skips, saying so, where
 * the AWS CLI is not installed.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli';
import type { LookupEventsInput } from '../helpers/fake-lookup';
import { AWS_CLI, awsCliAvailable, FAKE_CREDENTIALS, lookupEventsScript } from '../helpers/fake-lookup';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

if (!awsCliAvailable) console.warn(`AWS CLI not found (set AWS_CLI); token interoperability tests skipped`);

/** Events in the fake history, newest first; more than two default pages of 50. */
const TOTAL = 120;
/** LookupEvents' default MaxResults (API_LookupEvents: "The default is 50"). */
const DEFAULT_PAGE = 50;

/** A page of MaxResults (default 50) from the offset the NextToken `o<offset>` names. */
function historyPage(input: LookupEventsInput): unknown {
  const offset = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(1));
  const size = input.MaxResults ?? DEFAULT_PAGE;
  const events = [];
  for (let index = offset; index < Math.min(TOTAL, offset + size); index++) {
    events.push({
      EventId: `e${index}`,
      EventName: 'ListUsers',
      ReadOnly: 'true',
      EventTime: Date.parse('2026-11-22T12:00:00Z') / 1000 - index,
      EventSource: 'iam.amazonaws.com',
      Username: 'alice',
    });
  }
  return { Events: events, ...(offset + size < TOTAL ? { NextToken: `o${offset + size}` } : {}) };
}

interface Page {
  readonly ids: string[];
  readonly nextToken?: string;
}

let history: Receiver | undefined;
let url = '';

beforeAll(async () => {
  history = await startReceiver(lookupEventsScript(historyPage));
  url = new URL(history.url).origin;
  // The in-process CLI builds its client from the default credential chain: fake keys, restored after.
  for (const [key, value] of Object.entries(FAKE_CREDENTIALS)) vi.stubEnv(key, value);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await history?.close();
});

function page(stdout: string): Page {
  const body = JSON.parse(stdout) as { Events?: { EventId: string }[]; NextToken?: string };
  return {
    ids: (body.Events ?? []).map((event) => event.EventId),
    ...(body.NextToken === undefined ? {} : { nextToken: body.NextToken }),
  };
}

/** `aws cloudtrail lookup-events --output json …`, asynchronously: the fake endpoint answers from this process. */
async function awsCli(args: string[]): Promise<Page> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...FAKE_CREDENTIALS,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_FAKE_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      AWS_CLI,
      ['cloudtrail', 'lookup-events', '--endpoint-url', url, '--output', 'json', ...args],
      { env },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
  });
  return page(stdout);
}

async function trailwatch(args: string[]): Promise<Page> {
  const run = await runCli(
    ['lookup', '--endpoint-url', url, '--region', 'us-east-1', '--output', 'json', ...args],
    '',
    // The pacer's sleeps are skipped: this test is about tokens, not timing.
    { pacing: { now: () => 0, sleep: async () => undefined } },
  );
  expect(run.code, run.stderr).toBe(0);
  return page(run.stdout);
}

const ids = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `e${from + i}`);

describe.skipIf(!awsCliAvailable)('--starting-token between trailwatch and the AWS CLI', () => {
  it('resumes `aws … --max-items 3` ({"NextToken": null, "boto_truncate_amount": 3}) after its 3 events', async () => {
    const first = await awsCli(['--max-items', '3']);
    expect(first.ids).toEqual(ids(0, 3));
    expect(Buffer.from(first.nextToken ?? '', 'base64').toString()).toBe(
      '{"NextToken": null, "boto_truncate_amount": 3}',
    );
    const ours = await trailwatch(['--starting-token', first.nextToken ?? '', '--max-items', '3']);
    const theirs = await awsCli(['--starting-token', first.nextToken ?? '', '--max-items', '3']);
    expect(ours).toEqual({ ids: ids(3, 6), nextToken: theirs.nextToken });
    expect(theirs.ids).toEqual(ids(3, 6));
  });

  it('prints the token `aws … --max-items 10` prints when run without options', async () => {
    const ours = await trailwatch([]);
    const theirs = await awsCli(['--max-items', '10']);
    expect(ours).toEqual(theirs);
    expect(ours.ids).toEqual(ids(0, 10));
  });

  it('a cut inside a later page: the AWS CLI resumes trailwatch exactly there, and back', async () => {
    const ours = await trailwatch(['--max-items', '60']);
    expect(ours.ids).toEqual(ids(0, 60));
    expect(Buffer.from(ours.nextToken ?? '', 'base64').toString()).toBe(
      '{"NextToken": "o50", "boto_truncate_amount": 10}',
    );
    const theirs = await awsCli(['--starting-token', ours.nextToken ?? '', '--max-items', '45']);
    expect(theirs.ids).toEqual(ids(60, 105));
    const rest = await trailwatch(['--starting-token', theirs.nextToken ?? '', '--all']);
    expect(rest).toEqual({ ids: ids(105, TOTAL) });
  });

  it('alternating tools 13 events at a time reads every event once, and each step prints the same token in both', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let step = 0; step < 30; step++) {
      const resume = token === undefined ? [] : ['--starting-token', token];
      const ours = await trailwatch([...resume, '--max-items', '13']);
      const theirs = await awsCli([...resume, '--max-items', '13']);
      expect(ours).toEqual(theirs);
      seen.push(...ours.ids);
      token = ours.nextToken;
      if (token === undefined) break;
    }
    expect(seen).toEqual(ids(0, TOTAL));
    // Each step starts the AWS CLI (a Python process): allow for a busy machine.
  }, 120_000);

  it('--max-results (the AWS CLI --page-size) is kept on resumption as the AWS CLI needs', async () => {
    const ours = await trailwatch(['--max-results', '20', '--max-items', '25']);
    const theirs = await awsCli(['--page-size', '20', '--max-items', '25']);
    expect(ours).toEqual(theirs);
    const next = await awsCli([
      '--page-size',
      '20',
      '--starting-token',
      ours.nextToken ?? '',
      '--max-items',
      '5',
    ]);
    expect(next.ids).toEqual(ids(25, 30));
  });
});
