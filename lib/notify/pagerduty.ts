import { z } from 'zod';
import type { Alert } from '../alerts';
import type { Level } from '../rules';
import { postWithRetry } from './http';
import { PAGERDUTY_SUMMARY_MAX } from './limits';
import { secretRefSchema } from './secrets';
import { singleLine, truncate } from './text';
import type { Notifier } from './types';
import { setupFailure } from './types';
import { deliveryUrlSchema, hostLabel } from './url';

/** https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const SEVERITY: Readonly<Record<Level, string>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  informational: 'info',
};

/** An Events v2 trigger; the alert id is the dedup key, so a resend updates the same incident. */
export function pagerDutyEvent(alert: Alert, routingKey: string): Record<string, unknown> {
  const { record: _record, ...details } = alert;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.id,
    payload: {
      summary: truncate(singleLine(`${alert.title}: ${alert.summary}`), PAGERDUTY_SUMMARY_MAX),
      source: `${alert.facts.account ?? 'aws'}/${alert.facts.region}`,
      severity: SEVERITY[alert.level],
      timestamp: alert.facts.eventTime,
      component: alert.facts.eventSource,
      group: alert.facts.account,
      class: alert.rule.id,
      custom_details: details,
    },
    links: [{ href: alert.consoleUrl, text: 'View in CloudTrail Event history' }],
  };
}

const pagerDutyConfig = z.strictObject({
  type: z.literal('pagerduty'),
  routing_key: secretRefSchema,
  url: deliveryUrlSchema.optional(),
});

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
      return postWithRetry(
        { url, label: hostLabel('PagerDuty', url), ...options },
        JSON.stringify(pagerDutyEvent(alert, key)),
        { 'content-type': 'application/json', 'user-agent': context.userAgent },
        context.http,
        context.sleep,
      );
    },
  }),
};
