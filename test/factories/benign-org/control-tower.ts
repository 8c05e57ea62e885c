/**
 * AWS Control Tower at work: its admin role reading the organisation every few hours, and, once a
 * week, a baseline update rolled out by CloudFormation StackSets from the management account into
 * every member account and governed region through `AWSControlTowerExecution`
 * (https://docs.aws.amazon.com/controltower/latest/userguide/roles-how.html): Config rules and the
 * recorder, the notification topic, the forwarder Lambda and its role, EventBridge rules, and the
 * organization trail re-applied with the same settings.
 */
import { crossAccountCaller } from './records';
import type { Caller, Day, OrgTrail } from './world';
import { ACCOUNTS, GOVERNED_REGIONS, HOME_REGION, MEMBER_ACCOUNTS, serviceCaller } from './world';

const CT = 'controltower.amazonaws.com';
const CFN = 'cloudformation.amazonaws.com';

function adminReads(trail: OrgTrail, day: Day): void {
  for (let hour = 0; hour < 24; hour += 6) {
    const admin = trail.session({
      account: ACCOUNTS.management,
      roleName: 'AWSControlTowerAdmin',
      path: 'service-role/',
      sessionName: 'AWSControlTowerAdmin',
      created: trail.at(day, hour, trail.random.int(0, 50)),
      invokedBy: CT,
    });
    trail.serviceAssumes(CT, admin, HOME_REGION);
    const as = serviceCaller(admin);
    const t = admin.spec.created;
    trail.call(as, t + 1000, HOME_REGION, 'organizations.amazonaws.com', 'DescribeOrganization');
    trail.call(as, t + 2000, HOME_REGION, 'organizations.amazonaws.com', 'ListAccounts', { request: {} });
    trail.call(as, t + 3000, HOME_REGION, 'organizations.amazonaws.com', 'ListRoots', { request: {} });
    trail.call(as, t + 4000, HOME_REGION, 'organizations.amazonaws.com', 'ListPoliciesForTarget', {
      request: { targetId: 'ou-k3b9-5example', filter: 'SERVICE_CONTROL_POLICY' },
    });
    trail.call(as, t + 5000, HOME_REGION, CFN, 'DescribeStackSet', {
      request: { stackSetName: 'AWSControlTowerBP-BASELINE-CONFIG' },
    });
  }
}

/** The baseline stack's resources as CloudFormation updates them in one account and region. */
function baselineInAccount(trail: OrgTrail, exec: Caller, region: string, time: number): void {
  const { random } = trail;
  const account = exec.account;
  trail.call(exec, time, region, CFN, 'UpdateStack', {
    request: {
      stackName: `StackSet-AWSControlTowerBP-BASELINE-CONFIG-${random.uuid()}`,
      templateURL: 'https://s3.amazonaws.com/controltower-templates/baseline-config.json',
      capabilities: ['CAPABILITY_NAMED_IAM'],
    },
  });
  trail.call(exec, time + 20_000, region, 'config.amazonaws.com', 'PutConfigurationRecorder', {
    request: {
      configurationRecorder: {
        name: 'aws-controltower-BaselineConfigRecorder',
        roleARN: `arn:aws:iam::${account}:role/aws-controltower-ConfigRecorderRole`,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: region === HOME_REGION },
      },
    },
  });
  for (const rule of [
    'AWSControlTower_AWS-GR_RESTRICTED_SSH',
    'AWSControlTower_AWS-GR_EBS_OPTIMIZED_INSTANCE',
  ]) {
    trail.call(exec, time + 30_000, region, 'config.amazonaws.com', 'PutConfigRule', {
      request: {
        configRule: {
          configRuleName: rule,
          source: { owner: 'AWS', sourceIdentifier: rule.replace('AWSControlTower_AWS-GR_', '') },
        },
      },
    });
  }
  const topic = `arn:aws:sns:${region}:${account}:aws-controltower-SecurityNotifications`;
  trail.call(exec, time + 40_000, region, 'sns.amazonaws.com', 'SetTopicAttributes', {
    request: {
      topicArn: topic,
      attributeName: 'DisplayName',
      attributeValue: 'aws-controltower-SecurityNotifications',
    },
  });
  const functionName = 'aws-controltower-NotificationForwarder';
  trail.call(exec, time + 50_000, region, 'lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
    request: {
      functionName,
      s3Bucket: `controltower-lambda-${region}`,
      s3Key: 'NotificationForwarder/3.3.zip',
    },
  });
  trail.call(exec, time + 55_000, region, 'lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', {
    request: { functionName, runtime: 'python3.12', environment: {} },
  });
  trail.call(exec, time + 60_000, region, 'events.amazonaws.com', 'PutRule', {
    request: {
      name: 'aws-controltower-ConfigComplianceChangeEventRule',
      eventPattern: '{"source":["aws.config"],"detail-type":["Config Rules Compliance Change"]}',
      state: 'ENABLED',
    },
  });
  trail.call(exec, time + 62_000, region, 'events.amazonaws.com', 'PutTargets', {
    request: {
      rule: 'aws-controltower-ConfigComplianceChangeEventRule',
      targets: [{ id: 'Compliance-Change-Topic', arn: topic }],
    },
  });
  if (region !== HOME_REGION) return;
  trail.call(exec, time + 70_000, region, 'iam.amazonaws.com', 'PutRolePolicy', {
    request: {
      roleName: 'aws-controltower-ForwardSnsNotificationRole',
      policyName: 'sns',
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Action: ['sns:publish'],
            Resource: `arn:aws:sns:*:${ACCOUNTS.audit}:aws-controltower-AggregateSecurityNotifications`,
            Effect: 'Allow',
          },
        ],
      }),
    },
  });
}

