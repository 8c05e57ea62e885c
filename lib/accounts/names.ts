import type { AccountsConfig } from '../config/accounts';
import { ACCOUNT_NAME_MAX } from '../config/accounts';
import type { AccountDirectory, OrganizationsLookup } from './organizations';
import { describeLookupFailure, organizationsLookup } from './organizations';

/**
 * How long names read from Organizations are trusted: an account renamed or added shows within
 * this time in a warm Lambda container, and a burst of alerts costs one ListAccounts.
 */
export const ORGANIZATIONS_CACHE_MS = 60 * 60_000;

/** After a failed lookup, how long before asking again (a denied call would fail the same way). */
export const ORGANIZATIONS_RETRY_AFTER_FAILURE_MS = 15 * 60_000;

export interface AccountNamesOptions {
  /** Names from trailwatch.yml: they win over Organizations. */
  readonly names?: Readonly<Record<string, string>>;
  /** Where the other names come from; none: the config's names only. */
  readonly organizations?: OrganizationsLookup;
  readonly now?: () => number;
  /** Told once per failed lookup, why (the run goes on with the config's names). */
  readonly warn?: (message: string) => void;
}

/**
 * Account names for display. `name` is synchronous (formatters call it); `ready` refreshes the
 * names from Organizations when they are older than ORGANIZATIONS_CACHE_MS, never throws, and
 * keeps the last good names when a refresh fails.
 */
export class AccountNames {
  private readonly configured: ReadonlyMap<string, string>;
  private fetched: AccountDirectory = new Map();
  private nextRefreshAt = 0;
  private refreshing: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AccountNamesOptions = {}) {
    this.configured = new Map(Object.entries(options.names ?? {}));
    this.now = options.now ?? Date.now;
  }

  /** The account's name: the config's, else the one Organizations gave, else undefined. */
  name(accountId: string | undefined): string | undefined {
    if (accountId === undefined) return undefined;
    return this.configured.get(accountId) ?? this.fetched.get(accountId);
  }

  /** Loads or refreshes the Organizations names if due; concurrent callers share one lookup. */
  ready(): Promise<void> {
    const lookup = this.options.organizations;
    if (lookup === undefined || this.now() < this.nextRefreshAt) return Promise.resolve();
    this.refreshing ??= lookup()
      .then((directory) => {
        this.fetched = new Map([...directory].map(([id, name]) => [id, name.slice(0, ACCOUNT_NAME_MAX)]));
        this.nextRefreshAt = this.now() + ORGANIZATIONS_CACHE_MS;
      })
      .catch((error: unknown) => {
        this.nextRefreshAt = this.now() + ORGANIZATIONS_RETRY_AFTER_FAILURE_MS;
        this.options.warn?.(
          `account names: AWS Organizations could not list accounts (${describeLookupFailure(error)}); showing the names in trailwatch.yml only`,
        );
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}

/** No names: ids are shown alone. */
export const NO_ACCOUNT_NAMES = new AccountNames();

/**
 * The names a config asks for. Lookups are shared per process by config object, so a Lambda
 * container asks Organizations once per ORGANIZATIONS_CACHE_MS however many pipelines it builds.
 */
const shared = new WeakMap<AccountsConfig, AccountNames>();
export function accountNamesFor(
  config: AccountsConfig | undefined,
  warn: (message: string) => void = (message) => console.warn(`trailwatch: ${message}`),
): AccountNames {
  if (config === undefined) return NO_ACCOUNT_NAMES;
  let names = shared.get(config);
  if (names === undefined) {
    names = new AccountNames({
      names: config.names,
      ...(config.organizations ? { organizations: organizationsLookup() } : {}),
      warn,
    });
    shared.set(config, names);
  }
  return names;
}

/** `111122223333 (prod)`, or the id alone when it has no name. */
export function accountLabel(accountId: string, name: string | undefined): string {
  return name === undefined ? accountId : `${accountId} (${name})`;
}
