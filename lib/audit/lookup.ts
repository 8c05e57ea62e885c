import type { Event } from '@aws-sdk/client-cloudtrail';
import type { LookupAttribute } from '../history';
import { cliEvent, lookupEvents, MAX_RESULTS_PER_CALL } from '../history';
import type { Input } from '../ingest';
import type { PacedCloudTrail } from '../trail';

/**
 * How many role hops `--lookup` follows from the person's own calls: alice's AssumeRole into Admin
 * is hop 1, Admin's AssumeRole into OrgAdmin hop 2. Every followed session costs at least one
 * LookupEvents call at 2 per second; AWS sets no chain length, so this bounds the run.
 */
export const MAX_FOLLOWED_HOPS = 8;
/** Sessions followed in all (each one AccessKeyId lookup, paced at 2 TPS: 200 is at least 100 s). */
export const MAX_FOLLOWED_SESSIONS = 200;

/**
 * STS calls whose response returns temporary credentials: their `accessKeyId` is the
 * `userIdentity.accessKeyId` of every call the session makes, and LookupEvents finds those calls
 * by the `AccessKeyId` attribute.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_examples-sts-api
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html
 */
const KEY_RETURNING_CALLS = new Set(['AssumeRole', 'GetSessionToken', 'GetFederationToken']);

export interface LookupWindow {
  readonly startTime?: number;
  readonly endTime?: number;
}

export interface FollowedLookup {
  /** The events found, each once, as one input for the readers (`{"Events":[…]}` as the AWS CLI prints). */
  readonly input: Input;
  readonly events: number;
  readonly calls: number;
  /** Temporary access keys whose sessions were looked up. */
  readonly followedKeys: readonly string[];
  /** Keys returned to the person's sessions but not followed (hop or session bound reached). */
  readonly unfollowedKeys: readonly string[];
}

/**
 * Event history as the source for `audit --lookup`: the person's calls by `Username`, then, for
 * each AssumeRole, GetSessionToken or GetFederationToken among them, the calls of the session it
 * opened by `AccessKeyId`, recursively through role chains up to `MAX_FOLLOWED_HOPS`. Every call
 * goes through the paced client (2 per second, retries counted). Event history holds one account and
 * region: a hop into another account is found only as far as its AssumeRole, logged here.
 */
export async function followPerson(
  cloudtrail: PacedCloudTrail,
  who: string,
  window: LookupWindow,
): Promise<FollowedLookup> {
  const byId = new Map<string, Event>();
  const followed: string[] = [];
  const unfollowed: string[] = [];
  const asked = new Set<string>();
  let calls = 0;
  const look = async (attribute: LookupAttribute): Promise<Event[]> => {
    const result = await lookupEvents(cloudtrail, {
      attribute,
      pageSize: MAX_RESULTS_PER_CALL,
      ...(window.startTime === undefined ? {} : { startTime: window.startTime }),
      ...(window.endTime === undefined ? {} : { endTime: window.endTime }),
    });
    calls += result.calls;
    const fresh: Event[] = [];
    for (const event of result.events) {
      const id = event.EventId;
      if (id !== undefined && byId.has(id)) continue;
      if (id !== undefined) byId.set(id, event);
      fresh.push(event);
    }
    return fresh;
  };
  let frontier = returnedKeys(await look({ key: 'Username', value: who }));
  for (let hop = 1; frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const key of frontier) {
      if (asked.has(key)) continue;
      if (hop > MAX_FOLLOWED_HOPS || followed.length >= MAX_FOLLOWED_SESSIONS) {
        unfollowed.push(key);
        continue;
      }
      asked.add(key);
      followed.push(key);
      next.push(...returnedKeys(await look({ key: 'AccessKeyId', value: key })));
    }
    frontier = next;
  }
  const events = [...byId.values()].sort(
    (a, b) => (a.EventTime?.getTime() ?? 0) - (b.EventTime?.getTime() ?? 0),
  );
  return {
    input: { kind: 'payload', name: 'LookupEvents', value: { Events: events.map(cliEvent) } },
    events: events.length,
    calls,
    followedKeys: followed,
    unfollowedKeys: unfollowed,
  };
}

/** The temporary access key ids the events' STS calls returned, oldest call first (LookupEvents answers newest first). */
export function returnedKeys(events: readonly Event[]): string[] {
  const keys: string[] = [];
  const oldestFirst = [...events].sort(
    (a, b) => (a.EventTime?.getTime() ?? 0) - (b.EventTime?.getTime() ?? 0),
  );
  for (const event of oldestFirst) {
    if (!KEY_RETURNING_CALLS.has(event.EventName ?? '') || event.CloudTrailEvent === undefined) continue;
    const key = accessKeyIn(event.CloudTrailEvent);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** `responseElements.credentials.accessKeyId` of a record's JSON, or undefined (malformed ones are the readers' to report). */
function accessKeyIn(json: string): string | undefined {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return undefined;
  }
  const response = field(record, 'responseElements');
  const credentials = field(response, 'credentials');
  const key = field(credentials, 'accessKeyId');
  return typeof key === 'string' && key !== '' ? key : undefined;
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, name) ? Reflect.get(value, name) : undefined;
}
