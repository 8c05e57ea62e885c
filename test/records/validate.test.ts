import { describe, expect, it } from 'vitest';
import { checkRecord } from '../../lib/records';

const minimal = {
  eventVersion: '1.08',
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  awsRegion: 'us-east-1',
  eventID: 'e1',
};

describe('checkRecord', () => {
  const cases: { name: string; value: Record<string, unknown>; reason?: RegExp }[] = [
    { name: 'the minimal record', value: { ...minimal } },
    { name: 'with extra fields', value: { ...minimal, future: [1, 2] } },
    {
      name: 'missing everything',
      value: {},
      reason: /missing eventVersion, eventTime, eventSource, eventName, awsRegion, eventID/,
    },
    { name: 'empty eventName', value: { ...minimal, eventName: '' }, reason: /missing eventName/ },
    { name: 'null awsRegion', value: { ...minimal, awsRegion: null }, reason: /missing awsRegion/ },
    {
      name: 'numeric eventID',
      value: { ...minimal, eventID: 5 },
      reason: /eventID is a number \(expected a string\)/,
    },
    { name: 'an eventID of 128 characters', value: { ...minimal, eventID: 'e'.repeat(128) } },
    {
      name: 'an eventID too long to be one (stored with every window and delivery)',
      value: { ...minimal, eventID: 'e'.repeat(129) },
      reason: /eventID of 129 characters is not a CloudTrail event id/,
    },
    {
      name: 'unparseable time',
      value: { ...minimal, eventTime: '2024-13-45' },
      reason: /not an ISO 8601 time/,
    },
    {
      name: 'userIdentity not an object',
      value: { ...minimal, userIdentity: 'root' },
      reason: /userIdentity is a string/,
    },
    {
      name: 'insight without insightDetails',
      value: { ...minimal, eventType: 'AwsCloudTrailInsight' },
      reason: /missing insightDetails/,
    },
  ];
  for (const { name, value, reason } of cases) {
    it(name, () => {
      const result = checkRecord(value);
      if (reason) expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
      else expect(result).toEqual({ ok: true, record: value });
    });
  }
});
