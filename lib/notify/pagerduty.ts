import { accountLabel } from '../accounts';
import type { Alert } from '../alerts';
import { alertLead, cappedActor, safeConsoleUrl, titleWithPerson } from '../alerts';
import type { Level } from '../rules';
import * as z from '../validation';
import { postWithRetry } from './http';
import { PAGERDUTY_EVENT_MAX_BYTES, PAGERDUTY_SUMMARY_MAX } from './limits';
import { redactResult } from './redact';
import { secretRefSchema } from './secrets';
import { inertJson, singleLine, truncate } from './text';
import type { Notifier } from './types';
import { setupFailure } from './types';
import { deliveryUrlSchema, hostLabel } from './url';

/** https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Same page: `source`, `component`, `group` and `class` are short free text; kept to one line of this many characters. */
const PAGERDUTY_FIELD_MAX = 255;

const SEVERITY: Readonly<Record<Level, string>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  informational: 'info',
};

const field = (text: string): string => truncate(singleLine(text), PAGERDUTY_FIELD_MAX);

/** PagerDuty rejects a trigger whose timestamp is not ISO 8601: an unreadable event time is left out. */
function isoTimestamp(eventTime: string): { timestamp?: string } {
  const time = Date.parse(eventTime);
  return Number.isNaN(time) ? {} : { timestamp: new Date(time).toISOString() };
}

/** An Events v2 trigger; the alert id is the dedup key, so a resend updates the same incident. */
export function pagerDutyEvent(
  alert: Alert,
  routingKey: string,
  customDetails?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { record: _record, ...details } = alert;
  const consoleUrl = safeConsoleUrl(alert.consoleUrl);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.id,
    payload: {
      // The incident title: the person first, then the rule, then the action.
      summary: truncate(singleLine(`${titleWithPerson(alert)}: ${alertLead(alert)}`), PAGERDUTY_SUMMARY_MAX),
      source: field(`${alert.facts.account ?? 'aws'}/${alert.facts.region}`),
      severity: SEVERITY[alert.level],
      ...isoTimestamp(alert.facts.eventTime),
      component: field(alert.facts.eventSource),
      // The account, named where a name is known: how responders group incidents.
      ...(alert.facts.account === undefined
        ? {}
        : { group: field(accountLabel(alert.facts.account, alert.facts.accountName)) }),
      class: field(alert.rule.id),
      custom_details: customDetails ?? { ...details, consoleUrl: consoleUrl ?? null },
    },
    ...(consoleUrl ? { links: [{ href: consoleUrl, text: 'View in CloudTrail Event history' }] } : {}),
  };
}

/**
 * The trigger as JSON text within PagerDuty's event size limit: when the rule's fields or the
 * summary make it too big, custom_details keeps only the facts and the actor (each text capped by
 * textField). custom_details always carries the actor object when attribution found one.
 */
export function pagerDutyBody(alert: Alert, routingKey: string): string {
  const reduced = {
    id: alert.id,
    rule: alert.rule.id,
    facts: alert.facts,
    // Who acted survives the cut: the actor with each text capped (a name cannot be 512 KB).
    ...(alert.actor === undefined ? {} : { actor: cappedActor(alert.actor) }),
    note: `the alert's fields were left out to fit PagerDuty's ${PAGERDUTY_EVENT_MAX_BYTES}-byte event limit`,
  };
  const text = inertJson(pagerDutyEvent(alert, routingKey), pagerDutyEvent(alert, routingKey, reduced));
  if (Buffer.byteLength(text, 'utf8') <= PAGERDUTY_EVENT_MAX_BYTES) return text;
  return inertJson(pagerDutyEvent(alert, routingKey, reduced), {});
}

const pagerDutyConfig = z.lazy(() =>
  z.strictObject({
    type: z.literal('pagerduty'),
    routing_key: secretRefSchema,
    url: z.optional(deliveryUrlSchema),
  }),
);

export const pagerDutyNotifier: Notifier<z.infer<typeof pagerDutyConfig>> = {
  type: 'pagerduty',
  description: 'PagerDuty Events API v2 trigger',
  configSchema: pagerDutyConfig,
  create: (name, config, context) => ({
    name,
    type: 'pagerduty',
    send: async (alert, options) => {
      let key: string;
      try {
        key = await context.secrets.resolve(config.routing_key);
      } catch (error) {
        return setupFailure(error);
      }
      const url = config.url ?? PAGERDUTY_EVENTS_URL;
      // A receiver that echoes the request (PagerDuty's 400s quote what they rejected) would put
      // the routing key in the error text: it is redacted, as is any credential in the URL.
      return redactResult(
        await postWithRetry(
          { url, label: hostLabel('PagerDuty', url), ...options },
          pagerDutyBody(alert, key),
          { 'content-type': 'application/json', 'user-agent': context.userAgent },
          context.http,
          context.sleep,
        ),
        [key, url],
      );
    },
  }),
};
