import type { SNSClient } from '@aws-sdk/client-sns';
import type { TrailwatchConfig } from '../config';
import type { Destination, NotifierContext } from '../notify';
import { DEFAULT_HTTP_POLICY, loadSnsSdk, NOTIFIERS, realSleep, SecretResolver } from '../notify';
import type { StateStore } from '../state';
import { DynamoStateStore, MemoryStateStore } from '../state';

export const USER_AGENT = 'trailwatch';

/** The real context: SDK clients from the default credential chain (AWS_ENDPOINT_URL is honoured). */
export function defaultNotifierContext(overrides: Partial<NotifierContext> = {}): NotifierContext {
  const sns = new Map<string, Promise<SNSClient>>();
  return {
    secrets: overrides.secrets ?? new SecretResolver(),
    http: overrides.http ?? DEFAULT_HTTP_POLICY,
    sleep: overrides.sleep ?? realSleep,
    sns:
      overrides.sns ??
      ((region) => {
        let client = sns.get(region);
        if (!client) {
          client = loadSnsSdk().then(({ SNSClient }) => new SNSClient({ region }));
          sns.set(region, client);
        }
        return client;
      }),
    userAgent: overrides.userAgent ?? USER_AGENT,
  };
}

/** Builds every configured destination (already validated when the config was read). */
export function createDestinations(
  config: TrailwatchConfig,
  context: NotifierContext,
): Map<string, Destination> {
  const destinations = new Map<string, Destination>();
  for (const [name, settings] of Object.entries(config.destinations)) {
    const notifier = NOTIFIERS.get(String(settings.type));
    if (notifier) destinations.set(name, notifier.create(name, settings, context));
  }
  return destinations;
}

export function createStateStore(config: TrailwatchConfig): StateStore {
  const state = config.state;
  if (state.backend === 'memory') return new MemoryStateStore();
  return new DynamoStateStore({
    table: state.table,
    ...(state.region === undefined ? {} : { region: state.region }),
    ...(state.endpoint === undefined ? {} : { endpoint: state.endpoint }),
  });
}
