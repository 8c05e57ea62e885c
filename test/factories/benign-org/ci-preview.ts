/**
 * Preview environments: each pull request of the orders API gets its own CDK stack in dev when it
 * opens and loses it when it merges (`cdk deploy` / `cdk destroy` from GitHub Actions). CloudFormation
 * creates and then deletes the stack's resources as the cfn-exec role: a function and its role, a
 * table, an API, and the function's log group.
 */
import { ACTION_AGENT, CDK_AGENT, CDK_QUALIFIER, chain, federate, runnerIp } from './ci-oidc';
import type { Caller, Day, OrgTrail } from './world';
import { ACCOUNTS, caller, HOME_REGION, HOUR_MS, serviceCaller } from './world';

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function cfnExec(trail: OrgTrail, time: number): Caller {
  const account = ACCOUNTS.dev;
  const exec = trail.session({
    account,
    roleName: `cdk-${CDK_QUALIFIER}-cfn-exec-role-${account}-${HOME_REGION}`,
    sessionName: 'AWSCloudFormation',
    created: time,
    invokedBy: 'cloudformation.amazonaws.com',
  });
  trail.serviceAssumes('cloudformation.amazonaws.com', exec, HOME_REGION);
  return serviceCaller(exec);
}

/** The workflow's credentials and the CDK deploy role, as `cdk deploy` and `cdk destroy` start. */
function deployer(trail: OrgTrail, pr: number, time: number): Caller {
  const ip = runnerIp(trail);
  const gh = federate(trail, ACCOUNTS.dev, 'github-actions-deploy', 'acme/orders-api', time, ip);
  const role = `cdk-${CDK_QUALIFIER}-deploy-role-${ACCOUNTS.dev}-${HOME_REGION}`;
  return caller(
    chain(trail, caller(gh, ip, ACTION_AGENT), role, `aws-cdk-pr-${pr}`, time + 60_000),
    ip,
    CDK_AGENT,
  );
}

interface Preview {
  readonly stack: string;
  readonly role: string;
  readonly fn: string;
  readonly table: string;
  readonly api: string;
}

function previewOf(trail: OrgTrail, pr: number): Preview {
  const suffix = trail.random.alnum(12).toUpperCase();
  return {
    stack: `OrdersApi-pr-${pr}`,
    role: `OrdersApi-pr-${pr}-HandlerServiceRole${suffix}`,
    fn: `OrdersApi-pr-${pr}-Handler${suffix}`,
    table: `OrdersApi-pr-${pr}-Orders${suffix}`,
    api: trail.random.alnum(10).toLowerCase(),
  };
}

