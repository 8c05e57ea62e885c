export { emailMessage, loadSnsSdk } from './email';
export type { AnswerVerdict, HttpPolicy, HttpTarget, Sleep } from './http';
export { DEFAULT_HTTP_POLICY, postWithRetry, realSleep, retryAfterMs } from './http';
export * as limits from './limits';
export { PAGERDUTY_EVENTS_URL, pagerDutyBody, pagerDutyEvent } from './pagerduty';
export { REDACTED, redactResult, redactSecrets, secretVariants } from './redact';
export { NOTIFIERS } from './registry';
export type { SecretRef, SecretSources } from './secrets';
export { describeSecretRef, SecretError, SecretResolver, secretRefSchema } from './secrets';
export type { SlackMessage } from './slack';
export { slackMessage } from './slack';
export { teamsMessage } from './teams';
export {
  asciiLine,
  breakLinks,
  inertJson,
  singleLine,
  slackCode,
  slackEscape,
  slackText,
  teamsText,
  truncate,
} from './text';
export type {
  AlertThread,
  DeliveryOptions,
  DeliveryResult,
  Destination,
  NotifierContext,
  RegisteredNotifier,
} from './types';
export { SIGNATURE_HEADER, signBody, webhookBody } from './webhook';
