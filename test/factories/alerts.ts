import type { Alert } from '../../lib/alerts';
import { detectionAlert } from '../../lib/alerts';
import type { CloudTrailRecord } from '../../lib/records';
import type { DetectionRule } from '../../lib/rules';
import { loadRules } from '../../lib/rules';
import { ruleDir } from '../helpers/rules';

/** Strings an attacker controls in CloudTrail (user agent, session names, parameters) that try to escape. */
export const INJECTIONS = [
  '<!channel> <!here> <@U024BE7LH> @channel @here',
  '<https://evil.example/phish|Click to verify>',
  '*bold* _italic_ ~strike~ `code` ```block```',
  '&lt;already escaped&gt; & < > " \' \\',
  'line one\r\nSubject: forged\nline three\u0000\u001b[31m',
  '[click](https://evil.example) **markdown** # heading',
  'Zoë 日本語 🚀 \u202Eright-to-left',
] as const;

export function injectedRecord(
  injection: string,
  overrides: Partial<CloudTrailRecord> = {},
): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1',
    eventID: `e-${Buffer.from(injection).toString('hex').slice(0, 16)}`,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::111122223333:assumed-role/Admin/${injection}`,
      accountId: '111122223333',
      sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin' } },
    },
    sourceIPAddress: injection,
    userAgent: injection,
    errorCode: injection,
    errorMessage: injection,
    requestParameters: { userName: injection },
    recipientAccountId: '111122223333',
    ...overrides,
  };
}

let cached: DetectionRule | undefined;

/** A rule whose fields and runbook also carry attacker-controlled text into the alert. */
export function injectionRule(): DetectionRule {
  if (cached) return cached;
  const dir = ruleDir({
    'r.yml': `title: Access key created
id: 5d3c7a4e-0000-4000-8000-000000000abc
level: high
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: CreateAccessKey}, condition: s}
fields: [requestParameters.userName, userAgent]
runbook: Check who asked for the key.
`,
  });
  const [rule] = loadRules([dir]).detections;
  if (!rule) throw new Error('test rule did not load');
  cached = rule;
  return rule;
}

export function injectedAlert(injection: string): Alert {
  return detectionAlert(injectionRule(), injectedRecord(injection));
}
