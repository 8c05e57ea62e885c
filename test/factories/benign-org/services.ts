/**
 * What AWS services do in every account of a Control Tower organisation every day, unasked: Config
 * recording and rule evaluations, Security Hub and GuardDuty reading configuration, Trusted
 * Advisor's daily checks, Identity Center checking its roles, CloudTrail checking its bucket, Control Tower's notification forwarder,
 * and KMS rotating keys. Service-linked roles follow
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html; service events
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html.
 */
import { awsService } from './records';
import type { Day, OrgTrail } from './world';
import { ACCOUNTS, caller, GOVERNED_REGIONS, HOME_REGION, SSO_SAML_PROVIDER, serviceCaller } from './world';

/** AWS Config's periodic describe calls through Control Tower's recorder role. */
const CONFIG_DESCRIBES: readonly (readonly [string, string])[] = [
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['ec2.amazonaws.com', 'DescribeVpcs'],
  ['ec2.amazonaws.com', 'DescribeSubnets'],
  ['ec2.amazonaws.com', 'DescribeVolumes'],
  ['ec2.amazonaws.com', 'DescribeTransitGateways'],
  ['lambda.amazonaws.com', 'ListFunctions20150331'],
  ['dynamodb.amazonaws.com', 'ListTables'],
  ['cloudtrail.amazonaws.com', 'DescribeTrails'],
  ['backup.amazonaws.com', 'ListBackupVaults'],
  ['codepipeline.amazonaws.com', 'ListPipelines'],
  ['rds.amazonaws.com', 'DescribeDBInstances'],
];

const CONFIG_RULES = [
  'securityhub-s3-bucket-public-read-prohibited-3f1a9c2e',
  'securityhub-iam-password-policy-recommended-defaults-8b2d41aa',
  'AWSControlTower_AWS-GR_EBS_OPTIMIZED_INSTANCE',
  'AWSControlTower_AWS-GR_RESTRICTED_SSH',
  'securityhub-vpc-default-security-group-closed-5d7e0c19',
];

const CONFIG_RESOURCE_TYPES = [
  'AWS::EC2::Instance',
  'AWS::EC2::SecurityGroup',
  'AWS::S3::Bucket',
  'AWS::IAM::Role',
];

function config(trail: OrgTrail, day: Day, account: string, region: string): void {
  const { random } = trail;
  for (let hour = 1; hour < 24; hour += 3) {
    const session = trail.session({
      account,
      roleName: 'aws-controltower-ConfigRecorderRole',
      sessionName: 'AWSConfig-Describe',
      created: trail.at(day, hour, random.int(0, 50)),
      invokedBy: 'config.amazonaws.com',
    });
    trail.serviceAssumes('config.amazonaws.com', session, region);
    const as = serviceCaller(session);
    for (let i = 0; i < 4; i++) {
      const [source, name] = random.pick(CONFIG_DESCRIBES);
      trail.call(as, session.spec.created + (i + 1) * 1500, region, source, name, { request: null });
    }
    for (let i = 0; i < random.int(1, 3); i++) {
      trail.call(
        as,
        session.spec.created + 9000 + i * 700,
        region,
        'config.amazonaws.com',
        'PutEvaluations',
        {
          request: {
            resultToken: random.alnum(48),
            testMode: false,
            evaluations: [
              {
                orderingTimestamp: new Date(session.spec.created).toISOString(),
                complianceResourceType: random.pick(CONFIG_RESOURCE_TYPES),
                complianceResourceId: random.roleId(),
                complianceType: random.chance(0.9) ? 'COMPLIANT' : 'NON_COMPLIANT',
              },
            ],
          },
          additional: {
            configRuleName: random.pick(CONFIG_RULES),
            notificationJobType: 'CONFIGURATION_ITEM_CHANGE',
          },
        },
      );
    }
  }
}

function securityHub(trail: OrgTrail, day: Day, account: string, region: string): void {
  const { random } = trail;
  for (let hour = 2; hour < 24; hour += 6) {
    const session = trail.serviceLinked(
      account,
      'securityhub.amazonaws.com',
      'AWSServiceRoleForSecurityHub',
      'securityhub',
      trail.at(day, hour, random.int(0, 50)),
    );
    const as = serviceCaller(session);
    trail.call(as, session.spec.created, region, 'config.amazonaws.com', 'DescribeConfigRules', {
      request: {},
    });
    trail.call(as, session.spec.created + 800, region, 'config.amazonaws.com', 'BatchGetResourceConfig', {
      request: {
        resourceKeys: [{ resourceType: 'AWS::EC2::SecurityGroup', resourceId: `sg-${random.hex(17)}` }],
      },
    });
    trail.call(
      as,
      session.spec.created + 1600,
      region,
      'config.amazonaws.com',
      'DescribeConfigRuleEvaluationStatus',
      {
        request: {},
      },
    );
  }
}

