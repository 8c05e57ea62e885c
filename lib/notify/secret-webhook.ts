import type { SendOptions } from './http';
import { postWithRetry } from './http';
import { redactResult } from './redact';
import type { SecretRef } from './secrets';
import type { DeliveryResult, NotifierContext } from './types';
import { setupFailure } from './types';
import { checkDeliveryUrl, hostLabel } from './url';

/**
 * POSTs a JSON body to a webhook whose URL is itself a secret (Slack, Teams): resolve it, refuse
 * plain HTTP off this machine, and name it by host only in every message, redacting it from any
 * error text a transport or an echoing receiver produces.
 */
export async function postToSecretWebhook(
  context: NotifierContext,
  ref: SecretRef,
  kind: string,
  body: string,
  options: SendOptions = {},
): Promise<DeliveryResult> {
  let url: string;
  try {
    url = await context.secrets.resolve(ref);
  } catch (error) {
    return setupFailure(error);
  }
  const problem = checkDeliveryUrl(url);
  if (problem) return { ok: false, retryable: false, attempts: 0, error: `the ${kind} URL ${problem}` };
  const headers = { 'content-type': 'application/json', 'user-agent': context.userAgent };
  // The URL is the credential: no part of it may come back in the error (see redact.ts).
  return redactResult(
    await postWithRetry(
      { url, label: hostLabel(kind, url), ...options },
      body,
      headers,
      context.http,
      context.sleep,
    ),
    [url],
  );
}
