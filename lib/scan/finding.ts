import type { Alert } from '../alerts';
import type { Level } from '../rules';

/**
 * The flat facts of an alert, as `scan --format ndjson|json` prints them. Every text comes from
 * the alert's facts, which are strings whatever JSON type the record held (see textField), so a
 * numeric ARN or an object user agent prints as text instead of failing the scan.
 */
export interface Finding {
  readonly alertId: string;
  readonly kind: Alert['kind'];
  readonly ruleId: string;
  readonly title: string;
  readonly level: Level;
  readonly tags: readonly string[];
  readonly summary: string;
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
  readonly origin: string | null;
  /** Null when the record's region or event id could not make a safe link. */
  readonly consoleUrl: string | null;
  /** The rule's `fields:` read from the record (for a correlation: its group-by values). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly correlation?: Alert['correlation'];
}

export function toFinding(alert: Alert): Finding {
  const f = alert.facts;
  return {
    alertId: alert.id,
    kind: alert.kind,
    ruleId: alert.rule.id,
    title: alert.title,
    level: alert.level,
    tags: alert.rule.tags,
    summary: alert.summary,
    eventID: f.eventID,
    eventTime: f.eventTime,
    eventSource: f.eventSource,
    eventName: f.eventName,
    awsRegion: f.region,
    recipientAccountId: f.account ?? null,
    principal: f.principalArn ?? null,
    principalType: f.principalType ?? null,
    sourceIPAddress: f.sourceIPAddress ?? null,
    userAgent: f.userAgent ?? null,
    errorCode: f.errorCode ?? null,
    origin: alert.origin ?? null,
    consoleUrl: alert.consoleUrl ?? null,
    fields: alert.fields,
    ...(alert.correlation === undefined ? {} : { correlation: alert.correlation }),
  };
}
