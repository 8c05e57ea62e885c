import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../lib/audit';
import { runCli } from '../helpers/cli';
import type { RawRecord } from './scenario';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ADMIN,
  assumeRole,
  assumeRoleTargetCopy,
  call,
  iamUser,
  logFile,
  ORG_ADMIN,
  roleSession,
} from './scenario';

/**
 * alice and bob both assume Admin with the session name `deploy`; alice chains into OrgAdmin in a
 * second account; a third `deploy` session of Admin started before the data. The calls sit in the
 * first file, the AssumeRoles that explain them in the second: only the first pass makes them
 * attributable.
 */
const alice = iamUser('alice');
const bob = iamUser('bob');
const aliceAdmin = roleSession(ADMIN, 'deploy', 'ASIAALICEADMIN000001');
const bobAdmin = roleSession(ADMIN, 'deploy', 'ASIABOBADMIN00000002');
const aliceOrg = roleSession(ORG_ADMIN, 'deploy', 'ASIAALICEORG00000003');
const ghost = roleSession(ADMIN, 'deploy', 'ASIAGHOST00000000009');

const aliceIntoAdmin = assumeRole('2026-11-20T09:00:00Z', alice, ADMIN, 'deploy', 'ASIAALICEADMIN000001');
const bobIntoAdmin = assumeRole('2026-11-20T09:01:00Z', bob, ADMIN, 'deploy', 'ASIABOBADMIN00000002');
const aliceIntoOrg = assumeRole(
  '2026-11-20T09:04:00Z',
  aliceAdmin,
  ORG_ADMIN,
  'deploy',
  'ASIAALICEORG00000003',
  {
    sharedEventID: 'a1b2c3d4-0000-4000-8000-00000000c0de',
  },
);
const aliceIntoOrgCopy = assumeRoleTargetCopy(aliceIntoOrg, ACCOUNT_A);
const createUser = call('2026-11-20T09:02:00Z', aliceAdmin, 'iam', 'CreateUser', false);
const listBuckets = call('2026-11-20T09:03:00Z', bobAdmin, 's3', 'ListBuckets', true);
const runInstances = call('2026-11-20T09:05:00Z', aliceOrg, 'ec2', 'RunInstances', false, {
  errorCode: 'Client.UnauthorizedOperation',
  errorMessage: 'You are not authorized to perform this operation.',
  sourceIPAddress: '198.51.100.7',
});
const ghostDelete = call('2026-11-20T09:06:00Z', ghost, 'iam', 'DeleteUser', false);

let dir: string;
let calls: string;
let starts: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-'));
  calls = join(dir, '1-calls.json');
  starts = join(dir, '2-starts.json');
  writeFileSync(calls, logFile([createUser, listBuckets, aliceIntoOrgCopy, runInstances, ghostDelete]));
  writeFileSync(starts, logFile([aliceIntoAdmin, bobIntoAdmin, aliceIntoOrg]));
});

async function auditJson(
  args: string[],
  stdin = '',
): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const run = await runCli(['audit', ...args, '--format', 'json'], stdin);
  return { code: run.code, report: JSON.parse(run.stdout) as AuditReport, stderr: run.stderr };
}

const ids = (records: readonly RawRecord[]) => records.map((r) => r.eventID);

