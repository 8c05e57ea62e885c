/**
 * CloudTrail's S3 key layout:
 * `[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
 * Digest files live under `CloudTrail-Digest/`, Insights events under `CloudTrail-Insight/`.
 */

export type LogFileKind = 'log' | 'digest' | 'insight';

export interface LogFileKey {
  readonly kind: LogFileKind;
  readonly accountId: string;
  readonly region: string;
  /** The prefix before `AWSLogs/`, without its trailing slash; absent when there is none. */
  readonly prefix?: string;
  readonly orgId?: string;
  /** `YYYY-MM-DD` of the folder the file was delivered to. */
  readonly date?: string;
  /** When CloudTrail delivered the file (from the file name), as epoch milliseconds. */
  readonly deliveredAt?: number;
}

const KIND_BY_FOLDER: Readonly<Record<string, LogFileKind>> = {
  CloudTrail: 'log',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-Insight': 'insight',
};

const FOLDER_LAYOUT =
  /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

const FILE_NAME =
  /^(\d{12})_(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)_([a-z0-9-]+)_(?:.*_)?(\d{8}T\d{4,6}Z)(?:_[A-Za-z0-9]+)?\.json(?:\.gz)?$/;

/** Parses a key or a path; returns undefined when neither the folders nor the file name follow the layout. */
export function parseLogFileKey(key: string): LogFileKey | undefined {
  const slash = key.lastIndexOf('/');
  const fileName = key.slice(slash + 1);
  const file = FILE_NAME.exec(fileName);
  const folders = FOLDER_LAYOUT.exec(key);
  if (!file && !folders) return undefined;
  const kindName = (folders?.[3] ?? file?.[2]) as string;
  const result: {
    kind: LogFileKind;
    accountId: string;
    region: string;
    prefix?: string;
    orgId?: string;
    date?: string;
    deliveredAt?: number;
  } = {
    kind: KIND_BY_FOLDER[kindName] ?? 'log',
    accountId: (folders?.[2] ?? file?.[1]) as string,
    region: (folders?.[4] ?? file?.[3]) as string,
  };
  if (folders) {
    const awsLogsAt = key.length - folders[0].length + (folders[0].startsWith('/') ? 1 : 0);
    if (awsLogsAt > 0) result.prefix = key.slice(0, awsLogsAt - 1);
    if (folders[1] !== undefined) result.orgId = folders[1];
    result.date = `${folders[5]}-${folders[6]}-${folders[7]}`;
  }
  if (file?.[4] !== undefined) {
    const delivered = parseCompactTimestamp(file[4]);
    if (delivered !== undefined) result.deliveredAt = delivered;
    result.date ??= `${file[4].slice(0, 4)}-${file[4].slice(4, 6)}-${file[4].slice(6, 8)}`;
  }
  return result;
}

/** `20220103T1910Z` or `20220103T191059Z` to epoch milliseconds. */
function parseCompactTimestamp(stamp: string): number | undefined {
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.length > 14 ? stamp.slice(13, 15) : '00'}Z`;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : time;
}

/** Keys in S3 event notifications are URL-encoded with `+` for a space. */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export function isFolderMarker(key: string): boolean {
  return key.endsWith('/');
}
