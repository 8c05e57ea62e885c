import { describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor/types';
import type { Alert } from '../../lib/alerts';
import { detectionAlert, personFact, personHeadline, personShort } from '../../lib/alerts';
import {
  breakLinks,
  emailMessage,
  limits,
  pagerDutyBody,
  slackMessage,
  slackText,
  teamsMessage,
  teamsText,
  webhookBody,
} from '../../lib/notify';
import { ALICE_VIA_CHAIN, CLOUDFORMATION, namedActor, UNKNOWN_ADMIN } from '../factories/actors';
import { injectedRecord, injectionRule } from '../factories/alerts';
import { allStrings, HOSTILE, RAW_CONTROL, RAW_CONTROL_OR_NEWLINE } from '../factories/hostile';

/** A payload read back as JSON, as its receiver reads it. */
function readBack<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value));
}

function alertBy(actor: Actor | undefined): Alert {
  return detectionAlert(injectionRule(), injectedRecord('deploy'), undefined, actor);
}

interface Block {
  text?: { text: string };
  fields?: { text: string }[];
}
interface TeamsCard {
  attachments: [
    {
      content: { body: [{ text: string }, { text: string }, { facts: { title: string; value: string }[] }] };
    },
  ];
}
interface PagerDutyEvent {
  payload: { summary: string; custom_details: { actor?: unknown; facts?: unknown } };
}

const CASES: [string, Actor, string][] = [
  ['a known person through a cross-account chain', ALICE_VIA_CHAIN, 'alice'],
  [
    'an unknown person: role and session as they are',
    UNKNOWN_ADMIN,
    'unknown person (role Admin, session deploy)',
  ],
  ['an AWS service', CLOUDFORMATION, 'cloudformation.amazonaws.com'],
];

describe.each(CASES)('every notifier names %s first', (_name, actor, short) => {
  const alert = alertBy(actor);
  const headline = personHeadline(actor);

  it('Slack: header, summary and the first fields', () => {
    const message = slackMessage(alert);
    const blocks = readBack<Block[]>(message.blocks);
    // Host names in the person's name are broken even in plain_text (clients link them).
    expect(blocks[0]?.text?.text).toBe(`HIGH: ${breakLinks(short)} — ${alert.title}`);
    expect(blocks[1]?.text?.text).toMatch(/^:red_circle: /);
    expect(blocks[1]?.text?.text.slice(':red_circle: '.length)).toMatch(
      new RegExp(`^${escapeRegExp(slackText(headline, 3000))} called iam:CreateAccessKey`),
    );
    const first = blocks[2]?.fields?.map((field) => field.text) ?? [];
    expect(first[0]).toBe(`*Person*\n\`${personFact(actor)}\``);
    expect(first.some((text) => text.startsWith('*Attribution*\n'))).toBe(true);
    // The record's facts follow, the principal still among them.
    expect(blocks[3]?.fields?.[0]?.text).toMatch(/^\*Principal\*/);
    expect(message.text).toContain(`HIGH: ${slackText(short, 3000)}`);
  });

  it('email: subject, summary and the first fact lines', () => {
    const email = emailMessage(alert);
    expect(email.subject).toBe(`[trailwatch] HIGH ${short} - ${alert.title}`);
    const lines = email.body.split('\n');
    expect(lines[0]).toBe(`HIGH: ${short} — ${alert.title}`);
    expect(lines[2]?.startsWith(`${headline} called iam:CreateAccessKey`)).toBe(true);
    expect(lines[4]).toBe(`${'Person:'.padEnd(17)}${personFact(actor)}`);
    const attribution = lines.findIndex((line) => line.startsWith('Attribution:'));
    const principal = lines.findIndex((line) => line.startsWith('Principal:'));
    expect(attribution).toBeGreaterThan(4);
    expect(principal).toBeGreaterThan(attribution);
  });

  it('Teams: title, summary and the first fact', () => {
    const card = readBack<TeamsCard>(teamsMessage(alert));
    const [title, summary, factSet] = card.attachments[0].content.body;
    expect(title.text).toBe(teamsText(`HIGH: ${short} — ${alert.title}`, 200));
    expect(summary.text.startsWith(teamsText(headline, 2000))).toBe(true);
    expect(factSet.facts[0]).toEqual({ title: 'Person', value: teamsText(personFact(actor), 500) });
  });

  it('PagerDuty: the summary opens with the person, custom_details carry the actor', () => {
    const event = JSON.parse(pagerDutyBody(alert, 'key')) as PagerDutyEvent;
    expect(event.payload.summary.startsWith(`${short} — ${alert.title}: ${headline} called`)).toBe(true);
    expect(event.payload.custom_details.actor).toEqual(actor);
  });

  it('webhook: the alert carries the actor object exactly', () => {
    const body = JSON.parse(webhookBody(alert)) as { alert: { actor: unknown; summary: string } };
    expect(body.alert.actor).toEqual(actor);
    expect(body.alert.summary.startsWith(headline)).toBe(true);
  });
});

