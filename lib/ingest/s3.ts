import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadedOnce, resolveRegion } from '../aws';
import { utcDays } from '../time';
import { mapOrdered } from './concurrency';
import type { LogFileKey } from './log-file-key';
import { isFolderMarker, parseLogFileKey } from './log-file-key';
import { directlyAddressable, directS3 } from './s3-direct-settings';
import { getObjectDirect } from './s3-get';

export interface S3Settings {
  /** An S3-compatible endpoint (moto_server, MinIO, …); path-style addressing is used with it. */
  readonly endpoint?: string;
  /** The region of the client; a bucket elsewhere is still found through S3's redirects. */
  readonly region?: string;
  /** A ready client, for tests and for Lambda handlers that share one. */
  readonly client?: S3Client;
}

/** The SDK, loaded when first used (an invocation that reads no object never pays for it), once. */
const loadS3Sdk = loadedOnce(() => import('@aws-sdk/client-s3'));

export async function createS3Client(settings: S3Settings = {}): Promise<S3Client> {
  if (settings.client) return settings.client;
  const { S3Client } = await loadS3Sdk();
  return new S3Client({
    region: resolveRegion(settings.region),
    followRegionRedirects: true,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint, forcePathStyle: true }),
  });
}

export async function openS3Object(client: S3Client, bucket: string, key: string): Promise<Readable> {
  const { GetObjectCommand } = await loadS3Sdk();
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) throw new Error('S3 returned no body');
  return response.Body as Readable;
}

/** Opens one object of a bucket for reading. */
export type S3ObjectOpener = (bucket: string, key: string) => Promise<Readable>;

/**
 * Opens objects with a direct signed GetObject where it does what the SDK client would (see
 * `directS3`: it spares a cold start loading the S3 client), else through the client `client()`
 * gives. A ready client in the settings (tests, shared handlers) is always used.
 */
export function s3ObjectOpener(settings: S3Settings, client: () => Promise<S3Client>): S3ObjectOpener {
  const direct =
    settings.client === undefined
      ? directS3({
          region: resolveRegion(settings.region),
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
        })
      : undefined;
  return async (bucket, key) =>
    direct !== undefined && directlyAddressable(bucket)
      ? getObjectDirect(direct, bucket, key)
      : openS3Object(await client(), bucket, key);
}

/** Narrowing applied to CloudTrail's key layout so that a listing never walks more than it must. */
export interface LayoutFilter {
  readonly accounts?: ReadonlySet<string>;
  readonly regions?: ReadonlySet<string>;
  /** Epoch milliseconds; records at or after it. */
  readonly since?: number;
  /** Epoch milliseconds; records at or before it. */
  readonly until?: number;
}

/**
 * CloudTrail writes a file within minutes of its events, but a late service can push an event into
 * a file stamped well after it; files stamped up to this long after `until` are still read.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html
 */
export const DELIVERY_LAG_MS = 60 * 60 * 1000;

/** Whether a file, judged by its key alone, may hold records the filter wants. */
export function keyMayMatch(logFile: LogFileKey | undefined, filter: LayoutFilter): boolean {
  if (!logFile) return true;
  if (filter.accounts && !filter.accounts.has(logFile.accountId)) return false;
  if (filter.regions && !filter.regions.has(logFile.region)) return false;
  if (logFile.deliveredAt !== undefined) {
    if (filter.since !== undefined && logFile.deliveredAt + 60_000 < filter.since) return false;
    if (filter.until !== undefined && logFile.deliveredAt > filter.until + DELIVERY_LAG_MS) return false;
  }
  return true;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

type Lister = (
  prefix: string,
  delimiter: boolean,
) => AsyncGenerator<{ prefixes: string[]; objects: ListedObject[] }>;

function s3Lister(client: S3Client, bucket: string): Lister {
  return async function* list(prefix, delimiter) {
    const { ListObjectsV2Command } = await loadS3Sdk();
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: '/' } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      yield {
        prefixes: (page.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
        objects: (page.Contents ?? []).flatMap((o) => (o.Key ? [{ key: o.Key, size: o.Size ?? 0 }] : [])),
      };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  };
}

/**
 * Lists the objects under `s3://bucket/prefix` that may hold wanted records, walking CloudTrail's
 * layout level by level (org, account, region, day) where a filter applies at that level and
 * listing flat below it. With since/until the day folders are generated, never listed.
 */
export async function* listLogObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  filter: LayoutFilter,
  concurrency: number = LISTING_CONCURRENCY,
): AsyncGenerator<ListedObject> {
  yield* walkLayout(s3Lister(client, bucket), prefix, filter, concurrency);
}

