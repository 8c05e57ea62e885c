import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretResolver } from '../../lib/notify';
import type { CloudTrailRecord } from '../../lib/records';
import { ColdStartError, createTrailHandler, TriggerEventError } from '../../lib/runtime';
import { MemoryStateStore } from '../../lib/state';
import { cloudWatchLogsEvent, eventBridgeCloudTrail, s3Notification } from '../factories/events';
import { fixtureRecords } from '../helpers/fixtures';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { capturingLogger, testRuntime } from '../helpers/runtime';

const docs = fixtureRecords('aws-docs-examples.jsonl');
const rootLoginWithoutMfa = docs.find(
  (r) =>
    r.userIdentity?.type === 'Root' &&
    r.eventName === 'ConsoleLogin' &&
    (r.additionalEventData as { MFAUsed?: string } | undefined)?.MFAUsed === 'No' &&
    !r.errorMessage,
) as CloudTrailRecord;
const CONFIG = `destinations:
  slack: {type: slack, webhook_url: {env: SLACK_URL}}
routing:
  defaults: {critical: [slack], high: [slack]}
`;
const context = { awsRequestId: 'req-1' };

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => receiver.close());

function handlerFor(trigger: Parameters<typeof createTrailHandler>[0]) {
  const runtime = testRuntime(CONFIG, {
    state: new MemoryStateStore(),
    notifier: { secrets: new SecretResolver({ env: { SLACK_URL: receiver.url } }) },
  });
  const { log, lines } = capturingLogger();
  return { handler: createTrailHandler(trigger, { runtime: runtime, log: log }), lines };
}

describe('Lambda handlers with real event shapes', () => {
  it('EventBridge: a root sign-in without MFA reaches Slack within the invocation', async () => {
    const { handler, lines } = handlerFor('eventbridge');
    const metrics = await handler(
      eventBridgeCloudTrail(rootLoginWithoutMfa, 'AWS Console Sign In via CloudTrail'),
      context,
    );
    expect(metrics).toMatchObject({ recordsRead: 1, deliveriesFailed: 0 });
    expect(metrics.notificationsSent).toBeGreaterThanOrEqual(1);
    const titles = receiver.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
    // The person comes first in the title.
    expect(titles.some((t) => t.startsWith('CRITICAL: root — Root user signed in without MFA'))).toBe(true);
    const emf = lines.find((line) => '_aws' in line);
    expect(emf).toMatchObject({
      Source: 'eventbridge',
      RecordsRead: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'trailwatch' }] },
    });
    expect((emf?.NotificationLatency as number[] | undefined)?.length).toBe(metrics.notificationsSent);
  });

  it('logs counts and ids at info level, never record contents', async () => {
    const { handler, lines } = handlerFor('eventbridge');
    await handler(eventBridgeCloudTrail(rootLoginWithoutMfa, 'AWS Console Sign In via CloudTrail'), context);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(String(rootLoginWithoutMfa.sourceIPAddress));
    expect(text).not.toContain(String(rootLoginWithoutMfa.userAgent));
    // Powertools' Logger with the Lambda context its middy middleware adds.
    expect(lines.find((line) => line.message === 'alert sent')).toMatchObject({
      level: 'INFO',
      service: 'trailwatch',
      function_request_id: 'req-1',
      cold_start: expect.any(Boolean),
      destination: 'slack',
      eventID: rootLoginWithoutMfa.eventID,
    });
  });

  it('CloudWatch Logs: a subscription batch is read and evaluated', async () => {
    const { handler } = handlerFor('logs');
    const metrics = await handler(
      cloudWatchLogsEvent(docs.slice(0, 10).map((r) => JSON.stringify(r))),
      context,
    );
    expect(metrics.recordsRead).toBe(10);
  });

  const misrouted: [Parameters<typeof createTrailHandler>[0], unknown, RegExp][] = [
    [
      'eventbridge',
      s3Notification('b', ['k']),
      /the eventbridge function got an event it does not take: detail-type: /,
    ],
    ['s3', { Records: [] }, /the s3 function got an event it does not take: Records: /],
    ['logs', { foo: 1 }, /the logs function got an event it does not take: awslogs: /],
    [
      'sns',
      eventBridgeCloudTrail(rootLoginWithoutMfa),
      /the sns function got an event it does not take: Records: /,
    ],
  ];
  for (const [trigger, event, message] of misrouted) {
    it(`${trigger}: an event of another kind fails clearly`, async () => {
      const { handler } = handlerFor(trigger);
      await expect(handler(event, context)).rejects.toThrow(TriggerEventError);
      await expect(handler(event, context)).rejects.toThrow(message);
    });
  }

  it('a retryable delivery failure fails the invocation so Lambda retries it', async () => {
    receiver.script = () => ({ status: 503 });
    const runtime = testRuntime(CONFIG, {
      state: new MemoryStateStore(),
      notifier: { secrets: new SecretResolver({ env: { SLACK_URL: receiver.url } }), sleep: async () => {} },
    });
    const handler = createTrailHandler('eventbridge', { runtime: runtime, log: capturingLogger().log });
    await expect(handler(eventBridgeCloudTrail(rootLoginWithoutMfa), context)).rejects.toThrow(
      /alert delivery\(ies\) failed and can be retried: slack: Slack webhook .*HTTP 503/,
    );
  });
});

describe('cold start', () => {
  it('a bad trailwatch.yml fails with file:line before any event', () => {
    expect(() => testRuntime('destinations:\n  s: {type: slack, webhook_url: https://plain}\n')).toThrow(
      ColdStartError,
    );
    expect(() => testRuntime('destinations:\n  s: {type: slack, webhook_url: https://plain}\n')).toThrow(
      /trailwatch\.yml:2: destinations\.s\.webhook_url/,
    );
  });

  it('a broken rule fails the cold start rather than letting events through unexamined', () => {
    expect(() => testRuntime('rules:\n  shipped: false\n  paths: [/nonexistent/rules]\n')).toThrow(
      /1 rule\(s\) failed to load:\n\/nonexistent\/rules: no such file or directory/,
    );
  });

  it('without destinations in the file, the deployment provides email and Slack', () => {
    const runtime = testRuntime(
      'placeholders: {}\n',
      {},
      {
        TRAILWATCH_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:trailwatch-dev-alerts',
        TRAILWATCH_SLACK_SECRET: 'trailwatch/slack',
        TRAILWATCH_STATE_TABLE: 'trailwatch-dev-StateTable',
      },
    );
    expect(Object.keys(runtime.config.destinations)).toEqual(['email', 'slack']);
    expect(runtime.config.defaultRoutes.critical).toEqual(['email', 'slack']);
    expect(runtime.config.state).toEqual({ backend: 'dynamodb', table: 'trailwatch-dev-StateTable' });
  });
});