describe('without attribution, the notifiers read as before', () => {
  const alert = alertBy(undefined);
  it.each([
    [
      'Slack header',
      () => readBack<Block[]>(slackMessage(alert).blocks)[0]?.text?.text,
      `HIGH: ${alert.title}`,
    ],
    ['email subject', () => emailMessage(alert).subject, `[trailwatch] HIGH ${alert.title}`],
    [
      'PagerDuty summary',
      () =>
        (JSON.parse(pagerDutyBody(alert, 'key')) as PagerDutyEvent).payload.summary.slice(
          0,
          alert.title.length + 2,
        ),
      `${alert.title}: `,
    ],
  ])('%s', (_name, read, expected) => {
    expect(read()).toBe(expected);
    expect(emailMessage(alert).body).not.toContain('Person:');
    expect(JSON.parse(webhookBody(alert)).alert.actor).toBeUndefined();
  });
});

/** Person names and session names from hostile sources: a SAML subject or a source identity can be anything. */
const HOSTILE_ACTORS: [string, Actor][] = [
  ...HOSTILE.map(([name, text]): [string, Actor] => [`person named with ${name}`, namedActor(text)]),
  ...HOSTILE.map(([name, text]): [string, Actor] => [
    `unknown person with a session named with ${name}`,
    { ...UNKNOWN_ADMIN, sessionName: text },
  ]),
  ['a 100,000-character name', namedActor('n'.repeat(100_000))],
  ['a 100,000-character name of 4-byte characters', namedActor('🚀'.repeat(50_000))],
  [
    'a chain of 5,000 roles',
    {
      ...ALICE_VIA_CHAIN,
      via: Array.from({ length: 5_000 }, (_, i) => `arn:aws:iam::111111111111:role/R${i}`),
    },
  ],
];

describe.each(HOSTILE_ACTORS)('%s', (_name, actor) => {
  const alert = alertBy(actor);

  it('Slack: within limits, no raw control, no live mention, link or formatting in free text', () => {
    const message = slackMessage(alert);
    const blocks = readBack<Block[]>(message.blocks);
    for (const text of allStrings(message)) expect(text).not.toMatch(RAW_CONTROL);
    expect(message.text.length).toBeLessThanOrEqual(limits.SLACK_FALLBACK_TEXT_MAX);
    expect(blocks[0]?.text?.text.length).toBeLessThanOrEqual(limits.SLACK_HEADER_TEXT_MAX);
    for (const block of blocks) {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_TEXT_MAX);
      for (const field of block.fields ?? [])
        expect(field.text.length).toBeLessThanOrEqual(limits.SLACK_SECTION_FIELD_TEXT_MAX);
    }
    const summary = blocks[1]?.text?.text ?? '';
    expect(summary).not.toMatch(/<[!@]|<http|\*bold\*|_italic_|~strike~|`/);
    expect(summary).not.toMatch(/evil\.com|:\/\//);
    expect(message.text).not.toMatch(/<[!@]|<http/);
    // The header is plain_text: no mrkdwn, but host names in the person's name are broken.
    expect(blocks[0]?.text?.text).not.toMatch(/evil\.com|:\/\//);
  });

  it('Teams: within the size limit, one line each, Markdown escaped', () => {
    const card = teamsMessage(alert);
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThanOrEqual(
      limits.TEAMS_MESSAGE_MAX_BYTES,
    );
    for (const text of allStrings(card)) expect(text).not.toMatch(RAW_CONTROL_OR_NEWLINE);
    const facts = readBack<TeamsCard>(card).attachments[0].content.body[2].facts;
    for (const fact of facts) expect(fact.value).not.toMatch(/(^|[^\\])\[click\]|(^|[^\\])\*bold/);
  });

  it('email: an ASCII subject, no forged header line, within the SNS limit', () => {
    const email = emailMessage(alert);
    expect(email.subject).toMatch(/^[\x20-\x7e]*$/);
    expect(email.subject.length).toBeLessThanOrEqual(limits.SNS_SUBJECT_MAX);
    expect(email.body).not.toMatch(RAW_CONTROL);
    expect(email.body.split('\n').some((line) => line.startsWith('Subject:'))).toBe(false);
    expect(Buffer.byteLength(email.body, 'utf8')).toBeLessThanOrEqual(limits.SNS_MESSAGE_MAX_BYTES);
  });

  it('PagerDuty: within the event limit, summary one line, the actor still there', () => {
    const body = pagerDutyBody(alert, 'key');
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(limits.PAGERDUTY_EVENT_MAX_BYTES);
    expect(body).not.toMatch(RAW_CONTROL_OR_NEWLINE);
    const event = JSON.parse(body) as PagerDutyEvent;
    expect(event.payload.summary.length).toBeLessThanOrEqual(limits.PAGERDUTY_SUMMARY_MAX);
    expect(event.payload.custom_details.actor).toBeDefined();
  });

  it('webhook: inert text, the same data read back', () => {
    const body = webhookBody(alert);
    expect(body).not.toMatch(RAW_CONTROL_OR_NEWLINE);
    expect((JSON.parse(body) as { alert: { actor: unknown } }).alert.actor).toEqual(actor);
  });
});

it('PagerDuty keeps a capped actor when the full event would pass the size limit', () => {
  const huge = 'z'.repeat(600_000);
  const alert = alertBy(namedActor(huge));
  const event = JSON.parse(pagerDutyBody(alert, 'key')) as PagerDutyEvent;
  const actor = event.payload.custom_details.actor as Actor;
  expect(event.payload.custom_details.facts).toBeDefined();
  expect(actor.person.name?.length).toBeLessThan(4_096);
  expect(actor.person.kind).toBe('saml-subject');
  expect(personShort(actor)).toMatch(/^z+…$/);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