/** The organization trail re-applied in the management account, settings unchanged. */
function baselineTrail(trail: OrgTrail, exec: Caller, time: number): void {
  const name = 'aws-controltower-BaselineCloudTrail';
  trail.call(exec, time, HOME_REGION, 'cloudtrail.amazonaws.com', 'UpdateTrail', {
    request: {
      name,
      s3BucketName: `aws-controltower-logs-${ACCOUNTS.audit}-${HOME_REGION}`,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: true,
      enableLogFileValidation: true,
      isOrganizationTrail: true,
      kmsKeyId: `arn:aws:kms:${HOME_REGION}:${ACCOUNTS.management}:key/6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b`,
      cloudWatchLogsLogGroupArn: `arn:aws:logs:${HOME_REGION}:${ACCOUNTS.management}:log-group:aws-controltower/CloudTrailLogs:*`,
      cloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNTS.management}:role/aws-controltower-CloudWatchLogsRole`,
    },
    response: {
      name,
      trailARN: `arn:aws:cloudtrail:${HOME_REGION}:${ACCOUNTS.management}:trail/${name}`,
      isOrganizationTrail: true,
      logFileValidationEnabled: true,
    },
  });
}

/** StackSets roll the baseline out: management's StackSet role assumes the execution role in each member. */
function baselineUpdate(trail: OrgTrail, day: Day): void {
  const { random } = trail;
  const start = trail.at(day, 10, 0);
  const stackSetRole = trail.session({
    account: ACCOUNTS.management,
    roleName: 'AWSControlTowerStackSetRole',
    path: 'service-role/',
    sessionName: `AWSCloudFormationStackSetOperation-${random.hex(8)}`,
    created: start,
    invokedBy: CFN,
  });
  trail.serviceAssumes(CFN, stackSetRole, HOME_REGION);
  let time = start + 60_000;
  for (const account of [ACCOUNTS.management, ...MEMBER_ACCOUNTS]) {
    for (const region of GOVERNED_REGIONS) {
      const execution = trail.session({
        account,
        roleName: 'AWSControlTowerExecution',
        sessionName: `stacksets-exec-${random.hex(32)}`,
        created: time,
        invokedBy: CFN,
      });
      const shared = random.uuid();
      const request = {
        roleArn: execution.roleArn,
        roleSessionName: execution.spec.sessionName,
        durationSeconds: 3600,
      };
      const common = {
        time,
        region,
        source: 'sts.amazonaws.com',
        name: 'AssumeRole',
        sourceIPAddress: CFN,
        userAgent: CFN,
        request,
        response: execution.issued(3600),
        readOnly: true,
        resources: execution.resources(),
        sharedEventID: shared,
      };
      trail.emit({ ...common, account: ACCOUNTS.management, identity: stackSetRole.identity() });
      if (account !== ACCOUNTS.management)
        trail.emit({ ...common, account, identity: crossAccountCaller(stackSetRole, CFN) });
      const exec = serviceCaller(execution);
      baselineInAccount(trail, exec, region, time + 5000);
      if (account === ACCOUNTS.management && region === HOME_REGION)
        baselineTrail(trail, exec, time + 80_000);
      time += 2 * 60_000;
    }
  }
}

export function controlTowerActivity(trail: OrgTrail, day: Day): void {
  adminReads(trail, day);
  if (day.index % 7 === 1) baselineUpdate(trail, day);
}