function guardDuty(trail: OrgTrail, day: Day, account: string, region: string): void {
  const { random } = trail;
  for (let hour = 0; hour < 24; hour += 4) {
    const session = trail.serviceLinked(
      account,
      'guardduty.amazonaws.com',
      'AWSServiceRoleForAmazonGuardDuty',
      'AmazonGuardDuty',
      trail.at(day, hour, random.int(0, 50)),
    );
    const as = serviceCaller(session);
    const names = [
      'DescribeInstances',
      'DescribeVpcEndpoints',
      'DescribeNetworkInterfaces',
      'DescribeImages',
    ];
    names.forEach((name, i) => {
      trail.call(as, session.spec.created + i * 400, region, 'ec2.amazonaws.com', name, { request: {} });
    });
  }
}

/** Trusted Advisor refreshes its checks once a day from the home region: a read of every kind. */
const TRUSTED_ADVISOR_READS: readonly (readonly [string, string])[] = [
  ['iam.amazonaws.com', 'GetAccountSummary'],
  ['iam.amazonaws.com', 'GetAccountPasswordPolicy'],
  ['iam.amazonaws.com', 'ListUsers'],
  ['iam.amazonaws.com', 'GenerateCredentialReport'],
  ['iam.amazonaws.com', 'GetCredentialReport'],
  ['s3.amazonaws.com', 'ListBuckets'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['ec2.amazonaws.com', 'DescribeVolumes'],
  ['ec2.amazonaws.com', 'DescribeAddresses'],
  ['ec2.amazonaws.com', 'DescribeReservedInstances'],
  ['rds.amazonaws.com', 'DescribeDBInstances'],
  ['cloudtrail.amazonaws.com', 'DescribeTrails'],
  ['elasticloadbalancing.amazonaws.com', 'DescribeLoadBalancers'],
  ['autoscaling.amazonaws.com', 'DescribeAutoScalingGroups'],
  ['route53.amazonaws.com', 'ListHostedZones'],
];

function trustedAdvisor(trail: OrgTrail, day: Day, account: string): void {
  const { random } = trail;
  const session = trail.serviceLinked(
    account,
    'trustedadvisor.amazonaws.com',
    'AWSServiceRoleForTrustedAdvisor',
    `TrustedAdvisor_${account}_${random.uuid()}`,
    trail.at(day, 5, random.int(0, 50)),
  );
  const as = serviceCaller(session);
  TRUSTED_ADVISOR_READS.forEach(([source, name], i) => {
    const readOnly = name === 'GenerateCredentialReport' ? false : undefined;
    trail.call(as, session.spec.created + i * 900, HOME_REGION, source, name, {
      request: null,
      ...(readOnly === undefined ? {} : { readOnly }),
    });
  });
}

/** Identity Center checks the roles and SAML provider it provisioned in each member account. */
function identityCenterChecks(trail: OrgTrail, day: Day, account: string): void {
  const session = trail.serviceLinked(
    account,
    'sso.amazonaws.com',
    'AWSServiceRoleForSSO',
    'AWS-SSO',
    trail.at(day, 4, trail.random.int(0, 50)),
  );
  const as = serviceCaller(session);
  trail.call(as, session.spec.created, HOME_REGION, 'iam.amazonaws.com', 'GetSAMLProvider', {
    request: { sAMLProviderArn: `arn:aws:iam::${account}:saml-provider/${SSO_SAML_PROVIDER}` },
  });
  trail.call(as, session.spec.created + 700, HOME_REGION, 'iam.amazonaws.com', 'ListRoles', {
    request: { pathPrefix: '/aws-reserved/sso.amazonaws.com/' },
  });
}

/** CloudTrail checks the organization trail's bucket ACL before delivering (in the Audit account here). */
function cloudTrailDelivery(trail: OrgTrail, day: Day): void {
  for (let hour = 0; hour < 24; hour += 2) {
    trail.emit({
      time: trail.at(day, hour, trail.random.int(0, 59)),
      account: ACCOUNTS.audit,
      region: HOME_REGION,
      source: 's3.amazonaws.com',
      name: 'GetBucketAcl',
      identity: awsService('cloudtrail.amazonaws.com'),
      sourceIPAddress: 'cloudtrail.amazonaws.com',
      userAgent: 'cloudtrail.amazonaws.com',
      request: {
        bucketName: `aws-controltower-logs-${ACCOUNTS.audit}-${HOME_REGION}`,
        Host: `aws-controltower-logs-${ACCOUNTS.audit}-${HOME_REGION}.s3.${HOME_REGION}.amazonaws.com`,
        acl: '',
      },
      resources: [
        {
          accountId: ACCOUNTS.audit,
          type: 'AWS::S3::Bucket',
          ARN: `arn:aws:s3:::aws-controltower-logs-${ACCOUNTS.audit}-${HOME_REGION}`,
        },
      ],
      sharedEventID: trail.random.uuid(),
    });
  }
}

/** Control Tower's Lambda forwarding Config compliance notifications to the Audit account's SNS. */
function notificationForwarder(trail: OrgTrail, day: Day, account: string, region: string): void {
  const { random } = trail;
  const functionArn = `arn:aws:lambda:${region}:${account}:function:aws-controltower-NotificationForwarder`;
  for (let i = 0; i < random.int(1, 3); i++) {
    const session = trail.session({
      account,
      roleName: 'aws-controltower-ForwardSnsNotificationRole',
      sessionName: 'aws-controltower-NotificationForwarder',
      created: trail.at(day, random.int(0, 23), random.int(0, 59)),
    });
    trail.serviceAssumes('lambda.amazonaws.com', session, region);
    const as = caller(
      session,
      `44.234.${random.int(0, 255)}.${random.int(1, 254)}`,
      'awslambda-worker/1.0 rusoto/0.48.0 rust/1.79.0 linux',
    );
    trail.call(as, session.spec.created + 400, region, 'kms.amazonaws.com', 'Decrypt', {
      request: {
        encryptionContext: { 'aws:lambda:FunctionArn': functionArn },
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      },
      resources: [
        {
          accountId: account,
          type: 'AWS::KMS::Key',
          ARN: `arn:aws:kms:${region}:${account}:key/${random.uuid()}`,
        },
      ],
    });
    trail.call(as, session.spec.created + 900, region, 'logs.amazonaws.com', 'CreateLogStream', {
      request: {
        logGroupName: '/aws/lambda/aws-controltower-NotificationForwarder',
        logStreamName: `${new Date(day.start).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${random.hex(32)}`,
      },
    });
  }
}

/**
 * Automatic rotation of a customer managed key, a service event
 * (https://docs.aws.amazon.com/kms/latest/developerguide/ct-rotatekey.html): each key once a year,
 * so across an organisation's keys about one a week.
 */
export function kmsKeyRotation(trail: OrgTrail, time: number, account: string, region: string): void {
  const keyId = trail.random.uuid();
  trail.emit({
    time,
    account,
    region,
    source: 'kms.amazonaws.com',
    name: 'RotateKey',
    identity: { accountId: account, invokedBy: 'kms.amazonaws.com' },
    sourceIPAddress: 'kms.amazonaws.com',
    userAgent: 'kms.amazonaws.com',
    readOnly: false,
    eventType: 'AwsServiceEvent',
    resources: [
      { accountId: account, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${region}:${account}:key/${keyId}` },
    ],
    serviceEventDetails: { keyId },
  });
}

/** A day of the services' own activity in every account and governed region. */
export function serviceActivity(trail: OrgTrail, day: Day, accounts: readonly string[]): void {
  for (const account of accounts) {
    for (const region of GOVERNED_REGIONS) {
      config(trail, day, account, region);
      securityHub(trail, day, account, region);
      guardDuty(trail, day, account, region);
      if (account !== ACCOUNTS.management) notificationForwarder(trail, day, account, region);
    }
    trustedAdvisor(trail, day, account);
    if (account !== ACCOUNTS.management) identityCenterChecks(trail, day, account);
  }
  cloudTrailDelivery(trail, day);
  if (day.index % 7 === 3) kmsKeyRotation(trail, trail.at(day, 13, 12), ACCOUNTS.prod, HOME_REGION);
}
