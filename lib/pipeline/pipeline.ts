import type { AccountNames } from '../accounts';
import { accountLabel, accountNamesFor } from '../accounts';
import type { Actor } from '../actor/types';
import type { Alert } from '../alerts';
import { describeAction, detectionAlert, readPath, recordView } from '../alerts';
import type { TrailwatchConfig } from '../config';
import type { FirstSeenOptions } from '../correlate';
import { CorrelationEngine, FirstSeenEngine } from '../correlate';
import type { Origin } from '../ingest';
import type { Destination } from '../notify';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, RuleSet } from '../rules';
import type { StateStore } from '../state';
import type { DeliverOptions, Delivery } from './delivery';
import { Deliverer } from './delivery';
import { routeAlert } from './routing';
import type { ActiveSuppression } from './suppressions';
import { compileSuppressions, findSuppression } from './suppressions';

export type AlertOutcome =
  | { readonly alert: Alert; readonly status: 'suppressed'; readonly reason: string }
  /** `deliveries`: the repeat's replies to destinations that thread repeats (a Slack app), if any. */
  | {
      readonly alert: Alert;
      readonly status: 'deduplicated';
      readonly suppressedSoFar: number;
      readonly deliveries?: readonly Delivery[];
    }
  | { readonly alert: Alert; readonly status: 'routed'; readonly deliveries: readonly Delivery[] };

export interface PipelineOptions {
  readonly config: TrailwatchConfig;
  readonly rules: Pick<RuleSet, 'correlations' | 'correlationOnly'>;
  readonly state: StateStore;
  readonly destinations: ReadonlyMap<string, Destination>;
  /** Wall clock, for suppression expiry and delivery records. */
  readonly now?: () => number;
  /**
   * Where first-seen rules remember what they saw (default: `state`), and whether they only learn.
   * `backtest --baseline` writes the state table's baseline and keeps everything else in memory.
   */
  readonly firstSeen?: FirstSeenOptions & { readonly state?: StateStore };
  /** Names shown next to account ids (default: trailwatch.yml's `accounts:`, shared per process). */
  readonly accounts?: AccountNames;
}

/**
 * From rule matches to delivered notifications: correlation, suppression, dedup, routing, and
 * delivery to the routed destinations concurrently, each (alert, destination) pair claimed before
 * it is sent, so that concurrent processes send it once and a retried invocation sends only what
 * did not go out the first time (see `Deliverer`).
 */
export class AlertPipeline {
  private readonly correlations: CorrelationEngine;
  private readonly firstSeen: FirstSeenEngine;
  private readonly suppressions: readonly ActiveSuppression[];
  private readonly now: () => number;
  private readonly deliverer: Deliverer;
  private readonly accounts: AccountNames;

  constructor(private readonly options: PipelineOptions) {
    this.accounts = options.accounts ?? accountNamesFor(options.config.accounts);
    this.correlations = new CorrelationEngine(options.rules.correlations, options.state);
    this.firstSeen = new FirstSeenEngine(options.firstSeen?.state ?? options.state, options.firstSeen);
    this.suppressions = compileSuppressions(options.config.suppressions);
    this.now = options.now ?? Date.now;
    this.deliverer = new Deliverer(options.state, options.destinations, this.now);
  }

  /** The alerts a match raises (its own, unless it only feeds a correlation, and any correlation it completes). */
  async alertsFor(
    rule: DetectionRule,
    record: CloudTrailRecord,
    origin?: Origin,
    actor?: Actor,
  ): Promise<Alert[]> {
    const alerts: Alert[] = [];
    if (rule.firstSeen !== undefined) {
      const alert = await this.firstSeen.alertFor(rule, record, origin, actor);
      if (alert !== undefined && !this.options.rules.correlationOnly.has(rule.meta.id)) alerts.push(alert);
    } else if (!this.options.rules.correlationOnly.has(rule.meta.id))
      alerts.push(detectionAlert(rule, record, origin, actor));
    alerts.push(...(await this.correlations.observe(rule, record, actor)));
    return alerts;
  }

  async handleMatch(
    rule: DetectionRule,
    record: CloudTrailRecord,
    origin?: Origin,
    options: DeliverOptions = {},
  ): Promise<AlertOutcome[]> {
    const outcomes: AlertOutcome[] = [];
    for (const alert of await this.alertsFor(rule, record, origin))
      outcomes.push(await this.handleAlert(alert, options));
    return outcomes;
  }

