/**
 * The organisation's applications at work: Lambda functions and ECS tasks under their execution
 * roles, an Auto Scaling web fleet under its instance profile, the scaling itself, and AWS Backup's
 * nightly plan (backup.ts). Instance
 * profile sessions follow https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html
 * (session name = instance id, `ec2RoleDelivery`); S3 object calls are data events
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
 */
import { nightlyBackup } from './backup';
import type { Json } from './records';
import type { Caller, Day, OrgTrail } from './world';
import { ACCOUNTS, caller, HOME_REGION, HOUR_MS, MINUTE_MS, serviceCaller, WORKLOAD_REGIONS } from './world';

const NODE_LAMBDA_AGENT = (api: string): string =>
  `aws-sdk-js/3.682.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.18.0 api/${api}#3.682.0 exec-env/AWS_Lambda_nodejs20.x`;
const PYTHON_TASK_AGENT =
  'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#legacy Botocore/1.35.54';
const SSM_AGENT = 'aws-sdk-go/1.55.5 (go1.22.8; linux; amd64) amazon-ssm-agent/3.3.1142.0';
const APP_AGENT =
  'aws-sdk-java/2.28.29 Linux/6.1.112-122.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5';

function s3Object(
  trail: OrgTrail,
  as: Caller,
  time: number,
  region: string,
  name: 'GetObject' | 'PutObject',
  bucket: string,
  key: string,
): void {
  const bytes = trail.random.int(800, 900_000);
  trail.call(as, time, region, 's3.amazonaws.com', name, {
    request: { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, key },
    response: name === 'PutObject' ? { 'x-amz-server-side-encryption': 'aws:kms' } : null,
    additional: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: name === 'PutObject' ? bytes : 0,
      bytesTransferredOut: name === 'GetObject' ? bytes : 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': trail.random.alnum(60),
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: as.account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    data: true,
    readOnly: name === 'GetObject',
  });
}

function secretRead(trail: OrgTrail, as: Caller, time: number, region: string, secret: string): void {
  trail.call(as, time, region, 'secretsmanager.amazonaws.com', 'GetSecretValue', {
    request: { secretId: secret },
    resources: [],
  });
}

