import { describe, expect, it } from 'vitest';
import { alertFacts, alertId, FIELD_TEXT_MAX, principalName, textField } from '../../lib/alerts';
import { toFinding } from '../../lib/scan';
import { anyRecordRule, BASE_RECORD, forgedRecord, hostileAlert } from '../factories/hostile';

describe('textField reads any JSON value as text', () => {
  it.each([
    ['a string', 'alice', 'alice'],
    ['an empty string', '', undefined],
    ['a number', 123456789012, '123456789012'],
    ['zero', 0, '0'],
    ['a boolean', false, 'false'],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
    ['an object', { a: [1, 'x'] }, '{"a":[1,"x"]}'],
    ['an array', ['a', 2], '["a",2]'],
  ])('%s', (_name, value, expected) => {
    expect(textField(value)).toBe(expected);
  });

  it('cuts a huge string or object to the cap without splitting a surrogate pair', () => {
    const cut = textField(`${'x'.repeat(FIELD_TEXT_MAX - 2)}🚀🚀`);
    expect(cut?.length).toBeLessThanOrEqual(FIELD_TEXT_MAX);
    expect(cut?.endsWith('x…')).toBe(true);
    expect(textField({ big: 'y'.repeat(100_000) })?.length).toBe(FIELD_TEXT_MAX);
  });

  it('survives nesting too deep for JSON.stringify', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(textField(deep)).toBe('[value that cannot be shown as JSON]');
  });
});

describe('facts, summaries and findings from records with unexpected types', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['a numeric userIdentity.arn', { userIdentity: { arn: 12345, type: 'IAMUser' } }],
    ['an object userIdentity.arn', { userIdentity: { arn: { nested: 'arn' } } }],
    ['an array userIdentity', { userIdentity: ['a', 'b'] }],
    ['a string userIdentity', { userIdentity: 'root' }],
    ['null sessionContext', { userIdentity: { sessionContext: null, invokedBy: 7 } }],
    ['a numeric sourceIPAddress', { sourceIPAddress: 2130706433 }],
    ['an object userAgent', { userAgent: { name: 'x' } }],
    ['a boolean errorCode', { errorCode: true, errorMessage: ['m'] }],
    ['a numeric eventName and eventSource', { eventName: 5, eventSource: 6 }],
    ['an object awsRegion', { awsRegion: { r: 'us-east-1' } }],
    ['a numeric recipientAccountId', { recipientAccountId: 111122223333 }],
    ['an object eventID', { eventID: { id: 1 } }],
    ['a huge user agent', { userAgent: 'u'.repeat(1_000_000) }],
  ];

  it.each(cases)('%s: every fact is a string and the finding is JSON', (_name, overrides) => {
    const record = forgedRecord({ ...BASE_RECORD, ...overrides });
    const facts = alertFacts(record);
    for (const value of Object.values(facts)) {
      expect(typeof value).toBe('string');
      expect(value.length).toBeLessThanOrEqual(FIELD_TEXT_MAX);
    }
    expect(typeof principalName(facts)).toBe('string');
    const alert = hostileAlert(record);
    const finding = toFinding(alert);
    expect(JSON.parse(JSON.stringify(finding))).toMatchObject({ alertId: alert.id });
  });

  it('shows a numeric source IP and ARN as their digits', () => {
    const facts = alertFacts(
      forgedRecord({ ...BASE_RECORD, sourceIPAddress: 2130706433, userIdentity: { arn: 42 } }),
    );
    expect(facts.sourceIPAddress).toBe('2130706433');
    expect(facts.principalArn).toBe('42');
  });

  it('keeps the alert id of a well-formed record what it was: a hash of rule id and event id', () => {
    expect(hostileAlert(forgedRecord(BASE_RECORD)).id).toBe(
      alertId('detection', anyRecordRule().meta.id, '3b4c5d6e-0000-4000-8000-000000000001'),
    );
  });
});
