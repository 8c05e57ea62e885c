import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudTrailClient, Event, LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { CloudTrailClient as Client, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliServices } from '../../lib/cli/main';
import { decodeResumeToken, LOOKUP_ATTRIBUTE_KEYS } from '../../lib/history';
import { LOOKUP_SPACING_MS } from '../../lib/trail';
import { runCli } from '../helpers/cli';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const cloudtrail = mockClient(Client);

function awsError(name: string): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: 400 } });
}

/** A record as CloudTrail stores it, by the wide-permission role `Admin` unless told otherwise. */
function record(index: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: new Date(NOW - index * 60_000).toISOString().replace('.000Z', 'Z'),
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    eventID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    readOnly: false,
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin', userName: 'Admin' } },
    },
    requestParameters: { userName: `user-${index}` },
    ...overrides,
  };
}

/** An event as the SDK returns it from LookupEvents (EventTime parsed to a Date). */
function sdkEvent(index: number, overrides: Record<string, unknown> = {}): Event {
  const r = record(index, overrides);
  return {
    EventId: r.eventID as string,
    EventName: r.eventName as string,
    ReadOnly: String(r.readOnly),
    AccessKeyId: 'ASIAEXAMPLE',
    EventTime: new Date(r.eventTime as string),
    EventSource: r.eventSource as string,
    Username: 'alice',
    Resources: [{ ResourceType: 'AWS::IAM::User', ResourceName: `user-${index}` }],
    CloudTrailEvent: JSON.stringify(r),
  };
}

function events(from: number, count: number): Event[] {
  return Array.from({ length: count }, (_, i) => sdkEvent(from + i));
}

interface Harness extends CliServices {
  readonly waits: number[];
}

function harness(): Harness {
  const waits: number[] = [];
  let clock = NOW;
  return {
    waits,
    now: () => NOW,
    // A fake clock that moves only when the pacer sleeps: the waits are exact.
    pacing: {
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    },
  };
}

function requests(): LookupEventsCommandInput[] {
  return cloudtrail.commandCalls(LookupEventsCommand).map((call) => call.args[0].input);
}

async function lookup(args: string[], services: CliServices = harness()) {
  return runCli(['lookup', ...args], '', services);
}

