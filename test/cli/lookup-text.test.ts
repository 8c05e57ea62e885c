/**
 * `trailwatch lookup --output text` against `aws cloudtrail lookup-events --output text`, both
 * reading one fake LookupEvents endpoint: the same lines, byte for byte. The AWS CLI runs with
 * `cli_timestamp_format = iso8601` (v2's default, and what trailwatch's JSON prints too). Skips,
 * saying so, where the AWS CLI is not installed; the formatter's rules are checked without it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsCliText } from '../../lib/cli/aws-text';
import { runCli } from '../helpers/cli';
import type { LookupEventsInput } from '../helpers/fake-lookup';
import { AWS_CLI, awsCliAvailable, FAKE_CREDENTIALS, lookupEventsScript } from '../helpers/fake-lookup';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';

if (!awsCliAvailable)
  console.warn('AWS CLI not found (set AWS_CLI); the comparison with its text output is skipped');

const T0 = Date.parse('2026-11-22T12:00:00Z') / 1000;

/** Events as the API answers them: one without Username, one with two resources, one with none. */
const EVENTS = [
  {
    EventId: 'e1',
    EventName: 'CreateUser',
    ReadOnly: 'false',
    AccessKeyId: 'ASIAEXAMPLE1',
    EventTime: T0,
    EventSource: 'iam.amazonaws.com',
    Username: 'alice@example.com',
    Resources: [
      { ResourceType: 'AWS::IAM::User', ResourceName: 'bob' },
      { ResourceType: 'AWS::IAM::Policy', ResourceName: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ],
    CloudTrailEvent:
      '{"eventVersion":"1.09","eventName":"CreateUser","requestParameters":{"userName":"bob"}}',
  },
  {
    EventId: 'e2',
    EventName: 'AssumeRole',
    ReadOnly: 'true',
    EventTime: T0 - 60.5,
    EventSource: 'sts.amazonaws.com',
    Resources: [],
    CloudTrailEvent: '{"eventName":"AssumeRole"}',
  },
  {
    EventId: 'e3',
    EventName: 'ConsoleLogin',
    ReadOnly: 'false',
    EventTime: T0 - 120,
    EventSource: 'signin.amazonaws.com',
    Username: 'carol',
    CloudTrailEvent: '{"eventName":"ConsoleLogin"}',
  },
];

/** Two pages, so the text of a cut run carries a NextToken line too. */
function historyPage(input: LookupEventsInput): unknown {
  return input.NextToken === 'page2'
    ? { Events: EVENTS.slice(2) }
    : { Events: EVENTS.slice(0, 2), NextToken: 'page2' };
}

let history: Receiver | undefined;
let url = '';

beforeAll(async () => {
  history = await startReceiver(lookupEventsScript(historyPage));
  url = new URL(history.url).origin;
  for (const [key, value] of Object.entries(FAKE_CREDENTIALS)) vi.stubEnv(key, value);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await history?.close();
});

async function theAwsCli(args: string[]): Promise<string> {
  const config = join(mkdtempSync(join(tmpdir(), 'trailwatch-awscli-')), 'config');
  writeFileSync(config, '[default]\ncli_timestamp_format = iso8601\n');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...FAKE_CREDENTIALS,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: config,
    AWS_SHARED_FAKE_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  return new Promise<string>((resolve, reject) => {
    execFile(
      AWS_CLI,
      ['cloudtrail', 'lookup-events', '--endpoint-url', url, '--output', 'text', ...args],
      { env },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
  });
}

async function trailwatchText(args: string[]): Promise<string> {
  const run = await runCli(
    ['lookup', '--endpoint-url', url, '--region', 'us-east-1', '--output', 'text', ...args],
    '',
    {
      pacing: { now: () => 0, sleep: async () => undefined },
    },
  );
  expect(run.code).toBe(0);
  return run.stdout;
}

describe.skipIf(!awsCliAvailable)('lookup --output text is the AWS CLI text output', () => {
  // The AWS CLI follows every page unless told otherwise; trailwatch shows 10 without --all.
  const runs: [string, string[], string[]][] = [
    ['every event: two pages, each lining up its own columns', [], ['--all']],
    ['cut by --max-items: NEXTTOKEN comes last', ['--max-items', '1'], ['--max-items', '1']],
    ['--max-items at a page boundary', ['--max-items', '2'], ['--max-items', '2']],
  ];
  for (const [name, theirArgs, ourArgs] of runs) {
    it(name, async () => {
      const [theirs, ours] = await Promise.all([theAwsCli(theirArgs), trailwatchText(ourArgs)]);
      expect(theirs).toMatch(/^EVENTS\t/m);
      expect(ours).toBe(theirs);
    }, 30_000);
  }
});

describe('awsCliText: the AWS CLI text formatter (awscli/text.py)', () => {
  const cases: [string, unknown, string[]][] = [
    [
      'a list of objects shares the union of their scalar keys as columns, in key order',
      { Events: [{ B: 'b', A: 'a' }, { C: 'c' }] },
      ['EVENTS\ta\tb\t', 'EVENTS\t\t\tc'],
    ],
    [
      'scalars of an object come before its lists, which are named after their key',
      { Z: 'top', Items: [{ Tags: [{ Key: 'k', Value: 'v' }], Id: '1' }] },
      ['top', 'ITEMS\t1', 'TAGS\tk\tv'],
    ],
    ['a list of scalars under a name: one line per value', { Names: ['a', 'b'] }, ['NAMES\ta', 'NAMES\tb']],
    ['a bare list of scalars: one line', ['a', 'b'], ['a\tb']],
    [
      'Python spellings of true, false and null',
      { A: true, B: false, C: null, D: 3 },
      ['True\tFalse\tNone\t3'],
    ],
    ['an empty list prints nothing', { Events: [] }, []],
    [
      'control characters are shown as escapes: one value, one column',
      { A: 'x\ty\nz\u001b[2J' },
      ['x\\ty\\nz\\x1b[2J'],
    ],
  ];
  for (const [name, document, lines] of cases) {
    it(name, () => {
      expect(awsCliText(document)).toEqual(lines);
    });
  }

  it('lookup takes --output text and refuses others, naming the three', async () => {
    const run = await runCli(['lookup', '--output', 'yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--output takes table, json, text; got yaml');
  });
});
