/**
 * CI that is not a CDK deployment: Terraform plans that refresh every resource they manage, and the
 * marketing site's upload to S3 with a CloudFront invalidation.
 */
import { CLI_CI_AGENT, federate, runnerIp, TERRAFORM_AGENT } from './ci-oidc';
import type { OrgTrail } from './world';
import { ACCOUNTS, caller, HOME_REGION } from './world';

const TERRAFORM_READS: readonly (readonly [string, string])[] = [
  ['iam.amazonaws.com', 'GetRole'],
  ['iam.amazonaws.com', 'ListAttachedRolePolicies'],
  ['iam.amazonaws.com', 'ListRolePolicies'],
  ['iam.amazonaws.com', 'GetPolicy'],
  ['iam.amazonaws.com', 'GetPolicyVersion'],
  ['s3.amazonaws.com', 'GetBucketPolicy'],
  ['s3.amazonaws.com', 'GetBucketVersioning'],
  ['s3.amazonaws.com', 'GetBucketEncryption'],
  ['s3.amazonaws.com', 'GetBucketTagging'],
  ['s3.amazonaws.com', 'GetBucketLogging'],
  ['ec2.amazonaws.com', 'DescribeVpcs'],
  ['ec2.amazonaws.com', 'DescribeSubnets'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['ec2.amazonaws.com', 'DescribeRouteTables'],
  ['kms.amazonaws.com', 'DescribeKey'],
  ['kms.amazonaws.com', 'GetKeyPolicy'],
  ['logs.amazonaws.com', 'DescribeLogGroups'],
  ['rds.amazonaws.com', 'DescribeDBInstances'],
  ['route53.amazonaws.com', 'GetHostedZone'],
  ['dynamodb.amazonaws.com', 'DescribeTable'],
];

/** `terraform plan` of the infrastructure repository: every managed resource refreshed. */
export function terraformPlan(trail: OrgTrail, account: string, time: number): void {
  const ip = runnerIp(trail);
  const session = federate(trail, account, 'terraform-plan', 'acme/infrastructure', time, ip);
  const as = caller(session, ip, TERRAFORM_AGENT);
  const reads = trail.random.int(40, 80);
  for (let i = 0; i < reads; i++) {
    const [source, name] = trail.random.pick(TERRAFORM_READS);
    trail.call(as, time + 20_000 + i * 350, HOME_REGION, source, name, { request: null });
  }
}

/** The marketing site: files to S3 and a CloudFront invalidation. */
export function siteDeploy(trail: OrgTrail, time: number): void {
  const account = ACCOUNTS.prod;
  const ip = runnerIp(trail);
  const session = federate(trail, account, 'github-actions-deploy', 'acme/www', time, ip);
  const as = caller(session, ip, CLI_CI_AGENT);
  const bucket = 'acme-www-site';
  for (let i = 0; i < trail.random.int(5, 15); i++) {
    const key = `assets/${trail.random.hex(12)}.js`;
    trail.call(as, time + 10_000 + i * 800, HOME_REGION, 's3.amazonaws.com', 'PutObject', {
      request: { bucketName: bucket, Host: `${bucket}.s3.${HOME_REGION}.amazonaws.com`, key },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
        { accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
      ],
      data: true,
      readOnly: false,
    });
  }
  trail.call(as, time + 40_000, HOME_REGION, 'cloudfront.amazonaws.com', 'CreateInvalidation', {
    request: {
      distributionId: 'E2QWRUHAPOMQZL',
      invalidationBatch: { paths: { quantity: 1, items: ['/*'] }, callerReference: `${time}` },
    },
  });
}
