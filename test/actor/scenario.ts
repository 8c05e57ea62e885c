/** Loads the attribution scenarios (test/fixtures/attribution) and runs a resolver over them. */
import { readFileSync } from 'node:fs';
import type { Actor, SessionStore } from '../../lib/actor';
import { ActorResolver, MemorySessionStore } from '../../lib/actor';
import type { CloudTrailRecord } from '../../lib/records';
import { checkRecord } from '../../lib/records';
import { fixturePath } from '../helpers/fixtures';

/** The scenario's records, checked as the readers check them (string flags become booleans). */
export function scenarioRecords(name: string): CloudTrailRecord[] {
  return readFileSync(fixturePath('attribution', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const checked = checkRecord(JSON.parse(line) as Record<string, unknown>);
      if (!checked.ok) throw new Error(`${name}.jsonl line ${index + 1}: ${checked.reason}`);
      return checked.record;
    });
}

/**
 * `stream`: each record observed then resolved, in order (the CLI on one file). `batch`: every
 * session start observed first, then each record resolved (the driver on one batch).
 */
export type Mode = 'stream' | 'batch';

export async function attribute(
  records: readonly CloudTrailRecord[],
  mode: Mode,
  store: SessionStore = new MemorySessionStore(),
): Promise<Map<string, Actor>> {
  const resolver = new ActorResolver(store);
  const actors = new Map<string, Actor>();
  if (mode === 'batch') {
    for (const record of records) if (resolver.isSessionStart(record)) await resolver.observe(record);
  }
  for (const record of records) {
    if (mode === 'stream') await resolver.observe(record);
    actors.set(record.eventID, await resolver.resolve(record));
  }
  return actors;
}
