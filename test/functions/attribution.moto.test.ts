/**
 * Lambda attribution across invocations: an AssumeRole seen by one invocation (the EventBridge
 * rule for read-only session starts) names the person behind calls that arrive in later ones,
 * through the DynamoDB state table on moto_server. Scenario: two people behind one role and one
 * session name (test/fixtures/attribution/two-people-one-role.jsonl).
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ActorResolver, MemorySessionStore } from '../../lib/actor';
import { SecretResolver } from '../../lib/notify';
import type { CloudTrailRecord } from '../../lib/records';
import { createTrailHandler } from '../../lib/runtime';
import { eventBridgeCloudTrail } from '../factories/events';
import { fixturePath } from '../helpers/fixtures';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';
import type { Receiver } from '../helpers/receiver';
import { startReceiver } from '../helpers/receiver';
import { capturingLogger, testRuntime } from '../helpers/runtime';
import { createStateTable, MOTO_REGION, motoDynamo } from '../state/tables';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const records = readFileSync(fixturePath('attribution', 'two-people-one-role.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CloudTrailRecord);

describe.skipIf(!motoAvailable)('Lambda attribution across invocations (DynamoDB on moto_server)', () => {
  let moto: Moto;
  let receiver: Receiver;
  const table = 'attribution-state';

  beforeAll(async () => {
    moto = await startMoto();
    receiver = await startReceiver();
    const dynamo = motoDynamo(moto);
    await createStateTable(dynamo, table);
    dynamo.destroy();
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await moto?.stop();
  });
  afterEach(() => vi.unstubAllEnvs());

  /** A cold start: each invocation below runs in a fresh container, sharing only the table. */
  function coldStart() {
    vi.stubEnv('AWS_ACCESS_KEY_ID', MOTO_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOTO_CREDENTIALS.secretAccessKey);
    const runtime = testRuntime(
      `destinations:
  hook: {type: webhook, url: {env: HOOK_URL}}
routing:
  defaults: {critical: [hook], high: [hook], medium: [hook], low: [hook], informational: [hook]}
placeholders:
  wide_permission_roles: ['arn:aws:iam::*:role/Admin']
state: {backend: dynamodb, table: ${table}, region: ${MOTO_REGION}, endpoint: '${moto.endpoint}'}
`,
      { notifier: { secrets: new SecretResolver({ env: { HOOK_URL: receiver.url } }) } },
    );
    return createTrailHandler('eventbridge', {
      runtime,
      log: capturingLogger().log,
      servedAccounts: ['111111111111'],
    });
  }

  it('each write of the shared Admin/deploy session names the person whose key it carries', async () => {
    const starts = records.filter((record) => record.eventName === 'AssumeRole');
    const calls = records.filter((record) => record.eventName !== 'AssumeRole' && record.readOnly === false);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // The AssumeRoles arrive first, each in an invocation of its own, as EventBridge delivers them.
    for (const start of starts) await coldStart()(eventBridgeCloudTrail(start), {});
    receiver.requests.length = 0;
    // Then each call, in its own fresh invocation: only the table links it to its AssumeRole.
    for (const call of calls) await coldStart()(eventBridgeCloudTrail(call), {});
    const people = new Map<string, string | null>();
    for (const request of receiver.requests) {
      const body = JSON.parse(request.body) as {
        alert: { actor?: { person: { name: string | null } } };
        record: { eventID: string };
      };
      people.set(body.record.eventID, body.alert.actor?.person.name ?? null);
    }
    // The same records attributed in one process, all at once: what the table must reproduce.
    const resolver = new ActorResolver(new MemorySessionStore());
    for (const start of starts) await resolver.observe(start);
    const expected = new Map<string, string | null>();
    for (const call of calls) expected.set(call.eventID, (await resolver.resolve(call)).person.name);
    expect(new Set(expected.values())).toEqual(new Set(['alice', 'bob', null]));
    for (const [eventID, person] of expected) expect(people.get(eventID)).toBe(person);
  }, 60_000);
});
