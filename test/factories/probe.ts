/**
 * A rule that matches one made-up service, and records of it: tests that count alerts (poison
 * isolation, concurrent delivery) use them so no shipped rule adds alerts of its own.
 */
export const PROBE_RULE_ID = '5b0e7f6e-0000-4000-8000-000000000001';

export function probeRule(id: string = PROBE_RULE_ID): string {
  return `title: Probe call
id: ${id}
status: test
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventSource: probe.amazonaws.com}
  condition: selection
`;
}

/** Record `index` of the probe service; `principal` sets who made it (distinct principals defeat dedup). */
export function probeRecord(index: number, principal = 'alice'): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventTime: `2026-11-30T10:00:${String(index % 60).padStart(2, '0')}Z`,
    eventSource: 'probe.amazonaws.com',
    eventName: 'Probe',
    awsRegion: 'us-east-1',
    eventID: `probe-${index}`,
    recipientAccountId: '111122223333',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/${principal}` },
  };
}
