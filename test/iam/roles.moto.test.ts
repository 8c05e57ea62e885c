import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RolesReport } from '../../lib/iam';
import { runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

/** moto's default account. */
const ACCOUNT = '123456789012';
const arn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const document = (...Statement: Record<string, unknown>[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (
  Action: string | string[],
  Resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const trust = (
  Principal: Record<string, unknown> | '*',
  Action = 'sts:AssumeRole',
  extra: Record<string, unknown> = {},
) => document({ Effect: 'Allow', Principal, Action, ...extra });
const ACCOUNT_TRUST_MFA = trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'sts:AssumeRole', {
  Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
});

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`moto returned no ${what}`);
  return value;
}

interface RoleSetup {
  readonly name: string;
  readonly path?: string;
  readonly trust: string;
  readonly inline?: readonly string[];
  readonly managed?: readonly string[];
  readonly boundary?: string;
}

describe.skipIf(!motoAvailable)('trailwatch roles against moto_server (IAM)', () => {
  let moto: Moto;
  let client: IAMClient;
  let customerReadOnlyNowArn: string;
  let fenceArn: string;

  async function createRole(setup: RoleSetup): Promise<void> {
    await client.send(
      new CreateRoleCommand({
        RoleName: setup.name,
        AssumeRolePolicyDocument: setup.trust,
        ...(setup.path ? { Path: setup.path } : {}),
        ...(setup.boundary ? { PermissionsBoundary: setup.boundary } : {}),
      }),
    );
    for (const [index, text] of (setup.inline ?? []).entries())
      await client.send(
        new PutRolePolicyCommand({
          RoleName: setup.name,
          PolicyName: `inline-${index}`,
          PolicyDocument: text,
        }),
      );
    for (const policyArn of setup.managed ?? [])
      await client.send(new AttachRolePolicyCommand({ RoleName: setup.name, PolicyArn: policyArn }));
  }

  beforeAll(async () => {
    moto = await startMoto({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } });
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    client = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    fenceArn = required(
      (
        await client.send(
          new CreatePolicyCommand({ PolicyName: 'fence-s3-only', PolicyDocument: document(allow('s3:*')) }),
        )
      ).Policy?.Arn,
      'policy ARN',
    );
    // v1 was admin; v2 (the default now) only reads: the default version is what counts.
    customerReadOnlyNowArn = required(
      (
        await client.send(
          new CreatePolicyCommand({ PolicyName: 'was-admin', PolicyDocument: document(allow('*')) }),
        )
      ).Policy?.Arn,
      'policy ARN',
    );
    await client.send(
      new CreatePolicyVersionCommand({
        PolicyArn: customerReadOnlyNowArn,
        PolicyDocument: document(allow(['s3:Get*', 's3:List*'])),
        SetAsDefault: true,
      }),
    );
    const roles: RoleSetup[] = [
      {
        name: 'Admin',
        path: '/ops/',
        trust: ACCOUNT_TRUST_MFA,
        inline: [document({ Sid: 'All', ...allow('*') })],
      },
      {
        name: 'IamAdmin',
        trust: trust({ AWS: 'arn:aws:iam::444455556666:role/ci' }, 'sts:AssumeRole', {
          Condition: { StringEquals: { 'sts:ExternalId': 'ci-42' } },
        }),
        inline: [document(allow('iam:*'))],
      },
      {
        name: 'PassRunner',
        trust: trust({ Service: 'ec2.amazonaws.com' }),
        inline: [
          document(allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/*`), allow('ec2:RunInstances')),
        ],
      },
      // AdministratorAccess inside a boundary that allows only S3: nothing administrator-equivalent left.
      { name: 'Fenced', trust: ACCOUNT_TRUST_MFA, managed: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      {
        name: 'DeniedAdmin',
        trust: ACCOUNT_TRUST_MFA,
        inline: [document(allow('*'), { Effect: 'Deny', Action: '*', Resource: '*' })],
      },
      {
        name: 'AllButIam',
        trust: ACCOUNT_TRUST_MFA,
        inline: [document({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' })],
      },
      { name: 'ReadOnly', trust: ACCOUNT_TRUST_MFA, managed: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      {
        name: 'SamlAdmin',
        trust: trust({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` }, 'sts:AssumeRoleWithSAML', {
          Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
        }),
        managed: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      },
      {
        name: 'OfficeAdmin',
        trust: ACCOUNT_TRUST_MFA,
        inline: [
          document(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })),
        ],
      },
      { name: 'WasAdmin', trust: ACCOUNT_TRUST_MFA, managed: [customerReadOnlyNowArn] },
    ];
    for (const role of roles)
      await createRole(role.name === 'Fenced' ? { ...role, boundary: fenceArn } : role);
    const fenced = await client.send(new GetRoleCommand({ RoleName: 'Fenced' }));
    expect(fenced.Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(fenceArn);
  }, 120_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await moto?.stop();
  });

  it('lists exactly the wide roles, each with why and who may assume it', async () => {
    const run = await runCli(['roles', '--output', 'json', '--endpoint-url', moto.endpoint]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RolesReport;
    expect(report.examined).toBe(10);
    const byArn = new Map(report.wide.map((role) => [role.arn, role]));
    expect([...byArn.keys()].sort()).toEqual(
      [
        arn('Admin', '/ops/'),
        arn('IamAdmin'),
        arn('PassRunner'),
        arn('AllButIam'),
        arn('SamlAdmin'),
        arn('OfficeAdmin'),
      ].sort(),
    );
    const why = (name: string, path?: string) =>
      byArn
        .get(arn(name, path))
        ?.reasons.map((reason) => [reason.capability, reason.title, reason.conditional]);

    expect(why('Admin', '/ops/')).toEqual([['all-actions', 'every action on every resource', false]]);
    expect(byArn.get(arn('Admin', '/ops/'))?.reasons[0]?.statements).toEqual([
      {
        policy: { kind: 'inline', name: 'inline-0' },
        statement: 0,
        sid: 'All',
        conditions: '',
        role: 'grants',
      },
    ]);
    expect(why('IamAdmin')).toEqual([['iam-all', 'iam:* (all of IAM)', false]]);
    expect(why('PassRunner')).toEqual([
      ['passrole-compute', 'iam:PassRole with ec2:RunInstances: run code as any role', false],
    ]);
    expect(why('AllButIam')).toEqual([
      ['all-actions', 'every action on every resource except iam:*, organizations:*', false],
    ]);
    expect(why('OfficeAdmin')).toEqual([['all-actions', 'every action on every resource', true]]);
    expect(byArn.get(arn('OfficeAdmin'))?.reasons[0]?.statements[0]?.conditions).toBe(
      'IpAddress aws:SourceIp=203.0.113.0/24',
    );
    // The AWS managed policy's own document, evaluated and cited by name and ARN.
    const saml = byArn.get(arn('SamlAdmin'));
    expect(saml?.reasons.map((reason) => reason.capability)).toEqual(['all-actions']);
    expect(saml?.reasons[0]?.statements[0]?.policy).toEqual({
      kind: 'aws-managed',
      name: 'AdministratorAccess',
      arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    });
    expect(saml?.problems).toEqual([]);

    // Who may assume each.
    expect(byArn.get(arn('Admin', '/ops/'))?.assumableBy).toEqual([
      {
        kind: 'account',
        principal: `arn:aws:iam::${ACCOUNT}:root`,
        actions: ['sts:AssumeRole'],
        conditions: 'Bool aws:MultiFactorAuthPresent=true',
        statement: 0,
      },
    ]);
    expect(byArn.get(arn('IamAdmin'))?.assumableBy).toEqual([
      {
        kind: 'role',
        principal: 'arn:aws:iam::444455556666:role/ci',
        actions: ['sts:AssumeRole'],
        conditions: 'StringEquals sts:ExternalId=ci-42',
        statement: 0,
      },
    ]);
    expect(byArn.get(arn('PassRunner'))?.assumableBy.map((entry) => [entry.kind, entry.principal])).toEqual([
      ['service', 'ec2.amazonaws.com'],
    ]);
    expect(saml?.assumableBy.map((entry) => [entry.kind, entry.principal, entry.actions.join()])).toEqual([
      ['federated', `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`, 'sts:AssumeRoleWithSAML'],
    ]);
  });

  it('prints a table: role, reasons with policy and statement, conditional mark, principals', async () => {
    const run = await runCli(['roles', '--endpoint-url', moto.endpoint]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `${arn('Admin', '/ops/')}\n  wide because:\n    - every action on every resource\n        grants inline policy inline-0, statement 0 (All)\n  assumable by:\n    - account arn:aws:iam::${ACCOUNT}:root if Bool aws:MultiFactorAuthPresent=true\n`,
    );
    expect(run.stdout).toContain(
      '    - every action on every resource [CONDITIONAL]\n        grants inline policy inline-0, statement 0 if IpAddress aws:SourceIp=203.0.113.0/24',
    );
    expect(run.stdout).toContain('grants AWS managed policy AdministratorAccess, statement 0');
    expect(run.stdout).toContain(
      `federated arn:aws:iam::${ACCOUNT}:saml-provider/Okta [sts:AssumeRoleWithSAML]`,
    );
    expect(run.stdout).toContain('6 of 10 role(s) grant administrator-equivalent power');
    expect(run.stdout).not.toContain('role/ReadOnly');
    expect(run.stdout).not.toContain('role/Fenced');
  });

  it('exit 1 naming the endpoint when IAM cannot be read; exit 2 for a bad format', async () => {
    const dead = 'http://127.0.0.1:9';
    const failed = await runCli(['roles', '--endpoint-url', dead]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^trailwatch: error: IAM GetAccountAuthorizationDetails at http:\/\/127\.0\.0\.1:9 failed/,
    );
    expect(failed.stdout).toBe('');
    const usage = await runCli(['roles', '--output', 'yaml', '--endpoint-url', moto.endpoint]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--output takes table, json; got yaml');
  }, 60_000);
});
