import type { SNSClient } from '@aws-sdk/client-sns';
import type { z } from 'zod';
import type { Alert } from '../alerts';
import type { HttpPolicy, SendOptions, Sleep } from './http';
import type { SecretResolver } from './secrets';

/** The outcome of one delivery, as a value: callers decide what a failure means. */
export type DeliveryResult =
  | { readonly ok: true; readonly attempts: number; readonly detail?: string }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly attempts: number;
      readonly error: string;
      /** The request went out but no answer came: the receiver may have it (an unknown outcome). */
      readonly maybeReceived?: true;
    };

/** What notifiers share: secrets, transport settings, clients. Tests pass their own. */
export interface NotifierContext {
  readonly secrets: SecretResolver;
  readonly http: HttpPolicy;
  readonly sleep: Sleep;
  readonly sns: (region: string) => SNSClient | Promise<SNSClient>;
  readonly userAgent: string;
}

/** A configured destination, ready to send. */
export interface Destination {
  readonly name: string;
  readonly type: string;
  /** `options` bound the delivery: abort on the signal, start or wait nothing past the deadline. */
  send(alert: Alert, options?: SendOptions): Promise<DeliveryResult>;
}

/** One kind of destination: its configuration schema and how to build a sender from it. */
export interface Notifier<Config> {
  readonly type: string;
  readonly description: string;
  readonly configSchema: z.ZodType<Config>;
  create(name: string, config: Config, context: NotifierContext): Destination;
}

/** A notifier with its config type erased, so different kinds can sit in one registry. */
export interface RegisteredNotifier {
  readonly type: string;
  readonly description: string;
  readonly configSchema: z.ZodType<unknown>;
  create(name: string, config: unknown, context: NotifierContext): Destination;
}

export function registerNotifier<Config>(notifier: Notifier<Config>): RegisteredNotifier {
  return {
    type: notifier.type,
    description: notifier.description,
    configSchema: notifier.configSchema,
    create: (name, config, context) => notifier.create(name, notifier.configSchema.parse(config), context),
  };
}

/** A failure before anything was sent (a missing secret): worth retrying, the secret may appear. */
export function setupFailure(error: unknown): DeliveryResult {
  return {
    ok: false,
    retryable: true,
    attempts: 0,
    error: error instanceof Error ? error.message : String(error),
  };
}
