/**
 * GitHub Actions workflows federated into AWS through OIDC
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services),
 * and the role chains they start: what every CI file of the benign organisation shares.
 */
import type { RoleSession } from './records';
import type { Caller, OrgTrail } from './world';
import { caller, HOME_REGION } from './world';

const OIDC_HOST = 'token.actions.githubusercontent.com';
export const ACTION_AGENT =
  'aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/sts#3.682.0 configure-aws-credentials-for-github-actions';
export const CDK_AGENT =
  'aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/cloudformation#3.682.0 aws-cdk/2.165.0';
export const CLI_CI_AGENT =
  'aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard';
export const TERRAFORM_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64';
/** The CDK's default bootstrap qualifier. */
export const CDK_QUALIFIER = 'hnb659fds';

/** GitHub-hosted runners egress from Azure ranges. */
export function runnerIp(trail: OrgTrail): string {
  const { random } = trail;
  return `${random.pick(['20.57', '20.85', '4.227', '172.183'])}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

/** A workflow's AssumeRoleWithWebIdentity (subject = repository and ref) and its session. */
export function federate(
  trail: OrgTrail,
  account: string,
  roleName: string,
  repo: string,
  time: number,
  ip: string,
): RoleSession {
  const provider = `arn:aws:iam::${account}:oidc-provider/${OIDC_HOST}`;
  const subject = `repo:${repo}:ref:refs/heads/main`;
  const session = trail.session({
    account,
    roleName,
    sessionName: 'GitHubActions',
    created: time,
    webIdentity: { provider, subject },
  });
  trail.emit({
    time,
    account,
    region: HOME_REGION,
    source: 'sts.amazonaws.com',
    name: 'AssumeRoleWithWebIdentity',
    identity: {
      type: 'WebIdentityUser',
      principalId: `${provider}:sts.amazonaws.com:${subject}`,
      userName: subject,
      identityProvider: provider,
    },
    sourceIPAddress: ip,
    userAgent: ACTION_AGENT,
    request: { roleArn: session.roleArn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    response: {
      ...session.issued(3600),
      subjectFromWebIdentityToken: subject,
      provider,
      audience: 'sts.amazonaws.com',
    },
    additional: { identityProviderConnectionVerificationMethod: 'IAMTrustStore' },
    readOnly: true,
    resources: session.resources(),
  });
  trail.call(
    caller(session, ip, ACTION_AGENT),
    time + 1500,
    HOME_REGION,
    'sts.amazonaws.com',
    'GetCallerIdentity',
  );
  return session;
}

/** One role session assuming another in the same account (the CDK's bootstrap roles). */
export function chain(
  trail: OrgTrail,
  from: Caller,
  roleName: string,
  sessionName: string,
  time: number,
): RoleSession {
  const account = from.account;
  const session = trail.session({ account, roleName, sessionName, created: time });
  trail.call(from, time, HOME_REGION, 'sts.amazonaws.com', 'AssumeRole', {
    request: { roleArn: session.roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
    response: session.issued(3600),
    readOnly: true,
    resources: session.resources(),
    sharedEventID: trail.random.uuid(),
  });
  return session;
}
