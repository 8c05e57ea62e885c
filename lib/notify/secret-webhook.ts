import type { SendOptions } from './http';
import { postWithRetry } from './http';
import type { SecretRef } from './secrets';
import type { DeliveryResult, NotifierContext } from './types';
import { setupFailure } from './types';
import { checkDeliveryUrl, hostLabel } from './url';

/**
 * POSTs a JSON body to a webhook whose URL is itself a secret (Slack, Teams): resolve it, refuse
 * plain HTTP off this machine, and name it by host only in every message.
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
  return postWithRetry(
    { url, label: hostLabel(kind, url), ...options },
    body,
    headers,
    context.http,
    context.sleep,
  );
}