const ACCOUNT_SEGMENT = /^\d{12}$/;
const ORG_SEGMENT = /^o-[a-z0-9]{10,32}$/;
const WANTED_LOG_FOLDERS = new Set(['CloudTrail', 'CloudTrail-Insight']);

function hasLayoutFilter(filter: LayoutFilter): boolean {
  return (
    filter.accounts !== undefined ||
    filter.regions !== undefined ||
    filter.since !== undefined ||
    filter.until !== undefined
  );
}

/**
 * Folder listings of day folders (or flat prefixes) run this many at once. Results keep the order
 * a sequential walk gives, so only the wall time changes.
 */
export const LISTING_CONCURRENCY = 8;

/**
 * The objects under the prefix that may hold wanted records, in key order per leaf folder. Folder
 * levels are discovered one by one (few calls); the leaf listings, one per account, region and
 * day, run `concurrency` at a time.
 */
export async function* walkLayout(
  list: Lister,
  prefix: string,
  filter: LayoutFilter,
  concurrency: number = LISTING_CONCURRENCY,
): AsyncGenerator<ListedObject> {
  if (filter.since === undefined || concurrency <= 1) {
    // Leaves without a day can hold years of keys: stream them rather than hold them.
    for await (const leaf of leafPrefixes(list, prefix, filter)) yield* flatStream(list, leaf, filter);
    return;
  }
  const leaves: string[] = [];
  for await (const leaf of leafPrefixes(list, prefix, filter)) leaves.push(leaf);
  for await (const objects of mapOrdered(leaves, concurrency, (leaf) => flat(list, leaf, filter))) {
    yield* objects;
  }
}

/** The objects of one delivery day (every account and region), for consumers that go day by day. */
export interface DayOfObjects {
  /** `YYYY-MM-DD` of the day folder; undefined for a prefix listed flat, outside the layout. */
  readonly day: string | undefined;
  /** 0-based position of this day, and how many days the window holds. */
  readonly index: number;
  readonly total: number;
  readonly objects: readonly ListedObject[];
}

const DAY_FOLDER = /\/(\d{4})\/(\d{2})\/(\d{2})\/$/;

/**
 * The same listing as `walkLayout`, grouped by day folder across accounts and regions, in day
 * order: a consumer holds one day's keys at a time, however long the window and large the
 * organization.
 */
export async function* walkLayoutByDay(
  list: Lister,
  prefix: string,
  filter: LayoutFilter,
  concurrency: number = LISTING_CONCURRENCY,
): AsyncGenerator<DayOfObjects> {
  const byDay = new Map<string | undefined, string[]>();
  for await (const leaf of leafPrefixes(list, prefix, filter)) {
    const match = DAY_FOLDER.exec(leaf);
    const day = match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
    const leaves = byDay.get(day) ?? [];
    leaves.push(leaf);
    byDay.set(day, leaves);
  }
  const days = [...byDay.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  for (const [index, day] of days.entries()) {
    const objects: ListedObject[] = [];
    const leaves = byDay.get(day) ?? [];
    for await (const listed of mapOrdered(leaves, concurrency, (leaf) => flat(list, leaf, filter))) {
      objects.push(...listed);
    }
    yield { day, index, total: days.length, objects };
  }
}

export async function* listLogObjectsByDay(
  client: S3Client,
  bucket: string,
  prefix: string,
  filter: LayoutFilter,
  concurrency: number = LISTING_CONCURRENCY,
): AsyncGenerator<DayOfObjects> {
  yield* walkLayoutByDay(s3Lister(client, bucket), prefix, filter, concurrency);
}

/** The prefixes to list flat: as deep in the layout as the filter lets the walk narrow. */
async function* leafPrefixes(list: Lister, prefix: string, filter: LayoutFilter): AsyncGenerator<string> {
  const segments = prefix.split('/');
  const awsLogsIndex = segments.indexOf('AWSLogs');
  if (!hasLayoutFilter(filter)) {
    yield prefix;
    return;
  }
  if (awsLogsIndex === -1) {
    // Above AWSLogs/: find it a few levels down (the trail's own key prefix sits in between).
    const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    const roots = await findAwsLogsFolders(list, base);
    if (roots.length === 0) {
      yield prefix;
      return;
    }
    for (const root of roots) yield* leafPrefixes(list, root, filter);
    return;
  }
  // Below AWSLogs/: how many layout levels does the prefix already fix?
  const below = segments.slice(awsLogsIndex + 1).filter((s, i, all) => s !== '' || i < all.length - 1);
  yield* walkBelowAwsLogs(list, prefix.endsWith('/') ? prefix : `${prefix}/`, below, filter);
}

/** How many folder levels below the given prefix are searched for `AWSLogs/`. */
export const AWSLOGS_SEARCH_DEPTH = 3;

async function findAwsLogsFolders(list: Lister, base: string): Promise<string[]> {
  const found: string[] = [];
  let level = [base];
  for (let depth = 0; depth < AWSLOGS_SEARCH_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      for (const child of await childPrefixes(list, folder)) {
        if (lastSegment(child) === 'AWSLogs') found.push(child);
        else next.push(child);
      }
    }
    if (found.length > 0) return found;
    level = next;
  }
  return found;
}

