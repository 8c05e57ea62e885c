import { describe, expect, it } from 'vitest';
import type { SourcedPolicy, WideReason } from '../../lib/iam';
import { parsePolicyDocument, wideReasons } from '../../lib/iam';

const CONTEXT = { partition: 'aws', account: '111122223333' } as const;

type StatementJson = Record<string, unknown>;

const inline = (name: string, ...statements: StatementJson[]): SourcedPolicy => ({
  policy: { kind: 'inline', name },
  document: parsePolicyDocument({ Version: '2012-10-17', Statement: statements }, name),
});
const boundaryOf = (...statements: StatementJson[]): SourcedPolicy => ({
  policy: { kind: 'boundary', name: 'fence', arn: 'arn:aws:iam::111122223333:policy/fence' },
  document: parsePolicyDocument({ Version: '2012-10-17', Statement: statements }, 'fence'),
});
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: StatementJson = {}) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: StatementJson = {}) => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});
const MFA_FALSE = { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } };
const FROM_OFFICE = { Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } };

interface Case {
  readonly name: string;
  readonly policies: readonly SourcedPolicy[];
  readonly boundary?: SourcedPolicy;
  /** [capability, title fragment, conditional] per reason, in order. */
  readonly expected: readonly (readonly [WideReason['capability'], string, boolean])[];
}

