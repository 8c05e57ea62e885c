import { describe, expect, it } from 'vitest';
import { compileErrors, detects } from '../helpers/rules';

const event = {
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateAccessKey',
  awsRegion: 'eu-west-1',
  sourceIPAddress: '203.0.113.7',
  readOnly: false,
  managementEvent: true,
  userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1',
  userIdentity: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    userName: 'alice',
    sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin', userName: 'Admin' } },
  },
  requestParameters: { userName: 'alice', policyDocument: '{"Effect":"Allow","Action":"*"}', count: 12 },
  responseElements: null,
  resources: [
    { ARN: 'arn:aws:iam::111122223333:user/bob', type: 'AWS::IAM::User' },
    { ARN: 'arn:aws:iam::111122223333:user/alice', type: 'AWS::IAM::User' },
  ],
  additionalEventData: { note: 'L3Vzci9iaW4vY3VybA==' },
};

const one = (key: string, value: unknown): Record<string, unknown> => ({
  selection: { [key]: value },
  condition: 'selection',
});

/** [description, field|modifiers, value, expected] against the event above. */
const cases: [string, string, unknown, boolean][] = [
  ['plain equality ignores case', 'eventName', 'createaccesskey', true],
  ['plain equality is whole-value', 'eventName', 'CreateAccess', false],
  ['* wildcard', 'eventName', 'Create*Key', true],
  ['? wildcard', 'eventName', 'CreateAccessKe?', true],
  ['escaped * is literal', 'eventName', 'Create\\*', false],
  ['list is OR', 'eventName', ['DeleteUser', 'CreateAccessKey'], true],
  ['contains', 'userAgent|contains', 'python/3.11', true],
  ['contains misses', 'userAgent|contains', 'boto3', false],
  ['startswith', 'userAgent|startswith', 'AWS-CLI/', true],
  ['endswith', 'userIdentity.arn|endswith', '/alice', true],
  ['contains|all needs every value', 'userAgent|contains|all', ['aws-cli', 'Linux'], true],
  ['contains|all fails on one miss', 'userAgent|contains|all', ['aws-cli', 'Windows'], false],
  ['cased keeps case', 'eventName|cased', 'createaccesskey', false],
  ['cased matches exact case', 'eventName|cased', 'CreateAccessKey', true],
  ['re searches', 'userIdentity.arn|re', ':assumed-role/Adm.n/', true],
  ['re is case-sensitive', 'userIdentity.arn|re', 'ASSUMED-ROLE', false],
  ['re|i ignores case', 'userIdentity.arn|re|i', 'ASSUMED-ROLE', true],
  ['re with (?i) inline flag', 'userIdentity.arn|re', '(?i)ASSUMED-ROLE', true],
  ['re|m anchors per line', 'requestParameters.policyDocument|re|m', '^\\{', true],
  ['re|s dot matches newline', 'userAgent|re|s', 'aws-cli.*Linux', true],
  ['re|startswith anchors', 'userAgent|re|startswith', 'Python', false],
  ['exists true', 'requestParameters.userName|exists', true, true],
  ['exists false', 'errorCode|exists', false, true],
  ['exists false on present field', 'eventName|exists', false, false],
  ['null matches absent', 'errorCode', null, true],
  ['null matches null', 'responseElements', null, true],
  ['null misses present', 'eventName', null, false],
  ['cidr v4', 'sourceIPAddress|cidr', '203.0.113.0/24', true],
  ['cidr v4 outside', 'sourceIPAddress|cidr', '10.0.0.0/8', false],
  ['cidr list', 'sourceIPAddress|cidr', ['10.0.0.0/8', '203.0.0.0/8'], true],
  ['cidr v6 does not match v4', 'sourceIPAddress|cidr', '2001:db8::/32', false],
  ['lt', 'requestParameters.count|lt', 13, true],
  ['lte', 'requestParameters.count|lte', 12, true],
  ['gt', 'requestParameters.count|gt', 12, false],
  ['gte', 'requestParameters.count|gte', '12', true],
  ['neq', 'awsRegion|neq', 'us-east-1', true],
  ['neq on the actual value', 'awsRegion|neq', 'eu-west-1', false],
  ['neq with a list is none of them', 'awsRegion|neq', ['us-east-1', 'eu-west-1'], false],
  ['base64', 'additionalEventData.note', 'L3Vzci9iaW4vY3VybA==', true],
  ['base64 modifier encodes', 'additionalEventData.note|base64', '/usr/bin/curl', true],
  [
    'base64offset|contains finds it at any alignment',
    'additionalEventData.note|base64offset|contains',
    'bin/curl',
    true,
  ],
  ['fieldref equal fields', 'requestParameters.userName|fieldref', 'userIdentity.userName', true],
  [
    'fieldref different fields',
    'requestParameters.userName|fieldref',
    'userIdentity.sessionContext.sessionIssuer.userName',
    false,
  ],
  ['fieldref|endswith', 'userIdentity.arn|fieldref|endswith', 'requestParameters.userName', true],
  ['boolean matches typed value', 'readOnly', false, true],
  ['boolean mismatch', 'readOnly', true, false],
  ['string false matches boolean', 'readOnly', 'false', true],
  ['number matches number', 'requestParameters.count', 12, true],
  ['path through an array: any element', 'resources.ARN|endswith', ':user/bob', true],
  ['path through an array misses', 'resources.ARN|endswith', ':user/carol', false],
  ['object field matched on its JSON', 'requestParameters|contains', '"userName":"alice"', true],
  ['escaped JSON inside a string is not structure', 'requestParameters|contains', '"Action":"\\*"', false],
  ['missing nested path', 'userIdentity.sessionContext.webIdFederationData.federatedProvider', 'x', false],
];