/** Walks from `AWSLogs/…` down: [org?] account / CloudTrail / region / YYYY / MM / DD. */
async function* walkBelowAwsLogs(
  list: Lister,
  base: string,
  fixed: string[],
  filter: LayoutFilter,
): AsyncGenerator<string> {
  const [first] = fixed;
  if (first !== undefined && ORG_SEGMENT.test(first)) {
    yield* walkBelowAwsLogs(list, base, fixed.slice(1), filter);
    return;
  }
  if (fixed.length === 0) {
    // Children of AWSLogs/ or of AWSLogs/o-…/: accounts, or organisation folders holding accounts.
    for (const child of await childPrefixes(list, base)) {
      const name = lastSegment(child);
      if (ORG_SEGMENT.test(name)) yield* walkBelowAwsLogs(list, child, [], filter);
      else if (ACCOUNT_SEGMENT.test(name) && (!filter.accounts || filter.accounts.has(name))) {
        yield* walkAccount(list, child, filter);
      }
    }
    return;
  }
  // The prefix already names the account and maybe more: flat listing with per-key filtering.
  yield base;
}

async function* walkAccount(
  list: Lister,
  accountPrefix: string,
  filter: LayoutFilter,
): AsyncGenerator<string> {
  for (const folder of await childPrefixes(list, accountPrefix)) {
    if (!WANTED_LOG_FOLDERS.has(lastSegment(folder))) continue;
    for (const regionPrefix of await childPrefixes(list, folder)) {
      if (filter.regions && !filter.regions.has(lastSegment(regionPrefix))) continue;
      if (filter.since === undefined) {
        yield regionPrefix;
        continue;
      }
      yield* walkDays(list, regionPrefix, filter);
    }
  }
}

/** A window up to this long lists its day folders directly; a longer one walks year and month folders. */
export const MAX_GENERATED_DAY_FOLDERS = 62;

/**
 * Lists the day folders of one region that the filter's window can touch. Short windows name their
 * days outright (no listing of empty levels); long ones (`--since 2019-01-01`) walk the year and
 * month folders that exist, so an open-ended window never costs one request per calendar day.
 */
async function* walkDays(list: Lister, regionPrefix: string, filter: LayoutFilter): AsyncGenerator<string> {
  const days = daysBetween(filter);
  if (days.length <= MAX_GENERATED_DAY_FOLDERS) {
    for (const day of days) yield `${regionPrefix}${day.replaceAll('-', '/')}/`;
    return;
  }
  const first = days[0] ?? '';
  const last = days[days.length - 1] ?? '';
  for (const year of await childPrefixes(list, regionPrefix)) {
    const y = lastSegment(year);
    if (y < first.slice(0, 4) || y > last.slice(0, 4)) continue;
    for (const month of await childPrefixes(list, year)) {
      const ym = `${y}-${lastSegment(month)}`;
      if (ym < first.slice(0, 7) || ym > last.slice(0, 7)) continue;
      for (const day of await childPrefixes(list, month)) {
        const ymd = `${ym}-${lastSegment(day)}`;
        if (ymd >= first && ymd <= last) yield day;
      }
    }
  }
}

/** The day folders that can hold files for the filter's window (until widened by the delivery lag). */
export function daysBetween(filter: LayoutFilter, now: number = Date.now()): string[] {
  if (filter.since === undefined) return [];
  return utcDays(filter.since, (filter.until ?? now) + DELIVERY_LAG_MS);
}

async function childPrefixes(list: Lister, prefix: string): Promise<string[]> {
  const children: string[] = [];
  for await (const page of list(prefix, true)) children.push(...page.prefixes);
  return children;
}

async function* flatStream(list: Lister, prefix: string, filter: LayoutFilter): AsyncGenerator<ListedObject> {
  for await (const page of list(prefix, false)) {
    for (const object of page.objects) {
      if (isFolderMarker(object.key)) continue;
      if (keyMayMatch(parseLogFileKey(object.key), filter)) yield object;
    }
  }
}

/** Every wanted object of one day folder: a few hundred keys per account and region at most. */
async function flat(list: Lister, prefix: string, filter: LayoutFilter): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const object of flatStream(list, prefix, filter)) objects.push(object);
  return objects;
}

function lastSegment(prefix: string): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
