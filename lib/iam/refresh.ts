/**
 * The Lambda side of `wide_permission_roles: auto`. The scheduled health run reads IAM and stores
 * the list (`refreshWideRoles`); the ingest functions read it at cold start and at most every
 * `WIDE_ROLES_REFRESH_MS` afterwards (`WideRolesSource`), rebuilding their rules when it changed.
 */
import type { TrailwatchConfig } from '../config';
import { findWideRoleArns, needsWideRoles, WIDE_PERMISSION_ROLES } from './auto';
import type { AuthorizationDetailsSender } from './read';
import type { WideRolesSnapshot } from './store';
import { WideRolesStore } from './store';

/** How often a warm ingest function looks for a newer list; the health run refreshes it every 15 minutes (serverless.yml). */
export const WIDE_ROLES_REFRESH_MS = 10 * 60 * 1000;

interface LogSink {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type RefreshOutcome =
  | { readonly kind: 'not-configured' }
  | { readonly kind: 'no-table' }
  | { readonly kind: 'stored'; readonly snapshot: WideRolesSnapshot }
  | { readonly kind: 'failed'; readonly error: string };

/** The state table the config points at (the stack's, in Lambda), or undefined for memory state. */
export function wideRolesStoreFor(config: TrailwatchConfig): WideRolesStore | undefined {
  if (config.state.backend !== 'dynamodb') return undefined;
  return new WideRolesStore({
    table: config.state.table,
    ...(config.state.region === undefined ? {} : { region: config.state.region }),
    ...(config.state.endpoint === undefined ? {} : { endpoint: config.state.endpoint }),
  });
}

/**
 * Reads IAM and stores the wide roles. Never throws: a failure is logged as an error and the last
 * stored list stays in use (its `refreshedAt` shows how old it is), so the health check still runs.
 */
export async function refreshWideRoles(options: {
  readonly config: TrailwatchConfig;
  readonly log: LogSink;
  readonly now: number;
  readonly iam?: AuthorizationDetailsSender;
  readonly store?: WideRolesStore;
}): Promise<RefreshOutcome> {
  if (!needsWideRoles(options.config)) return { kind: 'not-configured' };
  const store = options.store ?? wideRolesStoreFor(options.config);
  if (!store) {
    options.log.error(
      'wide_permission_roles is auto but there is no DynamoDB state table to keep the list in',
    );
    return { kind: 'no-table' };
  }
  try {
    const roles = await findWideRoleArns({}, options.iam);
    const snapshot = await store.put(roles, options.now);
    if (snapshot.truncated > 0)
      options.log.warn('wide roles cut to fit one DynamoDB item', { truncated: snapshot.truncated });
    options.log.info('wide permission roles refreshed', { roles: snapshot.roles.length });
    return { kind: 'stored', snapshot };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    options.log.error('wide permission roles could not be refreshed; the last stored list stays', {
      error: message,
    });
    return { kind: 'failed', error: message };
  }
}

/**
 * The stored list as an ingest function sees it: read on first use (cold start), then again when
 * the last read is older than `refreshMs`. A read that fails keeps the previous list; with none,
 * it throws, so an invocation never runs the wide-role rules on an empty list unnoticed.
 */
export class WideRolesSource {
  private last: { snapshot: WideRolesSnapshot | undefined; readAt: number } | undefined;

  constructor(
    private readonly store: Pick<WideRolesStore, 'get'>,
    private readonly refreshMs: number = WIDE_ROLES_REFRESH_MS,
  ) {}

  /** The current list and whether it changed since the previous call. */
  async current(now: number): Promise<{ roles: readonly string[]; changed: boolean; stored: boolean }> {
    if (this.last && now - this.last.readAt < this.refreshMs)
      return {
        roles: this.last.snapshot?.roles ?? [],
        changed: false,
        stored: this.last.snapshot !== undefined,
      };
    const before = this.last?.snapshot;
    let snapshot: WideRolesSnapshot | undefined;
    try {
      snapshot = await this.store.get();
    } catch (error) {
      if (!this.last) throw error;
      this.last = { snapshot: before, readAt: now };
      return { roles: before?.roles ?? [], changed: false, stored: before !== undefined };
    }
    this.last = { snapshot, readAt: now };
    const changed =
      before === undefined ||
      snapshot === undefined ||
      snapshot.roles.length !== before.roles.length ||
      snapshot.roles.some((role, index) => role !== before.roles[index]);
    return { roles: snapshot?.roles ?? [], changed, stored: snapshot !== undefined };
  }
}

/** What the ingest handlers ask for their runtime through: the same one, or one rebuilt with a newer list. */
export interface RuntimeSupply<R> {
  current(now: number): Promise<R>;
}

/**
 * The ingest runtime with `wide_permission_roles: auto` filled from the stored list: read at the
 * first invocation (the cold start), again at most every `WIDE_ROLES_REFRESH_MS`, and the rules are
 * rebuilt only when the list changed. Without `auto` in the config, the runtime is used as it is.
 */
export function wideRolesRuntime<R extends { readonly config: TrailwatchConfig }>(
  initial: R,
  rebuild: (placeholders: Readonly<Record<string, readonly string[]>>) => R,
  log: Pick<LogSink, 'warn' | 'info'>,
  source?: WideRolesSource,
): RuntimeSupply<R> {
  if (!needsWideRoles(initial.config)) return { current: async () => initial };
  const store = wideRolesStoreFor(initial.config);
  const reader = source ?? (store ? new WideRolesSource(store) : undefined);
  if (!reader) {
    log.warn('wide_permission_roles is auto but there is no DynamoDB state table: it matches nothing');
    return { current: async () => initial };
  }
  let runtime = initial;
  let warned = false;
  return {
    async current(now: number): Promise<R> {
      const { roles, changed, stored } = await reader.current(now);
      if (!stored && !warned) {
        warned = true;
        log.warn('wide_permission_roles is auto and no list is stored yet (the health run writes it)');
      }
      if (changed) {
        runtime = rebuild({ [WIDE_PERMISSION_ROLES]: roles });
        log.info('rules rebuilt with the stored wide permission roles', { roles: roles.length });
      }
      return runtime;
    },
  };
}
