import type { CloudTrailRecord } from '../records';

/** What someone deciding on an alert needs at a glance. Every value comes from the record. */
export interface AlertFacts {
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly region: string;
  readonly account?: string;
  readonly principalArn?: string;
  readonly principalType?: string;
  /** The role behind an assumed-role session. */
  readonly sessionIssuer?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * Who acted, as one ARN: the identity's own ARN, the root ARN of its account, the role behind a
 * session, or the service that acted on someone's behalf.
 */
export function principalArn(record: CloudTrailRecord): string | undefined {
  const identity = record.userIdentity;
  if (!identity) return undefined;
  if (identity.arn) return identity.arn;
  if (identity.type === 'Root' && identity.accountId) return `arn:aws:iam::${identity.accountId}:root`;
  const issuer = identity.sessionContext?.sessionIssuer?.arn;
  if (issuer) return issuer;
  if (identity.invokedBy) return identity.invokedBy;
  return identity.principalId;
}

export function alertFacts(record: CloudTrailRecord): AlertFacts {
  const facts: { -readonly [K in keyof AlertFacts]: AlertFacts[K] } = {
    eventID: record.eventID,
    eventTime: record.eventTime,
    eventSource: record.eventSource,
    eventName: record.eventName,
    region: record.awsRegion,
  };
  const account = record.recipientAccountId ?? record.userIdentity?.accountId;
  if (account) facts.account = account;
  const principal = principalArn(record);
  if (principal) facts.principalArn = principal;
  if (record.userIdentity?.type) facts.principalType = record.userIdentity.type;
  const issuer = record.userIdentity?.sessionContext?.sessionIssuer?.arn;
  if (issuer && issuer !== principal) facts.sessionIssuer = issuer;
  if (record.sourceIPAddress) facts.sourceIPAddress = record.sourceIPAddress;
  if (record.userAgent) facts.userAgent = record.userAgent;
  if (record.errorCode) facts.errorCode = record.errorCode;
  if (record.errorMessage) facts.errorMessage = record.errorMessage;
  return facts;
}

/** The readable name of a principal: the user or session name rather than the whole ARN. */
export function principalName(facts: AlertFacts): string {
  const arn = facts.principalArn;
  if (!arn) return 'an unknown principal';
  if (arn.endsWith(':root')) return `root (${facts.account ?? 'unknown account'})`;
  const resource = arn.slice(arn.lastIndexOf(':') + 1);
  const parts = resource.split('/');
  if (parts[0] === 'assumed-role' && parts.length >= 3)
    return `${parts.slice(2).join('/')} as role ${parts[1]}`;
  return parts.length > 1 ? parts.slice(1).join('/') : resource;
}
