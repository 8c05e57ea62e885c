/**
 * People at work through IAM Identity Center (identity-center.ts signs them in): console browsing,
 * CLI sessions, a few routine changes in dev (their own dev box, Session Manager, a Logs Insights
 * query), and the AccessDenied errors a least-privilege permission set produces every day
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html).
 */
import { openAccount, PORTAL_AGENT, portalSignIn } from './identity-center';
import { accessDenied, stableId } from './records';
import type { AccountName, Caller, Day, OrgTrail, PermissionSet, Person } from './world';
import {
  ACCOUNTS,
  BROWSER_AGENT,
  CLI_AGENT,
  caller,
  HOME_REGION,
  HOUR_MS,
  MINUTE_MS,
  PEOPLE,
  WORKLOAD_REGIONS,
} from './world';

const CONSOLE_AGENTS = ['AWS Internal', 'console.amazonaws.com', `[S3Console/0.4, ${PORTAL_AGENT}]`];

type Read = readonly [source: string, name: string];

const BROWSING: Readonly<Record<PermissionSet, readonly Read[]>> = {
  PowerUserAccess: [
    ['ec2.amazonaws.com', 'DescribeInstances'],
    ['ec2.amazonaws.com', 'DescribeInstanceStatus'],
    ['lambda.amazonaws.com', 'ListFunctions20150331'],
    ['lambda.amazonaws.com', 'GetFunction20150331v2'],
    ['logs.amazonaws.com', 'DescribeLogGroups'],
    ['logs.amazonaws.com', 'FilterLogEvents'],
    ['monitoring.amazonaws.com', 'DescribeAlarms'],
    ['cloudformation.amazonaws.com', 'DescribeStacks'],
    ['cloudformation.amazonaws.com', 'DescribeStackEvents'],
    ['ecs.amazonaws.com', 'DescribeServices'],
    ['ecs.amazonaws.com', 'ListTasks'],
    ['dynamodb.amazonaws.com', 'DescribeTable'],
    ['s3.amazonaws.com', 'ListBuckets'],
    ['sqs.amazonaws.com', 'ListQueues'],
  ],
  ReadOnlyAccess: [
    ['ec2.amazonaws.com', 'DescribeInstances'],
    ['cloudformation.amazonaws.com', 'DescribeStacks'],
    ['logs.amazonaws.com', 'FilterLogEvents'],
    ['monitoring.amazonaws.com', 'DescribeAlarms'],
    ['ecs.amazonaws.com', 'DescribeServices'],
    ['elasticloadbalancing.amazonaws.com', 'DescribeTargetHealth'],
    ['rds.amazonaws.com', 'DescribeDBInstances'],
    ['health.amazonaws.com', 'DescribeEventAggregates'],
  ],
  SecurityAudit: [
    ['securityhub.amazonaws.com', 'GetFindings'],
    ['guardduty.amazonaws.com', 'ListDetectors'],
    ['guardduty.amazonaws.com', 'ListFindings'],
    ['guardduty.amazonaws.com', 'GetFindings'],
    ['cloudtrail.amazonaws.com', 'LookupEvents'],
    ['access-analyzer.amazonaws.com', 'ListFindings'],
    ['config.amazonaws.com', 'DescribeComplianceByConfigRule'],
    ['iam.amazonaws.com', 'GetAccountAuthorizationDetails'],
  ],
  Billing: [
    ['ce.amazonaws.com', 'GetCostAndUsage'],
    ['ce.amazonaws.com', 'GetCostForecast'],
    ['budgets.amazonaws.com', 'DescribeBudgets'],
    ['ce.amazonaws.com', 'GetReservationUtilization'],
  ],
};

/** What a permission set is not allowed to do but its users try anyway, every day. */
const DENIED: Readonly<Record<PermissionSet, readonly (readonly [string, string, string, string])[]>> = {
  PowerUserAccess: [
    ['iam.amazonaws.com', 'ListUsers', 'iam:ListUsers', 'AccessDenied'],
    ['iam.amazonaws.com', 'ListPolicies', 'iam:ListPolicies', 'AccessDenied'],
    ['organizations.amazonaws.com', 'ListAccounts', 'organizations:ListAccounts', 'AccessDeniedException'],
  ],
  ReadOnlyAccess: [
    [
      'secretsmanager.amazonaws.com',
      'GetSecretValue',
      'secretsmanager:GetSecretValue',
      'AccessDeniedException',
    ],
    ['ce.amazonaws.com', 'GetCostAndUsage', 'ce:GetCostAndUsage', 'AccessDeniedException'],
  ],
  SecurityAudit: [['s3.amazonaws.com', 'GetObject', 's3:GetObject', 'AccessDenied']],
  Billing: [
    ['ec2.amazonaws.com', 'DescribeInstances', 'ec2:DescribeInstances', 'Client.UnauthorizedOperation'],
  ],
};

function accountOf(name: AccountName): string {
  return ACCOUNTS[name];
}

function devInstanceOf(person: Person): string {
  return `i-0${stableId(person.email, 16, '0123456789abcdef')}`;
}