const CASES: readonly Case[] = [
  {
    name: 'Action * on *',
    policies: [inline('admin', allow('*'))],
    expected: [['all-actions', 'every action on every resource', false]],
  },
  {
    name: 'Action *:*',
    policies: [inline('admin', allow('*:*'))],
    expected: [['all-actions', 'every action', false]],
  },
  {
    name: 'Action * on arn:aws:*:*:*:* (six wildcard parts)',
    policies: [inline('admin', allow('*', 'arn:aws:*:*:*:*'))],
    expected: [['all-actions', 'every action', false]],
  },
  {
    name: 'iam:* on *, escalations not repeated',
    policies: [inline('iam', allow('iam:*'))],
    expected: [['iam-all', 'iam:*', false]],
  },
  {
    name: 'iam:Put* is three escalations in one reason',
    policies: [inline('put', allow('iam:Put*'))],
    expected: [
      ['iam-escalation', 'iam:PutRolePolicy: write an inline policy on any role; iam:PutUserPolicy', false],
    ],
  },
  {
    name: 'iam:Put* on some roles only is not wide',
    policies: [inline('put', allow('iam:Put*', 'arn:aws:iam::111122223333:role/app-*'))],
    expected: [],
  },
  {
    name: 'iam:PutRolePolicy on every role of every account',
    policies: [inline('put', allow('iam:PutRolePolicy', 'arn:aws:iam::*:role/*'))],
    expected: [['iam-escalation', 'iam:PutRolePolicy', false]],
  },
  {
    name: 'roles of another account only',
    policies: [inline('put', allow('iam:PutRolePolicy', 'arn:aws:iam::999999999999:role/*'))],
    expected: [],
  },
  {
    name: '? wildcard',
    policies: [inline('q', allow('iam:P?tRolePolicy'))],
    expected: [['iam-escalation', 'iam:PutRolePolicy', false]],
  },
  {
    name: 'actions compare case-insensitively',
    policies: [inline('c', allow('IAM:putrolepolicy'))],
    expected: [['iam-escalation', 'iam:PutRolePolicy', false]],
  },
  {
    name: 'CreatePolicyVersion',
    policies: [inline('v', allow('iam:CreatePolicyVersion', 'arn:aws:iam::111122223333:policy/*'))],
    expected: [['iam-escalation', 'iam:CreatePolicyVersion', false]],
  },
  {
    name: 'CreateAccessKey and CreateLoginProfile on every user',
    policies: [
      inline(
        'keys',
        allow(['iam:CreateAccessKey', 'iam:CreateLoginProfile'], 'arn:aws:iam::111122223333:user/*'),
      ),
    ],
    expected: [
      ['iam-escalation', 'iam:CreateAccessKey: create keys for any user; iam:CreateLoginProfile', false],
    ],
  },
  {
    name: 'UpdateAssumeRolePolicy',
    policies: [inline('t', allow('iam:UpdateAssumeRolePolicy'))],
    expected: [['iam-escalation', 'trust policy', false]],
  },
  {
    name: 'PassRole with RunInstances',
    policies: [inline('ec2', allow('iam:PassRole'), allow('ec2:RunInstances'))],
    expected: [['passrole-compute', 'ec2:RunInstances', false]],
  },
  {
    name: 'PassRole with RunInstances limited to one region still runs code as any role',
    policies: [
      inline(
        'ec2',
        allow('iam:PassRole', 'arn:aws:iam::111122223333:role/*'),
        allow('ec2:RunInstances', 'arn:aws:ec2:eu-west-1:111122223333:*'),
      ),
    ],
    expected: [['passrole-compute', 'ec2:RunInstances', false]],
  },
  { name: 'PassRole alone', policies: [inline('p', allow('iam:PassRole'))], expected: [] },
  { name: 'RunInstances alone', policies: [inline('r', allow('ec2:RunInstances'))], expected: [] },
  {
    name: 'PassRole on one role with RunInstances',
    policies: [
      inline('p', allow('iam:PassRole', 'arn:aws:iam::111122223333:role/web'), allow('ec2:RunInstances')),
    ],
    expected: [],
  },
  {
    name: 'PassRole with Lambda create and invoke',
    policies: [inline('l', allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']))],
    expected: [['passrole-compute', 'lambda:CreateFunction and lambda:InvokeFunction', false]],
  },
  {
    name: 'PassRole with Lambda create and an event source mapping',
    policies: [
      inline('l', allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'])),
    ],
    expected: [['passrole-compute', 'lambda:CreateFunction', false]],
  },
  {
    name: 'PassRole with Lambda create but no way to run it',
    policies: [inline('l', allow(['iam:PassRole', 'lambda:CreateFunction']))],
    expected: [],
  },
  {
    name: 'PassRole with glue and cloudformation through the same statements: one reason naming both',
    policies: [
      inline('g', allow('iam:PassRole'), allow(['glue:CreateDevEndpoint', 'cloudformation:CreateStack'])),
    ],
    expected: [
      [
        'passrole-compute',
        'glue:CreateDevEndpoint: run code as any role; iam:PassRole with cloudformation:CreateStack',
        false,
      ],
    ],
  },
  {
    name: 'PassRole with compute in two statements: two reasons',
    policies: [
      inline(
        'g',
        allow('iam:PassRole'),
        allow('glue:CreateDevEndpoint'),
        allow('cloudformation:CreateStack'),
      ),
    ],
    expected: [
      ['passrole-compute', 'glue:CreateDevEndpoint', false],
      ['passrole-compute', 'cloudformation:CreateStack', false],
    ],
  },
  {
    name: 'sts:AssumeRole on *',
    policies: [inline('a', allow('sts:AssumeRole'))],
    expected: [['assume-any-role', 'sts:AssumeRole', false]],
  },
  {
    name: 'sts:AssumeRole on one role',
    policies: [inline('a', allow('sts:AssumeRole', 'arn:aws:iam::111122223333:role/deploy'))],
    expected: [],
  },
  {
    name: 'NotAction: every action but IAM and Organizations',
    policies: [inline('power', { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' })],
    expected: [['all-actions', 'except iam:*, organizations:*', false]],
  },
  {
    name: 'NotAction leaving sts out still grants PassRole with compute',
    policies: [inline('n', { Effect: 'Allow', NotAction: 'sts:*', Resource: '*' })],
    expected: [['all-actions', 'except sts:*', false]],
  },
  {
    name: 'NotResource away from one bucket is still everything',
    policies: [inline('nr', { Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::secrets/*' })],
    expected: [['all-actions', 'every action on every resource', false]],
  },
  {
    name: 'NotResource leaving out all of IAM',
    policies: [inline('nr', { Effect: 'Allow', Action: 'iam:*', NotResource: 'arn:aws:iam::*:*' })],
    expected: [],
  },
  {
    name: 'Deny * overrides Allow *',
    policies: [inline('admin', allow('*')), inline('stop', deny('*'))],
    expected: [],
  },
  {
    name: 'Deny iam:* carves IAM out of Allow *',
    policies: [inline('admin', allow('*'), deny('iam:*'))],
    expected: [['all-actions', 'except iam:*', false]],
  },
  {
    name: 'Deny PassRole leaves iam:* but no pair',
    policies: [inline('x', allow(['iam:*', 'ec2:*']), deny('iam:PassRole'))],
    expected: [['iam-all', 'iam:*', false]],
  },
  {
    name: 'Deny on one role does not take the power over the others',
    policies: [
      inline(
        'x',
        allow('iam:PutRolePolicy'),
        deny('iam:PutRolePolicy', 'arn:aws:iam::111122223333:role/Admin'),
      ),
    ],
    expected: [['iam-escalation', 'iam:PutRolePolicy', false]],
  },
  {
    name: 'a conditional Deny makes the grant conditional',
    policies: [inline('admin', allow('*'), deny('*', '*', MFA_FALSE))],
    expected: [['all-actions', 'every action on every resource', true]],
  },
  {
    name: 'a condition on the Allow makes it conditional',
    policies: [inline('admin', allow('*', '*', FROM_OFFICE))],
    expected: [['all-actions', 'every action', true]],
  },
  {
    name: 'an unconditional Allow beside a conditional one is not conditional',
    policies: [inline('a', allow('*', '*', FROM_OFFICE)), inline('b', allow('*'))],
    expected: [['all-actions', 'every action', false]],
  },
  {
    name: 'boundary allowing only S3 removes the admin grant',
    policies: [inline('admin', allow('*'))],
    boundary: boundaryOf(allow('s3:*')),
    expected: [],
  },
  {
    name: 'boundary allowing IAM leaves iam:*',
    policies: [inline('admin', allow('*'))],
    boundary: boundaryOf(allow('iam:*')),
    expected: [['iam-all', 'iam:*', false]],
  },
  {
    name: 'a Deny in the boundary applies',
    policies: [inline('admin', allow('*'))],
    boundary: boundaryOf(allow('*'), deny('iam:*')),
    expected: [['all-actions', 'except iam:*', false]],
  },
  {
    name: 'a conditional boundary makes the grant conditional',
    policies: [inline('admin', allow('*'))],
    boundary: boundaryOf(allow('*', '*', FROM_OFFICE)),
    expected: [['all-actions', 'every action', true]],
  },
  {
    name: 'read-only',
    policies: [inline('ro', allow(['s3:Get*', 's3:List*', 'iam:Get*', 'iam:List*', 'ec2:Describe*']))],
    expected: [],
  },
  {
    name: 'iam:Pass* is PassRole (wildcards in actions)',
    policies: [inline('w', allow(['iam:Pass*', 'ec2:Run*']))],
    expected: [['passrole-compute', 'ec2:RunInstances', false]],
  },
];

describe('wideReasons: which capabilities policies grant', () => {
  it.each(CASES)('$name', ({ policies, boundary, expected }) => {
    const reasons = wideReasons(policies, boundary, CONTEXT);
    expect(reasons.map((reason) => [reason.capability, reason.conditional])).toEqual(
      expected.map(([capability, , conditional]) => [capability, conditional]),
    );
    reasons.forEach((reason, index) => {
      expect(reason.title).toContain(expected[index]?.[1]);
    });
  });

  it('cites the granting statement, the boundary and a conditional deny', () => {
    const [reason] = wideReasons(
      [inline('admin', { Sid: 'All', ...allow('*') }, deny('*', '*', MFA_FALSE))],
      boundaryOf(allow('*')),
      CONTEXT,
    );
    expect(reason?.statements).toEqual([
      { policy: { kind: 'inline', name: 'admin' }, statement: 0, sid: 'All', conditions: '', role: 'grants' },
      {
        policy: { kind: 'boundary', name: 'fence', arn: 'arn:aws:iam::111122223333:policy/fence' },
        statement: 0,
        conditions: '',
        role: 'boundary allows',
      },
      {
        policy: { kind: 'inline', name: 'admin' },
        statement: 1,
        conditions: 'BoolIfExists aws:MultiFactorAuthPresent=false',
        role: 'may deny',
      },
    ]);
  });

  it('cites both statements of a PassRole pair', () => {
    const [reason] = wideReasons(
      [inline('pass', allow('iam:PassRole')), inline('run', allow('ec2:RunInstances'))],
      undefined,
      CONTEXT,
    );
    expect(reason?.statements.map((cited) => cited.policy.name)).toEqual(['pass', 'run']);
  });
});
