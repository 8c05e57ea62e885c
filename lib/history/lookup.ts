import type { Event, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { TrailwatchErrorOptions } from '../errors';
import { TrailwatchError } from '../errors';
import type { PacedCloudTrail } from '../trail';
import type { ResumePoint } from './resume-token';
import { encodeResumeToken } from './resume-token';

export type { ResumePoint } from './resume-token';
export { decodeResumeToken, encodeResumeToken, StartingTokenError } from './resume-token';

/**
 * The attribute keys LookupEvents filters on; it takes one per call.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html
 */
export const LOOKUP_ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

/** LookupEvents returns at most 50 events per call (`MaxResults` 1 to 50). */
export const MAX_RESULTS_PER_CALL = 50;
/** What `trailwatch lookup` shows when asked for no particular number: the most recent few. */
export const DEFAULT_LOOKUP_ITEMS = 10;
/** Event history keeps management events for 90 days; older ones are only in the trail's S3 history. */
export const EVENT_HISTORY_DAYS = 90;
/** `AttributeValue` is 1 to 2000 characters. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 2000;

export class LookupQueryError extends TrailwatchError {
  override readonly name = 'LookupQueryError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'lookup-query', options);
  }
}

export interface LookupAttribute {
  readonly key: LookupAttributeKey;
  readonly value: string;
}

const SHORTHAND = /^AttributeKey=([^,]*),AttributeValue=(.*)$/s;
const SHORTHAND_REVERSED = /^AttributeValue=(.*),AttributeKey=([^,]*)$/s;

/** One `--lookup-attributes` argument: the AWS CLI's shorthand, or its JSON list form. */
function parseAttributeArgument(text: string): { key: string; value: string }[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new LookupQueryError(`--lookup-attributes: invalid JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.map((item, index) => {
      const entry = item as { AttributeKey?: unknown; AttributeValue?: unknown } | null;
      if (typeof entry?.AttributeKey !== 'string' || typeof entry.AttributeValue !== 'string') {
        throw new LookupQueryError(
          `--lookup-attributes: item ${index} needs string AttributeKey and AttributeValue`,
        );
      }
      return { key: entry.AttributeKey, value: entry.AttributeValue };
    });
  }
  const match = SHORTHAND.exec(trimmed);
  if (match) return [{ key: match[1] ?? '', value: match[2] ?? '' }];
  const reversed = SHORTHAND_REVERSED.exec(trimmed);
  if (reversed) return [{ key: reversed[2] ?? '', value: reversed[1] ?? '' }];
  throw new LookupQueryError(
    `--lookup-attributes: cannot read ${JSON.stringify(text)}: write AttributeKey=KEY,AttributeValue=VALUE`,
  );
}

/** Reads `--lookup-attributes`, refusing what LookupEvents would refuse, with the reason. */
export function parseLookupAttributes(texts: readonly string[]): LookupAttribute | undefined {
  const attributes = texts.flatMap(parseAttributeArgument);
  if (attributes.length === 0) return undefined;
  if (attributes.length > 1) {
    throw new LookupQueryError(
      `--lookup-attributes: LookupEvents takes one attribute per call; got ${attributes.length} (${attributes.map((a) => a.key).join(', ')}). Look up by one and filter the rest with --rules.`,
    );
  }
  const [{ key, value }] = attributes as [{ key: string; value: string }];
  const known = LOOKUP_ATTRIBUTE_KEYS.find((candidate) => candidate === key);
  if (!known) {
    const near = LOOKUP_ATTRIBUTE_KEYS.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    throw new LookupQueryError(
      `--lookup-attributes: unknown AttributeKey ${JSON.stringify(key)}${near ? ` (did you mean ${near}?)` : ''}; LookupEvents takes ${LOOKUP_ATTRIBUTE_KEYS.join(', ')}`,
    );
  }
  if (value === '' || value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new LookupQueryError(
      `--lookup-attributes: AttributeValue for ${known} must be 1 to ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`,
    );
  }
  if (known === 'ReadOnly' && value !== 'true' && value !== 'false') {
    throw new LookupQueryError(
      `--lookup-attributes: ReadOnly takes true or false; got ${JSON.stringify(value)}`,
    );
  }
  return { key: known, value };
}

export interface LookupQuery {
  readonly attribute?: LookupAttribute;
  /** Epoch milliseconds. */
  readonly startTime?: number;
  readonly endTime?: number;
  readonly insight?: boolean;
  /**
   * `MaxResults` of each call. A cut page's `boto_truncate_amount` counts events of a page of this
   * size, so resuming a token needs the page size that printed it: the AWS CLI sends none without
   * `--page-size`, which is LookupEvents' default of 50 (`MAX_RESULTS_PER_CALL`).
   */
  readonly pageSize: number;
  /** Stop after this many events; undefined follows NextToken to the end. */
  readonly maxItems?: number;
  /** Where an earlier run (or the AWS CLI) stopped: see `decodeResumeToken`. */
  readonly resume?: ResumePoint;
}

export interface LookupResult {
  readonly events: readonly Event[];
  /** A token to resume from, in the AWS CLI's encoding, when more events remain. */
  readonly nextToken?: string;
  readonly calls: number;
  /**
   * How many of `events` each call gave, in order (after a starting token's skip, before a
   * --max-items cut): the AWS CLI's text output lines up the columns of each page on its own.
   */
  readonly pages: readonly number[];
}

/** The service answered with the NextToken it was called with: following it would never end (botocore raises too). */
export class RepeatedNextTokenError extends TrailwatchError {
  override readonly name = 'RepeatedNextTokenError';
  constructor(message: string, options: TrailwatchErrorOptions = {}) {
    super(message, 'repeated-next-token', options);
  }
}

/**
 * Calls LookupEvents, paced and retried by the client, following NextToken as far as asked, and
 * stopping where botocore's paginator (`PageIterator.__iter__`) stops for the same `--max-items`: a
 * cut page gives `{NextToken: <the token that fetched it>, boto_truncate_amount: <events of it
 * returned, counting those a starting token skipped>}`, a stop on a page boundary `{NextToken: next}`.
 */
export async function lookupEvents(cloudtrail: PacedCloudTrail, query: LookupQuery): Promise<LookupResult> {
  const base = {
    ...(query.attribute
      ? { LookupAttributes: [{ AttributeKey: query.attribute.key, AttributeValue: query.attribute.value }] }
      : {}),
    ...(query.startTime === undefined ? {} : { StartTime: new Date(query.startTime) }),
    ...(query.endTime === undefined ? {} : { EndTime: new Date(query.endTime) }),
    ...(query.insight ? { EventCategory: 'insight' as const } : {}),
    MaxResults: query.pageSize,
  };
  let token = query.resume?.token;
  // Only the first page is cut on the left: the events of it an earlier run returned.
  let skipped = query.resume?.truncate ?? 0;
  const events: Event[] = [];
  const pages: number[] = [];
  let calls = 0;
  for (;;) {
    const output = await cloudtrail.send<LookupEventsCommandOutput>(
      'lookup',
      new LookupEventsCommand({ ...base, ...(token === undefined ? {} : { NextToken: token }) }),
    );
    calls++;
    const page = (output.Events ?? []).slice(skipped);
    const remaining =
      query.maxItems === undefined ? Number.POSITIVE_INFINITY : query.maxItems - events.length;
    if (page.length > remaining) {
      events.push(...page.slice(0, remaining));
      pages.push(remaining);
      const point = { truncate: skipped + remaining, ...(token === undefined ? {} : { token }) };
      return { events, nextToken: encodeResumeToken(point), calls, pages };
    }
    skipped = 0;
    events.push(...page);
    pages.push(page.length);
    // botocore takes an empty NextToken for none.
    if (!output.NextToken) return { events, calls, pages };
    if (events.length === query.maxItems) {
      return {
        events,
        nextToken: encodeResumeToken({ token: output.NextToken, truncate: 0 }),
        calls,
        pages,
      };
    }
    if (output.NextToken === token) {
      throw new RepeatedNextTokenError(
        `LookupEvents answered with the NextToken it was called with (${output.NextToken}); stopped after ${calls} call(s)`,
        { location: { call: 'LookupEvents' }, locationInMessage: true },
      );
    }
    token = output.NextToken;
  }
}

/**
 * An event as `aws cloudtrail lookup-events --output json` prints it: the API's members in its
 * order, absent ones left out, EventTime as ISO 8601 (AWS CLI v2's default, in UTC).
 */
export function cliEvent(event: Event): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) out[key] = value;
  };
  put('EventId', event.EventId);
  put('EventName', event.EventName);
  put('ReadOnly', event.ReadOnly);
  put('AccessKeyId', event.AccessKeyId);
  put('EventTime', event.EventTime === undefined ? undefined : cliTimestamp(event.EventTime));
  put('EventSource', event.EventSource);
  put('Username', event.Username);
  put(
    'Resources',
    event.Resources?.map((resource) => {
      const entry: Record<string, unknown> = {};
      if (resource.ResourceType !== undefined) entry.ResourceType = resource.ResourceType;
      if (resource.ResourceName !== undefined) entry.ResourceName = resource.ResourceName;
      return entry;
    }),
  );
  put('CloudTrailEvent', event.CloudTrailEvent);
  return out;
}

/** `2024-05-01T10:00:00+00:00`: Python's isoformat, which the AWS CLI v2 prints. */
export function cliTimestamp(time: Date): string {
  const iso = time.toISOString();
  const fraction = iso.slice(19, 23);
  return `${iso.slice(0, 19)}${fraction === '.000' ? '' : `${fraction}000`}+00:00`;
}
