/**
 * The powers that make a role administrator-equivalent, each as probes: one action on a resource
 * that stands for "any resource of that kind" (a name no policy would single out). A pattern that
 * covers the probe covers every such resource; the region part stands for any region, since one
 * region is enough to run code as another role.
 * Escalation paths: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html and
 * the published IAM privilege-escalation catalogue (Rhino Security Labs, "AWS IAM Privilege
 * Escalation – Methods and Mitigation").
 */
import type { ProbeArn } from './wildcard';
import { ANY_PART } from './wildcard';

/** The account and partition the role lives in: probes are built in them. */
export interface ProbeContext {
  readonly partition: string;
  readonly account: string;
}

/** A name no real policy lists, so only a wildcard covers it. */
export const PROBE_NAME = 'trailwatch-probe-any-resource';
/** An action no AWS service has: only `*` (or a NotAction that leaves it out) grants it. */
export const ANY_ACTION_PROBE = 'trailwatchprobe:AnyAction';

export interface ProbeSpec {
  readonly action: string;
  readonly resource: (context: ProbeContext) => ProbeArn;
}

export type CapabilityId =
  | 'all-actions'
  | 'iam-all'
  | 'iam-escalation'
  | 'passrole-compute'
  | 'assume-any-role';

export interface Capability {
  readonly id: CapabilityId;
  /** What the power is, for a reader: "create a new version of any managed policy". */
  readonly title: string;
  /** Every group must be granted; within a group, any one probe will do. */
  readonly requires: readonly (readonly ProbeSpec[])[];
}

const iam =
  (type: string) =>
  ({ partition, account }: ProbeContext): ProbeArn => [
    'arn',
    partition,
    'iam',
    '',
    account,
    `${type}/${PROBE_NAME}`,
  ];
const regional =
  (service: string, resource: string) =>
  ({ partition, account }: ProbeContext): ProbeArn => [
    'arn',
    partition,
    service,
    ANY_PART,
    account,
    resource,
  ];

const role = iam('role');
const user = iam('user');
const group = iam('group');
const policy = iam('policy');
/** Every resource of every service: what `Resource: "*"` says. */
const anyResource = regional('trailwatchprobe', PROBE_NAME);

const passRole: ProbeSpec = { action: 'iam:PassRole', resource: role };
const one = (action: string, resource: ProbeSpec['resource']): readonly ProbeSpec[] => [{ action, resource }];

const escalation = (action: string, resource: ProbeSpec['resource'], title: string): Capability => ({
  id: 'iam-escalation',
  title: `${action}: ${title}`,
  requires: [one(action, resource)],
});

const compute = (title: string, ...groups: (readonly ProbeSpec[])[]): Capability => ({
  id: 'passrole-compute',
  title: `iam:PassRole with ${title}: run code as any role`,
  requires: [[passRole], ...groups],
});

/** In order of reach: a reason already explained by an earlier capability is not repeated. */
export const CAPABILITIES: readonly Capability[] = [
  {
    id: 'all-actions',
    title: 'every action on every resource',
    requires: [one(ANY_ACTION_PROBE, anyResource)],
  },
  {
    id: 'iam-all',
    title: 'iam:* (all of IAM)',
    requires: [one('iam:TrailwatchProbeAnyIamAction', iam(PROBE_NAME))],
  },
  escalation('iam:CreatePolicyVersion', policy, 'rewrite any customer managed policy'),
  escalation('iam:SetDefaultPolicyVersion', policy, 'switch any managed policy to an older, wider version'),
  escalation('iam:AttachRolePolicy', role, 'attach any policy to any role'),
  escalation('iam:PutRolePolicy', role, 'write an inline policy on any role'),
  escalation('iam:UpdateAssumeRolePolicy', role, "rewrite any role's trust policy"),
  escalation('iam:AttachUserPolicy', user, 'attach any policy to any user'),
  escalation('iam:PutUserPolicy', user, 'write an inline policy on any user'),
  escalation('iam:AttachGroupPolicy', group, 'attach any policy to any group'),
  escalation('iam:PutGroupPolicy', group, 'write an inline policy on any group'),
  escalation('iam:AddUserToGroup', group, 'join any group'),
  escalation('iam:CreateAccessKey', user, 'create keys for any user'),
  escalation('iam:CreateLoginProfile', user, 'set a console password for any user'),
  escalation('iam:UpdateLoginProfile', user, "change any user's console password"),
  compute(
    'lambda:CreateFunction and lambda:InvokeFunction',
    one('lambda:CreateFunction', regional('lambda', `function:${PROBE_NAME}`)),
    [
      { action: 'lambda:InvokeFunction', resource: regional('lambda', `function:${PROBE_NAME}`) },
      {
        action: 'lambda:CreateEventSourceMapping',
        resource: regional('lambda', `event-source-mapping:${PROBE_NAME}`),
      },
    ],
  ),
  compute('ec2:RunInstances', one('ec2:RunInstances', regional('ec2', `instance/${PROBE_NAME}`))),
  compute(
    'glue:CreateDevEndpoint',
    one('glue:CreateDevEndpoint', regional('glue', `devEndpoint/${PROBE_NAME}`)),
  ),
  compute(
    'cloudformation:CreateStack',
    one('cloudformation:CreateStack', regional('cloudformation', `stack/${PROBE_NAME}/${PROBE_NAME}`)),
  ),
  { id: 'assume-any-role', title: 'sts:AssumeRole on any role', requires: [one('sts:AssumeRole', role)] },
];

/**
 * AWS managed policies that are administrator-equivalent by name, for when the document itself was
 * not returned (the account's authorization details list only policies it reads). When the
 * document is there, its statements are evaluated like any other.
 * - AdministratorAccess: every action on every resource.
 * - IAMFullAccess: iam:*, enough to grant itself anything.
 * - PowerUserAccess: every action except IAM, Organizations and Account management; it cannot
 *   widen IAM itself, but it can read, change and delete every other resource, which is the reach
 *   the wide-permission rules exist to watch.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
 */
export const AWS_MANAGED_ADMIN_POLICIES: Readonly<Record<string, string>> = {
  AdministratorAccess: 'every action on every resource',
  IAMFullAccess: 'iam:* (all of IAM)',
  PowerUserAccess: 'every action except IAM, Organizations and Account management',
};
