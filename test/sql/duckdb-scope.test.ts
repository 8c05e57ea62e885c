/**
 * The DuckDB dialect's scope (time window, accounts, regions) keeps the records the readers' layout
 * filter keeps: the window inclusive at both ends, the account from the file's key first, then
 * recipientAccountId, then userIdentity.accountId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckdbHunt } from '../../lib/hunt/duckdb';
import type { Origin } from '../../lib/ingest';
import type { CloudTrailRecord } from '../../lib/records';
import type { HuntScope } from '../../lib/sql';

function record(
  time: string,
  region: string,
  account: string | undefined,
  identityAccount?: string,
): CloudTrailRecord {
  return {
    eventVersion: '1.08',
    eventTime: time,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: region,
    eventID: `${time}-${region}`,
    ...(account === undefined ? {} : { recipientAccountId: account }),
    userIdentity: {
      type: 'IAMUser',
      ...(identityAccount === undefined ? {} : { accountId: identityAccount }),
    },
  };
}

const KEYED: Origin = {
  source: 's3://b/AWSLogs/333333333333/CloudTrail/us-east-1/2026/01/01/x.json.gz',
  logFile: { kind: 'log', accountId: '333333333333', region: 'us-east-1' },
};

const RECORDS: { record: CloudTrailRecord; origin?: Origin }[] = [
  { record: record('2026-01-01T00:00:00Z', 'us-east-1', '111111111111') },
  { record: record('2026-01-01T12:00:00Z', 'eu-west-1', '111111111111') },
  { record: record('2026-01-02T00:00:00Z', 'us-east-1', '222222222222') },
  { record: record('2026-01-03T00:00:00Z', 'us-east-1', undefined, '222222222222') },
  // The file's key names the account, whatever the record says.
  { record: record('2026-01-01T06:00:00Z', 'us-east-1', '111111111111'), origin: KEYED },
];

const ALL = 'len(list_filter([1], lambda x: true)) > 0';

let hunt: DuckdbHunt;
beforeAll(async () => {
  hunt = await DuckdbHunt.open();
  await hunt.load(RECORDS, []);
});
afterAll(() => hunt.close());

async function positions(scope: HuntScope): Promise<number[]> {
  const { matches, refused } = await hunt.match(
    {
      dialect: 'duckdb',
      rules: [{ ruleId: 'all', title: 'all', level: 'low', where: ALL, fields: [], correlationOnly: false }],
      unsupported: [],
      correlations: [],
    },
    scope,
  );
  expect(refused).toEqual([]);
  return matches.get('all') ?? [];
}

describe('DuckDB scope', () => {
  it.each<[string, HuntScope, number[]]>([
    ['none', {}, [0, 1, 2, 3, 4]],
    ['since, inclusive', { since: new Date('2026-01-01T12:00:00Z') }, [1, 2, 3]],
    ['until, inclusive', { until: new Date('2026-01-01T12:00:00Z') }, [0, 1, 4]],
    ['a region', { regions: ['eu-west-1'] }, [1]],
    ['an account from recipientAccountId or userIdentity', { accounts: ['222222222222'] }, [2, 3]],
    ['an account from the file key', { accounts: ['333333333333'] }, [4]],
    [
      'all together',
      {
        since: new Date('2026-01-01T00:00:00Z'),
        until: new Date('2026-01-02T00:00:00Z'),
        accounts: ['111111111111'],
        regions: ['us-east-1'],
      },
      [0],
    ],
  ])('%s', async (_name, scope, expected) => {
    expect(await positions(scope)).toEqual(expected);
  });
});