  /**
   * Suppression, dedup, routing, then delivery to every routed destination at once. With
   * `deadlineAt` (epoch ms), deliveries still under way then are aborted: `unknown` if their
   * request may have gone out, `failed` (retryable) if it never started. Throws only when the
   * state store cannot be used (`StateStoreError`) or a notifier throws.
   */
  async handleAlert(raised: Alert, options: DeliverOptions = {}): Promise<AlertOutcome> {
    const alert = await this.withAccountName(raised);
    const suppression = findSuppression(alert, this.suppressions, this.now());
    if (suppression) {
      const { reason, owner, expires } = suppression.config;
      return { alert, status: 'suppressed', reason: `${reason} (owner ${owner}, until ${expires})` };
    }
    const key = dedupKey(alert, this.options.config);
    const windowMs = this.dedupWindow(alert);
    const decision = await this.options.state.dedup(key, alert.id, windowMs, eventTime(alert));
    if (!decision.notify) {
      // Held back, except from destinations that reply to repeats in the first alert's thread.
      const suppressedSoFar = decision.suppressedSoFar;
      const threading = routeAlert(alert, this.options.config).filter(
        (name) => this.options.destinations.get(name)?.threadsRepeats === true,
      );
      if (threading.length === 0) return { alert, status: 'deduplicated', suppressedSoFar };
      const thread = { key, count: suppressedSoFar + 1, windowMs, store: this.options.state };
      const deliveries = await this.deliverer.deliverAll(alert, threading, { ...options, thread });
      return { alert, status: 'deduplicated', suppressedSoFar, deliveries };
    }
    const sent: Alert =
      decision.suppressedBefore > 0 ? { ...alert, suppressedDuplicates: decision.suppressedBefore } : alert;
    const thread = { key, count: 1, windowMs, store: this.options.state };
    const deliveries = await this.deliverer.deliverAll(sent, routeAlert(sent, this.options.config), {
      ...options,
      thread,
    });
    return { alert: sent, status: 'routed', deliveries };
  }

  /**
   * The alert with its account's name, when one is known (config or Organizations): in its facts,
   * and in its summary's "in 111122223333 (prod) us-east-1" when the summary is the described action.
   */
  private async withAccountName(alert: Alert): Promise<Alert> {
    await this.accounts.ready();
    const { account } = alert.facts;
    const accountName = this.accounts.name(account);
    if (account === undefined || accountName === undefined) return alert;
    const action = describeAction(alert.facts, alert.actor);
    const named = describeAction(
      { ...alert.facts, account: accountLabel(account, accountName) },
      alert.actor,
    );
    const summary = alert.summary.startsWith(action)
      ? `${named}${alert.summary.slice(action.length)}`
      : alert.summary;
    return { ...alert, summary, facts: { ...alert.facts, accountName } };
  }

  private dedupWindow(alert: Alert): number {
    return alert.rule.dedup?.windowMs ?? this.options.config.dedupWindowMs;
  }
}

/** Alerts are windowed on event time, so a backtest dedups as the live pipeline did. */
function eventTime(alert: Alert): number {
  const time = Date.parse(alert.correlation?.lastEventTime ?? alert.facts.eventTime);
  return Number.isNaN(time) ? Date.now() : time;
}

/**
 * What makes two alerts "the same": the rule's `dedup.fields` (or the config's default fields) read
 * from the record; by default the rule and who did what where.
 */
export function dedupKey(alert: Alert, config: TrailwatchConfig): string {
  if (alert.correlation) return `${alert.rule.id}|${JSON.stringify(alert.correlation.group)}`;
  const ruleFields = alert.rule.dedup?.fields;
  const fields = ruleFields && ruleFields.length > 0 ? ruleFields : config.dedupFields;
  if (fields && fields.length > 0) {
    return `${alert.rule.id}|${fields.map((field) => JSON.stringify(readPath(recordView(alert.record, alert.actor), field) ?? null)).join('|')}`;
  }
  const f = alert.facts;
  return `${alert.rule.id}|${f.principalArn ?? ''}|${f.eventSource}|${f.eventName}|${f.account ?? ''}`;
}
