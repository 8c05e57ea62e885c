import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { fixturePath, fixtureRecords } from '../helpers/fixtures';
import { ruleDir } from '../helpers/rules';

/** The AWS documentation examples that are usable records (the fixture also holds five without eventID). */
const docs = join(mkdtempSync(join(tmpdir(), 'trailwatch-scan-')), 'docs.jsonl');
writeFileSync(
  docs,
  fixtureRecords('aws-docs-examples.jsonl')
    .map((r) => JSON.stringify(r))
    .join('\n'),
);
const docsWithInvalid = fixturePath('jsonl', 'aws-docs-examples.jsonl');
const NDJSON_KEYS = [
  'ruleId',
  'title',
  'level',
  'eventID',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'recipientAccountId',
  'principal',
  'sourceIPAddress',
  'origin',
];

describe('trailwatch scan', () => {
  it('prints ndjson findings with the documented fields', async () => {
    const run = await runCli(['scan', docs, '--format', 'ndjson']);
    expect(run.code).toBe(0);
    const findings = jsonLines(run.stdout);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) for (const key of NDJSON_KEYS) expect(finding).toHaveProperty(key);
    const rootLogin = findings.find((f) => f.title === 'Root user signed in without MFA');
    expect(rootLogin).toMatchObject({
      level: 'critical',
      principal: 'arn:aws:iam::111122223333:root',
      eventName: 'ConsoleLogin',
    });
    expect(String(rootLogin?.origin)).toMatch(/docs\.jsonl:\d+/);
    expect(run.stderr).toMatch(
      /record\(s\) read \(\d+ ruled out unparsed\), \d+ detection and first-seen rule\(s\), \d+ correlation rule\(s\), \d+ rule match\(es\), \d+ alert\(s\), 0 input problem\(s\)/,
    );
  });

  it('reports records it cannot use and exits 1, after printing the findings', async () => {
    const run = await runCli(['scan', docsWithInvalid, '--format', 'ndjson']);
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout).length).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/aws-docs-examples\.jsonl:\d+ .*missing eventID/);
  });

  it('prints a table by default and JSON with a summary on request', async () => {
    const table = await runCli(['scan', docs]);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^TIME\s+LEVEL\s+PERSON\s+RULE\s+PRINCIPAL\s+EVENT\s+SOURCE IP\s+REGION$/,
    );
    const json = JSON.parse((await runCli(['scan', docs, '--format', 'json'])).stdout) as {
      findings: unknown[];
      summary: { recordsRead: number };
    };
    expect(json.findings.length).toBe(table.stdout.trim().split('\n').length - 1);
    expect(json.summary.recordsRead).toBe(31);
  });

  it('--min-level hides lower findings and --fail-on sets the exit code', async () => {
    const high = jsonLines(
      (await runCli(['scan', docs, '--format', 'ndjson', '--min-level', 'high'])).stdout,
    );
    expect(high.length).toBeGreaterThan(0);
    expect(high.every((f) => f.level === 'high' || f.level === 'critical')).toBe(true);
    expect((await runCli(['scan', docs, '--fail-on', 'critical'])).code).toBe(1);
    expect((await runCli(['scan', fixturePath('logs'), '--fail-on', 'critical'])).code).toBe(0);
  });

  it('audits a wide-permission role through trailwatch.yml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwatch-scan-'));
    const config = join(dir, 'trailwatch.yml');
    writeFileSync(config, 'placeholders:\n  wide_permission_roles: ["arn:aws:iam::*:role/Admin"]\n');
    const record = {
      eventVersion: '1.09',
      eventTime: '2024-05-01T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      awsRegion: 'us-east-1',
      eventID: 'e-1',
      readOnly: false,
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
        sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin' } },
      },
      requestParameters: { userName: 'bob' },
    };
    const run = await runCli(['scan', '-', '--config', config, '--format', 'ndjson'], JSON.stringify(record));
    expect(
      jsonLines(run.stdout)
        .map((f) => f.title)
        .sort(),
    ).toEqual([
      'Access key created for another IAM user',
      'Any change by a wide-permission role',
      'IAM change by a wide-permission role',
    ]);
  });

  it('reports a bad rule with file:line, scans with the rest, and exits 1', async () => {
    const dir = ruleDir({
      'ok.yml':
        'title: any console login\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: ConsoleLogin}, condition: s}\n',
      'bad.yml':
        'title: bad\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName|nope: x}\n  condition: s\n',
    });
    const run = await runCli(['scan', docs, '--rules', dir, '--format', 'ndjson']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/rule error: .*bad\.yml:4: unknown modifier 'nope'/);
    expect(jsonLines(run.stdout).length).toBeGreaterThan(0);
  });

  const usage: [string[], RegExp][] = [
    [['scan', docs, '--format', 'xml'], /--format takes table, json, ndjson; got xml/],
    [
      ['scan', docs, '--min-level', 'severe'],
      /--min-level takes one of informational, low, medium, high, critical/,
    ],
    [['scan', docs, '--config', '/nonexistent/trailwatch.yml'], /no such file/],
  ];
  for (const [args, message] of usage) {
    it(`exits 2 for ${args.slice(2).join(' ')}`, async () => {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  }
});

describe('trailwatch rules', () => {
  it('validate lists every problem at once and exits 1', async () => {
    const dir = ruleDir({
      'a.yml':
        'title: a\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName|re: "("}\n  condition: s\n',
      'b.yml':
        'title: b\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName: x}\n  condition: s and t\n',
    });
    const run = await runCli(['rules', 'validate', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/a\.yml:4: bad regular expression/);
    expect(run.stderr).toMatch(/b\.yml:5: condition: the condition names 't'/);
    expect(run.stdout).toMatch(
      /0 detection rule\(s\) and 0 correlation rule\(s\) loaded from 2 file\(s\); 2 error\(s\)/,
    );
  });

  it('validate passes on the shipped pack', async () => {
    const run = await runCli(['rules', 'validate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /\d+ detection rule\(s\) and \d+ correlation rule\(s\) loaded from \d+ file\(s\); 0 error\(s\)/,
    );
  });

  it('test runs every inline test and explains a failure', async () => {
    const dir = ruleDir({
      'r.yml':
        'title: r\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: CreateUser}, condition: s}\ntests:\n  - {name: wrong, expect: true, event: {eventName: DeleteUser}}\n',
    });
    const run = await runCli(['rules', 'test', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /FAIL r > wrong \(expect match\)\n {4}expected a match but the rule did not match: s did not match; condition: s/,
    );
    expect(run.stderr).toMatch(/'r' has no negative test/);
    const shipped = await runCli(['rules', 'test']);
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toMatch(/\d+ passed, 0 failed, across \d+ rule\(s\); 0 rule\(s\) lack/);
  });

  it('list shows levels, tags and what only feeds a correlation', async () => {
    const run = await runCli(['rules', 'list', '--json']);
    const rows = JSON.parse(run.stdout) as { title: string; kind: string; correlationOnly: boolean }[];
    expect(rows.find((r) => r.title === 'Account enumeration call')?.correlationOnly).toBe(true);
    expect(rows.filter((r) => r.kind === 'correlation').length).toBeGreaterThanOrEqual(5);
  });
});