function create(trail: OrgTrail, preview: Preview, pr: number, time: number): void {
  const account = ACCOUNTS.dev;
  const cdk = deployer(trail, pr, time);
  const changeSet = { stackName: preview.stack, changeSetName: 'cdk-deploy-change-set' };
  trail.call(cdk, time + 70_000, HOME_REGION, 'cloudformation.amazonaws.com', 'CreateChangeSet', {
    request: {
      ...changeSet,
      changeSetType: 'CREATE',
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    },
  });
  trail.call(cdk, time + 80_000, HOME_REGION, 'cloudformation.amazonaws.com', 'ExecuteChangeSet', {
    request: changeSet,
  });
  const exec = cfnExec(trail, time + 85_000);
  const t = time + 90_000;
  const roleArn = `arn:aws:iam::${account}:role/${preview.role}`;
  trail.call(exec, t, HOME_REGION, 'iam.amazonaws.com', 'CreateRole', {
    request: {
      roleName: preview.role,
      assumeRolePolicyDocument: LAMBDA_TRUST,
      tags: [{ key: 'pr', value: String(pr) }],
    },
  });
  trail.call(exec, t + 2000, HOME_REGION, 'iam.amazonaws.com', 'AttachRolePolicy', {
    request: {
      roleName: preview.role,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    },
  });
  trail.call(exec, t + 4000, HOME_REGION, 'dynamodb.amazonaws.com', 'CreateTable', {
    request: {
      tableName: preview.table,
      billingMode: 'PAY_PER_REQUEST',
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
    },
  });
  trail.call(exec, t + 20_000, HOME_REGION, 'iam.amazonaws.com', 'PutRolePolicy', {
    request: {
      roleName: preview.role,
      policyName: 'HandlerServiceRoleDefaultPolicy',
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
            Effect: 'Allow',
            Resource: `arn:aws:dynamodb:${HOME_REGION}:${account}:table/${preview.table}`,
          },
        ],
      }),
    },
  });
  trail.call(exec, t + 30_000, HOME_REGION, 'lambda.amazonaws.com', 'CreateFunction20150331', {
    request: {
      functionName: preview.fn,
      runtime: 'nodejs20.x',
      role: roleArn,
      handler: 'index.handler',
      environment: {},
    },
  });
  trail.call(exec, t + 40_000, HOME_REGION, 'apigateway.amazonaws.com', 'CreateRestApi', {
    request: { name: preview.stack },
  });
  trail.call(exec, t + 50_000, HOME_REGION, 'lambda.amazonaws.com', 'AddPermission20150331v2', {
    request: {
      functionName: preview.fn,
      statementId: `OrdersApiprApiPermission${pr}`,
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:aws:execute-api:${HOME_REGION}:${account}:${preview.api}/*/*/*`,
    },
  });
}

function destroy(trail: OrgTrail, preview: Preview, pr: number, time: number): void {
  const cdk = deployer(trail, pr, time);
  trail.call(cdk, time + 70_000, HOME_REGION, 'cloudformation.amazonaws.com', 'DeleteStack', {
    request: { stackName: preview.stack },
  });
  const exec = cfnExec(trail, time + 75_000);
  const t = time + 80_000;
  trail.call(exec, t, HOME_REGION, 'lambda.amazonaws.com', 'RemovePermission20150331v2', {
    request: { functionName: preview.fn, statementId: `OrdersApiprApiPermission${pr}` },
  });
  trail.call(exec, t + 3000, HOME_REGION, 'apigateway.amazonaws.com', 'DeleteRestApi', {
    request: { restApiId: preview.api },
  });
  trail.call(exec, t + 6000, HOME_REGION, 'lambda.amazonaws.com', 'DeleteFunction20150331', {
    request: { functionName: preview.fn },
  });
  trail.call(exec, t + 8000, HOME_REGION, 'logs.amazonaws.com', 'DeleteLogGroup', {
    request: { logGroupName: `/aws/lambda/${preview.fn}` },
  });
  trail.call(exec, t + 10_000, HOME_REGION, 'dynamodb.amazonaws.com', 'DeleteTable', {
    request: { tableName: preview.table },
  });
  trail.call(exec, t + 12_000, HOME_REGION, 'iam.amazonaws.com', 'DeleteRolePolicy', {
    request: { roleName: preview.role, policyName: 'HandlerServiceRoleDefaultPolicy' },
  });
  trail.call(exec, t + 13_000, HOME_REGION, 'iam.amazonaws.com', 'DetachRolePolicy', {
    request: {
      roleName: preview.role,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    },
  });
  trail.call(exec, t + 15_000, HOME_REGION, 'iam.amazonaws.com', 'DeleteRole', {
    request: { roleName: preview.role },
  });
}

/** Two pull requests a workday: each preview opens in the morning and is torn down when it merges. */
export function previewEnvironments(trail: OrgTrail, day: Day): void {
  if (!day.workday) return;
  for (let i = 0; i < 2; i++) {
    const pr = 400 + day.index * 2 + i;
    const preview = previewOf(trail, pr);
    create(trail, preview, pr, trail.at(day, 9 + i, trail.random.int(0, 50)));
    destroy(trail, preview, pr, trail.at(day, 15 + i, trail.random.int(0, 50)) + HOUR_MS / 2);
  }
}
