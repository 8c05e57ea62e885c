import type { Origin } from '../ingest';
import { formatOrigin } from '../ingest';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, Level } from '../rules';

/** A rule that matched a record, before alerting decides what to do with it. */
export interface RuleMatch {
  readonly rule: DetectionRule;
  readonly record: CloudTrailRecord;
  readonly origin: Origin;
}

/** The flat facts of a match, as `scan --format ndjson|json` prints them. */
export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly recipientAccountId: string | null;
  readonly principal: string | null;
  readonly principalType: string | null;
  readonly sourceIPAddress: string | null;
  readonly userAgent: string | null;
  readonly errorCode: string | null;
  readonly origin: string;
  /** The rule's `fields:`, read from the record. */
  readonly fields?: Readonly<Record<string, unknown>>;
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

export function readPath(record: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function toFinding(match: RuleMatch): Finding {
  const { rule, record } = match;
  const fields =
    rule.meta.fields.length === 0
      ? undefined
      : Object.fromEntries(rule.meta.fields.map((path) => [path, readPath(record, path) ?? null]));
  return {
    ruleId: rule.meta.id,
    title: rule.meta.title,
    level: rule.meta.level,
    tags: rule.meta.tags,
    eventID: record.eventID,
    eventTime: record.eventTime,
    eventSource: record.eventSource,
    eventName: record.eventName,
    awsRegion: record.awsRegion,
    recipientAccountId: record.recipientAccountId ?? record.userIdentity?.accountId ?? null,
    principal: principalArn(record) ?? null,
    principalType: record.userIdentity?.type ?? null,
    sourceIPAddress: record.sourceIPAddress ?? null,
    userAgent: record.userAgent ?? null,
    errorCode: record.errorCode ?? null,
    origin: formatOrigin(match.origin),
    ...(fields === undefined ? {} : { fields }),
  };
}
