import { createHmac } from 'node:crypto';
import type { Alert } from '../alerts';
import * as z from '../validation';
import { postWithRetry } from './http';
import { redactResult } from './redact';
import type { SecretRef } from './secrets';
import { secretRefSchema } from './secrets';
import { inertJson } from './text';
import type { Notifier } from './types';
import { setupFailure } from './types';
import { checkDeliveryUrl, deliveryUrlSchema, hostLabel } from './url';

/** Receivers verify `X-Trailwatch-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the shared secret. */
export const SIGNATURE_HEADER = 'x-trailwatch-signature';

/**
 * The alert and its record as JSON. The data is exact (a JSON parser reads back the same
 * strings), but control and bidi characters are \u-escaped in the text (inertJson), so a body
 * logged or viewed raw carries none.
 */
export function webhookBody(alert: Alert): string {
  const { record, ...rest } = alert;
  return inertJson(
    { type: 'trailwatch.alert', version: 1, alert: rest, record },
    {
      type: 'trailwatch.alert',
      version: 1,
      alert: { ...rest, fields: {} },
      record: { note: 'the record is nested too deeply to send' },
    },
  );
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

const webhookConfig = z.lazy(() =>
  z.strictObject({
    type: z.literal('webhook'),
    /** The URL itself, or a reference when it carries a token. */
    url: z.union([deliveryUrlSchema, secretRefSchema]),
    /** The HMAC key for the signature header. */
    secret: z.optional(secretRefSchema),
    headers: z.optional(z.record(z.string(), z.union([z.string(), secretRefSchema]))),
  }),
);

export const webhookNotifier: Notifier<z.infer<typeof webhookConfig>> = {
  type: 'webhook',
  description: 'HTTPS POST of the alert as JSON, optionally signed with HMAC-SHA256',
  configSchema: webhookConfig,
  create: (name, config, context) => ({
    name,
    type: 'webhook',
    send: async (alert, options) => {
      const resolve = (value: string | SecretRef): Promise<string> =>
        typeof value === 'string' ? Promise.resolve(value) : context.secrets.resolve(value);
      let url: string;
      const secrets: string[] = [];
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': context.userAgent,
      };
      const body = webhookBody(alert);
      try {
        url = await resolve(config.url);
        secrets.push(url);
        for (const [header, value] of Object.entries(config.headers ?? {})) {
          headers[header.toLowerCase()] = await resolve(value);
          if (typeof value !== 'string') secrets.push(headers[header.toLowerCase()] ?? '');
        }
        if (config.secret) {
          const key = await context.secrets.resolve(config.secret);
          secrets.push(key);
          headers[SIGNATURE_HEADER] = signBody(body, key);
        }
      } catch (error) {
        return setupFailure(error);
      }
      const problem = checkDeliveryUrl(url);
      if (problem) return { ok: false, retryable: false, attempts: 0, error: `the webhook URL ${problem}` };
      headers['x-trailwatch-alert-id'] = alert.id;
      // The URL may carry a token and the headers credentials: none may come back in the error.
      return redactResult(
        await postWithRetry(
          { url, label: hostLabel('webhook', url), ...options },
          body,
          headers,
          context.http,
          context.sleep,
        ),
        secrets,
      );
    },
  }),
};
