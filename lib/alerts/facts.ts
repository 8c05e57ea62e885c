import type { CloudTrailRecord } from '../records';
import { member, textField } from './text-field';

/**
 * What someone deciding on an alert needs at a glance. Every value comes from the record, read
 * with `textField`: whatever JSON type a field holds, a fact is a string (or absent).
 */
export interface AlertFacts {
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly region: string;
  readonly account?: string;
  /** The account's name or alias (trailwatch.yml `accounts:` or AWS Organizations), added before delivery. */
  readonly accountName?: string;
  readonly principalArn?: string;
  readonly principalType?: string;
  /** The role behind an assumed-role session. */
  readonly sessionIssuer?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

function sessionIssuerArn(identity: unknown): string | undefined {
  return textField(member(member(member(identity, 'sessionContext'), 'sessionIssuer'), 'arn'));
}

/**
 * Who acted, as one ARN: the identity's own ARN, the root ARN of its account, the role behind a
 * session, or the service that acted on someone's behalf.
 */
export function principalArn(record: CloudTrailRecord): string | undefined {
  const identity: unknown = record.userIdentity;
  const arn = textField(member(identity, 'arn'));
  if (arn) return arn;
  const accountId = textField(member(identity, 'accountId'));
  if (member(identity, 'type') === 'Root' && accountId) return `arn:aws:iam::${accountId}:root`;
  return (
    sessionIssuerArn(identity) ??
    textField(member(identity, 'invokedBy')) ??
    textField(member(identity, 'principalId'))
  );
}

export function alertFacts(record: CloudTrailRecord): AlertFacts {
  const read = (field: string): string | undefined => textField(member(record, field));
  const identity: unknown = record.userIdentity;
  const facts: { -readonly [K in keyof AlertFacts]: AlertFacts[K] } = {
    eventID: read('eventID') ?? '',
    eventTime: read('eventTime') ?? '',
    eventSource: read('eventSource') ?? '',
    eventName: read('eventName') ?? '',
    region: read('awsRegion') ?? '',
  };
  const account = read('recipientAccountId') ?? textField(member(identity, 'accountId'));
  if (account) facts.account = account;
  const principal = principalArn(record);
  if (principal) facts.principalArn = principal;
  const type = textField(member(identity, 'type'));
  if (type) facts.principalType = type;
  const issuer = sessionIssuerArn(identity);
  if (issuer && issuer !== principal) facts.sessionIssuer = issuer;
  const optional = [
    ['sourceIPAddress', read('sourceIPAddress')],
    ['userAgent', read('userAgent')],
    ['errorCode', read('errorCode')],
    ['errorMessage', read('errorMessage')],
  ] as const;
  for (const [key, value] of optional) if (value) facts[key] = value;
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
