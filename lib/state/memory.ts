import type { DedupDecision, StateStore, WindowEntry } from './types';
import { pruneWindow } from './types';

interface DedupEntry {
  alertId: string;
  windowEnd: number;
  suppressed: number;
}

/** State for one process (the CLI, tests): lost when it exits. */
export class MemoryStateStore implements StateStore {
  private readonly dedupEntries = new Map<string, DedupEntry>();
  private readonly windows = new Map<string, WindowEntry[]>();
  private readonly delivered = new Set<string>();

  async dedup(key: string, alertId: string, windowMs: number, now: number): Promise<DedupDecision> {
    const entry = this.dedupEntries.get(key);
    if (entry && entry.windowEnd > now) {
      if (entry.alertId === alertId) return { notify: true, suppressedBefore: 0 };
      entry.suppressed++;
      return { notify: false, suppressedSoFar: entry.suppressed };
    }
    this.dedupEntries.set(key, { alertId, windowEnd: now + windowMs, suppressed: 0 });
    return { notify: true, suppressedBefore: entry?.suppressed ?? 0 };
  }

  async appendToWindow(key: string, entry: WindowEntry, timespanMs: number): Promise<WindowEntry[]> {
    const kept = pruneWindow([...(this.windows.get(key) ?? []), entry], timespanMs);
    this.windows.set(key, kept);
    return kept;
  }

  async resetWindow(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async wasDelivered(alertId: string, destination: string): Promise<boolean> {
    return this.delivered.has(`${alertId}\u0000${destination}`);
  }

  async markDelivered(alertId: string, destination: string): Promise<void> {
    this.delivered.add(`${alertId}\u0000${destination}`);
  }
}