describe('trailwatch audit over files', () => {
  it('answers what alice did: her IAM-user calls, her Admin session, her chain into OrgAdmin, nothing of bob', async () => {
    const { code, report, stderr } = await auditJson([calls, starts, '--who', 'alice']);
    expect(stderr).toContain('inputs read twice');
    expect(code).toBe(0);
    expect(report.people).toEqual([
      { name: 'alice', arn: `arn:aws:iam::${ACCOUNT_A}:user/alice`, kind: 'iam-user' },
    ]);
    expect(report.sessions.map((s) => [s.started.kind, s.via, s.actions.map((a) => a.eventID)])).toEqual([
      ['iam-user', [], ids([aliceIntoAdmin])],
      ['cli-assume-role', [ADMIN], ids([createUser, aliceIntoOrg])],
      ['cli-assume-role', [ADMIN, ORG_ADMIN], ids([runInstances])],
    ]);
    const [, admin, org] = report.sessions;
    expect(admin?.started.eventID).toBe(aliceIntoAdmin.eventID);
    expect(org?.started.eventID).toBe(aliceIntoOrg.eventID);
    expect(org?.accounts).toEqual([ACCOUNT_A, ACCOUNT_B]);
    expect(org?.sourceIPs).toEqual(['198.51.100.7']);
    expect(org?.actions[0]).toMatchObject({
      account: ACCOUNT_B,
      service: 'ec2',
      action: 'RunInstances',
      access: 'write',
      errorCode: 'Client.UnauthorizedOperation',
    });
    expect(report.summary).toMatchObject({ sessions: 3, actions: 4, writes: 2, reads: 2, errors: 1 });
    expect(report.summary.accounts).toEqual([ACCOUNT_A, ACCOUNT_B]);
    // The ghost session of Admin is nobody's: counted, not hidden, not given to alice.
    expect(report.unattributed).toEqual({ sessions: 1, actions: 1, roles: [{ name: ADMIN, count: 1 }] });
    for (const session of report.sessions)
      for (const action of session.actions) expect(action.eventID).toMatch(/^0{8}-/);
  });

  it('answers what bob did, apart from alice although the role and session name are the same', async () => {
    const { code, report } = await auditJson([calls, starts, '--who', 'BOB']);
    expect(code).toBe(0);
    expect(report.sessions.map((s) => s.actions.map((a) => a.action))).toEqual([
      ['AssumeRole'],
      ['ListBuckets'],
    ]);
  });

  it.each([
    ['the ARN', `arn:aws:iam::${ACCOUNT_A}:user/alice`],
    ['another case', 'ALICE'],
  ])('matches the person by %s', async (_, who) => {
    const { code, report } = await auditJson([calls, starts, '--who', who]);
    expect(code).toBe(0);
    expect(report.summary.actions).toBe(4);
  });

  it('never takes a session name for a person: --who deploy finds nobody and exits 1', async () => {
    const run = await runCli(['audit', calls, starts, '--who', 'deploy']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('no session of deploy found');
  });

  it('reads standard input twice from one buffered copy', async () => {
    const stdin = `${logFile([createUser, listBuckets, runInstances])}\n${logFile([aliceIntoAdmin, aliceIntoOrg])}`;
    const { code, report } = await auditJson(['-', '--who', 'alice'], stdin);
    expect(code).toBe(0);
    expect(report.summary.actions).toBe(4);
    expect(report.sessions[2]?.via).toEqual([ADMIN, ORG_ADMIN]);
  });

  it('with --since, still learns the session started before the window', async () => {
    const { code, report } = await auditJson([
      calls,
      starts,
      '--who',
      'alice',
      '--since',
      '2026-11-20T09:05:00Z',
    ]);
    expect(code).toBe(0);
    expect(report.sessions.map((s) => s.actions.map((a) => a.action))).toEqual([['RunInstances']]);
    expect(report.sessions[0]?.via).toEqual([ADMIN, ORG_ADMIN]);
  });

  it('prints a table per session and a summary, every data string neutralised', async () => {
    const hostile = join(dir, 'hostile.json');
    writeFileSync(
      hostile,
      logFile([
        aliceIntoAdmin,
        call('2026-11-20T09:07:00Z', aliceAdmin, 'iam', 'CreateUser', false, {
          errorCode: 'Denied\u001b]0;pwned\u0007\nfake: line',
          sourceIPAddress: '\u202e1.2.3.4',
        }),
      ]),
    );
    const run = await runCli(['audit', hostile, '--who', 'alice']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Session 2: CLI AssumeRole at 2026-11-20T09:00:00Z');
    expect(run.stdout).toContain('via        Admin (111111111111)');
    expect(run.stdout).toContain('Summary');
    expect(run.stdout).toContain('Denied\\x1b]0;pwned\\x07\\nfake: line');
    expect(run.stdout).toContain('\\u202e1.2.3.4');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none reaches the terminal.
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('writes the HTML timeline with --html', async () => {
    const file = join(dir, 'alice.html');
    const run = await runCli(['audit', calls, starts, '--who', 'alice', '--html', file]);
    expect(run.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h1>What alice did</h1>');
    expect(html).toContain('ec2:RunInstances');
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
  });

  it.each([
    [['audit', 'x.json'], '--who NAME is required'],
    [['audit', 'x.json', '--who', 'alice', '--format', 'csv'], '--format takes table, json'],
    [['audit', '--who', 'alice'], 'name at least one input'],
    // --start-time is the old spelling of --since (both modes now take --since/--until): not both.
    [
      ['audit', 'x.json', '--who', 'alice', '--start-time', '-1h', '--since', '-2h'],
      '--start-time and --since say the same thing',
    ],
    [['audit', 'x.json', '--lookup', '--who', 'alice'], '--lookup reads Event history: it takes no inputs'],
    [
      ['audit', '--lookup', '--who', 'alice', '--record-region', 'eu-west-1'],
      '--record-region filters files',
    ],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('exits 1 when an input cannot be read, even when the person was found', async () => {
    const run = await runCli(['audit', calls, starts, join(dir, 'missing.json'), '--who', 'alice']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('missing.json');
  });
});
