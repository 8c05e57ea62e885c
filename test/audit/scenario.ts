/**
 * CloudTrail records for the audit tests, built from the documented shapes: an IAM user calling
 * AssumeRole (responseElements.credentials.accessKeyId is the key of every later call of the
 * session), a role session's calls (userIdentity type AssumedRole with that key and its
 * sessionIssuer), and the cross-account copy of an AssumeRole (type AWSAccount, same sharedEventID).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_examples-sts-api
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */

export type RawRecord = Record<string, unknown>;

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const ADMIN = `arn:aws:iam::${ACCOUNT_A}:role/Admin`;
export const ORG_ADMIN = `arn:aws:iam::${ACCOUNT_B}:role/OrgAdmin`;
const CLI_AGENT = 'aws-cli/2.15.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11';

let counter = 0;
/** A fresh, valid-looking event id (UUID shape). */
export function eventId(label: string): string {
  counter++;
  const hex = Buffer.from(label).toString('hex').padEnd(12, '0').slice(0, 12);
  return `00000000-0000-4000-8${String(counter).padStart(3, '0')}-${hex}`;
}

function base(time: string, eventSource: string, eventName: string, id: string): RawRecord {
  return {
    eventVersion: '1.09',
    eventTime: time,
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    eventID: id,
    eventType: 'AwsApiCall',
    sourceIPAddress: '203.0.113.10',
    userAgent: CLI_AGENT,
  };
}

export function iamUser(name: string, account = ACCOUNT_A): RawRecord {
  return {
    type: 'IAMUser',
    principalId: `AIDA${name.toUpperCase().padEnd(16, 'X')}`,
    arn: `arn:aws:iam::${account}:user/${name}`,
    accountId: account,
    accessKeyId: `AKIA${name.toUpperCase().padEnd(16, 'X')}`,
    userName: name,
  };
}

/** The identity of a call made in a role session opened with `key`. */
export function roleSession(roleArn: string, sessionName: string, key: string): RawRecord {
  const account = roleArn.split(':')[4] ?? '';
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${sessionName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    accountId: account,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: roleArn,
        accountId: account,
        userName: roleName,
      },
      attributes: { creationDate: '2026-11-20T09:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

/** An AssumeRole made by `caller`, returning `key`; logged in the caller's account. */
export function assumeRole(
  time: string,
  caller: RawRecord,
  roleArn: string,
  sessionName: string,
  key: string,
  extra: RawRecord = {},
): RawRecord {
  const account = roleArn.split(':')[4] ?? '';
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return {
    ...base(time, 'sts.amazonaws.com', 'AssumeRole', eventId(`ar-${sessionName}`)),
    userIdentity: caller,
    readOnly: true,
    requestParameters: { roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: key,
        sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE',
        expiration: 'Nov 20, 2026, 10:00:00 AM',
      },
      assumedRoleUser: {
        assumedRoleId: `AROAEXAMPLE:${sessionName}`,
        arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      },
    },
    recipientAccountId: caller.accountId,
    managementEvent: true,
    eventCategory: 'Management',
    ...extra,
  };
}

/** The target account's copy of a cross-account AssumeRole: the caller shows only as `AWSAccount`. */
export function assumeRoleTargetCopy(original: RawRecord, callerAccount: string): RawRecord {
  const request = original.requestParameters as { roleArn: string };
  return {
    ...original,
    eventID: eventId('copy'),
    userIdentity: { type: 'AWSAccount', principalId: 'AROAEXAMPLE:deploy', accountId: callerAccount },
    recipientAccountId: request.roleArn.split(':')[4],
  };
}

/** A call: read or write, in the identity's account unless `recipient` says otherwise. */
export function call(
  time: string,
  identity: RawRecord,
  service: string,
  eventName: string,
  readOnly: boolean,
  extra: RawRecord = {},
): RawRecord {
  return {
    ...base(time, `${service}.amazonaws.com`, eventName, eventId(eventName)),
    userIdentity: identity,
    readOnly,
    requestParameters: {},
    responseElements: null,
    recipientAccountId: identity.accountId,
    managementEvent: true,
    eventCategory: 'Management',
    ...extra,
  };
}

/** A CloudTrail log file body. */
export function logFile(records: readonly RawRecord[]): string {
  return JSON.stringify({ Records: records });
}
