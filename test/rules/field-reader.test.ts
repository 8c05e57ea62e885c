import { describe, expect, it } from 'vitest';
import { detectionAlert, readPath } from '../../lib/alerts';
import type { CloudTrailRecord } from '../../lib/records';
import { loadRules, readField, readFieldValue } from '../../lib/rules';
import { compileErrors, detects, ruleDir } from '../helpers/rules';

const record: CloudTrailRecord = {
  eventVersion: '1.08',
  eventID: '7a1e4c1d-0000-4000-8000-000000000001',
  eventTime: '2027-01-05T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'DeleteUser',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.7',
  userAgent: 'aws-cli/2.15.0',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
  requestParameters: { userName: 'bob', tags: [[{ key: 'team' }], { key: 'env' }], nothing: null },
  resources: [
    { ARN: 'arn:aws:iam::111122223333:user/bob', type: 'AWS::IAM::User' },
    { ARN: 'arn:aws:iam::111122223333:user/carol', type: 'AWS::IAM::User' },
  ],
  recipientAccountId: '111122223333',
};

describe('one field-path reader', () => {
  const cases: [string, unknown[], unknown][] = [
    ['eventName', ['DeleteUser'], 'DeleteUser'],
    ['userIdentity.arn', ['arn:aws:iam::111122223333:user/alice'], 'arn:aws:iam::111122223333:user/alice'],
    [
      'resources.ARN',
      ['arn:aws:iam::111122223333:user/bob', 'arn:aws:iam::111122223333:user/carol'],
      ['arn:aws:iam::111122223333:user/bob', 'arn:aws:iam::111122223333:user/carol'],
    ],
    ['requestParameters.tags.key', ['team', 'env'], ['team', 'env']],
    ['requestParameters.nothing', [null], null],
    ['requestParameters.missing', [], undefined],
    ['eventName.length', [], undefined],
    ['userIdentity.toString', [], undefined],
    ['userIdentity.constructor', [], undefined],
    ['userIdentity.hasOwnProperty', [], undefined],
    ['__proto__', [], undefined],
    ['constructor.name', [], undefined],
    ['resources.constructor', [], undefined],
  ];
  it.each(cases)('%s', (path, all, value) => {
    expect(readField(record, path)).toEqual(all);
    expect(readFieldValue(record, path)).toEqual(value);
    // Alerts, dedup keys and correlation groups read with the same reader.
    expect(readPath(record, path)).toEqual(value);
  });

  it('reads own keys named like Object.prototype members as plain data', () => {
    const hostile = JSON.parse(
      '{"userIdentity":{"toString":"x","__proto__":{"arn":"y"}},"constructor":[{"name":"z"}]}',
    );
    expect(readField(hostile, 'userIdentity.toString')).toEqual(['x']);
    expect(readField(hostile, 'userIdentity.__proto__.arn')).toEqual(['y']);
    expect(readField(hostile, 'userIdentity.arn')).toEqual([]);
    expect(readField(hostile, 'constructor.name')).toEqual(['z']);
  });

  it('reads arrays nested thousands deep without overflowing the stack', () => {
    let nested: unknown = 'deep';
    for (let depth = 0; depth < 50_000; depth++) nested = [nested];
    expect(readField({ requestParameters: { value: nested } }, 'requestParameters.value')).toEqual(['deep']);
    expect(
      detects(
        { s: { 'requestParameters.value': 'deep' }, condition: 's' },
        {
          requestParameters: { value: nested },
        },
      ),
    ).toBe(true);
  });
});

describe('rules match own properties only', () => {
  it('refuses field names no CloudTrail record has, Object.prototype members included', () => {
    for (const field of ['userIdentity.toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(compileErrors({ s: { [`${field}|exists`]: true }, condition: 's' })).toEqual([
        expect.stringMatching(/cannot exist in a CloudTrail record/),
      ]);
    }
  });

  const openCases: [string, Record<string, unknown>, boolean][] = [
    ['absent own key does not exist', { requestParameters: {} }, false],
    ['present own key exists', JSON.parse('{"requestParameters":{"toString":"x"}}'), true],
  ];
  it.each(openCases)('requestParameters.toString|exists: %s', (_name, event, expected) => {
    expect(detects({ s: { 'requestParameters.toString|exists': true }, condition: 's' }, event)).toBe(
      expected,
    );
  });

  it('a null test on an inherited name sees the field as absent', () => {
    expect(
      detects({ s: { 'requestParameters.constructor': null }, condition: 's' }, { requestParameters: {} }),
    ).toBe(true);
  });
});

describe('alerts show what the rule matched on', () => {
  it('a rule on resources.ARN shows the ARNs in its fields', () => {
    const dir = ruleDir({
      'r.yml': `title: user deleted
id: 0f1d7d39-0000-4000-8000-0000000000aa
logsource: {product: aws, service: cloudtrail}
fields: [resources.ARN, userIdentity.arn, requestParameters.missing]
detection:
  selection:
    resources.ARN|endswith: ':user/carol'
  condition: selection
`,
    });
    const set = loadRules([dir]);
    expect(set.errors).toEqual([]);
    const rule = set.detections[0];
    if (rule === undefined) throw new Error('the rule did not load');
    expect(rule.match(record)).toBe(true);
    const alert = detectionAlert(rule, record);
    expect(alert.fields).toEqual({
      'resources.ARN': ['arn:aws:iam::111122223333:user/bob', 'arn:aws:iam::111122223333:user/carol'],
      'userIdentity.arn': 'arn:aws:iam::111122223333:user/alice',
      'requestParameters.missing': null,
    });
    expect(alert.summary).toContain('user/carol');
  });
});
