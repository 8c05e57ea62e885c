import type { Alert } from '../../lib/alerts';
import { detectionAlert } from '../../lib/alerts';
import type { CloudTrailRecord } from '../../lib/records';
import type { DetectionRule } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import { ruleDir } from '../helpers/rules';

/** Strings that try to act on a terminal, a chat client or a mail reader instead of being read. */
export const HOSTILE: readonly (readonly [name: string, text: string])[] = [
  ['ANSI colour (ESC[31m)', 'x\u001b[31mred\u001b[0m'],
  ['OSC 8 hyperlink', '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007'],
  ['CR overwrite', 'innocent\rEVIL'],
  ['BEL', 'ding\u0007dong'],
  ['C1 CSI', 'c1\u009b31mred'],
  ['DEL and NUL', 'a\u007fb\u0000c'],
  ['bidi override and isolate', 'user\u202Etxt.exe\u2066x\u2069\u202a\u202c'],
  ['line and paragraph separators', 'one\u2028two\u2029three\nfour'],
  ['Slack bold', '*bold*'],
  ['Slack italic and strike', '_italic_ ~strike~'],
  ['Slack channel mention', '<!channel> @here'],
  ['Slack link', '<http://evil|click>'],
  ['bare domain', 'go to evil.com now'],
  ['backticks', 'a`b ```block``` `code`'],
  ['Markdown link', '[click](https://evil.example)'],
];

/**
 * A record typed as CloudTrail but holding anything: the point of these tests is that a record's
 * JSON need not match the documented types, so the type is asserted here, once.
 */
export function forgedRecord(fields: Readonly<Record<string, unknown>>): CloudTrailRecord {
  return fields as CloudTrailRecord;
}

export const BASE_RECORD: Readonly<Record<string, unknown>> = {
  eventVersion: '1.09',
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateAccessKey',
  awsRegion: 'us-east-1',
  eventID: '3b4c5d6e-0000-4000-8000-000000000001',
  recipientAccountId: '111122223333',
  userIdentity: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
    accountId: '111122223333',
    sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin' } },
  },
};

/** The base record with `text` in every field people read, top level and identity. */
export function hostileRecord(text: string): CloudTrailRecord {
  return forgedRecord({
    ...BASE_RECORD,
    sourceIPAddress: text,
    userAgent: text,
    errorCode: text,
    errorMessage: text,
    requestParameters: { userName: text },
    resources: [{ ARN: text }],
    userIdentity: {
      type: text,
      arn: `arn:aws:sts::111122223333:assumed-role/Admin/${text}`,
      accountId: '111122223333',
      sessionContext: { sessionIssuer: { arn: text } },
    },
  });
}

let cached: DetectionRule | undefined;

/** A rule (detectionAlert does not evaluate it) that shows fields of several shapes (string, nested, array). */
export function anyRecordRule(): DetectionRule {
  if (cached) return cached;
  const dir = ruleDir({
    'any.yml': `title: Anything at all
id: 0f0f0f0f-0000-4000-8000-00000000beef
level: high
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: CreateAccessKey}, condition: s}
fields: [requestParameters.userName, resources.ARN, userIdentity.arn, sourceIPAddress, requestParameters]
runbook: Look at the record.
`,
  });
  const { detections, errors } = loadRules([dir]);
  const [rule] = detections;
  if (!rule) throw new Error(`test rule did not load: ${JSON.stringify(errors)}`);
  cached = rule;
  return rule;
}

export function hostileAlert(record: CloudTrailRecord): Alert {
  return detectionAlert(anyRecordRule(), record);
}

/**
 * Characters that must not reach a reader raw: C0 and DEL, C1, bidi marks, overrides and
 * isolates, line and paragraph separators. Line feed is allowed only where a test says so.
 */
export const RAW_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
export const RAW_CONTROL_OR_NEWLINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Every string anywhere in a parsed JSON value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(allStrings);
  return [];
}
