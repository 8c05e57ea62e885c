import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../lib/audit';
import { runCli } from '../helpers/cli';
import type { RawRecord } from './scenario';
import { ACCOUNT_A, ADMIN, assumeRole, call, iamUser, ORG_ADMIN, roleSession } from './scenario';

/**
 * LookupEvents' documented limit: two per second, per account, per Region.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
const LIMIT_PER_WINDOW = 2;
const WINDOW_MS = 1000;
/** Events per page the fake returns whatever MaxResults asks: makes every lookup follow NextToken. */
const PAGE_CAP = 2;
const AUDITOR = `arn:aws:iam::${ACCOUNT_A}:role/Auditor`;

/**
 * Event history of account A as LookupEvents serves it over JSON 1.1 on 127.0.0.1: one attribute
 * per call (Username: the IAM user name or the role session name; AccessKeyId: the key the call
 * was signed with), newest first, `PAGE_CAP` per page chained by NextToken, a ThrottlingException
 * past 2 arrivals in a second. Records of other accounts are not in it, as in AWS.
 */
class FakeEventHistory {
  readonly arrivals: number[] = [];
  readonly asked: string[] = [];
  throttled = 0;
  private server: Server | undefined;

  constructor(private readonly records: readonly RawRecord[]) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  busiestWindow(): number {
    let most = 0;
    for (const start of this.arrivals) {
      most = Math.max(most, this.arrivals.filter((t) => t >= start && t - start < WINDOW_MS).length);
    }
    return most;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrived = performance.now();
    this.arrivals.push(arrived);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (!String(request.headers['x-amz-target']).endsWith('.LookupEvents')) {
      return reply(response, 400, { __type: 'UnknownOperationException' });
    }
    if (this.arrivals.filter((time) => time > arrived - WINDOW_MS).length > LIMIT_PER_WINDOW) {
      this.throttled++;
      return reply(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
      NextToken?: string;
    };
    const [attribute] = input.LookupAttributes ?? [];
    if (!input.NextToken) this.asked.push(`${attribute?.AttributeKey}=${attribute?.AttributeValue}`);
    const matching = this.records
      .filter((record) => record.recipientAccountId === ACCOUNT_A)
      .filter(
        (record) =>
          attribute === undefined || attributeOf(record, attribute.AttributeKey) === attribute.AttributeValue,
      )
      .sort((a, b) => Date.parse(String(b.eventTime)) - Date.parse(String(a.eventTime)));
    const offset = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = matching.slice(offset, offset + PAGE_CAP);
    const next = offset + PAGE_CAP < matching.length ? { NextToken: String(offset + PAGE_CAP) } : {};
    return reply(response, 200, { Events: page.map(toEvent), ...next });
  }
}

function attributeOf(record: RawRecord, key: string): string | undefined {
  const identity = record.userIdentity as {
    type?: string;
    userName?: string;
    arn?: string;
    accessKeyId?: string;
  };
  if (key === 'AccessKeyId') return identity.accessKeyId;
  if (key !== 'Username') return undefined;
  if (identity.type === 'IAMUser') return identity.userName;
  if (identity.type === 'AssumedRole') return identity.arn?.slice(identity.arn.lastIndexOf('/') + 1);
  return undefined;
}

function toEvent(record: RawRecord) {
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    AccessKeyId: (record.userIdentity as { accessKeyId?: string }).accessKeyId,
    EventTime: Date.parse(String(record.eventTime)) / 1000,
    EventSource: record.eventSource,
    Username: attributeOf(record, 'Username'),
    CloudTrailEvent: JSON.stringify(record),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req' });
  response.end(JSON.stringify(body));
}

// alice: IAM user → Admin (K1) → Auditor (K2, same account) and → OrgAdmin (K3, account B, whose
// history is not here). bob uses Admin too. A session of Admin named `alice` started before the data.
const alice = iamUser('alice');
const bob = iamUser('bob');
const k1 = roleSession(ADMIN, 'deploy', 'ASIAK1ALICEADMIN0001');
const k2 = roleSession(AUDITOR, 'deploy', 'ASIAK2ALICEAUDIT0002');
const k3 = roleSession(ORG_ADMIN, 'deploy', 'ASIAK3ALICEORG000003');
const ghost = roleSession(ADMIN, 'alice', 'ASIAGHOSTNAMEDALICE9');
const intoAdmin = assumeRole('2026-11-20T09:00:00Z', alice, ADMIN, 'deploy', 'ASIAK1ALICEADMIN0001');
const createUser = call('2026-11-20T09:02:00Z', k1, 'iam', 'CreateUser', false);
const intoAuditor = assumeRole('2026-11-20T09:03:00Z', k1, AUDITOR, 'deploy', 'ASIAK2ALICEAUDIT0002');
const getObject = call('2026-11-20T09:04:00Z', k2, 's3', 'GetObject', true);
const intoOrg = assumeRole('2026-11-20T09:05:00Z', k1, ORG_ADMIN, 'deploy', 'ASIAK3ALICEORG000003');
const inOrg = call('2026-11-20T09:06:00Z', k3, 'ec2', 'RunInstances', false);
const bobIn = assumeRole('2026-11-20T09:01:00Z', bob, ADMIN, 'deploy', 'ASIABOBADMIN00000002');
const bobList = call(
  '2026-11-20T09:07:00Z',
  roleSession(ADMIN, 'deploy', 'ASIABOBADMIN00000002'),
  's3',
  'ListBuckets',
  true,
);
const ghostDelete = call('2026-11-20T09:08:00Z', ghost, 'iam', 'DeleteUser', false);

const history = new FakeEventHistory([
  intoAdmin,
  createUser,
  intoAuditor,
  getObject,
  intoOrg,
  inOrg,
  bobIn,
  bobList,
  ghostDelete,
]);
let url = '';
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  url = await history.start();
});
afterAll(async () => history.stop());
beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'example';
});
afterEach(() => {
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', saved.id],
    ['AWS_SECRET_ACCESS_KEY', saved.secret],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('trailwatch audit --lookup against a local Event history', () => {
  it("finds alice's calls by Username, follows each session she opened by AccessKeyId, paced at 2 per second", async () => {
    const run = await runCli([
      'audit',
      '--lookup',
      '--who',
      'alice',
      '--endpoint-url',
      url,
      '--region',
      'us-east-1',
      '--output',
      'json',
    ]);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    // Username first, then each returned key once, the chain's second hop through the first.
    expect(history.asked).toEqual([
      'Username=alice',
      'AccessKeyId=ASIAK1ALICEADMIN0001',
      'AccessKeyId=ASIAK2ALICEAUDIT0002',
      'AccessKeyId=ASIAK3ALICEORG000003',
    ]);
    expect({ busiest: history.busiestWindow(), throttled: history.throttled }).toEqual({
      busiest: 2,
      throttled: 0,
    });
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.sessions.map((s) => [s.started.kind, s.via, s.actions.map((a) => a.eventID)])).toEqual([
      ['iam-user', [], [intoAdmin.eventID]],
      ['cli-assume-role', [ADMIN], [createUser.eventID, intoAuditor.eventID, intoOrg.eventID]],
      ['cli-assume-role', [ADMIN, AUDITOR], [getObject.eventID]],
    ]);
    // The OrgAdmin session acted in account B, whose Event history this is not: only its AssumeRole shows.
    expect(JSON.stringify(report)).not.toContain(String(inOrg.eventID));
    // The session named `alice` is not taken for her: it is counted as a session nobody is known behind.
    expect(report.unattributed).toEqual({ sessions: 1, actions: 1, roles: [{ name: ADMIN, count: 1 }] });
    // 2 + 3 + 1 + 0 events; K1's three take two pages of PAGE_CAP.
    expect(run.stderr).toContain(
      '6 event(s) from 5 LookupEvents call(s) in us-east-1, 3 session(s) followed',
    );
  });

  it('exits 1 when Event history knows nobody by that name', async () => {
    const run = await runCli([
      'audit',
      '--lookup',
      '--who',
      'carol',
      '--endpoint-url',
      url,
      '--region',
      'us-east-1',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('no session of carol found');
  });

  it('refuses two regions: Event history is kept per region', async () => {
    const run = await runCli(['audit', '--lookup', '--who', 'alice', '--region', 'us-east-1,eu-west-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--region takes one region');
  });
});
