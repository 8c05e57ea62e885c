/**
 * A scheduled Secrets Manager rotation of the prod database secret: the service's RotationStarted
 * and RotationSucceeded events, and AWS's rotation function for RDS PostgreSQL doing its four steps
 * under its execution role (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html,
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-cloudtrail.html).
 */
import type { Day, OrgTrail } from './world';
import { ACCOUNTS, caller, HOME_REGION } from './world';

const SECRETS = 'secretsmanager.amazonaws.com';
const ROTATION_AGENT =
  'Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145';

function serviceEvent(trail: OrgTrail, time: number, name: string, secretArn: string): void {
  const account = ACCOUNTS.prod;
  trail.emit({
    time,
    account,
    region: HOME_REGION,
    source: SECRETS,
    name,
    identity: { accountId: account, invokedBy: SECRETS },
    sourceIPAddress: SECRETS,
    userAgent: SECRETS,
    additional: { SecretId: secretArn },
    readOnly: false,
    eventType: 'AwsServiceEvent',
  });
}

/** The prod database secret rotates every 30 days: in a week of the organisation, once. */
export function secretRotation(trail: OrgTrail, day: Day): void {
  if (day.index % 7 !== 2) return;
  const { random } = trail;
  const account = ACCOUNTS.prod;
  const secretArn = `arn:aws:secretsmanager:${HOME_REGION}:${account}:secret:prod/orders-api/db-${random.alnum(6)}`;
  const start = trail.at(day, 3, 0);
  serviceEvent(trail, start, 'RotationStarted', secretArn);
  const session = trail.session({
    account,
    roleName: 'SecretsManagerRotation-orders-db-role',
    sessionName: 'SecretsManagerRDSPostgreSQLRotationSingleUser',
    created: start + 1000,
  });
  trail.serviceAssumes('lambda.amazonaws.com', session, HOME_REGION);
  const as = caller(
    session,
    `3.${random.int(80, 95)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    ROTATION_AGENT,
  );
  const token = random.uuid();
  const steps: readonly (readonly [string, Record<string, unknown>])[] = [
    ['DescribeSecret', { secretId: secretArn }],
    ['GetSecretValue', { secretId: secretArn, versionStage: 'AWSCURRENT' }],
    ['GetRandomPassword', { excludeCharacters: '/@"\'\\', passwordLength: 32 }],
    ['PutSecretValue', { secretId: secretArn, clientRequestToken: token, versionStages: ['AWSPENDING'] }],
    ['GetSecretValue', { secretId: secretArn, versionId: token, versionStage: 'AWSPENDING' }],
    ['UpdateSecretVersionStage', { secretId: secretArn, versionStage: 'AWSCURRENT', moveToVersionId: token }],
  ];
  steps.forEach(([name, request], i) => {
    trail.call(as, start + 2000 + i * 1500, HOME_REGION, SECRETS, name, { request });
  });
  serviceEvent(trail, start + 15_000, 'RotationSucceeded', secretArn);
}
