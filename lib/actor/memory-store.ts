import type { SessionRecord, SessionStore } from './store';
import { sessionWeight } from './store';

/**
 * Sessions in memory, for the CLI: one process reads the whole input. Bounded: past `maxEntries`,
 * the oldest tenth (by insertion, which follows the input's time order) is forgotten.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly maxEntries = DEFAULT_MAX_SESSIONS) {}

  async get(key: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(key);
  }

  /** Never replaces a session that names its person with one that does not (see SessionStore.put). */
  async put(record: SessionRecord): Promise<void> {
    const existing = this.sessions.get(record.key);
    if (existing !== undefined && sessionWeight(existing) > sessionWeight(record)) return;
    this.sessions.delete(record.key);
    this.sessions.set(record.key, record);
    if (this.sessions.size > this.maxEntries) this.forgetOldest(Math.ceil(this.maxEntries / 10));
  }

  knows(key: string): boolean {
    return this.sessions.has(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  private forgetOldest(count: number): void {
    let left = count;
    for (const key of this.sessions.keys()) {
      if (left-- <= 0) break;
      this.sessions.delete(key);
    }
  }
}

/** About 1 KB each: a million sessions is a few hundred MB at most, beyond any day of one organisation's trail. */
export const DEFAULT_MAX_SESSIONS = 1_000_000;
