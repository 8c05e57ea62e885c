/** Whole CloudTrail records for CLI tests, shaped as CloudTrail delivers them. */

/**
 * The smallest record the reader accepts (`lib/records`' minimal fields), numbered by its eventID:
 * for tests of reading, where what the record says does not matter.
 */
export function minimalRecord(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventTime: '2024-05-01T12:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'eu-west-1',
    eventID: `id-${i}`,
    ...extra,
  };
}

const SSO_ROLE = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';

/**
 * A trail deleted by an Identity Center session (alice@example.com) in `account`: a high alert of
 * the shipped pack, with a session name a table must never cut.
 */
export function ssoTrailDeletion(
  eventID: string,
  account = '111122223333',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:alice@example.com',
      arn: `arn:aws:sts::${account}:assumed-role/${SSO_ROLE}/alice@example.com`,
      accountId: account,
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/${SSO_ROLE}`,
          accountId: account,
          userName: SSO_ROLE,
        },
      },
    },
    eventTime: '2026-11-22T12:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'DeleteTrail',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { name: 'management-events' },
    responseElements: null,
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    ...overrides,
  };
}
