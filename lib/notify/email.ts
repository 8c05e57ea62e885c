import { accountLabel } from '../accounts';
import type { Alert } from '../alerts';
import { alertLead, personFacts, personShort, safeConsoleUrl, textField, titleWithPerson } from '../alerts';
import { loadedOnce } from '../aws';
import { neutralizeControl } from '../text';
import * as z from '../validation';
import { SNS_MESSAGE_MAX_BYTES, SNS_SUBJECT_MAX } from './limits';
import { asciiLine, inertJson, singleLine } from './text';
import type { Notifier } from './types';

export interface EmailMessage {
  readonly subject: string;
  readonly body: string;
}

/** Keeps a UTF-8 text within a byte budget, cutting at a character boundary. */
function fitBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const cut = bytes
    .subarray(0, maxBytes - 64)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}\n… (cut to fit the SNS message limit)`;
}

/** Cuts ASCII text to `max` characters with an ASCII mark: `…` would become `?` in the subject. */
function cutAscii(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/**
 * The subject: level, the person, the rule. Printable ASCII only (SNS replaces the rest), so the
 * separator and the cut mark are ASCII too; the person's name is event data, shown by asciiLine.
 */
function emailSubject(alert: Alert): string {
  const who = alert.actor === undefined ? '' : `${personShort(alert.actor)} - `;
  return cutAscii(
    asciiLine(`[trailwatch] ${alert.level.toUpperCase()} ${who}${alert.title}`),
    SNS_SUBJECT_MAX,
  );
}

/**
 * A plain-text email: a subject SNS accepts as is, and the facts a reader needs without clicking.
 * Every event-derived line goes through singleLine (controls, CR/LF and bidi characters shown as
 * escapes, so no forged header-like lines or reordered text); the record is JSON with those
 * characters \u-escaped (inertJson).
 */
export function emailMessage(alert: Alert): EmailMessage {
  const f = alert.facts;
  const line = (label: string, value: string | undefined): string[] =>
    value ? [`${`${singleLine(label)}:`.padEnd(17)}${singleLine(value)}`] : [];
  const consoleUrl = safeConsoleUrl(alert.consoleUrl);
  const lines = [
    `${alert.level.toUpperCase()}: ${singleLine(titleWithPerson(alert))}`,
    '',
    singleLine(alertLead(alert)),
    '',
    // Who first: the person, the role chain and the evidence, then the record's facts.
    ...(alert.actor ? personFacts(alert.actor).flatMap(([label, value]) => line(label, value)) : []),
    ...line('Principal', f.principalArn),
    ...line('Principal type', f.principalType),
    ...line('Session issuer', f.sessionIssuer),
    ...line('Account', f.account === undefined ? undefined : accountLabel(f.account, f.accountName)),
    ...line('Region', f.region),
    ...line('Event', `${f.eventSource} ${f.eventName}`),
    ...line('Time', f.eventTime),
    ...line('Source IP', f.sourceIPAddress),
    ...line('User agent', f.userAgent),
    ...line(
      'Error',
      f.errorCode ? `${f.errorCode}${f.errorMessage ? `: ${f.errorMessage}` : ''}` : undefined,
    ),
    ...Object.entries(alert.fields).flatMap(([path, value]) => line(path, textField(value))),
    ...(alert.correlation
      ? [
          '',
          singleLine(
            `Correlated events (${alert.correlation.count}): ${alert.correlation.eventIDs.join(', ')}`,
          ),
        ]
      : []),
    ...(alert.suppressedDuplicates
      ? ['', `${alert.suppressedDuplicates} similar alert(s) were suppressed in the previous dedup window.`]
      : []),
    ...(consoleUrl ? ['', `View in CloudTrail: ${consoleUrl}`] : []),
    '',
    `Rule: ${singleLine(alert.rule.title)} (${singleLine(alert.rule.id)})`,
    `Alert: ${alert.id}`,
    ...(alert.rule.runbook ? ['', 'Runbook:', neutralizeControl(alert.rule.runbook)] : []),
    '',
    'Record:',
    inertJson(alert.record, { note: 'the record is nested too deeply to show' }, 2),
  ];
  return {
    subject: emailSubject(alert),
    body: fitBytes(lines.join('\n'), SNS_MESSAGE_MAX_BYTES),
  };
}

const ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;

const emailConfig = z.lazy(() =>
  z.strictObject({
    type: z.literal('email'),
    /** An SNS topic whose subscribers are email addresses. */
    topic_arn: z.string().check(z.regex(ARN, 'an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)')),
  }),
);

/**
 * The SNS SDK, loaded for the first email, once: the notifier context builds its SNS clients from
 * the same load (a second `import()` copied the module's exports again).
 */
export const loadSnsSdk = loadedOnce(() => import('@aws-sdk/client-sns'));

/** https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html */
export const emailNotifier: Notifier<z.infer<typeof emailConfig>> = {
  type: 'email',
  description: 'email through an SNS topic with email subscriptions',
  configSchema: emailConfig,
  create: (name, config, context) => ({
    name,
    type: 'email',
    send: async (alert, options) => {
      const region = ARN.exec(config.topic_arn)?.[1] ?? 'us-east-1';
      const message = emailMessage(alert);
      try {
        const { PublishCommand } = await loadSnsSdk();
        const sns = await context.sns(region);
        await sns.send(
          new PublishCommand({
            TopicArn: config.topic_arn,
            Subject: message.subject,
            Message: message.body,
          }),
          options?.signal ? { abortSignal: options.signal } : {},
        );
        return { ok: true, attempts: 1 };
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        // The SDK has already retried throttling and 5xx; what is left is retryable unless it is a client error.
        const retryable =
          status === undefined ||
          status >= 500 ||
          status === 429 ||
          name === 'ThrottledException' ||
          name === 'Throttling';
        // Aborted at the delivery deadline: the SDK does not say whether Publish reached SNS.
        const aborted = name === 'AbortError' && options?.signal?.aborted === true;
        return {
          ok: false,
          retryable,
          attempts: 1,
          error: `SNS ${config.topic_arn}: ${name}${status ? ` (HTTP ${status})` : ''}`,
          ...(aborted ? { maybeReceived: true } : {}),
        };
      }
    },
  }),
};
