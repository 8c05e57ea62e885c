import type { SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../alerts';
import type { StateStore } from '../state';
import type * as z from '../validation';
import type { HttpPolicy, SendOptions, Sleep } from './http';
import type { SecretResolver } from './secrets';
import { setupFailureKind } from './setup-failure';

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

/**
 * Where an alert stands among the alerts of its dedup key, for destinations that thread repeats
 * under the first alert of the window (a Slack app). The pipeline passes it with every delivery.
 */
export interface AlertThread {
  /** The dedup key: what makes two alerts "the same". */
  readonly key: string;
  /** The alert's place in its dedup window: 1 for the window's first alert, n for its n-th. */
  readonly count: number;
  /** The window's length: how long a parent message must be remembered. */
  readonly windowMs: number;
  /** Where parent messages are remembered, so a repeat in another invocation finds its parent. */
  readonly store: Pick<StateStore, 'saveThreadParent' | 'threadRepeat'>;
}

export interface DeliveryOptions extends SendOptions {
  readonly thread?: AlertThread;
}

/** A configured destination, ready to send. */
export interface Destination {
  readonly name: string;
  readonly type: string;
  /**
   * Whether this destination is also sent the repeats that dedup holds back (with `thread.count`
   * above 1), to reply under the window's first alert. Others get only each window's first.
   */
  readonly threadsRepeats?: boolean;
  /** `options` bound the delivery: abort on the signal, start or wait nothing past the deadline. */
  send(alert: Alert, options?: DeliveryOptions): Promise<DeliveryResult>;
}

/** One kind of destination: its configuration schema and how to build a sender from it. */
export interface Notifier<Config> {
  readonly type: string;
  readonly description: string;
  readonly configSchema: z.ZodMiniType<Config>;
  create(name: string, config: Config, context: NotifierContext): Destination;
}

/** A notifier with its config type erased, so different kinds can sit in one registry. */
export interface RegisteredNotifier {
  readonly type: string;
  readonly description: string;
  readonly configSchema: z.ZodMiniType<unknown>;
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

/**
 * A failure before anything was sent (a secret that could not be read): retryable only when its
 * kind says a retry can help (see setup-failure.ts); a configuration error never is.
 */
export function setupFailure(error: unknown): DeliveryResult {
  return {
    ok: false,
    retryable: setupFailureKind(error) === 'transient',
    attempts: 0,
    error: error instanceof Error ? error.message : String(error),
  };
}
