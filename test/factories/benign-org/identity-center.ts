/**
 * IAM Identity Center sign-in as CloudTrail records it: the portal's sign-in events (password, then
 * TOTP) in the management account, and opening an account from the portal (Federate or
 * GetRoleCredentials there, AssumeRoleWithSAML into an `AWSReservedSSO_*` role in the account, and
 * for the console a ConsoleLogin with `MFAUsed: No`). Shapes: the bundled Control Tower sample
 * (test/fixtures/attribution/cribl-identity-center.jsonl) and
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/sso-info-in-cloudtrail.html.
 */
import type { Json, RoleSession } from './records';
import { stableId } from './records';
import type { OrgTrail, PermissionSet, Person } from './world';
import {
  ACCOUNTS,
  BROWSER_AGENT,
  CLI_AGENT,
  HOME_REGION,
  IDENTITY_STORE,
  SSO_SAML_PROVIDER,
  ssoRoleName,
} from './world';

/** Identity Center's portal calls STS from AWS addresses with its own SDK. */
export const PORTAL_AGENT =
  'aws-internal/3 aws-sdk-java/1.12.772 Linux/5.10.227-198.884.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS java/17.0.13 vendor/Amazon.com_Inc. cfg/retry-mode/standard';
const SAML_NAME_QUALIFIER = 'Xk3vQ9pLm2Rz8wT5yB7nC1dF4gH=';
/** Session length set on the permission sets: 8 hours. */
const SSO_SESSION_SECONDS = 28_800;

const HEX = '0123456789abcdef';

/** An Identity Store user id (`9067…-UUID`), stable per person. */
function identityStoreUserId(email: string): string {
  const part = (n: number, length: number): string => stableId(`${email}#${n}`, length, HEX);
  return `9067${part(0, 6)}-${part(1, 8)}-${part(2, 4)}-${part(3, 4)}-${part(4, 4)}-${part(5, 12)}`;
}

/** The Identity Center user as the management account's sign-in and portal events name them. */
function portalIdentity(person: Person): Json {
  return {
    type: 'Unknown',
    principalId: ACCOUNTS.management,
    arn: '',
    accountId: ACCOUNTS.management,
    accessKeyId: '',
    userName: person.email,
    onBehalfOf: {
      userId: identityStoreUserId(person.email),
      identityStoreArn: `arn:aws:identitystore::${ACCOUNTS.management}:identitystore/${IDENTITY_STORE}`,
    },
  };
}

/** Password, then TOTP, then the authentication itself: sign-in service events in the management account. */
export function portalSignIn(trail: OrgTrail, person: Person, time: number): void {
  const identity = portalIdentity(person);
  const base = {
    account: ACCOUNTS.management,
    region: HOME_REGION,
    source: 'signin.amazonaws.com',
    identity,
    sourceIPAddress: person.ip,
    userAgent: BROWSER_AGENT,
    eventType: 'AwsServiceEvent' as const,
    readOnly: false,
  };
  const challenge = (offset: number, type: string): void => {
    trail.emit({
      ...base,
      time: time + offset,
      name: 'CredentialChallenge',
      additional: { CredentialType: type },
    });
    trail.emit({
      ...base,
      time: time + offset + 9000,
      name: 'CredentialVerification',
      additional: { CredentialType: type },
      serviceEventDetails: { CredentialVerification: 'Success' },
    });
  };
  challenge(0, 'PASSWORD');
  challenge(12_000, 'TOTP');
  trail.emit({
    ...base,
    time: time + 24_000,
    name: 'UserAuthentication',
    additional: { LoginTo: 'https://d-9067a1b2c3.awsapps.com/start/', CredentialType: 'PASSWORD,TOTP' },
    serviceEventDetails: { UserAuthentication: 'Success' },
  });
  const portal = {
    account: ACCOUNTS.management,
    identity,
    sourceIPAddress: person.ip,
    userAgent: BROWSER_AGENT,
  };
  trail.call(portal, time + 26_000, HOME_REGION, 'sso.amazonaws.com', 'ListAccounts', { request: null });
}

/**
 * Opening an account from the portal: the portal's GetRoleCredentials or Federate in the management
 * account, AssumeRoleWithSAML in the member account, and for the console a ConsoleLogin.
 */
export function openAccount(
  trail: OrgTrail,
  person: Person,
  account: string,
  permissionSet: PermissionSet,
  time: number,
  console: boolean,
): RoleSession {
  const { random } = trail;
  const roleName = ssoRoleName(permissionSet, account);
  const session = trail.session({
    account,
    roleName,
    path: 'aws-reserved/sso.amazonaws.com/',
    sessionName: person.email,
    created: time + 2000,
  });
  const portal = {
    account: ACCOUNTS.management,
    identity: portalIdentity(person),
    sourceIPAddress: person.ip,
    userAgent: console ? BROWSER_AGENT : CLI_AGENT,
  };
  trail.call(portal, time, HOME_REGION, 'sso.amazonaws.com', console ? 'Federate' : 'GetRoleCredentials', {
    request: { accountId: account, roleName: permissionSet },
    readOnly: !console,
  });
  const samlProvider = `arn:aws:iam::${account}:saml-provider/${SSO_SAML_PROVIDER}`;
  trail.emit({
    time: time + 2000,
    account,
    region: HOME_REGION,
    source: 'sts.amazonaws.com',
    name: 'AssumeRoleWithSAML',
    identity: {
      type: 'SAMLUser',
      principalId: `${SAML_NAME_QUALIFIER}:${person.email}`,
      userName: person.email,
      identityProvider: SAML_NAME_QUALIFIER,
    },
    sourceIPAddress: `52.94.${random.int(0, 255)}.${random.int(1, 254)}`,
    userAgent: PORTAL_AGENT,
    request: {
      sAMLAssertionID: `_${random.uuid()}`,
      roleSessionName: person.email,
      durationSeconds: SSO_SESSION_SECONDS,
      roleArn: session.roleArn,
      principalArn: samlProvider,
    },
    response: {
      ...session.issued(SSO_SESSION_SECONDS),
      subjectType: 'persistent',
      issuer: `https://portal.sso.${HOME_REGION}.amazonaws.com/saml/assertion/${random.alnum(40)}`,
      nameQualifier: SAML_NAME_QUALIFIER,
      subject: person.email,
      audience: 'https://signin.aws.amazon.com/saml',
    },
    readOnly: true,
    resources: [
      ...session.resources(),
      { accountId: account, type: 'AWS::IAM::SAMLProvider', ARN: samlProvider },
    ],
  });
  if (console) {
    trail.emit({
      time: time + 3000,
      account,
      region: HOME_REGION,
      source: 'signin.amazonaws.com',
      name: 'ConsoleLogin',
      identity: session.identity(false),
      sourceIPAddress: person.ip,
      userAgent: BROWSER_AGENT,
      response: { ConsoleLogin: 'Success' },
      additional: { MobileVersion: 'No', MFAUsed: 'No' },
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
    });
  }
  return session;
}
