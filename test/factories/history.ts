/**
 * A generated organization trail's S3 history: the key layout of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html
 * (`prefix/AWSLogs/o-ORGID/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/…json.gz`), digest files beside the
 * logs, a corrupt object, and days outside the window that a backtest must never list.
 */
import { gzipSync } from 'node:zlib';

export const HISTORY_ORG = 'o-a1b2c3d4e5';
export const HISTORY_PREFIX = 'org-trail';
export const HISTORY_ACCOUNTS = ['111111111111', '222222222222'] as const;
export const HISTORY_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
/** The window a test asks for; `OUTSIDE_DAYS` hold files too, which must not be read. */
export const HISTORY_DAYS = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04'] as const;
export const OUTSIDE_DAYS = ['2026-09-20', '2026-10-09'] as const;
/** Two deliveries ten minutes apart each day: within a one-hour dedup window. */
export const DELIVERY_STAMPS = ['0005', '0015'] as const;
export const RECORDS_PER_FILE = 5;
/** The corrupt object sits in the window: account 1, us-east-1, the second day. */
export const CORRUPT_KEY = logKey(HISTORY_ACCOUNTS[0], 'us-east-1', '2026-10-02', '0030', 'CloudTrail');

export const ALICE = 'arn:aws:sts::ACCOUNT:assumed-role/Admin/alice';
export const BOB = 'arn:aws:sts::ACCOUNT:assumed-role/Admin/bob';

export function logKey(account: string, region: string, day: string, stamp: string, folder: string): string {
  const compact = day.replaceAll('-', '');
  const kind = folder === 'CloudTrail-Digest' ? 'CloudTrail-Digest' : 'CloudTrail';
  return `${HISTORY_PREFIX}/AWSLogs/${HISTORY_ORG}/${account}/${folder}/${region}/${day.replaceAll('-', '/')}/${account}_${kind}_${region}_${compact}T${stamp}Z_${stamp}${account.slice(0, 4)}.json.gz`;
}

function record(
  account: string,
  region: string,
  time: string,
  n: number,
  who: string,
  eventName: string,
): Record<string, unknown> {
  const arn = who.replace('ACCOUNT', account);
  return {
    eventVersion: '1.09',
    eventTime: time,
    eventSource: eventName === 'CreateUser' ? 'iam.amazonaws.com' : 'ec2.amazonaws.com',
    eventName,
    awsRegion: region,
    eventID: `${account}-${region}-${time}-${n}`,
    readOnly: eventName !== 'CreateUser',
    recipientAccountId: account,
    userIdentity: {
      type: 'AssumedRole',
      arn,
      accountId: account,
      sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${account}:role/Admin` } },
    },
  };
}

/** One log file: alice and bob each create a user; three reads by alice are the noise around them. */
function logFileBody(account: string, region: string, day: string, stamp: string): Buffer {
  const time = `${day}T${stamp.slice(0, 2)}:${String(Number(stamp.slice(2)) - 3).padStart(2, '0')}:00Z`;
  const records = [
    record(account, region, time, 0, ALICE, 'CreateUser'),
    record(account, region, time, 1, BOB, 'CreateUser'),
    ...[2, 3, 4].map((n) => record(account, region, time, n, ALICE, 'DescribeInstances')),
  ];
  return gzipSync(JSON.stringify({ Records: records }));
}

export interface HistoryObject {
  readonly key: string;
  readonly body: Buffer;
}

export function historyObjects(): HistoryObject[] {
  const objects: HistoryObject[] = [];
  for (const account of HISTORY_ACCOUNTS) {
    for (const region of HISTORY_REGIONS) {
      for (const day of [...HISTORY_DAYS, ...OUTSIDE_DAYS]) {
        for (const stamp of DELIVERY_STAMPS) {
          objects.push({
            key: logKey(account, region, day, stamp, 'CloudTrail'),
            body: logFileBody(account, region, day, stamp),
          });
        }
        objects.push({
          key: logKey(account, region, day, '0100', 'CloudTrail-Digest'),
          body: gzipSync(JSON.stringify({ awsAccountId: account, logFiles: [] })),
        });
      }
    }
  }
  objects.push({ key: CORRUPT_KEY, body: Buffer.from('this object was overwritten by something else') });
  return objects;
}

/** The rules and configuration the expectations below are reasoned from. */
export const HISTORY_RULE = `title: user created
id: 7e7c3f1e-0000-4000-8000-000000000001
level: medium
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventSource: iam.amazonaws.com, eventName: CreateUser}
  condition: selection
`;

export const HISTORY_CONFIG = `dedup:
  window: 1h
suppressions:
  - match:
      principals: ['arn:aws:sts::*:assumed-role/Admin/bob']
    reason: bob's user creations are the onboarding automation
    owner: security@example.com
    expires: '2099-01-01'
`;

/**
 * What a backtest of the whole window must report. Per day: 2 accounts × 3 regions × 2 files = 12
 * CreateUser by alice and 12 by bob. Bob's are suppressed. Alice's share a dedup key per account
 * (rule, principal, event, account; not region) and fall within one hour: 1 notification per
 * account per day, the other 5 deduplicated.
 */
export const EXPECTED_HISTORY = {
  objectsRead:
    HISTORY_ACCOUNTS.length * HISTORY_REGIONS.length * HISTORY_DAYS.length * DELIVERY_STAMPS.length,
  records:
    HISTORY_ACCOUNTS.length *
    HISTORY_REGIONS.length *
    HISTORY_DAYS.length *
    DELIVERY_STAMPS.length *
    RECORDS_PER_FILE,
  alerts: 96,
  suppressed: 48,
  deduplicated: 40,
  afterDedup: 8,
  alertsPerDay: 24,
  afterDedupPerDay: 2,
} as const;
