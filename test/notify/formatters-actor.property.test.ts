import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, ActorInterface, PersonKind, ProofKind } from '../../lib/actor/types';
import type { Alert } from '../../lib/alerts';
import { cappedActor, detectionAlert } from '../../lib/alerts';
import { tableCell } from '../../lib/cli/table';
import {
  emailMessage,
  limits,
  pagerDutyBody,
  slackMessage,
  teamsMessage,
  webhookBody,
} from '../../lib/notify';
import { personLine, toFinding } from '../../lib/scan';
import {
  allStrings,
  anyRecordRule,
  BASE_RECORD,
  forgedRecord,
  HOSTILE,
  RAW_CONTROL,
  RAW_CONTROL_OR_NEWLINE,
} from '../factories/hostile';

const PERSON_KINDS: readonly PersonKind[] = [
  'iam-user',
  'identity-center-user',
  'saml-subject',
  'web-identity-subject',
  'source-identity',
  'root',
  'aws-service',
  'unknown',
];
const INTERFACES: readonly ActorInterface[] = ['console', 'cli', 'sdk', 'service', 'unknown'];
const PROOF_KINDS: readonly ProofKind[] = [
  'source-identity',
  'identity-center',
  'saml',
  'web-identity',
  'access-key',
  'console-session',
  'iam-user',
  'root',
  'aws-service',
  'none',
];

/**
 * Text a person name, role ARN or session name can hold: a SAML subject, a source identity and a
 * session name are chosen by whoever calls STS. Any code point, the hostile table, huge strings.
 */
const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...HOSTILE.map(([, text]) => text),
      'alice',
      'arn:aws:iam::111111111111:role/Admin',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...HOSTILE.map(([, text]) => text), 'x', '日本', '🚀'),
        fc.integer({ min: 1_000, max: 40_000 }),
      )
      .map(([text, times]) => text.repeat(times)),
  },
);

const actors: fc.Arbitrary<Actor> = fc
  .record(
    {
      name: fc.option(anyText, { nil: null }),
      arn: fc.option(anyText, { nil: null }),
      kind: fc.constantFrom(...PERSON_KINDS),
      via: fc.oneof(
        { weight: 5, arbitrary: fc.array(anyText, { maxLength: 6 }) },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 100, max: 3_000 })
            .map((n) => Array.from({ length: n }, (_, i) => `arn:aws:iam::111111111111:role/R${i}`)),
        },
      ),
      session: fc.option(anyText, { nil: null }),
      interface: fc.constantFrom(...INTERFACES),
      proofKind: fc.constantFrom(...PROOF_KINDS),
      detail: anyText,
      eventID: fc.option(anyText, { nil: undefined }),
      sessionName: fc.option(anyText, { nil: undefined }),
    },
    { requiredKeys: ['name', 'arn', 'kind', 'via', 'session', 'interface', 'proofKind', 'detail'] },
  )
  .map((a) => ({
    person: { name: a.name, arn: a.arn, kind: a.kind },
    via: a.via,
    session: a.session,
    interface: a.interface,
    proof: {
      kind: a.proofKind,
      detail: a.detail,
      ...(a.eventID === undefined ? {} : { eventID: a.eventID }),
    },
    ...(a.sessionName === undefined ? {} : { sessionName: a.sessionName }),
  }));

function alertBy(actor: Actor, correlation: boolean): Alert {
  const alert = detectionAlert(anyRecordRule(), forgedRecord(BASE_RECORD), undefined, actor);
  return correlation ? { ...alert, kind: 'correlation', summary: '3 matching events within 10 min.' } : alert;
}

interface SlackBlock {
  text?: { text: string };
  fields?: { text: string }[];
  elements?: unknown[];
}

describe('formatters, for an alert by any actor', () => {
  it('never throw, stay valid JSON within each platform limit, let no control character through, and carry the actor', () => {
    fc.assert(
      fc.property(actors, fc.boolean(), (actor, correlation) => {
        const alert = alertBy(actor, correlation);

        const slack = slackMessage(alert);
        const blocks: SlackBlock[] = JSON.parse(JSON.stringify(slack.blocks));
        expect(blocks.length).toBeLessThanOrEqual(limits.SLACK_BLOCKS_MAX);
        expect(slack.text.length).toBeLessThanOrEqual(limits.SLACK_FALLBACK_TEXT_MAX);
        expect(blocks[0]?.text?.text.length).toBeLessThanOrEqual(limits.SLACK_HEADER_TEXT_MAX);
        for (const block of blocks.slice(1)) {
          if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_TEXT_MAX);
          expect((block.fields ?? []).length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELDS_MAX);
          for (const field of block.fields ?? [])
            expect(field.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELD_TEXT_MAX);
        }
        for (const text of allStrings(slack)) expect(text).not.toMatch(RAW_CONTROL);
        expect(blocks[1]?.text?.text).not.toMatch(/<[!@]|<[a-z]+:/i);

        const teams = teamsMessage(alert);
        expect(Buffer.byteLength(JSON.stringify(teams), 'utf8')).toBeLessThanOrEqual(
          limits.TEAMS_MESSAGE_MAX_BYTES,
        );
        for (const text of allStrings(teams)) expect(text).not.toMatch(RAW_CONTROL_OR_NEWLINE);

        const email = emailMessage(alert);
        expect(email.subject.length).toBeLessThanOrEqual(limits.SNS_SUBJECT_MAX);
        expect(email.subject).toMatch(/^[\x20-\x7e]*$/);
        expect(Buffer.byteLength(email.body, 'utf8')).toBeLessThanOrEqual(limits.SNS_MESSAGE_MAX_BYTES);
        expect(email.body).not.toMatch(RAW_CONTROL);

        const pagerDuty = pagerDutyBody(alert, 'routing-key');
        expect(Buffer.byteLength(pagerDuty, 'utf8')).toBeLessThanOrEqual(limits.PAGERDUTY_EVENT_MAX_BYTES);
        expect(pagerDuty).not.toMatch(RAW_CONTROL_OR_NEWLINE);
        const event: { payload: { summary: string; custom_details: { actor: unknown } } } =
          JSON.parse(pagerDuty);
        expect(event.payload.summary.length).toBeLessThanOrEqual(limits.PAGERDUTY_SUMMARY_MAX);
        // The actor whole, or capped when the whole event would pass the limit.
        expect([readBack(actor), readBack(cappedActor(actor))]).toContainEqual(
          event.payload.custom_details.actor,
        );

        const webhook = webhookBody(alert);
        expect(webhook).not.toMatch(RAW_CONTROL_OR_NEWLINE);
        expect(JSON.parse(webhook).alert.actor).toEqual(readBack(actor));

        const finding = readBack(toFinding(alert));
        expect(finding.actor).toEqual(readBack(actor));
        expect(tableCell(personLine(toFinding(alert)))).not.toMatch(RAW_CONTROL_OR_NEWLINE);
      }),
      { numRuns: 200 },
    );
  }, 180_000);
});

/** A value as a JSON receiver reads it (lone surrogates and all). */
function readBack<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
