import * as z from '../validation';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Destinations must be HTTPS; plain HTTP is accepted only on this machine's loopback, for local
 * receivers and tests, so an alert never crosses a network in clear text.
 */
export function checkDeliveryUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return undefined;
  return 'must be an https:// URL (http:// only for localhost)';
}

export const deliveryUrlSchema = z.lazy(() =>
  z.string().check(
    z.superRefine((text, context) => {
      const problem = checkDeliveryUrl(text);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  ),
);

/** Names an endpoint by its host only: paths and queries of webhook URLs are often secrets. */
export function hostLabel(kind: string, text: string): string {
  try {
    return `${kind} (${new URL(text).host})`;
  } catch {
    return kind;
  }
}