function keyDecrypt(trail: OrgTrail, as: Caller, time: number, region: string, context: Json): void {
  const key = `arn:aws:kms:${region}:${as.account}:key/${trail.random.uuid()}`;
  trail.call(as, time, region, 'kms.amazonaws.com', 'Decrypt', {
    request: { encryptionContext: context, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    resources: [{ accountId: as.account, type: 'AWS::KMS::Key', ARN: key }],
  });
}

/** A Lambda function: each new execution environment assumes the role and reads its configuration once. */
function lambdaFunction(
  trail: OrgTrail,
  day: Day,
  account: string,
  region: string,
  name: string,
  env: string,
): void {
  const { random } = trail;
  const bucket = `acme-${env}-uploads-${account}`;
  for (let hour = 0; hour < 24; hour += random.int(1, 3)) {
    const session = trail.session({
      account,
      roleName: `${name}-role`,
      sessionName: name,
      created: trail.at(day, hour, random.int(0, 50)),
    });
    trail.serviceAssumes('lambda.amazonaws.com', session, region, 43_200);
    const ip = `3.${random.int(80, 95)}.${random.int(0, 255)}.${random.int(1, 254)}`;
    const t = session.spec.created;
    keyDecrypt(trail, caller(session, ip, NODE_LAMBDA_AGENT('kms')), t + 200, region, {
      'aws:lambda:FunctionArn': `arn:aws:lambda:${region}:${account}:function:${name}`,
    });
    secretRead(
      trail,
      caller(session, ip, NODE_LAMBDA_AGENT('secrets-manager')),
      t + 600,
      region,
      `${env}/${name}/db`,
    );
    trail.call(
      caller(session, ip, NODE_LAMBDA_AGENT('ssm')),
      t + 900,
      region,
      'ssm.amazonaws.com',
      'GetParameter',
      {
        request: { name: `/${env}/${name}/feature-flags`, withDecryption: true },
      },
    );
    const s3 = caller(session, ip, NODE_LAMBDA_AGENT('s3'));
    for (let i = 0; i < random.int(2, 8); i++) {
      const key = `incoming/${random.uuid()}.jpg`;
      s3Object(trail, s3, t + 2000 + i * 37_000, region, 'GetObject', bucket, key);
      s3Object(
        trail,
        s3,
        t + 3000 + i * 37_000,
        region,
        'PutObject',
        bucket,
        key.replace('incoming', 'resized'),
      );
    }
  }
}

/** ECS tasks of one service: the execution role pulls the image and secrets, the task role does the work. */
function ecsService(trail: OrgTrail, day: Day, account: string, tasks: number, env: string): void {
  const { random } = trail;
  const region = HOME_REGION;
  for (let task = 0; task < tasks; task++) {
    const taskId = random.hex(32);
    const started = trail.at(day, task % 24, random.int(0, 50));
    const execution = trail.session({
      account,
      roleName: 'payments-execution-role',
      sessionName: taskId,
      created: started,
      invokedBy: 'ecs-tasks.amazonaws.com',
    });
    trail.serviceAssumes('ecs-tasks.amazonaws.com', execution, region, 21_600);
    const pull = serviceCaller(execution);
    const repository = `arn:aws:ecr:${region}:${account}:repository/payments`;
    trail.call(pull, started + 500, region, 'ecr.amazonaws.com', 'GetAuthorizationToken', { request: {} });
    trail.call(pull, started + 900, region, 'ecr.amazonaws.com', 'BatchGetImage', {
      request: { repositoryName: 'payments', imageIds: [{ imageTag: 'latest' }], registryId: account },
      resources: [{ accountId: account, ARN: repository }],
    });
    trail.call(pull, started + 1500, region, 'ecr.amazonaws.com', 'GetDownloadUrlForLayer', {
      request: { repositoryName: 'payments', layerDigest: `sha256:${random.hex(64)}`, registryId: account },
      resources: [{ accountId: account, ARN: repository }],
    });
    secretRead(trail, pull, started + 2500, region, `${env}/payments/db`);
    const work = trail.session({
      account,
      roleName: 'payments-task-role',
      sessionName: taskId,
      created: started + 5000,
    });
    trail.serviceAssumes('ecs-tasks.amazonaws.com', work, region, 21_600);
    const app = caller(work, `44.213.${random.int(0, 255)}.${random.int(1, 254)}`, PYTHON_TASK_AGENT);
    for (let hour = 0; hour < 6; hour++) {
      const t = started + hour * HOUR_MS + 60_000;
      keyDecrypt(trail, app, t, region, {
        'aws:secretsmanager:arn': `arn:aws:secretsmanager:${region}:${account}:secret:${env}/payments/api`,
      });
      secretRead(trail, app, t + 300, region, `${env}/payments/api`);
      s3Object(
        trail,
        app,
        t + 900,
        region,
        'PutObject',
        `acme-${env}-payments-reports-${account}`,
        `daily/${random.uuid()}.csv`,
      );
    }
  }
}

/** A web fleet instance's day: credentials from EC2, the SSM agent's heartbeat, config reads. */
function webInstance(
  trail: OrgTrail,
  account: string,
  instanceId: string,
  ip: string,
  from: number,
  until: number,
): void {
  const { random } = trail;
  const region = HOME_REGION;
  for (let t = from; t < until; t += 6 * HOUR_MS) {
    const session = trail.session({
      account,
      roleName: 'web-instance-role',
      sessionName: instanceId,
      created: t,
      ec2RoleDelivery: '2.0',
    });
    trail.serviceAssumes('ec2.amazonaws.com', session, region, 21_600);
    const agent = caller(session, ip, SSM_AGENT);
    const app = caller(session, ip, APP_AGENT);
    for (let hour = 0; hour < 6 && t + hour * HOUR_MS < until; hour++) {
      const at = t + hour * HOUR_MS + random.int(0, 59) * MINUTE_MS;
      trail.call(agent, at, region, 'ssm.amazonaws.com', 'UpdateInstanceInformation', {
        request: {
          instanceId,
          agentVersion: '3.3.1142.0',
          agentStatus: 'Active',
          platformType: 'Linux',
          platformName: 'Amazon Linux',
          platformVersion: '2023',
          iPAddress: '10.0.12.34',
          computerName: `ip-10-0-12-34.ec2.internal`,
          agentName: 'amazon-ssm-agent',
        },
      });
      trail.call(agent, at + 2000, region, 'ssm.amazonaws.com', 'ListInstanceAssociations', {
        request: { instanceId, maxResults: 20 },
      });
      secretRead(trail, app, at + 5000, region, 'prod/web/session-key');
      s3Object(
        trail,
        app,
        at + 9000,
        region,
        'GetObject',
        `acme-prod-config-${account}`,
        'web/application.yml',
      );
    }
  }
}

/** Scaling out in the morning and in at night, through Auto Scaling's service-linked role. */
function webFleet(trail: OrgTrail, day: Day): void {
  const { random } = trail;
  const account = ACCOUNTS.prod;
  const region = HOME_REGION;
  const base = ['i-0a1b2c3d4e5f60718', 'i-0f9e8d7c6b5a40321'];
  base.forEach((id, i) => {
    webInstance(
      trail,
      account,
      id,
      `54.210.33.${10 + i}`,
      day.start + 5 * MINUTE_MS,
      day.start + 24 * HOUR_MS,
    );
  });
  const scaling = trail.serviceLinked(
    account,
    'autoscaling.amazonaws.com',
    'AWSServiceRoleForAutoScaling',
    'AutoScaling',
    trail.at(day, 8, 0),
  );
  const as = serviceCaller(scaling);
  const added = [`i-0${random.hex(16)}`, `i-0${random.hex(16)}`];
  const group = 'web-prod-asg';
  trail.call(as, scaling.spec.created, region, 'ec2.amazonaws.com', 'RunInstances', {
    request: {
      instancesSet: { items: [{ minCount: 2, maxCount: 2 }] },
      launchTemplate: { launchTemplateId: 'lt-0c1d2e3f4a5b6c7d8', version: '14' },
      subnetId: 'subnet-0a1b2c3d4e5f60718',
      tagSpecificationSet: {
        items: [{ resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: group }] }],
      },
      clientToken: random.uuid(),
    },
    response: {
      instancesSet: {
        items: added.map((instanceId) => ({
          instanceId,
          instanceType: 'm7g.large',
          iamInstanceProfile: { arn: `arn:aws:iam::${account}:instance-profile/web-instance-profile` },
        })),
      },
    },
  });
  const targets = {
    targetGroupArn: `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/web-prod/3f1e2d4c5b6a7980`,
    targets: added.map((id) => ({ id, port: 8080 })),
  };
  trail.call(
    as,
    scaling.spec.created + 90_000,
    region,
    'elasticloadbalancing.amazonaws.com',
    'RegisterTargets',
    { request: targets },
  );
  added.forEach((id, i) => {
    webInstance(
      trail,
      account,
      id,
      `3.90.17.${100 + i}`,
      scaling.spec.created + 120_000,
      day.start + 20 * HOUR_MS,
    );
  });
  const scaleIn = trail.serviceLinked(
    account,
    'autoscaling.amazonaws.com',
    'AWSServiceRoleForAutoScaling',
    'AutoScaling',
    trail.at(day, 20, 5),
  );
  const inAs = serviceCaller(scaleIn);
  trail.call(inAs, scaleIn.spec.created, region, 'elasticloadbalancing.amazonaws.com', 'DeregisterTargets', {
    request: targets,
  });
  trail.call(inAs, scaleIn.spec.created + 300_000, region, 'ec2.amazonaws.com', 'TerminateInstances', {
    request: { instancesSet: { items: added.map((instanceId) => ({ instanceId })) } },
  });
  const elb = trail.serviceLinked(
    account,
    'elasticloadbalancing.amazonaws.com',
    'AWSServiceRoleForElasticLoadBalancing',
    'ElasticLoadBalancing',
    trail.at(day, 3, 0),
  );
  for (const name of ['DescribeNetworkInterfaces', 'DescribeSubnets', 'DescribeInstances']) {
    trail.call(
      serviceCaller(elb),
      elb.spec.created + random.int(0, 60_000),
      region,
      'ec2.amazonaws.com',
      name,
      { request: {} },
    );
  }
}

/** A day of every workload in prod and dev. */
export function workloadActivity(trail: OrgTrail, day: Day): void {
  for (const region of WORKLOAD_REGIONS) {
    lambdaFunction(trail, day, ACCOUNTS.prod, region, 'image-resizer', 'prod');
    lambdaFunction(trail, day, ACCOUNTS.prod, region, 'orders-api', 'prod');
  }
  lambdaFunction(trail, day, ACCOUNTS.dev, HOME_REGION, 'image-resizer', 'dev');
  lambdaFunction(trail, day, ACCOUNTS.dev, HOME_REGION, 'orders-api', 'dev');
  ecsService(trail, day, ACCOUNTS.prod, 4, 'prod');
  ecsService(trail, day, ACCOUNTS.dev, 2, 'dev');
  webFleet(trail, day);
  nightlyBackup(trail, day);
}
