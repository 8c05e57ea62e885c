/**
 * CI bots: GitHub Actions workflows federated through OIDC
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services),
 * deploying with the CDK's bootstrap roles (the deploy role asks CloudFormation to run as the
 * cfn-exec role: https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html), pushing images to
 * ECR, uploading a static site, and Terraform plans that read everything they manage.
 */
import { siteDeploy, terraformPlan } from './ci-infra';
import { ACTION_AGENT, CDK_AGENT, CDK_QUALIFIER, CLI_CI_AGENT, chain, federate, runnerIp } from './ci-oidc';
import type { Json } from './records';
import type { Caller, Day, OrgTrail } from './world';
import { ACCOUNTS, caller, HOME_REGION, serviceCaller } from './world';

function ecrPush(trail: OrgTrail, as: Caller, time: number, repository: string): void {
  const { random } = trail;
  const resources = [
    { accountId: as.account, ARN: `arn:aws:ecr:${HOME_REGION}:${as.account}:repository/${repository}` },
  ];
  const repo = { repositoryName: repository, registryId: as.account };
  trail.call(as, time, HOME_REGION, 'ecr.amazonaws.com', 'GetAuthorizationToken', { request: {} });
  trail.call(as, time + 2000, HOME_REGION, 'ecr.amazonaws.com', 'BatchCheckLayerAvailability', {
    request: repo,
    resources,
  });
  for (let layer = 0; layer < 2; layer++) {
    const t = time + 4000 + layer * 20_000;
    const uploadId = random.uuid();
    trail.call(as, t, HOME_REGION, 'ecr.amazonaws.com', 'InitiateLayerUpload', {
      request: repo,
      response: { uploadId, partSize: 10485760 },
      resources,
    });
    trail.call(as, t + 8000, HOME_REGION, 'ecr.amazonaws.com', 'UploadLayerPart', {
      request: { ...repo, uploadId, partFirstByte: 0, partLastByte: random.int(1e6, 9e7) },
      resources,
    });
    trail.call(as, t + 15_000, HOME_REGION, 'ecr.amazonaws.com', 'CompleteLayerUpload', {
      request: { ...repo, uploadId, layerDigests: [`sha256:${random.hex(64)}`] },
      resources,
    });
  }
  trail.call(as, time + 50_000, HOME_REGION, 'ecr.amazonaws.com', 'PutImage', {
    request: {
      ...repo,
      imageTag: random.hex(7),
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    },
    resources,
  });
}

/** The resource changes CloudFormation makes, as the cfn-exec role, for one stack update. */
function stackChanges(
  trail: OrgTrail,
  day: Day,
  exec: Caller,
  stack: 'orders-api' | 'payments',
  time: number,
): void {
  const { random } = trail;
  const account = exec.account;
  if (stack === 'orders-api') {
    trail.call(exec, time, HOME_REGION, 'lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
      request: {
        functionName: 'orders-api',
        s3Bucket: `cdk-${CDK_QUALIFIER}-assets-${account}-${HOME_REGION}`,
        s3Key: `${random.hex(64)}.zip`,
      },
    });
    if (day.index % 7 === 4) {
      trail.call(
        exec,
        time + 5000,
        HOME_REGION,
        'lambda.amazonaws.com',
        'UpdateFunctionConfiguration20150331v2',
        {
          request: { functionName: 'orders-api', environment: {} },
        },
      );
    }
    if (day.index % 7 === 1) {
      trail.call(exec, time + 8000, HOME_REGION, 'iam.amazonaws.com', 'PutRolePolicy', {
        request: {
          roleName: 'orders-api-role',
          policyName: 'OrdersApiRoleDefaultPolicy5E8A3F1B',
          policyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
                Effect: 'Allow',
                Resource: `arn:aws:dynamodb:${HOME_REGION}:${account}:table/orders`,
              },
            ],
          }),
        },
      });
    }
    trail.call(exec, time + 12_000, HOME_REGION, 'lambda.amazonaws.com', 'PublishVersion20150331', {
      request: { functionName: 'orders-api' },
    });
    trail.call(exec, time + 14_000, HOME_REGION, 'lambda.amazonaws.com', 'UpdateAlias20150331', {
      request: { functionName: 'orders-api', name: 'live', functionVersion: String(random.int(100, 400)) },
    });
    return;
  }
  trail.call(exec, time, HOME_REGION, 'ecs.amazonaws.com', 'RegisterTaskDefinition', {
    request: {
      family: 'payments',
      taskRoleArn: `arn:aws:iam::${account}:role/payments-task-role`,
      executionRoleArn: `arn:aws:iam::${account}:role/payments-execution-role`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      containerDefinitions: [
        {
          name: 'payments',
          image: `${account}.dkr.ecr.${HOME_REGION}.amazonaws.com/payments:${random.hex(7)}`,
          essential: true,
        },
      ],
    },
  });
  if (day.index % 7 === 3) {
    trail.call(exec, time + 6000, HOME_REGION, 'ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', {
      request: {
        groupId: 'sg-0a1b2c3d4e5f60718',
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: 8443,
              toPort: 8443,
              groups: { items: [{ groupId: 'sg-0f1e2d3c4b5a69788', description: 'from the load balancer' }] },
            },
          ],
        },
      },
    });
  }
  trail.call(exec, time + 10_000, HOME_REGION, 'ecs.amazonaws.com', 'UpdateService', {
    request: {
      cluster: 'apps',
      service: 'payments',
      taskDefinition: `payments:${random.int(100, 400)}`,
      forceNewDeployment: false,
    },
  });
}