describe('modifiers and values', () => {
  for (const [description, key, value, expected] of cases) {
    it(`${description}: ${key}: ${JSON.stringify(value)} -> ${expected}`, () => {
      expect(detects(one(key, value), event)).toBe(expected);
    });
  }

  it('expand takes values from the placeholders, wildcards included', () => {
    const detection = one('userIdentity.sessionContext.sessionIssuer.arn|expand', '%admins%');
    expect(detects(detection, event, { admins: ['arn:aws:iam::*:role/Admin'] })).toBe(true);
    expect(detects(detection, event, { admins: ['arn:aws:iam::*:role/ReadOnly'] })).toBe(false);
  });

  it('expand inside a longer value', () => {
    const detection = one('userIdentity.arn|expand', 'arn:aws:sts::%account%:assumed-role/*');
    expect(detects(detection, event, { account: ['999999999999', '111122223333'] })).toBe(true);
  });

  it('an unset placeholder matches nothing', () => {
    expect(detects(one('userIdentity.arn|expand', '%nobody%'), event)).toBe(false);
  });

  it('any path below a service-specific field is allowed', () => {
    expect(detects(one('requestParameters.anything.at.all', 'x'), event)).toBe(false);
  });

  it('keywords search the whole record', () => {
    expect(detects({ keywords: ['AWS::IAM::User'], condition: 'keywords' }, event)).toBe(true);
    expect(detects({ keywords: ['AWS::S3::Bucket'], condition: 'keywords' }, event)).toBe(false);
  });
});

describe('modifier errors say what is wrong', () => {
  const errors: [string, Record<string, unknown>, RegExp][] = [
    ['unknown modifier', one('eventName|contain', 'x'), /unknown modifier 'contain'/],
    ['unsupported modifier', one('eventName|windash', 'x'), /modifier 'windash' is not supported/],
    ['bad regex', one('eventName|re', '(unclosed'), /bad regular expression "\(unclosed"/],
    ['re after contains', one('eventName|contains|re', 'x'), /'re' must come first/],
    ['flag without re', one('eventName|i', 'x'), /'i' takes a regular expression/],
    ['bad cidr', one('sourceIPAddress|cidr', '10.0.0.0/33'), /is not a CIDR network/],
    ['compare on text', one('requestParameters.count|gt', 'many'), /'gt' takes a number/],
    ['exists on a string', one('eventName|exists', 'yes'), /'exists' takes true or false/],
    ['base64 of a wildcard', one('eventName|base64', 'a*'), /cannot encode wildcards/],
    ['fieldref with a wildcard', one('eventName|fieldref', 'user*'), /cannot hold wildcards/],
    ['modifiers without a field', one('|contains', 'x'), /has modifiers but no field name/],
    ['a map as a value', one('eventName', { a: 1 }), /must be a string, number, boolean or null, not a map/],
    ['an empty list', one('eventName', []), /an empty list matches nothing/],
    [
      'a field CloudTrail lacks',
      one('status', 'success'),
      /field 'status' cannot exist in a CloudTrail record: no 'status' at the top/,
    ],
    ['a wrong case, with a hint', one('eventname', 'x'), /did you mean 'eventName'\?/],
    ['a typo below userIdentity', one('userIdentity.arnn', 'x'), /no 'arnn' under 'userIdentity'/],
    ['a path below a value', one('eventName.first', 'x'), /'eventName' holds a value, not fields/],
    [
      'a fieldref to a missing field',
      one('eventName|fieldref', 'userIdentity.nmae'),
      /fieldref: field 'userIdentity\.nmae' cannot exist/,
    ],
  ];
  for (const [description, detection, message] of errors) {
    it(description, () => expect(compileErrors(detection)).toEqual([expect.stringMatching(message)]));
  }
});
