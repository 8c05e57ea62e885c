/**
 * A deterministic benign organisation's CloudTrail: a Control Tower management account and three
 * members (Audit, prod, dev), three governed regions, a week of what such an organisation does every
 * day (people through Identity Center, AWS services and their service-linked roles, Control Tower,
 * CI bots and their preview environments, workloads, backups, secret rotation), delivered as an organization trail writes it to S3
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html):
 * `AWSLogs/o-ORGID/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_ID.json.gz`,
 * one gzipped `{"Records":[…]}` per account, region and five minutes, delivered five minutes later.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ciActivity } from './ci';
import { previewEnvironments } from './ci-preview';
import { controlTowerActivity } from './control-tower';
import { peopleActivity } from './people';
import type { Json } from './records';
import { stableId } from './records';
import { secretRotation } from './rotation';
import { serviceActivity } from './services';
import { workloadActivity } from './workloads';
import type { Day } from './world';
import { ALL_ACCOUNTS, MINUTE_MS, ORG_ID, OrgTrail } from './world';

export { ACCOUNTS, GOVERNED_REGIONS, ORG_ID, PEOPLE } from './world';

const DAY_MS = 86_400_000;
/** CloudTrail delivers a log file about every five minutes, a few minutes after its events. */
const DELIVERY_INTERVAL_MS = 5 * MINUTE_MS;
const DELIVERY_DELAY_MS = 5 * MINUTE_MS;

export interface BenignOrgOptions {
  readonly seed?: number;
  /** Days of activity, from `firstDay`. */
  readonly days?: number;
  /** The first day (UTC, `YYYY-MM-DD`); a Monday by default. */
  readonly firstDay?: string;
}

export const DEFAULT_BENIGN_ORG = { seed: 12, days: 7, firstDay: '2026-10-05' } as const;

export interface BenignLogObject {
  /** The S3 key, relative to the trail's bucket without prefix (starts with `AWSLogs/`). */
  readonly key: string;
  readonly body: Buffer;
  readonly records: readonly Json[];
}

export interface BenignOrg {
  readonly objects: readonly BenignLogObject[];
  readonly records: number;
  /** Epoch ms of the first day's start and of the last day's end (inclusive). */
  readonly since: number;
  readonly until: number;
  readonly days: number;
}

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

function logKey(account: string, region: string, deliveredAt: number, seed: number): string {
  const day = new Date(deliveredAt).toISOString().slice(0, 10).replaceAll('-', '/');
  const unique = stableId(
    `${seed}/${account}/${region}/${deliveredAt}`,
    16,
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  );
  return `AWSLogs/${ORG_ID}/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp(deliveredAt)}_${unique}.json.gz`;
}

function textField(record: Json, field: string): string {
  const value = record[field];
  if (typeof value !== 'string')
    throw new Error(`generated record without ${field}: ${JSON.stringify(record)}`);
  return value;
}

/** Generates the organisation's trail; the same options give the same objects, byte for byte. */
export function generateBenignOrg(options: BenignOrgOptions = {}): BenignOrg {
  const seed = options.seed ?? DEFAULT_BENIGN_ORG.seed;
  const days = options.days ?? DEFAULT_BENIGN_ORG.days;
  const since = Date.parse(`${options.firstDay ?? DEFAULT_BENIGN_ORG.firstDay}T00:00:00Z`);
  const trail = new OrgTrail(seed);
  for (let index = 0; index < days; index++) {
    const start = since + index * DAY_MS;
    const weekday = new Date(start).getUTCDay();
    const day: Day = { index, start, workday: weekday >= 1 && weekday <= 5 };
    serviceActivity(trail, day, ALL_ACCOUNTS);
    controlTowerActivity(trail, day);
    workloadActivity(trail, day);
    secretRotation(trail, day);
    ciActivity(trail, day);
    previewEnvironments(trail, day);
    peopleActivity(trail, day);
  }
  const until = since + days * DAY_MS - 1;
  const files = new Map<string, { account: string; region: string; deliveredAt: number; records: Json[] }>();
  for (const record of trail.records) {
    const time = Date.parse(textField(record, 'eventTime'));
    // Activity that spills past the last day (a late session's calls) is not part of the week.
    if (time > until) continue;
    const account = textField(record, 'recipientAccountId');
    const region = textField(record, 'awsRegion');
    const deliveredAt =
      Math.floor(time / DELIVERY_INTERVAL_MS) * DELIVERY_INTERVAL_MS +
      DELIVERY_INTERVAL_MS +
      DELIVERY_DELAY_MS;
    const id = `${account}/${region}/${deliveredAt}`;
    const file = files.get(id) ?? { account, region, deliveredAt, records: [] };
    file.records.push(record);
    files.set(id, file);
  }
  const objects: BenignLogObject[] = [];
  let records = 0;
  for (const file of files.values()) {
    const sorted = file.records.sort((a, b) =>
      textField(a, 'eventTime') < textField(b, 'eventTime')
        ? -1
        : textField(a, 'eventTime') > textField(b, 'eventTime')
          ? 1
          : 0,
    );
    records += sorted.length;
    objects.push({
      key: logKey(file.account, file.region, file.deliveredAt, seed),
      body: gzipSync(JSON.stringify({ Records: sorted })),
      records: sorted,
    });
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects, records, since, until, days };
}

/** Writes the organisation's log objects under `dir` in the S3 layout; returns `dir`. */
export async function writeBenignOrg(dir: string, org: BenignOrg): Promise<string> {
  for (const object of org.objects) {
    const path = join(dir, object.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, object.body);
  }
  return dir;
}
