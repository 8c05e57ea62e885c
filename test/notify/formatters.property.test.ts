import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertFacts, consoleEventUrl, isRegionCode } from '../../lib/alerts';
import {
  emailMessage,
  limits,
  pagerDutyBody,
  slackMessage,
  teamsMessage,
  webhookBody,
} from '../../lib/notify';
import { toFinding } from '../../lib/scan';
import {
  allStrings,
  BASE_RECORD,
  forgedRecord,
  HOSTILE,
  hostileAlert,
  RAW_CONTROL,
  RAW_CONTROL_OR_NEWLINE,
} from '../factories/hostile';

const TOP_LEVEL_FIELDS = [
  'eventVersion',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'eventID',
  'recipientAccountId',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'resources',
] as const;
const IDENTITY_FIELDS = ['type', 'principalId', 'arn', 'accountId', 'invokedBy', 'userName'] as const;

/** Any JSON value: nested values, any code point (controls, surrogates, bidi), the hostile table, huge strings. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE.map(([, text]) => text)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...HOSTILE.map(([, text]) => text), 'x', '日本', '🚀'),
        fc.integer({ min: 1_000, max: 60_000 }),
      )
      .map(([text, times]) => text.repeat(times)),
  },
);

/** Any subset of `keys`, each holding any JSON. */
function optionalFields(keys: readonly string[]): fc.Arbitrary<Partial<Record<string, unknown>>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key of keys) model[key] = anyJson;
  return fc.record(model, { requiredKeys: [] });
}

/** userIdentity: any JSON, or an object whose fields (and session issuer ARN) are any JSON. */
const identity = fc.oneof(
  anyJson,
  fc
    .tuple(
      optionalFields(IDENTITY_FIELDS),
      fc.oneof(
        anyJson,
        anyJson.map((arn) => ({ sessionIssuer: { arn } })),
      ),
    )
    .map(([fields, sessionContext]) => ({ ...fields, sessionContext })),
);

/** A record: the valid base, then any subset of top-level fields and the identity replaced by any JSON. */
const records = fc
  .tuple(optionalFields(TOP_LEVEL_FIELDS), fc.option(identity, { nil: undefined }))
  .map(([fields, userIdentity]) =>
    forgedRecord({ ...BASE_RECORD, ...fields, ...(userIdentity === undefined ? {} : { userIdentity }) }),
  );

type Block = { text?: { text: string }; fields?: { text: string }[]; elements?: unknown[] };

function expectWithinSlackLimits(message: ReturnType<typeof slackMessage>): void {
  const blocks = message.blocks as Block[];
  expect(blocks.length).toBeLessThanOrEqual(limits.SLACK_BLOCKS_MAX);
  expect(message.text.length).toBeLessThanOrEqual(limits.SLACK_FALLBACK_TEXT_MAX);
  const header = blocks[0]?.text?.text ?? '';
  expect(header.length).toBeLessThanOrEqual(limits.SLACK_HEADER_TEXT_MAX);
  for (const block of blocks.slice(1)) {
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_TEXT_MAX);
    expect((block.fields ?? []).length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELDS_MAX);
    for (const field of block.fields ?? [])
      expect(field.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELD_TEXT_MAX);
    expect((block.elements ?? []).length).toBeLessThanOrEqual(limits.SLACK_CONTEXT_ELEMENTS_MAX);
  }
}

describe('formatters, for records with any JSON in every field people read', () => {
  it('never throw, give valid JSON within each platform limit, and let no control character through', () => {
    fc.assert(
      fc.property(records, (record) => {
        const facts = alertFacts(record);
        for (const value of Object.values(facts)) expect(typeof value).toBe('string');
        const alert = hostileAlert(record);

        // A console link exists exactly when the region is a region code (and the id a short string).
        if (alert.consoleUrl !== undefined) expect(isRegionCode(record.awsRegion)).toBe(true);
        expect(alert.consoleUrl).toBe(consoleEventUrl(record.awsRegion, record.eventID));

        const finding = JSON.parse(JSON.stringify(toFinding(alert))) as Record<string, unknown>;
        expect(finding.alertId).toBe(alert.id);

        const slack = slackMessage(alert);
        const slackJson = JSON.stringify(slack);
        expect(JSON.parse(slackJson)).toEqual(slack);
        expectWithinSlackLimits(slack);
        for (const text of allStrings(slack)) expect(text).not.toMatch(RAW_CONTROL);

        const teams = teamsMessage(alert);
        const teamsJson = JSON.stringify(teams);
        expect(Buffer.byteLength(teamsJson, 'utf8')).toBeLessThanOrEqual(limits.TEAMS_MESSAGE_MAX_BYTES);
        for (const text of allStrings(teams)) expect(text).not.toMatch(RAW_CONTROL_OR_NEWLINE);

        const email = emailMessage(alert);
        expect(email.subject.length).toBeLessThanOrEqual(limits.SNS_SUBJECT_MAX);
        expect(email.subject).toMatch(/^[\x20-\x7e]*$/);
        expect(Buffer.byteLength(email.body, 'utf8')).toBeLessThanOrEqual(limits.SNS_MESSAGE_MAX_BYTES);
        expect(email.body).not.toMatch(RAW_CONTROL);

        const pagerDuty = pagerDutyBody(alert, 'routing-key');
        expect(Buffer.byteLength(pagerDuty, 'utf8')).toBeLessThanOrEqual(limits.PAGERDUTY_EVENT_MAX_BYTES);
        expect(pagerDuty).not.toMatch(RAW_CONTROL_OR_NEWLINE);
        const event = JSON.parse(pagerDuty) as { payload: { summary: string } };
        expect(event.payload.summary.length).toBeLessThanOrEqual(limits.PAGERDUTY_SUMMARY_MAX);

        const webhook = webhookBody(alert);
        expect(webhook).not.toMatch(RAW_CONTROL_OR_NEWLINE);
        expect(JSON.parse(webhook)).toMatchObject({ type: 'trailwatch.alert', alert: { id: alert.id } });
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
