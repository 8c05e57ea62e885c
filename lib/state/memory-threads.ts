import type { ThreadParent, ThreadParentWrite, ThreadRepeat } from './types';

interface StoredParent {
  ref: string;
  count: number;
  expiresAt: number;
}

/** Thread parents for one process (the CLI, tests), with the same answers as the DynamoDB store. */
export class MemoryThreads {
  private readonly parents = new Map<string, StoredParent>();

  save(key: string, write: ThreadParentWrite): ThreadParent {
    const standing = this.live(key, write.now);
    if (standing !== undefined && !write.replace) return { ref: standing.ref, count: standing.count };
    this.parents.set(key, { ref: write.ref, count: write.count, expiresAt: write.expiresAt });
    return { ref: write.ref, count: write.count };
  }

  repeat(key: string, count: number, now: number): ThreadRepeat | undefined {
    const standing = this.live(key, now);
    if (standing === undefined) return undefined;
    const newest = count > standing.count;
    if (newest) standing.count = count;
    return { parent: { ref: standing.ref, count: standing.count }, newest };
  }

  private live(key: string, now: number): StoredParent | undefined {
    const stored = this.parents.get(key);
    if (stored === undefined || stored.expiresAt <= now) return undefined;
    return stored;
  }
}
