/**
 * Several processes, one DynamoDB state table (moto_server) and one real HTTP receiver: each alert
 * reaches the receiver once, and a receiver slower than the timeout is reported as unknown.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../lib/alerts';
import { detectionAlert } from '../../lib/alerts';
import { parseConfig } from '../../lib/config';
import { countOutcome, emptyTally } from '../../lib/driver';
import type { HttpPolicy } from '../../lib/notify';
import { NOTIFIERS, SecretResolver } from '../../lib/notify';
import type { AlertOutcome } from '../../lib/pipeline';
import { AlertPipeline, defaultNotifierContext, failuresToRetry } from '../../lib/pipeline';
import { DynamoStateStore } from '../../lib/state';
import { injectedRecord, injectionRule } from '../factories/alerts';
import { MOTO_CREDENTIALS, motoAvailable } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { MOTO_REGION, useMotoStateTables } from '../state/tables';

const PROCESSES = 4;
const ALERTS = 15;
/** The receiver's think time: long enough that every process is mid-send at once. */
const RECEIVER_DELAY_MS = 300;

const motoTables = useMotoStateTables('shared');
let receiver: Receiver | undefined;
/** The moto_server every process's state store talks to. */
let endpoint = '';
afterEach(async () => {
  await receiver?.close();
  vi.unstubAllEnvs();
});

const POLICY: HttpPolicy = {
  timeoutMs: 2_000,
  attempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 20,
  maxRetryAfterMs: 1_000,
};

/** A pipeline as one process would build it: its own store and client on the shared table. */
function process_(table: string, url: string, policy: HttpPolicy = POLICY): AlertPipeline {
  const config = parseConfig(
    `destinations:
  siem: {type: webhook, url: '${url}'}
routing:
  defaults: {critical: [siem], high: [siem], medium: [siem], low: [siem], informational: [siem]}
state: {backend: dynamodb, table: ${table}, region: ${MOTO_REGION}, endpoint: '${endpoint}'}
`,
    'trailwatch.yml',
    Date.UTC(2025, 0, 1),
  );
  const context = defaultNotifierContext({ secrets: new SecretResolver({ env: {} }), http: policy });
  const siem = NOTIFIERS.get('webhook')?.create('siem', config.destinations.siem, context);
  if (!siem) throw new Error('no webhook notifier');
  const state =
    config.state.backend === 'dynamodb'
      ? new DynamoStateStore({
          table: config.state.table,
          ...(config.state.region ? { region: config.state.region } : {}),
          ...(config.state.endpoint ? { endpoint: config.state.endpoint } : {}),
        })
      : undefined;
  if (!state) throw new Error('the test config names a DynamoDB table');
  return new AlertPipeline({
    config,
    rules: { correlations: [], correlationOnly: new Set() },
    state,
    destinations: new Map([['siem', siem]]),
  });
}

async function sharedTable(): Promise<string> {
  vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
  const created = await motoTables.newTable();
  endpoint = created.endpoint;
  return created.table;
}

/** Distinct principals, so dedup lets every alert through. */
function alerts(count: number): Alert[] {
  return Array.from({ length: count }, (_, i) =>
    detectionAlert(injectionRule(), injectedRecord(`principal-${i}`, { eventID: `ev-${i}` })),
  );
}

function statuses(outcomes: readonly AlertOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes)
    for (const delivery of outcome.status === 'routed' ? outcome.deliveries : [])
      counts[delivery.status] = (counts[delivery.status] ?? 0) + 1;
  return counts;
}

describe.skipIf(!motoAvailable)('exactly once under concurrency', () => {
  it(`${PROCESSES} processes handling the same ${ALERTS} alerts at once send each alert once`, async () => {
    const table = await sharedTable();
    receiver = await startReceiver(() => ({ status: 200, delayMs: RECEIVER_DELAY_MS }));
    const url = receiver.url;
    const pipelines = Array.from({ length: PROCESSES }, () => process_(table, url));
    const batch = alerts(ALERTS);
    const outcomes = (
      await Promise.all(
        pipelines.map((pipeline) => Promise.all(batch.map((alert) => pipeline.handleAlert(alert)))),
      )
    ).flat();
    const ids = receiver.requests.map((request) => request.headers['x-trailwatch-alert-id']);
    expect(ids).toHaveLength(ALERTS);
    expect(new Set(ids).size).toBe(ALERTS);
    const counts = statuses(outcomes);
    expect(counts.sent).toBe(ALERTS);
    expect((counts['in-flight-elsewhere'] ?? 0) + (counts['already-sent'] ?? 0)).toBe(
      (PROCESSES - 1) * ALERTS,
    );
    expect(failuresToRetry(outcomes)).toEqual([]);
    // A retry of every process afterwards finds everything delivered.
    const retried = await Promise.all(batch.map((alert) => pipelines[0]?.handleAlert(alert)));
    expect(statuses(retried.filter((o): o is AlertOutcome => o !== undefined))).toEqual({
      'already-sent': ALERTS,
    });
    expect(receiver.requests).toHaveLength(ALERTS);
  });

  it('a receiver slower than the timeout: unknown, at most one copy, and the tally says unknown', async () => {
    const table = await sharedTable();
    const timeoutMs = 200;
    receiver = await startReceiver(() => ({ status: 200, delayMs: timeoutMs * 4 }));
    const url = receiver.url;
    const pipelines = Array.from({ length: PROCESSES }, () => process_(table, url, { ...POLICY, timeoutMs }));
    const [alert] = alerts(1);
    if (!alert) throw new Error('no alert');
    const outcomes = await Promise.all(pipelines.map((pipeline) => pipeline.handleAlert(alert)));
    expect(receiver.requests.length).toBeLessThanOrEqual(1);
    const counts = statuses(outcomes);
    expect(counts).toEqual({ unknown: 1, 'in-flight-elsewhere': PROCESSES - 1 });
    const unknown = outcomes
      .flatMap((o) => (o.status === 'routed' ? o.deliveries : []))
      .find((d) => d.status === 'unknown');
    expect(unknown).toMatchObject({
      status: 'unknown',
      sends: 1,
      resend: true,
      error: expect.stringMatching(/request sent, no answer within 200 ms; the receiver may have it/),
    });
    const tally = emptyTally();
    for (const outcome of outcomes) countOutcome(tally, outcome, Date.now());
    expect(tally.notifications).toMatchObject({ sent: 0, unknown: 1, failed: 0 });
    // The claim stays: a retry while the lease lives does not send it again.
    await pipelines[1]?.handleAlert(alert);
    expect(receiver.requests.length).toBeLessThanOrEqual(1);
  });
});
