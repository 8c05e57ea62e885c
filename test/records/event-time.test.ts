import { describe, expect, it } from 'vitest';
import { checkRecord, isIsoEventTime } from '../../lib/records';

describe('eventTime must be ISO 8601 as CloudTrail writes it', () => {
  const cases: { text: string; valid: boolean }[] = [
    { text: '2014-03-06T21:22:54Z', valid: true },
    { text: '2024-02-29T00:00:00Z', valid: true },
    { text: '2024-05-01T12:00:00.123Z', valid: true },
    { text: '2024-05-01T12:00:00.123456789Z', valid: true },
    { text: '2024-05-01T12:00:00+02:00', valid: true },
    { text: '2016-12-31T23:59:60Z', valid: true },
    { text: '1', valid: false },
    { text: '2024', valid: false },
    { text: 'May 5, 2024', valid: false },
    { text: '2024-05-01', valid: false },
    { text: '2024-05-01T12:00:00', valid: false },
    { text: '2024-05-01 12:00:00Z', valid: false },
    { text: '2023-02-29T00:00:00Z', valid: false },
    { text: '2024-13-01T00:00:00Z', valid: false },
    { text: '2024-04-31T00:00:00Z', valid: false },
    { text: '2024-05-01T24:00:00Z', valid: false },
    { text: '2024-05-01T12:60:00Z', valid: false },
    { text: '2024-05-01T12:00:00+24:00', valid: false },
    { text: ' 2024-05-01T12:00:00Z', valid: false },
    { text: '2024-05-01T12:00:00Z\n', valid: false },
  ];
  for (const { text, valid } of cases) {
    it(`${JSON.stringify(text)} is ${valid ? 'valid' : 'refused'}`, () => {
      expect(isIsoEventTime(text)).toBe(valid);
      const check = checkRecord({
        eventVersion: '1.08',
        eventTime: text,
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        awsRegion: 'eu-west-1',
        eventID: 'e',
      });
      expect(check.ok).toBe(valid);
      if (!check.ok) expect(check.reason).toBe(`eventTime ${JSON.stringify(text)} is not an ISO 8601 time`);
    });
  }
});
