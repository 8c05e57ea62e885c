/**
 * One flag name per meaning: the names every command shows in --help, the old spellings that still
 * work for a release (hidden, with one deprecation line on stderr), the schema that checks them at
 * the edge (a usage error naming the flag as typed, exit 2), and `trailwatch` with no command.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandFlags } from '../../lib/cli/flags';
import { scanFlags } from '../../lib/cli/scan';
import { runCli } from '../helpers/cli';

const A = '111111111111';
const B = '222222222222';

function record(id: string, account: string, region: string): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: '2026-10-05T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: region,
    eventID: id,
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${account}:user/alice`,
      accountId: account,
      userName: 'alice',
    },
    recipientAccountId: account,
  };
}

let file = '';
let rule = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'trailwatch-flags-'));
  file = join(dir, 'records.json');
  writeFileSync(
    file,
    JSON.stringify({
      Records: [
        record('a-east', A, 'us-east-1'),
        record('a-west', A, 'eu-west-1'),
        record('b-west', B, 'eu-west-1'),
      ],
    }),
  );
  rule = join(dir, 'rule.yml');
  writeFileSync(
    rule,
    'title: any CreateUser\nid: 5d1f0b1e-0a52-4c55-9d1c-7f0e8a7c0002\nlevel: low\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: CreateUser}, condition: s}\n',
  );
});

const ids = (stdout: string): string[] =>
  ['a-east', 'a-west', 'b-west'].filter((id) => stdout.includes(`"${id}"`));
const deprecationLines = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => /is deprecated|--region also keeps only/.test(line));

describe('the flag names each command shows', () => {
  const READ = [
    '--since',
    '--until',
    '--account',
    '--record-region',
    '--region',
    '--endpoint-url',
    '--profile',
  ];
  it.each([
    ['cat', READ],
    ['scan', [...READ, '--output', '--rules', '--config']],
    ['audit', [...READ, '--output', '--who', '--lookup']],
    ['backtest', [...READ, '--output', '--rules', '--config']],
    [
      'lookup',
      [
        '--lookup-attributes',
        '--start-time',
        '--end-time',
        '--max-items',
        '--starting-token',
        '--region',
        '--profile',
        '--output',
      ],
    ],
    ['roles', ['--output', '--region', '--endpoint-url', '--profile']],
    ['trail status', ['--name', '--config', '--region', '--endpoint-url', '--profile', '--output']],
    ['notify test', ['--config', '--profile']],
    ['rules list', ['--config', '--output']],
  ])('%s --help lists its flags and none of the old spellings', async (command, flags) => {
    const run = await runCli([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    for (const flag of flags) expect(run.stdout).toMatch(new RegExp(`\\s${flag} `));
    for (const old of ['--format', '--accounts', '--regions', '--s3-region', '--json']) {
      expect(run.stdout).not.toContain(old);
    }
    if (command !== 'lookup') expect(run.stdout).not.toMatch(/--start-time|--end-time/);
  });
});

describe('the old spellings work for a release, each with one line on stderr', () => {
  it.each([
    [
      '--record-region (no notice)',
      ['cat', '<file>', '--record-region', 'eu-west-1'],
      ['a-west', 'b-west'],
      0,
    ],
    ['--account (no notice)', ['cat', '<file>', '--account', A], ['a-east', 'a-west'], 0],
    ['--regions is --record-region', ['cat', '<file>', '--regions', 'eu-west-1'], ['a-west', 'b-west'], 1],
    ['--accounts is --account', ['cat', '<file>', '--accounts', B], ['b-west'], 1],
    ['--region still filters records in cat', ['cat', '<file>', '--region', 'us-east-1'], ['a-east'], 1],
    [
      '--region with --record-region is the client only',
      ['cat', '<file>', '--region', 'us-east-1', '--record-region', 'eu-west-1'],
      ['a-west', 'b-west'],
      0,
    ],
    [
      '--s3-region is --region, the client',
      ['cat', '<file>', '--s3-region', 'eu-west-1'],
      ['a-east', 'a-west', 'b-west'],
      1,
    ],
    [
      '--s3-region with the old --region filter',
      ['cat', '<file>', '--s3-region', 'eu-west-1', '--region', 'us-east-1'],
      ['a-east'],
      2,
    ],
    [
      '--format is --output',
      ['scan', '<file>', '--rules', '<rule>', '--format', 'ndjson'],
      ['a-east', 'a-west', 'b-west'],
      1,
    ],
    [
      '--start-time/--end-time are audit --since/--until',
      [
        'audit',
        '<file>',
        '--who',
        'alice',
        '--rules',
        '<rule>',
        '--output',
        'json',
        '--start-time',
        '2026-10-05',
        '--end-time',
        '2026-10-04',
      ],
      [],
      2,
    ],
  ])('%s', async (_, args, expected, notices) => {
    const run = await runCli(args.map((arg) => (arg === '<file>' ? file : arg === '<rule>' ? rule : arg)));
    expect(deprecationLines(run.stderr)).toHaveLength(notices);
    if (args[0] === 'audit') {
      // The old names carried the window: since after until is refused, naming the spellings typed.
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--start-time is after --until');
      return;
    }
    expect(run.code).toBe(0);
    expect(ids(run.stdout)).toEqual(expected);
  });

  it('rules list --json is --output json', async () => {
    const run = await runCli(['rules', 'list', rule, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ title: 'any CreateUser' })]);
    expect(deprecationLines(run.stderr)).toEqual([
      'trailwatch: --json is deprecated: use --output json (--json goes in the next release)',
    ]);
  });
});

describe('the schema at the edge: a usage error naming the flag, exit 2', () => {
  it.each([
    [['scan', '<file>', '--output', 'xml'], '--output takes table, json, ndjson; got xml'],
    [['scan', '<file>', '--format', 'xml'], '--format takes table, json, ndjson; got xml'],
    [['scan', '<file>', '--format', 'json', '--output', 'json'], '--format and --output say the same thing'],
    [
      ['scan', '<file>', '--min-level', 'severe'],
      '--min-level takes one of informational, low, medium, high, critical; got severe',
    ],
    [
      ['scan', '<file>', '--delivery-timeout', 'soon'],
      '--delivery-timeout takes a duration such as 500ms, 30s or 2m; got soon',
    ],
    [
      ['cat', '<file>', '--max-record-size', 'big'],
      '--max-record-size takes a size such as 262144, 256KB or 16MiB; got big',
    ],
    [
      ['cat', '<file>', '--record-region', 'mars'],
      '--record-region takes region names such as eu-west-1; got mars',
    ],
    [['cat', '<file>', '--regions', 'mars'], '--regions takes region names such as eu-west-1; got mars'],
    [['cat', '<file>', '--account', '12'], '--account takes 12-digit account ids; got 12'],
    [['cat', '<file>', '--until', 'yesterday'], '--until: cannot read "yesterday" as a time'],
    [['cat', '<file>', '--since', '2026-10-06', '--until', '2026-10-05'], '--since is after --until'],
    [
      ['backtest', '.', '--since', '-1d', '--concurrency', '0'],
      '--concurrency takes a whole number from 1 to 64; got 0',
    ],
    [['lookup', '--region', 'us-east-1,eu-west-1'], '--region takes one region'],
    [['lookup', '--max-items', 'many'], '--max-items takes a whole number from 1; got many'],
    [['lookup', '--end-time', 'soon'], '--end-time: cannot read "soon" as a time'],
    [['roles', '--region', 'mars'], '--region takes a region name such as eu-west-1; got mars'],
    [['roles', '--output', 'yaml'], '--output takes table, json; got yaml'],
    [['trail', 'status', '--output', 'yaml'], '--output takes text, json; got yaml'],
    [['rules', 'list', '--output', 'csv'], '--output takes text, json; got csv'],
    [['audit', '<file>', '--who', ' '], '--who NAME is required'],
  ])('%j', async (args, message) => {
    const run = await runCli(args.map((arg) => (arg === '<file>' ? file : arg)));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('hands the command typed values, defaults included', () => {
    const io = { stderr: new PassThrough() };
    const now = Date.parse('2026-10-10T12:00:00Z');
    const options = commandFlags(
      scanFlags(now),
      { since: '-1d', until: '2026-10-10', minLevel: 'HIGH' },
      [],
      io,
    );
    expect(options).toEqual({
      since: Date.parse('2026-10-09T12:00:00Z'),
      until: Date.parse('2026-10-10T23:59:59.999Z'),
      minLevel: 'high',
      output: 'table',
      deliveryTimeout: 60_000,
    });
  });
});

describe('without a command', () => {
  it.each([
    [[], 2, 'Usage: trailwatch'],
    [['rules'], 2, 'Usage: trailwatch rules'],
    [['trail'], 2, 'Usage: trailwatch trail'],
  ])('%j prints help on stderr and exits %i', async (args, code, help) => {
    const run = await runCli(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(help);
  });

  it.each([[['--help']], [['--version']], [['help']]])('%j exits 0', async (args) => {
    expect((await runCli(args)).code).toBe(0);
  });
});