/** A few changes PowerUsers make in dev every day: their own dev box, Session Manager, a query. */
function devChanges(trail: OrgTrail, as: Caller, person: Person, day: Day, start: number): void {
  const { random } = trail;
  const instanceId = devInstanceOf(person);
  const instances = { instancesSet: { items: [{ instanceId }] } };
  trail.call(as, start + 5 * MINUTE_MS, HOME_REGION, 'ec2.amazonaws.com', 'StartInstances', {
    request: instances,
  });
  if (random.chance(0.6)) {
    trail.call(as, start + 20 * MINUTE_MS, HOME_REGION, 'ssm.amazonaws.com', 'StartSession', {
      request: { target: instanceId },
      response: {
        sessionId: `${person.email}-${random.hex(17)}`,
        tokenValue: 'Value hidden due to security reasons.',
        streamUrl: `wss://ssmmessages.${HOME_REGION}.amazonaws.com/v1/data-channel/${person.email}-${random.hex(17)}?role=publish_subscribe&cell-number=AAEAAQ`,
      },
    });
  }
  trail.call(as, start + 35 * MINUTE_MS, HOME_REGION, 'logs.amazonaws.com', 'StartQuery', {
    request: {
      logGroupNames: ['/aws/lambda/orders-api'],
      startTime: Math.floor((start - HOUR_MS) / 1000),
      endTime: Math.floor(start / 1000),
      queryString: 'fields @timestamp, @message | filter level = "ERROR" | sort @timestamp desc | limit 50',
    },
    readOnly: true,
  });
  if (day.index % 7 === 2 && person.email.startsWith('sam')) {
    trail.call(
      as,
      start + 50 * MINUTE_MS,
      HOME_REGION,
      'lambda.amazonaws.com',
      'UpdateFunctionConfiguration20150331v2',
      {
        request: { functionName: 'orders-api', timeout: 30, memorySize: 512 },
      },
    );
  }
  trail.call(as, start + 8 * HOUR_MS, HOME_REGION, 'ec2.amazonaws.com', 'StopInstances', {
    request: { ...instances, force: false },
  });
}

function browse(
  trail: OrgTrail,
  as: Caller,
  permissionSet: PermissionSet,
  start: number,
  calls: number,
): void {
  const { random } = trail;
  let time = start;
  for (let i = 0; i < calls; i++) {
    time += random.int(5, 240) * 1000;
    const [source, name] = random.pick(BROWSING[permissionSet]);
    const region =
      source.startsWith('ce.') || source.startsWith('budgets.') ? HOME_REGION : random.pick(WORKLOAD_REGIONS);
    const agent = as.fromConsole ? random.pick(CONSOLE_AGENTS) : as.userAgent;
    trail.call({ ...as, userAgent: agent }, time, region, source, name, { request: null });
  }
  if (random.chance(0.7)) {
    const [source, name, action, code] = random.pick(DENIED[permissionSet]);
    const arn = typeof as.identity.arn === 'string' ? as.identity.arn : '';
    const denied = accessDenied(arn, action);
    trail.call(as, time + 30_000, HOME_REGION, source, name, {
      request: null,
      error: { code, message: denied.message },
    });
  }
}

/** One person's working day: portal sign-in, then each account they use, console or CLI. */
function workday(trail: OrgTrail, office: Person, day: Day): void {
  const { random } = trail;
  // One day in five from home: same person, another network.
  const person = random.chance(0.2) ? { ...office, ip: office.homeIp } : office;
  const start = trail.at(day, random.int(7, 9), random.int(0, 59));
  portalSignIn(trail, person, start);
  let time = start + MINUTE_MS;
  for (const [name, permissionSet] of Object.entries(person.access)) {
    if (permissionSet === undefined || !random.chance(0.8)) continue;
    const account = accountOf(name as AccountName);
    const session = openAccount(trail, person, account, permissionSet, time, true);
    const as = caller(session, person.ip, BROWSER_AGENT, true);
    browse(trail, as, permissionSet, time + 5000, random.int(15, 45));
    if (permissionSet === 'PowerUserAccess' && account === ACCOUNTS.dev)
      devChanges(trail, as, person, day, time);
    if (person.cli) {
      const cliSession = openAccount(trail, person, account, permissionSet, time + 2 * HOUR_MS, false);
      const cli = caller(cliSession, person.ip, CLI_AGENT);
      trail.call(cli, time + 2 * HOUR_MS + 5000, HOME_REGION, 'sts.amazonaws.com', 'GetCallerIdentity');
      browse(trail, cli, permissionSet, time + 2 * HOUR_MS + 10_000, random.int(5, 20));
    }
    time += random.int(10, 90) * MINUTE_MS;
  }
}

/** A day of people's activity: most work on workdays; at weekends one on-call engineer looks in. */
export function peopleActivity(trail: OrgTrail, day: Day): void {
  for (const person of PEOPLE) {
    const onCall = person === PEOPLE[0];
    if (day.workday ? trail.random.chance(0.9) : onCall && trail.random.chance(0.5))
      workday(trail, person, day);
  }
}