/** A CDK deployment of one stack from a workflow. */
function deploy(
  trail: OrgTrail,
  day: Day,
  account: string,
  stack: 'orders-api' | 'payments',
  time: number,
): void {
  const ip = runnerIp(trail);
  const gh = federate(trail, account, 'github-actions-deploy', `acme/${stack}`, time, ip);
  const ghCaller = caller(gh, ip, ACTION_AGENT);
  if (stack === 'payments') ecrPush(trail, caller(gh, ip, CLI_CI_AGENT), time + 30_000, 'payments');
  const role = (kind: string): string => `cdk-${CDK_QUALIFIER}-${kind}-role-${account}-${HOME_REGION}`;
  const publishing = chain(trail, ghCaller, role('file-publishing'), 'aws-cdk-runner', time + 90_000);
  const bucket = `cdk-${CDK_QUALIFIER}-assets-${account}-${HOME_REGION}`;
  const key = `${trail.random.hex(64)}.zip`;
  trail.call(caller(publishing, ip, CDK_AGENT), time + 95_000, HOME_REGION, 's3.amazonaws.com', 'PutObject', {
    request: { bucketName: bucket, Host: `${bucket}.s3.${HOME_REGION}.amazonaws.com`, key },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    data: true,
    readOnly: false,
  });
  const deployer = caller(
    chain(trail, ghCaller, role('deploy'), 'aws-cdk-runner', time + 100_000),
    ip,
    CDK_AGENT,
  );
  const stackName = stack === 'orders-api' ? 'OrdersApiStack' : 'PaymentsStack';
  const changeSet: Json = { stackName, changeSetName: 'cdk-deploy-change-set' };
  const exec = trail.session({
    account,
    roleName: role('cfn-exec'),
    sessionName: 'AWSCloudFormation',
    created: time + 130_000,
    invokedBy: 'cloudformation.amazonaws.com',
  });
  trail.call(deployer, time + 110_000, HOME_REGION, 'cloudformation.amazonaws.com', 'CreateChangeSet', {
    request: {
      ...changeSet,
      templateURL: `https://s3.${HOME_REGION}.amazonaws.com/${bucket}/${trail.random.hex(64)}.json`,
      roleARN: exec.roleArn,
      changeSetType: 'UPDATE',
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    },
  });
  trail.call(deployer, time + 118_000, HOME_REGION, 'cloudformation.amazonaws.com', 'DescribeChangeSet', {
    request: changeSet,
  });
  trail.call(deployer, time + 125_000, HOME_REGION, 'cloudformation.amazonaws.com', 'ExecuteChangeSet', {
    request: changeSet,
  });
  trail.serviceAssumes('cloudformation.amazonaws.com', exec, HOME_REGION);
  stackChanges(trail, day, serviceCaller(exec), stack, time + 140_000);
  for (let i = 0; i < 4; i++) {
    trail.call(
      deployer,
      time + 150_000 + i * 10_000,
      HOME_REGION,
      'cloudformation.amazonaws.com',
      'DescribeStackEvents',
      { request: { stackName } },
    );
  }
}

/** A workday of CI: deployments to dev and prod, Terraform plans in both, one site release. */
export function ciActivity(trail: OrgTrail, day: Day): void {
  if (!day.workday) return;
  const { random } = trail;
  const stacks = ['orders-api', 'payments'] as const;
  for (let i = 0; i < 5; i++)
    deploy(trail, day, ACCOUNTS.dev, random.pick(stacks), trail.at(day, 9 + i * 2, random.int(0, 50)));
  for (let i = 0; i < 2; i++)
    deploy(trail, day, ACCOUNTS.prod, stacks[i] ?? 'orders-api', trail.at(day, 14 + i, random.int(0, 50)));
  for (const account of [ACCOUNTS.dev, ACCOUNTS.prod]) {
    for (let i = 0; i < 4; i++) terraformPlan(trail, account, trail.at(day, 8 + i * 3, random.int(0, 59)));
  }
  siteDeploy(trail, trail.at(day, 16, random.int(0, 30)));
}
