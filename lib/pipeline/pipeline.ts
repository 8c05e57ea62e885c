import type { Alert } from '../alerts';
import { detectionAlert, readPath } from '../alerts';
import type { TrailwatchConfig } from '../config';
import { CorrelationEngine } from '../correlate';
import type { Origin } from '../ingest';
import type { DeliveryResult, Destination } from '../notify';
import type { CloudTrailRecord } from '../records';
import type { DetectionRule, RuleSet } from '../rules';
import type { StateStore } from '../state';
import { routeAlert } from './routing';
import type { ActiveSuppression } from './suppressions';
import { compileSuppressions, findSuppression } from './suppressions';

export type Delivery =
  | { readonly destination: string; readonly status: 'sent'; readonly result: DeliveryResult }
  | { readonly destination: string; readonly status: 'already-sent' }
  | {
      readonly destination: string;
      readonly status: 'failed';
      readonly result: Extract<DeliveryResult, { ok: false }>;
    }
  | { readonly destination: string; readonly status: 'unknown-destination' };

export type AlertOutcome =
  | { readonly alert: Alert; readonly status: 'suppressed'; readonly reason: string }
  | { readonly alert: Alert; readonly status: 'deduplicated'; readonly suppressedSoFar: number }
  | { readonly alert: Alert; readonly status: 'routed'; readonly deliveries: readonly Delivery[] };

export interface PipelineOptions {
  readonly config: TrailwatchConfig;
  readonly rules: Pick<RuleSet, 'correlations' | 'correlationOnly'>;
  readonly state: StateStore;
  readonly destinations: ReadonlyMap<string, Destination>;
  /** Wall clock, for suppression expiry and delivery records. */
  readonly now?: () => number;
}

/** Thrown after a batch when some delivery failed in a way a retry could fix. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(readonly failures: readonly { alertId: string; destination: string; error: string }[]) {
    super(
      `${failures.length} alert delivery(ies) failed and can be retried: ${failures.map((f) => `${f.destination}: ${f.error}`).join('; ')}`,
    );
  }
}

/**
 * From rule matches to delivered notifications: correlation, suppression, dedup, routing, and
 * delivery with one idempotency record per alert and destination, so that a retried invocation
 * sends only what did not go out the first time.
 */
export class AlertPipeline {
  private readonly correlations: CorrelationEngine;
  private readonly suppressions: readonly ActiveSuppression[];
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.correlations = new CorrelationEngine(options.rules.correlations, options.state);
    this.suppressions = compileSuppressions(options.config.suppressions);
    this.now = options.now ?? Date.now;
  }

  /** The alerts a match raises (its own, unless it only feeds a correlation, and any correlation it completes). */
  async alertsFor(rule: DetectionRule, record: CloudTrailRecord, origin?: Origin): Promise<Alert[]> {
    const alerts: Alert[] = [];
    if (!this.options.rules.correlationOnly.has(rule.meta.id))
      alerts.push(detectionAlert(rule, record, origin));
    alerts.push(...(await this.correlations.observe(rule, record)));
    return alerts;
  }

  async handleMatch(rule: DetectionRule, record: CloudTrailRecord, origin?: Origin): Promise<AlertOutcome[]> {
    const outcomes: AlertOutcome[] = [];
    for (const alert of await this.alertsFor(rule, record, origin))
      outcomes.push(await this.handleAlert(alert));
    return outcomes;
  }

  async handleAlert(alert: Alert): Promise<AlertOutcome> {
    const suppression = findSuppression(alert, this.suppressions, this.now());
    if (suppression) {
      const { reason, owner, expires } = suppression.config;
      return { alert, status: 'suppressed', reason: `${reason} (owner ${owner}, until ${expires})` };
    }
    const decision = await this.options.state.dedup(
      dedupKey(alert, this.options.config),
      alert.id,
      this.dedupWindow(alert),
      eventTime(alert),
    );
    if (!decision.notify) return { alert, status: 'deduplicated', suppressedSoFar: decision.suppressedSoFar };
    const sent: Alert =
      decision.suppressedBefore > 0 ? { ...alert, suppressedDuplicates: decision.suppressedBefore } : alert;
    const deliveries: Delivery[] = [];
    for (const name of routeAlert(sent, this.options.config)) deliveries.push(await this.deliver(sent, name));
    return { alert: sent, status: 'routed', deliveries };
  }

  private dedupWindow(alert: Alert): number {
    return alert.rule.dedup?.windowMs ?? this.options.config.dedupWindowMs;
  }

  private async deliver(alert: Alert, name: string): Promise<Delivery> {
    const destination = this.options.destinations.get(name);
    if (!destination) return { destination: name, status: 'unknown-destination' };
    if (await this.options.state.wasDelivered(alert.id, name))
      return { destination: name, status: 'already-sent' };
    const result = await destination.send(alert);
    if (!result.ok) return { destination: name, status: 'failed', result };
    await this.options.state.markDelivered(alert.id, name, this.now());
    return { destination: name, status: 'sent', result };
  }
}

/**
 * The deliveries a retry could still fix. Lambda handlers throw `DeliveryError` with them so the
 * invocation is retried (and, past its retries, lands in the failure destination); the
 * idempotency records make that retry send only these. A non-retryable failure (a 4xx: a bad
 * webhook URL, a revoked token) is reported but would fail the same way again.
 */
export function failuresToRetry(
  outcomes: readonly AlertOutcome[],
): { alertId: string; destination: string; error: string }[] {
  return outcomes.flatMap((outcome) =>
    outcome.status !== 'routed'
      ? []
      : outcome.deliveries.flatMap((delivery) =>
          delivery.status === 'failed' && delivery.result.retryable
            ? [{ alertId: outcome.alert.id, destination: delivery.destination, error: delivery.result.error }]
            : [],
        ),
  );
}

export function throwIfRetryable(outcomes: readonly AlertOutcome[]): void {
  const failures = failuresToRetry(outcomes);
  if (failures.length > 0) throw new DeliveryError(failures);
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
    return `${alert.rule.id}|${fields.map((field) => JSON.stringify(readPath(alert.record, field) ?? null)).join('|')}`;
  }
  const f = alert.facts;
  return `${alert.rule.id}|${f.principalArn ?? ''}|${f.eventSource}|${f.eventName}|${f.account ?? ''}`;
}
