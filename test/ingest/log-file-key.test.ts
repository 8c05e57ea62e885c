import { describe, expect, it } from 'vitest';
import { decodeS3EventKey, parseLogFileKey } from '../../lib/ingest';

describe('parseLogFileKey', () => {
  const cases: { key: string; expected: ReturnType<typeof parseLogFileKey> }[] = [
    {
      key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1005Z_AbCdEf0123456789.json.gz',
      expected: {
        kind: 'log',
        accountId: '111122223333',
        region: 'us-east-1',
        date: '2024-05-01',
        deliveredAt: Date.UTC(2024, 4, 1, 10, 5),
      },
    },
    {
      key: 'org-trail/AWSLogs/o-aa111bb222/111122223333/CloudTrail/eu-west-1/2024/12/31/111122223333_CloudTrail_eu-west-1_20241231T2355Z_x1.json.gz',
      expected: {
        kind: 'log',
        accountId: '111122223333',
        region: 'eu-west-1',
        prefix: 'org-trail',
        orgId: 'o-aa111bb222',
        date: '2024-12-31',
        deliveredAt: Date.UTC(2024, 11, 31, 23, 55),
      },
    },
    {
      key: 'a/b/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_my-trail_us-east-1_20240501T100512Z.json.gz',
      expected: {
        kind: 'digest',
        accountId: '111122223333',
        region: 'us-east-1',
        prefix: 'a/b',
        date: '2024-05-01',
        deliveredAt: Date.UTC(2024, 4, 1, 10, 5, 12),
      },
    },
    {
      key: 'AWSLogs/111122223333/CloudTrail-Insight/ap-southeast-2/2024/05/01/111122223333_CloudTrail-Insight_ap-southeast-2_20240501T1005Z_q.json.gz',
      expected: {
        kind: 'insight',
        accountId: '111122223333',
        region: 'ap-southeast-2',
        date: '2024-05-01',
        deliveredAt: Date.UTC(2024, 4, 1, 10, 5),
      },
    },
    {
      key: '/home/me/logs/650992545562_CloudTrail_ap-southeast-2_20220103T1910Z_2K1RJSarvjlq2cAR.json',
      expected: {
        kind: 'log',
        accountId: '650992545562',
        region: 'ap-southeast-2',
        date: '2022-01-03',
        deliveredAt: Date.UTC(2022, 0, 3, 19, 10),
      },
    },
    { key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/', expected: undefined },
    { key: 'random/file.json', expected: undefined },
    { key: 'AWSLogs/12345/CloudTrail/us-east-1/2024/05/01/x.json.gz', expected: undefined },
  ];
  for (const { key, expected } of cases) {
    it(key, () => expect(parseLogFileKey(key)).toEqual(expected));
  }
});

describe('decodeS3EventKey', () => {
  const cases = [
    ['AWSLogs/1/CloudTrail/x.json.gz', 'AWSLogs/1/CloudTrail/x.json.gz'],
    ['my+logs/a%2Bb.json', 'my logs/a+b.json'],
    ['caf%C3%A9/%3Akey', 'café/:key'],
  ] as const;
  for (const [encoded, decoded] of cases)
    it(`${encoded} -> ${decoded}`, () => expect(decodeS3EventKey(encoded)).toBe(decoded));
});