describe('trailwatch lookup', () => {
  beforeEach(() => {
    cloudtrail.reset();
  });
  afterEach(() => {
    cloudtrail.reset();
  });

  it('without options shows the 10 most recent events in one call, as a table', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: events(0, 10), NextToken: 'api-next' });
    const run = await lookup([]);
    expect(run.code).toBe(0);
    // A page of LookupEvents' default size, as `aws cloudtrail lookup-events --max-items 10` asks.
    expect(requests()).toEqual([{ MaxResults: 50 }]);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+USER\s+READ-ONLY\s+ACCESS KEY\s+RESOURCES$/);
    expect(lines).toHaveLength(11);
    expect(lines[1]).toMatch(
      /^2026-11-22T12:00:00Z\s+iam:CreateUser\s+alice\s+false\s+ASIAEXAMPLE\s+user-0$/,
    );
    expect(run.stderr).toMatch(/more events remain: add --starting-token \S+/);
  });

  it('--output json prints the AWS CLI shape, member order and NextToken included', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: events(0, 2), NextToken: 'api-next' });
    const run = await lookup(['--output', 'json', '--max-results', '2']);
    const body = JSON.parse(run.stdout) as { Events: Record<string, unknown>[]; NextToken: string };
    expect(Object.keys(body)).toEqual(['Events', 'NextToken']);
    expect(Object.keys(body.Events[0] ?? {})).toEqual([
      'EventId',
      'EventName',
      'ReadOnly',
      'AccessKeyId',
      'EventTime',
      'EventSource',
      'Username',
      'Resources',
      'CloudTrailEvent',
    ]);
    expect(body.Events[0]?.EventTime).toBe('2026-11-22T12:00:00+00:00');
    expect(body.Events[0]?.Resources).toEqual([{ ResourceType: 'AWS::IAM::User', ResourceName: 'user-0' }]);
    expect(JSON.parse(body.Events[1]?.CloudTrailEvent as string)).toEqual(record(1));
    expect(decodeResumeToken(body.NextToken)).toEqual({ token: 'api-next', truncate: 0 });
    // The CLI's own encoding: base64 JSON, which the AWS CLI's --starting-token also reads.
    expect(JSON.parse(Buffer.from(body.NextToken, 'base64').toString())).toEqual({ NextToken: 'api-next' });
  });

  it('leaves absent members out, as the AWS CLI does', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [{ EventId: 'x', EventName: 'ConsoleLogin' }] });
    const body = JSON.parse((await lookup(['--output', 'json'])).stdout) as { Events: unknown[] };
    expect(body).toEqual({ Events: [{ EventId: 'x', EventName: 'ConsoleLogin' }] });
  });

  it('--all follows NextToken to the end, pacing calls to 2 per second', async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: events(0, 50), NextToken: 't1' })
      .resolvesOnce({ Events: [], NextToken: 't2' })
      .resolvesOnce({ Events: events(50, 7) });
    const services = harness();
    const run = await lookup(['--all', '--output', 'json'], services);
    expect(run.code).toBe(0);
    expect(requests().map((r) => [r.MaxResults, r.NextToken])).toEqual([
      [50, undefined],
      [50, 't1'],
      [50, 't2'],
    ]);
    const body = JSON.parse(run.stdout) as { Events: unknown[]; NextToken?: string };
    expect(body.Events).toHaveLength(57);
    expect(body.NextToken).toBeUndefined();
    expect(services.waits).toEqual([LOOKUP_SPACING_MS, LOOKUP_SPACING_MS]);
  });

  it('--max-items stops inside a page and --starting-token resumes exactly there', async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: events(0, 5), NextToken: 'p2' })
      .resolvesOnce({ Events: events(5, 5), NextToken: 'p3' });
    const first = await lookup(['--max-items', '7', '--max-results', '5', '--output', 'json']);
    const body = JSON.parse(first.stdout) as { Events: { EventId: string }[]; NextToken: string };
    expect(body.Events.map((e) => e.EventId.slice(-2))).toEqual(['00', '01', '02', '03', '04', '05', '06']);
    expect(decodeResumeToken(body.NextToken)).toEqual({ token: 'p2', truncate: 2 });

    cloudtrail.reset();
    cloudtrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: events(5, 5), NextToken: 'p3' })
      .resolvesOnce({ Events: events(10, 5) });
    const second = await lookup([
      '--all',
      '--max-results',
      '5',
      '--starting-token',
      body.NextToken,
      '--output',
      'json',
    ]);
    const rest = JSON.parse(second.stdout) as { Events: { EventId: string }[] };
    expect(rest.Events.map((e) => e.EventId.slice(-2))).toEqual([
      '07',
      '08',
      '09',
      '10',
      '11',
      '12',
      '13',
      '14',
    ]);
    expect(requests()[0]?.NextToken).toBe('p2');
  });

  it('takes a raw API NextToken as --starting-token too', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    await lookup(['--starting-token', 'raw-token-from-the-api']);
    expect(requests()[0]?.NextToken).toBe('raw-token-from-the-api');
  });

  it('retries ThrottlingException with backoff and goes on', async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ Events: events(0, 3) });
    const services = harness();
    const run = await lookup(['--output', 'json'], services);
    expect(run.code).toBe(0);
    expect(requests()).toHaveLength(3);
    // Backoff 500 ms, then 1 s, never closer than the pacing interval.
    expect(services.waits).toEqual([LOOKUP_SPACING_MS, 1000]);
    expect((JSON.parse(run.stdout) as { Events: unknown[] }).Events).toHaveLength(3);
  });

  it('gives up after repeated throttling with a clear error and exit 1', async () => {
    cloudtrail.on(LookupEventsCommand).rejects(awsError('ThrottlingException'));
    const run = await lookup([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/LookupEvents failed: ThrottlingException: CloudTrail is throttling calls/);
  });

  it('explains the errors LookupEvents itself returns', async () => {
    cloudtrail.on(LookupEventsCommand).rejects(awsError('InvalidNextTokenException'));
    const run = await lookup(['--starting-token', 'stale']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/InvalidNextTokenException: the starting token is not valid/);
  });

  it('says so when the endpoint does not answer as CloudTrail does (moto_server lacks LookupEvents)', async () => {
    const html = Object.assign(
      new SyntaxError(
        'Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: …',
      ),
      { $metadata: { httpStatusCode: 404 } },
    );
    cloudtrail.on(LookupEventsCommand).rejects(html);
    const run = await lookup(['--endpoint-url', 'http://127.0.0.1:5000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /LookupEvents failed: SyntaxError: the endpoint did not answer with CloudTrail's JSON .*check --endpoint-url/,
    );
  });

  for (const key of LOOKUP_ATTRIBUTE_KEYS) {
    it(`--lookup-attributes passes ${key} through`, async () => {
      cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
      const value = key === 'ReadOnly' ? 'false' : `value-of-${key}`;
      const run = await lookup(['--lookup-attributes', `AttributeKey=${key},AttributeValue=${value}`]);
      expect(run.code).toBe(0);
      expect(requests()[0]?.LookupAttributes).toEqual([{ AttributeKey: key, AttributeValue: value }]);
    });
  }

  it('reads the JSON form of --lookup-attributes and values holding commas', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    await lookup(['--lookup-attributes', '[{"AttributeKey":"ResourceName","AttributeValue":"a,b"}]']);
    await lookup(['--lookup-attributes', 'AttributeKey=ResourceName,AttributeValue=c,d']);
    expect(requests().map((r) => r.LookupAttributes?.[0]?.AttributeValue)).toEqual(['a,b', 'c,d']);
  });

  it('passes times (relative, ISO, epoch), --event-category insight and the region', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const run = await lookup([
      '--start-time',
      '-2h',
      '--end-time',
      '1795348800',
      '--event-category',
      'insight',
      '--region',
      'eu-west-3',
      '--endpoint-url',
      'http://127.0.0.1:1',
    ]);
    expect(run.code).toBe(0);
    const [request] = requests();
    expect(request?.StartTime).toEqual(new Date(NOW - 7_200_000));
    expect(request?.EndTime).toEqual(new Date(1_795_348_800_000));
    expect(request?.EventCategory).toBe('insight');
    const client = cloudtrail.commandCalls(LookupEventsCommand)[0]?.thisValue as CloudTrailClient;
    expect(await client.config.region()).toBe('eu-west-3');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(run.stderr).toMatch(/0 event\(s\) in eu-west-3 from 1 LookupEvents call/);
  });

  it('says Event history keeps 90 days when the start is older, and still looks up the rest', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const run = await lookup(['--start-time', '2026-06-01']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /note: Event history keeps 90 days: events before 2026-08-24 are not returned\. .*trailwatch backtest s3:\/\/BUCKET\/PREFIX --since 2026-06-01 --until 2026-08-24/,
    );
    expect(requests()).toHaveLength(1);
  });

  const refused: [string, string[], RegExp][] = [
    [
      'an unknown attribute key',
      ['--lookup-attributes', 'AttributeKey=UserName,AttributeValue=a'],
      /unknown AttributeKey "UserName" \(did you mean Username\?\)/,
    ],
    [
      'a made-up key',
      ['--lookup-attributes', 'AttributeKey=Colour,AttributeValue=a'],
      /LookupEvents takes EventId, EventName, ReadOnly/,
    ],
    [
      'two attributes',
      [
        '--lookup-attributes',
        'AttributeKey=Username,AttributeValue=a',
        'AttributeKey=EventName,AttributeValue=b',
      ],
      /takes one attribute per call; got 2 \(Username, EventName\)/,
    ],
    [
      'a shorthand it cannot read',
      ['--lookup-attributes', 'Username=alice'],
      /write AttributeKey=KEY,AttributeValue=VALUE/,
    ],
    ['broken JSON', ['--lookup-attributes', '[{"AttributeKey":'], /invalid JSON/],
    [
      'an empty value',
      ['--lookup-attributes', 'AttributeKey=Username,AttributeValue='],
      /1 to 2000 characters/,
    ],
    [
      'ReadOnly that is not a boolean',
      ['--lookup-attributes', 'AttributeKey=ReadOnly,AttributeValue=yes'],
      /ReadOnly takes true or false/,
    ],
    ['--max-results 0', ['--max-results', '0'], /--max-results takes a whole number from 1 to 50; got 0/],
    ['--max-results 51', ['--max-results', '51'], /from 1 to 50; got 51/],
    ['--max-items abc', ['--max-items', 'abc'], /--max-items takes a whole number/],
    ['--all with --max-items', ['--all', '--max-items', '3'], /exclude each other/],
    ['an unreadable time', ['--start-time', 'yesterday-ish'], /--start-time: cannot read "yesterday-ish"/],
    [
      'a start after the end',
      ['--start-time', '-1h', '--end-time', '-2h'],
      /--start-time is after --end-time/,
    ],
    [
      'a window wholly older than 90 days',
      ['--start-time', '2026-01-01', '--end-time', '2026-02-01'],
      /Event history keeps 90 days .*trailwatch backtest s3:\/\/BUCKET\/PREFIX --since 2026-01-01 --until 2026-02-01/,
    ],
    ['another event category', ['--event-category', 'management'], /--event-category takes insight/],
    ['another output', ['--output', 'yaml'], /--output takes table, json/],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what} before calling AWS`, async () => {
      const run = await lookup(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(requests()).toHaveLength(0);
    });
  }

  describe('--rules: audit a person', () => {
    function config(): string {
      const dir = mkdtempSync(join(tmpdir(), 'trailwatch-lookup-'));
      const file = join(dir, 'trailwatch.yml');
      writeFileSync(file, 'placeholders:\n  wide_permission_roles: ["arn:aws:iam::*:role/Admin"]\n');
      return file;
    }

    it('evaluates the shipped rules on the events looked up and prints the alerts', async () => {
      cloudtrail.on(LookupEventsCommand).resolves({
        Events: [
          sdkEvent(0),
          sdkEvent(1, { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', readOnly: true }),
        ],
      });
      const args = [
        '--lookup-attributes',
        'AttributeKey=Username,AttributeValue=alice',
        '--start-time',
        '-24h',
      ];
      const table = await lookup([...args, '--rules', '--config', config()]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/IAM change by a wide-permission role/);
      expect(table.stderr).toMatch(/2 event\(s\) .*, \d+ alert\(s\) from \d+ rule\(s\)/);

      const json = await lookup([...args, '--rules', '--config', config(), '--output', 'json']);
      const body = JSON.parse(json.stdout) as {
        Events: unknown[];
        Findings: { title: string; eventID: string }[];
      };
      expect(body.Events).toHaveLength(2);
      expect(body.Findings.map((f) => f.title)).toContain('IAM change by a wide-permission role');
      expect(body.Findings.every((f) => f.eventID === record(0).eventID)).toBe(true);
    });

    it('takes a rule path and reports a malformed CloudTrailEvent with its position', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'trailwatch-lookup-rules-'));
      writeFileSync(
        join(dir, 'create-user.yml'),
        'title: user created\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: CreateUser}, condition: s}\n',
      );
      cloudtrail.on(LookupEventsCommand).resolves({
        Events: [sdkEvent(0), { ...sdkEvent(1), CloudTrailEvent: '{"eventVersion": "1.09", ' }],
      });
      const run = await lookup(['--rules', dir, '--output', 'json']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: LookupEvents.*Events\[1\].*embedded JSON is invalid/);
      const body = JSON.parse(run.stdout) as { Findings: { title: string }[] };
      expect(body.Findings.map((f) => f.title)).toEqual(['user created']);
    });
  });
});
