import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TrailwatchConfig } from '../../lib/config';
import { parseConfig } from '../../lib/config';
import { refreshWideRoles, WideRolesSource, WideRolesStore, wideRolesRuntime } from '../../lib/iam';
import { jsonLines, runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const ACCOUNT = '123456789012';
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/team/Admin`;
const READER = `arn:aws:iam::${ACCOUNT}:role/Reader`;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }],
});

/** A rule of our own on the documented field, so the test does not depend on the shipped pack's wording. */
const RULE = `title: change by a wide role
id: 5d1c7f3e-1b7a-4c55-9b0e-3e8a2f1d9c01
status: test
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    userIdentity.sessionContext.sessionIssuer.arn|expand: '%wide_permission_roles%'
  condition: selection
`;

function record(roleArn: string, eventID: string): Record<string, unknown> {
  const roleName = roleArn.split('/').pop();
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:alice',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/alice`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLE',
          arn: roleArn,
          accountId: ACCOUNT,
          userName: roleName,
        },
      },
    },
    eventTime: '2026-11-30T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
  };
}

describe('placeholders: auto is known only for wide_permission_roles', () => {
  it('is refused elsewhere with its line', () => {
    expect(() => parseConfig('placeholders:\n  admins: auto\n', '/x/trailwatch.yml')).toThrow(
      "/x/trailwatch.yml:2: placeholders.admins: 'auto' is known only for wide_permission_roles",
    );
    const config = parseConfig(
      'placeholders:\n  wide_permission_roles: auto\n  other: [a]\n',
      '/x/trailwatch.yml',
    );
    expect(config.autoPlaceholders).toEqual(['wide_permission_roles']);
    expect(config.placeholders).toEqual({ wide_permission_roles: [], other: ['a'] });
  });
});

describe.skipIf(!motoAvailable)('wide_permission_roles: auto on moto_server', () => {
  let moto: Moto;
  let dir: string;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_IAM;

  beforeAll(async () => {
    moto = await startMoto();
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    await iam.send(
      new CreateRoleCommand({ RoleName: 'Admin', Path: '/team/', AssumeRolePolicyDocument: TRUST }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Admin',
        PolicyName: 'all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'Reader', AssumeRolePolicyDocument: TRUST }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Reader',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }],
        }),
      }),
    );
    dir = mkdtempSync(join(tmpdir(), 'trailwatch-auto-'));
    writeFileSync(join(dir, 'trailwatch.yml'), 'placeholders:\n  wide_permission_roles: auto\n');
    writeFileSync(join(dir, 'rule.yml'), RULE);
    writeFileSync(
      join(dir, 'events.jsonl'),
      `${[record(ADMIN, 'e-admin'), record(READER, 'e-reader')].map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
  }, 60_000);

  afterEach(() => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
    else process.env.AWS_ENDPOINT_URL_IAM = savedEndpoint;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await moto?.stop();
  });

  const scan = () =>
    runCli([
      'scan',
      join(dir, 'events.jsonl'),
      '--config',
      join(dir, 'trailwatch.yml'),
      '--rules',
      join(dir, 'rule.yml'),
      '--output',
      'ndjson',
    ]);

  it('scan reads IAM once and the rule matches the wide role only', async () => {
    process.env.AWS_ENDPOINT_URL_IAM = moto.endpoint;
    const run = await scan();
    expect(run.stderr).not.toContain('error');
    const findings = jsonLines(run.stdout);
    expect(findings.map((finding) => JSON.stringify(finding)).join()).toContain('e-admin');
    expect(findings.map((finding) => JSON.stringify(finding)).join()).not.toContain('e-reader');
    expect(findings).toHaveLength(1);
  });

  it('an unreadable IAM is exit 1 naming the config and the endpoint, not an empty list', async () => {
    process.env.AWS_ENDPOINT_URL_IAM = 'http://127.0.0.1:9';
    const run = await scan();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `trailwatch: error: placeholders.wide_permission_roles is 'auto' in ${join(dir, 'trailwatch.yml')}, but IAM could not be read: IAM GetAccountAuthorizationDetails at http://127.0.0.1:9 failed`,
    );
  }, 60_000);

  it('the health run stores the list; ingest runtimes read it at cold start, then every 10 minutes', async () => {
    const table = 'trailwatch-state-auto';
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const config: TrailwatchConfig = {
      ...parseConfig('placeholders:\n  wide_permission_roles: auto\n', join(dir, 'trailwatch.yml')),
      state: { backend: 'dynamodb', table, endpoint: moto.endpoint, region: 'us-east-1' },
    };
    const store = new WideRolesStore({ table, client: dynamo });
    const logged: string[] = [];
    const log = {
      info: (message: string) => logged.push(`info ${message}`),
      warn: (message: string) => logged.push(`warn ${message}`),
      error: (message: string) => logged.push(`error ${message}`),
    };
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });

    // Before any health run: the runtime is built, with a warning, and nothing matches.
    const builds: (readonly string[])[] = [];
    const supply = wideRolesRuntime(
      { config },
      (placeholders) => {
        builds.push(placeholders.wide_permission_roles ?? []);
        return { config };
      },
      log,
      new WideRolesSource(store),
    );
    await supply.current(0);
    expect(builds).toEqual([[]]);
    expect(logged).toContain(
      'warn wide_permission_roles is auto and no list is stored yet (the health run writes it)',
    );

    const outcome = await refreshWideRoles({ config, log, now: 1_000, iam, store });
    expect(outcome).toEqual({
      kind: 'stored',
      snapshot: { roles: [ADMIN], refreshedAt: 1_000, truncated: 0 },
    });
    expect(await store.get()).toEqual({ roles: [ADMIN], refreshedAt: 1_000, truncated: 0 });

    // Within 10 minutes of the last read the stored item is not read again; after, it is, and the
    // rules are rebuilt once with the new list.
    await supply.current(5 * 60_000);
    expect(builds).toEqual([[]]);
    await supply.current(10 * 60_000);
    expect(builds).toEqual([[], [ADMIN]]);
    await supply.current(21 * 60_000);
    expect(builds).toEqual([[], [ADMIN]]);

    // IAM unreadable: logged as an error, the stored list stays.
    const failed = await refreshWideRoles({
      config,
      log,
      now: 2_000,
      iam: new IAMClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: MOTO_CREDENTIALS,
        maxAttempts: 1,
      }),
      store,
    });
    expect(failed.kind).toBe('failed');
    expect(logged.some((line) => line.startsWith('error wide permission roles could not be refreshed'))).toBe(
      true,
    );
    expect((await store.get())?.roles).toEqual([ADMIN]);
  }, 60_000);
});
